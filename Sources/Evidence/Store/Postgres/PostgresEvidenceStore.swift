import Foundation
import PostgresNIO
import Synchronization

/// The shared evidence store: one PostgreSQL database that many pipelines and users ingest into and
/// read from at once (PostgresNIO, one connection per store).
///
/// Reads are the shared SQL layer's. Each piece of evidence is stored in one transaction that first
/// takes a transaction-level advisory lock, so ledger appends from every process on every machine are
/// serialised: the ledger stays one chain with contiguous positions. A transaction that fails, or
/// whose connection is lost, is rolled back by the server, so nothing is ever half-written.
///
/// Connecting is lazy: creating the store parses the URL; the first operation connects, checks the
/// schema version and migrates. Call ``close()`` when done.
public final class PostgresEvidenceStore: SQLEvidenceReader {
    /// The URL without the password.
    public let location: String
    /// Where the store is.
    public let endpoint: PostgresEndpoint
    private let session: PostgresSession

    /// The advisory lock key every ledger append takes: the ASCII bytes of "drreport".
    static let ledgerLockKey: Int64 = 0x6472_7265_706F_7274

    /// A store for `url` (`postgres://` or `postgresql://`); nothing is contacted until it is used.
    /// With `create`, a database without the drreport schema gets it; without, such a database is refused.
    public init(url: String, create: Bool, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(EvidenceError)
    {
        let endpoint = try PostgresEndpoint(url: url, environment: environment)
        self.endpoint = endpoint
        self.location = endpoint.redacted
        self.session = PostgresSession(endpoint: endpoint, create: create)
    }

    /// A store for `url`, connected and migrated now, so a wrong URL, password or version fails here.
    public static func open(
        url: String, create: Bool, environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws(EvidenceError) -> PostgresEvidenceStore {
        let store = try PostgresEvidenceStore(url: url, create: create, environment: environment)
        do {
            _ = try await store.withConnection(.connecting) { _ in () }
        } catch {
            await store.close()
            throw error
        }
        return store
    }

    /// Closes the connection (after the operation in progress), and the snapshots taken of the
    /// store. Later operations fail.
    public func close() async {
        for snapshot in snapshots.withLock({ snapshots in defer { snapshots.removeAll() }; return snapshots }) {
            await snapshot.close()
        }
        await session.close()
    }

    private let snapshots = Mutex<[PostgresSnapshot]>([])

    /// A REPEATABLE READ, READ ONLY transaction on a connection of its own: every query sees the
    /// database as of the snapshot's first query. Closed with the store.
    public func snapshot() async throws(EvidenceError) -> any EvidenceStore {
        _ = try await withConnection(.connecting) { _ in () }
        let link = try await session.openDedicated()
        let snapshot = PostgresSnapshot(location: location, endpoint: endpoint, link: link)
        try await snapshot.begin()
        snapshots.withLock { $0.append(snapshot) }
        return snapshot
    }

    public func verify() async throws(EvidenceError) -> IntegrityReport {
        guard let snapshot = try await snapshot() as? PostgresSnapshot else {
            throw EvidenceError(.store, source: location, "no consistent snapshot of the store")
        }
        defer { Task { await snapshot.close() } }
        return try await snapshot.verifyContents()
    }

    func rows(_ sql: String, _ arguments: [SQLValue], table: String) async throws(EvidenceError) -> [SQLRow] {
        try await withConnection(.reading) { connection in
            try await connection.run(PostgresStatements.query(sql, arguments), table: table)
        }
    }

    /// Stores evidence in one transaction under the ledger lock; bytes already stored are a duplicate.
    /// A replayed ingestion keeps its recorded instant; otherwise the server's clock is read under the lock.
    public func store(_ evidence: ParsedEvidence, ingestedAt: Instant?) async throws(EvidenceError) -> StoreOutcome {
        // Only a bound state without as_of has records that depend on the ingestion instant.
        let precomputed: ContentHash? = if case .state(let binding, _) = evidence.content, binding.asOf == nil { nil } else { evidence.recordsDigest }
        let covers = evidence.content.covers
        let id = evidence.id.description
        let source = evidence.source
        let outcome: StoredOrDuplicate = try await withConnection(.storing(source: source)) { connection in
            try await connection.perform("BEGIN ISOLATION LEVEL READ COMMITTED")
            let entry: LedgerEntry
            do {
                // Held until COMMIT or ROLLBACK: one appender at a time across every process and machine.
                // READ COMMITTED gives each later statement a snapshot taken after the lock was granted,
                // so the duplicate check and the ledger head see every append committed before.
                try await connection.perform(
                    PostgresQuery(unsafeSQL: "SELECT pg_advisory_xact_lock(\(Self.ledgerLockKey))"))
                let existing = try await connection.run(
                    PostgresStatements.query("SELECT 1 AS found FROM evidence WHERE id = ?", [.text(id)]),
                    table: "evidence")
                if !existing.isEmpty {
                    try await connection.perform("ROLLBACK")
                    return .duplicate
                }
                let head = try await connection.run(
                    "SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1", table: "ledger"
                ).first.map { row throws(EvidenceError) in (seq: try row.int("seq"), hash: try row.hash("hash")) }
                // One clock for every writer: the database server's, read under the lock, so ingested-at
                // follows ledger order however many machines ingest.
                let clock = try await connection.run(
                    "SELECT (EXTRACT(EPOCH FROM clock_timestamp()) * 1000000)::BIGINT AS micros",
                    table: "clock")
                let serverMicros = try clock.first?.int("micros") ?? 0
                let now = ingestedAt.map { Instant(nanosecondsSinceEpoch: $0.nanosecondsSinceEpoch / 1000 * 1000) }
                    ?? Instant(nanosecondsSinceEpoch: serverMicros * 1000)
                entry = LedgerEntry(
                    following: head, evidence: evidence.id, kind: evidence.kind, source: source, ingestedAt: now,
                    records: precomputed ?? evidence.content.recordsDigest(ingestedAt: now))

                for member in evidence.members {
                    try await connection.perform(
                        PostgresStatements.query(
                            "INSERT INTO blob (hash, size, content) VALUES (?, ?, ?) ON CONFLICT (hash) DO NOTHING",
                            [.text(member.hash.description), .integer(Int64(member.bytes.count)), .blob(member.bytes)]))
                }
                for (table, rows) in Self.rows(of: evidence, id: id, covers: covers, entry: entry, now: now) {
                    for query in PostgresStatements.inserts(table, rows) {
                        try await connection.perform(query)
                    }
                }
            } catch {
                // After a lost connection the server has already rolled the transaction back.
                if !PostgresErrors.isConnectionLost(error), !connection.isClosed {
                    _ = try? await connection.perform("ROLLBACK")
                }
                throw error
            }
            do {
                try await connection.perform("COMMIT")
            } catch {
                throw CommitFailed(underlying: error)
            }
            return .stored(entry)
        }
        switch outcome {
        case .stored(let entry):
            return .stored(entry)
        case .duplicate:
            guard let existing = try await self.evidence(matching: evidence.id.hex).first else {
                throw EvidenceError(.store, source: location, "duplicate evidence vanished while reading it")
            }
            return .duplicate(existing)
        }
    }

    /// Every row to insert for a piece of evidence, grouped by table in insert order (parents first):
    /// the evidence row, its members, its records (`RecordRows`, as on every engine), its ledger entry.
    private static func rows(
        of evidence: ParsedEvidence, id: String, covers: String, entry: LedgerEntry, now: Instant
    ) -> [(TableSpec, [[SQLValue]])] {
        var evidenceRow = SQLRowBuilder()
        evidenceRow.add(evidence.id)
        RecordRows.evidenceRow(evidence, covers: covers, entry: entry, ingestedAt: now, into: &evidenceRow)
        var groups: [(TableSpec, [[SQLValue]])] = [(Schema.evidence, [evidenceRow.values])]
        groups.append(
            (
                Schema.member,
                evidence.members.map { member in
                    var row = SQLRowBuilder()
                    row.add(text: id)
                    RecordRows.memberRow(member, into: &row)
                    return row.values
                }
            ))
        for (table, values) in RecordRows.rows(for: evidence.content, evidence: evidence.id, ingestedAt: now) {
            if let last = groups.last, last.0.name == table.name {
                groups[groups.count - 1].1.append(values)
            } else {
                groups.append((table, [values]))
            }
        }
        var ledgerRow = SQLRowBuilder()
        RecordRows.ledgerRow(entry, into: &ledgerRow)
        groups.append((Schema.ledger, [ledgerRow.values]))
        return groups.filter { !$0.1.isEmpty }
    }

    private enum StoredOrDuplicate: Sendable {
        case stored(LedgerEntry)
        case duplicate
    }

    /// COMMIT's answer did not arrive: the outcome is unknown to this process.
    private struct CommitFailed: Error {
        let underlying: any Error
    }

    /// Runs `body` with the connection to itself, translating every error at this boundary.
    private func withConnection<Value: Sendable>(
        _ phase: PostgresErrors.Phase, _ body: (PostgresLink) async throws -> Value
    ) async throws(EvidenceError) -> Value {
        let connection = try await session.lease()
        do {
            let value = try await body(connection)
            await session.giveBack(connection, lost: false)
            return value
        } catch let failure as CommitFailed {
            let lost = PostgresErrors.isConnectionLost(failure.underlying)
            await session.giveBack(connection, lost: lost)
            // A server error answering COMMIT (not a lost connection) means it was rolled back.
            var reported = phase
            if lost, case .storing(let source) = phase { reported = .committing(source: source) }
            throw PostgresErrors.translate(failure.underlying, endpoint: endpoint, phase: reported)
        } catch {
            await session.giveBack(connection, lost: PostgresErrors.isConnectionLost(error))
            throw PostgresErrors.translate(error, endpoint: endpoint, phase: phase)
        }
    }
}
