import Foundation
import GRDB

/// The embedded evidence store: one SQLite file (GRDB), in WAL mode with a busy timeout so several
/// `drreport ingest` processes can write to it at once. Each piece of evidence is stored in one
/// IMMEDIATE transaction together with its ledger entry, so the ledger stays one chain and a killed
/// process leaves either all of a file or none of it.
public final class SQLiteEvidenceStore: SQLEvidenceReader {
    public let location: String
    private let pool: DatabasePool

    /// Opens the store at `path`, creating it when `create` is set, and migrates its schema.
    public init(path: String, create: Bool) throws(EvidenceError) {
        location = path
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists, !create {
            throw EvidenceError(.store, source: path, "no evidence store here; run `drreport init` or name one with --store")
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(120)
        configuration.label = "drreport"
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            let migrator = Self.migrator
            try pool.write { db in
                if try migrator.hasBeenSuperseded(db) {
                    throw EvidenceError(
                        .storeVersion, source: path,
                        "the store's schema is newer than this drreport understands; use a newer drreport")
                }
            }
            try migrator.migrate(pool)
        } catch let error as EvidenceError {
            throw error
        } catch {
            throw Self.translate(error, location: path)
        }
    }

    private static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (index, statements) in Schema.migrations(.sqlite).enumerated() {
            migrator.registerMigration("v\(index + 1)") { db in
                for statement in statements { try db.execute(sql: statement) }
            }
        }
        return migrator
    }

    static func translate(_ error: any Error, location: String) -> EvidenceError {
        if let error = error as? EvidenceError { return error }
        if let error = error as? DatabaseError {
            switch error.resultCode {
            case .SQLITE_NOTADB:
                return EvidenceError(.store, source: location, "not a drreport store (not an SQLite database)")
            case .SQLITE_BUSY, .SQLITE_LOCKED:
                return EvidenceError(.store, source: location, "the store stayed locked by another process for 120 s")
            case .SQLITE_CANTOPEN:
                return EvidenceError(.store, source: location, "cannot open the store (missing folder or no permission)")
            case .SQLITE_READONLY:
                return EvidenceError(.store, source: location, "the store is read-only")
            case .SQLITE_FULL:
                return EvidenceError(.store, source: location, "the disk is full")
            default:
                return EvidenceError(.store, source: location, "sqlite error \(error.resultCode.rawValue): \(error.message ?? "unknown")")
            }
        }
        return EvidenceError(.store, source: location, "\(error)")
    }

    func rows(_ sql: String, _ arguments: [SQLValue], table: String) async throws(EvidenceError) -> [SQLRow] {
        do {
            return try await pool.read { db in
                try Self.fetch(db, sql, arguments, table: table)
            }
        } catch {
            throw Self.translate(error, location: location)
        }
    }

    private static func fetch(_ db: Database, _ sql: String, _ arguments: [SQLValue], table: String) throws -> [SQLRow] {
        let statement = try db.cachedStatement(sql: sql)
        let columns = SQLColumns(statement.columnNames)
        let cursor = try Row.fetchCursor(statement, arguments: StatementArguments(arguments.map(\.databaseValue)))
        var rows: [SQLRow] = []
        while let row = try cursor.next() {
            var values: [SQLValue] = []
            values.reserveCapacity(columns.names.count)
            for value in row.databaseValues {
                switch value.storage {
                case .null: values.append(.null)
                case .int64(let integer): values.append(.integer(integer))
                case .double(let double): values.append(.integer(Int64(double)))
                case .string(let text): values.append(.text(text))
                case .blob(let data): values.append(.blob(data))
                }
            }
            rows.append(SQLRow(columns: columns, values: values, table: table))
        }
        return rows
    }

    public func store(_ evidence: ParsedEvidence) async throws(EvidenceError) -> StoreOutcome {
        let now = Instant.now
        let rows = RecordRows.rows(for: evidence.content, evidence: evidence.id, ingestedAt: now)
        let records = evidence.recordsDigest
        let covers = evidence.content.covers
        do {
            let outcome: StoredOrDuplicate = try await pool.write { db in
                let id = evidence.id.description
                if try Row.fetchOne(db, sql: "SELECT 1 FROM evidence WHERE id = ?", arguments: [id]) != nil {
                    return .duplicate
                }
                let head = try Self.fetch(db, "SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1", [], table: "ledger")
                    .first.map { row in (seq: try row.int("seq"), hash: try row.hash("hash")) }
                let entry = LedgerEntry(
                    following: head, evidence: evidence.id, kind: evidence.kind, source: evidence.source,
                    ingestedAt: now, records: records)
                for member in evidence.members {
                    try db.cachedStatement(sql: "INSERT INTO blob (hash, size, content) VALUES (?, ?, ?) ON CONFLICT(hash) DO NOTHING")
                        .execute(arguments: [member.hash.description, member.bytes.count, member.bytes])
                }
                var evidenceRow = SQLRowBuilder()
                evidenceRow.add(evidence.id)
                evidenceRow.add(evidence.kind.rawValue)
                evidenceRow.add(evidence.source)
                evidenceRow.add(covers)
                evidenceRow.add(entry.ingestedAt)
                evidenceRow.add(now.nanosecondsSinceEpoch)
                evidenceRow.add(records)
                try Self.insert(db, Schema.evidence, evidenceRow.values)
                for member in evidence.members {
                    try Self.insert(db, Schema.member, [.text(id), .text(member.name), .text(member.hash.description), .integer(Int64(member.bytes.count))])
                }
                for (table, values) in rows {
                    try Self.insert(db, table, values)
                }
                var ledgerRow = SQLRowBuilder()
                ledgerRow.add(entry.seq)
                ledgerRow.add(entry.evidence)
                ledgerRow.add(entry.kind.rawValue)
                ledgerRow.add(entry.source)
                ledgerRow.add(entry.ingestedAt)
                ledgerRow.add(entry.records)
                ledgerRow.add(entry.prev)
                ledgerRow.add(entry.hash)
                try Self.insert(db, Schema.ledger, ledgerRow.values)
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
        } catch {
            throw Self.translate(error, location: location)
        }
    }

    private enum StoredOrDuplicate: Sendable {
        case stored(LedgerEntry)
        case duplicate
    }

    private static func insert(_ db: Database, _ table: TableSpec, _ values: [SQLValue]) throws {
        try db.cachedStatement(sql: table.insertSQL).execute(arguments: StatementArguments(values.map(\.databaseValue)))
    }
}

extension SQLValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .integer(let value): value.databaseValue
        case .text(let value): value.databaseValue
        case .blob(let value): value.databaseValue
        }
    }
}

