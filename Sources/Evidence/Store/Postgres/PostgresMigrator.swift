import Foundation
import PostgresNIO

/// Brings a PostgreSQL database to the schema this drreport writes, with the same numbered migrations
/// as every engine (`Schema.migrations(.postgres)`), recorded in `drreport_schema_migrations`.
///
/// A store already at the current version is only read (no DDL, no lock), so day-to-day users need no
/// CREATE privilege. Otherwise the migrations run in one transaction under an advisory lock: two
/// processes meeting a new database do not race (the second waits, then finds nothing to do), and a
/// failed migration leaves nothing behind. A database whose version is newer than this drreport knows
/// is refused before anything is read or written.
enum PostgresMigrator {
    /// The table that records applied migrations.
    static let table = "drreport_schema_migrations"

    /// The advisory lock key that serialises migrations: the ASCII bytes of "drrschem".
    static let lockKey: Int64 = 0x6472_7273_6368_656D

    static func migrate(_ connection: PostgresLink, endpoint: PostgresEndpoint, create: Bool) async throws {
        let found = try await version(connection)
        if let found {
            try check(found, endpoint: endpoint)
            if found == Schema.version { return }
        } else if !create {
            throw EvidenceError(
                .store, source: endpoint.redacted,
                "database '\(endpoint.database)' holds no drreport evidence store; "
                    + "create one with `drreport init --store <url>` (or ingest into it)")
        }

        try await connection.perform("BEGIN ISOLATION LEVEL READ COMMITTED")
        do {
            try await connection.perform(
                PostgresQuery(unsafeSQL: "SELECT pg_advisory_xact_lock(\(lockKey))"))
            try await connection.perform(
                PostgresQuery(
                    unsafeSQL: """
                        CREATE TABLE IF NOT EXISTS \(table) (version BIGINT PRIMARY KEY NOT NULL,
                          applied_at TEXT NOT NULL)
                        """))
            let current = try await version(connection) ?? 0
            try check(current, endpoint: endpoint)
            for (index, statements) in Schema.migrations(.postgres).enumerated() where index + 1 > current {
                for statement in statements {
                    try await connection.perform(PostgresQuery(unsafeSQL: statement))
                }
                try await connection.perform(
                    PostgresStatements.query(
                        "INSERT INTO \(table) (version, applied_at) VALUES (?, ?)",
                        [.integer(Int64(index + 1)), .text(Instant.now.rfc3339(utc: true, fractionDigits: 6))]))
            }
            try await connection.perform("COMMIT")
        } catch {
            if !PostgresErrors.isConnectionLost(error), !connection.isClosed {
                _ = try? await connection.perform("ROLLBACK")
            }
            throw error
        }
    }

    /// The highest applied migration (0 when none), or nil when the database has no migrations table.
    static func version(_ connection: PostgresLink) async throws -> Int? {
        let exists = try await connection.run(
            PostgresStatements.query("SELECT to_regclass(?)::text AS name", [.text(table)]),
            table: table)
        guard case .text = exists.first?["name"] else { return nil }
        let rows = try await connection.run(
            PostgresQuery(unsafeSQL: "SELECT MAX(version) AS version FROM \(table)"), table: table)
        guard case .integer(let version) = rows.first?["version"] else { return 0 }
        return Int(version)
    }

    private static func check(_ version: Int, endpoint: PostgresEndpoint) throws(EvidenceError) {
        guard version <= Schema.version else {
            throw EvidenceError(
                .storeVersion, source: endpoint.redacted,
                "the store's schema is version \(version), newer than this drreport understands "
                    + "(version \(Schema.version)); use a newer drreport")
        }
    }
}
