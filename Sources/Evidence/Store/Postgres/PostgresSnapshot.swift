import Foundation
import PostgresNIO

/// A consistent, read-only view of a PostgreSQL store: one REPEATABLE READ, READ ONLY transaction on
/// a connection of its own, so a check or a verification sees one state of the database even while
/// other pipelines ingest. Queries run one at a time on that connection; a lost connection ends the
/// snapshot (it is never silently replaced by a fresh, different view).
final class PostgresSnapshot: SQLEvidenceReader {
    let location: String
    private let endpoint: PostgresEndpoint
    private let gate: Gate

    /// Serialises the snapshot's statements on its one connection.
    actor Gate {
        let link: PostgresLink
        private var open = true

        init(link: PostgresLink) { self.link = link }

        func run(_ query: PostgresQuery, table: String) async throws -> [SQLRow] {
            guard open, !link.isClosed else { throw SnapshotClosed() }
            return try await link.run(query, table: table)
        }

        func perform(_ query: PostgresQuery) async throws {
            guard open, !link.isClosed else { throw SnapshotClosed() }
            try await link.perform(query)
        }

        func close() async {
            guard open else { return }
            open = false
            if !link.isClosed { _ = try? await link.perform("COMMIT") }
            try? await link.connection.close()
        }
    }

    struct SnapshotClosed: Error {}

    init(location: String, endpoint: PostgresEndpoint, link: PostgresLink) {
        self.location = location
        self.endpoint = endpoint
        self.gate = Gate(link: link)
    }

    func begin() async throws(EvidenceError) {
        do {
            try await gate.perform("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        } catch {
            await gate.close()
            throw PostgresErrors.translate(error, endpoint: endpoint, phase: .reading)
        }
    }

    func close() async {
        await gate.close()
    }

    func rows(_ sql: String, _ arguments: [SQLValue], table: String) async throws(EvidenceError) -> [SQLRow] {
        do {
            return try await gate.run(PostgresStatements.query(sql, arguments), table: table)
        } catch is SnapshotClosed {
            throw EvidenceError(.store, source: location, "the snapshot's connection was lost or closed; run the command again")
        } catch {
            throw PostgresErrors.translate(error, endpoint: endpoint, phase: .reading)
        }
    }

    func store(_ evidence: ParsedEvidence, ingestedAt: Instant?) async throws(EvidenceError) -> StoreOutcome {
        throw EvidenceError(.store, source: location, "a snapshot of the store is read-only")
    }

    func snapshot() async throws(EvidenceError) -> any EvidenceStore { self }

    func verify() async throws(EvidenceError) -> IntegrityReport {
        try await verifyContents()
    }
}
