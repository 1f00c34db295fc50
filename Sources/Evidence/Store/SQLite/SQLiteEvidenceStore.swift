import CSQLiteConfig
import Foundation
import GRDB
import GRDBSQLite
import Synchronization

/// The embedded evidence store: one SQLite file (GRDB), in WAL mode with a busy timeout so several
/// `drreport ingest` processes can write to it at once. Each piece of evidence is stored in one
/// IMMEDIATE transaction together with its ledger entry, so the ledger stays one chain and a killed
/// process leaves either all of a file or none of it.
public final class SQLiteEvidenceStore: SQLEvidenceReader {
    public let location: String
    /// Whether opening the store created it.
    public let created: Bool
    private let pool: DatabasePool
    /// Whether the files' bytes are stored (not in a scratch store).
    private let keepsContents: Bool
    /// Copies the write-ahead log into the database behind the writer (not in a scratch store).
    private let checkpointer: LogCheckpointer?

    /// Opens the store at `path`. With `create`, a missing store is created and an older schema is
    /// migrated; without it (read commands), the store must exist at the current schema and nothing
    /// is written. A database that is not a drreport store is refused either way, untouched.
    ///
    /// A `scratch` store is one drreport builds, reads once and throws away (the bundle verifier's, where
    /// the bundle holds the files): it keeps no file contents, only their hashes and sizes; it is never
    /// synced to disk, so a crash may leave it corrupt, which does not matter for a store nobody keeps;
    /// and its write-ahead log is never copied into the database (each page is written once, not
    /// twice), neither while it is written nor when it is closed: the log is the store.
    public convenience init(path: String, create: Bool, scratch: Bool = false) throws(EvidenceError) {
        try self.init(path: path, create: create, scratch: scratch, logStep: LogCheckpointer.step)
    }

    /// Opens the store, checkpointing its write-ahead log every `logStep` bytes of log.
    init(path: String, create: Bool, scratch: Bool, logStep: Int) throws(EvidenceError) {
        // Before anything here opens a database (an existing store is inspected first).
        _ = Self.memoryStatisticsOff
        location = path
        let exists = FileManager.default.fileExists(atPath: path)
        if !exists, !create {
            throw EvidenceError(.store, source: path, "no evidence store here; run `drreport init` or name one with --store")
        }
        created = !exists
        keepsContents = !scratch
        // An empty database (a store whose creation was interrupted before its schema) is initialised
        // even by a read command: there is nothing in it to protect, and a killed ingest must leave a
        // store that opens.
        let empty = exists ? try Self.inspect(path: path, create: create) : true
        var configuration = Configuration()
        configuration.busyMode = .callback { tries in LockWait.retry(after: tries, upTo: .seconds(120)) }
        configuration.label = "drreport"
        let checkpointer = scratch ? nil : LogCheckpointer(path: path, step: logStep, pageSize: Self.pageSize)
        configuration.prepareDatabase { db in
            // For a new store (an existing one keeps its pages): see pageSize.
            try db.execute(sql: "PRAGMA page_size = \(Self.pageSize)")
            if scratch {
                try db.execute(sql: "PRAGMA synchronous = OFF; PRAGMA wal_autocheckpoint = 0")
                // Nor when it is closed: the store is deleted next.
                _ = drreport_sqlite_no_checkpoint_on_close(db.sqliteConnection)
            } else {
                // The write-ahead log is copied into the database by the checkpointer's thread, not at
                // the end of the writer's commits.
                try db.execute(sql: "PRAGMA synchronous = NORMAL")
                if let connection = db.sqliteConnection { checkpointer?.install(on: connection) }
            }
        }
        self.checkpointer = checkpointer
        // Several processes may create or migrate the same new store at once: whoever loses a race
        // (SQLITE_BUSY while switching to WAL, or a table another process just created) tries again.
        var attempt = 0
        while true {
            attempt += 1
            do {
                let pool = try DatabasePool(path: path, configuration: configuration)
                if create || empty {
                    try Self.migrator.migrate(pool)
                }
                self.pool = pool
                return
            } catch let error as DatabaseError where attempt < 50
                && (error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
                    || (error.resultCode == .SQLITE_ERROR && (error.message ?? "").contains("already exists")))
            {
                usleep(20_000 + UInt32(attempt) * 5_000)
            } catch {
                throw Self.translate(error, location: path)
            }
        }
    }

    deinit {
        checkpointer?.stop()
    }

    /// SQLite's count of its memory use, off before the process opens its first database: drreport
    /// never reads it, and keeping it takes one lock for the whole process on every allocation.
    private static let memoryStatisticsOff: Void = { _ = drreport_sqlite_no_memory_statistics() }()

    /// The page size of a new store: 8 KiB rather than SQLite's 4 KiB. A bank's Terraform states put
    /// ~340 MB in the store, and each page is a write to the log, a write to the database and a read
    /// between them; twice the page halves those calls and the B-tree's splits, and ingest of the
    /// states took ~10% less time. Larger pages went further for states (64 KiB: ~25%) but cost more
    /// in the rest of a quarter: each of its ~6,000 small files is a commit writing a dozen whole
    /// pages to the log, and at 16 KiB the whole quarter's ingest was already slower than at 4 KiB.
    static let pageSize = 8192

    /// Checks, read-only, that an existing file is a drreport store this version can use; returns
    /// whether the database is empty (no tables yet).
    private static func inspect(path: String, create: Bool) throws(EvidenceError) -> Bool {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(120)
        do {
            let probe = try DatabaseQueue(path: path, configuration: configuration)
            let migrator = Self.migrator
            let empty = try probe.read { db -> Bool in
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
                if tables.isEmpty { return true }
                guard tables.contains("grdb_migrations"), tables.contains("ledger") || !tables.contains(where: { $0 != "grdb_migrations" }) else {
                    throw EvidenceError(.store, source: path, "not a drreport store (an SQLite database with other tables); refusing to touch it")
                }
                if try migrator.hasBeenSuperseded(db) {
                    throw EvidenceError(
                        .storeVersion, source: path,
                        "the store's schema is newer than this drreport understands; use a newer drreport")
                }
                if !create, try !migrator.hasCompletedMigrations(db) {
                    throw EvidenceError(.storeVersion, source: path, "the store's schema is older than this drreport; run `drreport init` to migrate it")
                }
                return false
            }
            try probe.close()
            return empty
        } catch let error as EvidenceError {
            throw error
        } catch {
            throw translate(error, location: path)
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
                return EvidenceError(.store, source: location, "the store is locked by another process (busy); try again")
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

    /// One column of the row a statement stands on, its bytes still SQLite's: valid until the
    /// statement steps again. A REAL where the schema has integers (a store altered by hand) is read
    /// as the integer it truncates to, saturated, so no value can trap.
    enum Column {
        case null
        case integer(Int64)
        case text(UnsafeRawBufferPointer)
        case blob(UnsafeRawBufferPointer)

        init(_ sqlite: OpaquePointer, _ index: Int32) {
            switch sqlite3_column_type(sqlite, index) {
            case SQLITE_INTEGER:
                self = .integer(sqlite3_column_int64(sqlite, index))
            case SQLITE_FLOAT:
                let value = sqlite3_column_double(sqlite, index)
                self = .integer(value.isNaN ? 0 : value >= 0x1p63 ? .max : value < -0x1p63 ? .min : Int64(value))
            case SQLITE_TEXT:
                // By its length rather than by searching for its end.
                let text = sqlite3_column_text(sqlite, index)
                self = .text(UnsafeRawBufferPointer(start: text, count: text == nil ? 0 : Int(sqlite3_column_bytes(sqlite, index))))
            case SQLITE_BLOB:
                let blob = sqlite3_column_blob(sqlite, index)
                self = .blob(UnsafeRawBufferPointer(start: blob, count: blob == nil ? 0 : Int(sqlite3_column_bytes(sqlite, index))))
            default:
                self = .null
            }
        }
    }

    static func fetch(_ db: Database, _ sql: String, _ arguments: [SQLValue], table: String) throws -> [SQLRow] {
        let statement = try db.cachedStatement(sql: sql)
        let columns = SQLColumns(statement.columnNames)
        let cursor = try Row.fetchCursor(statement, arguments: StatementArguments(arguments.map(\.databaseValue)))
        // The values are read straight from the statement GRDB steps: no intermediate row values.
        let sqlite = statement.sqliteStatement
        let count = Int32(columns.names.count)
        var rows: [SQLRow] = []
        while try cursor.next() != nil {
            var values: [SQLValue] = []
            values.reserveCapacity(Int(count))
            for index in 0..<count {
                switch Column(sqlite, index) {
                case .null: values.append(.null)
                case .integer(let value): values.append(.integer(value))
                case .text(let bytes): values.append(.text(String(decoding: bytes.assumingMemoryBound(to: UInt8.self), as: UTF8.self)))
                case .blob(let bytes): values.append(.blob(Data(bytes)))
                }
            }
            rows.append(SQLRow(columns: columns, values: values, table: table))
        }
        return rows
    }

    /// Read connections that all see one state of the store, so a check can read on both cores (its
    /// integrity verification, parity and the rest at once) and still see the store as at one
    /// instant. They are opened one after another; an ingest always writes the ledger in the same
    /// transaction as its evidence, so connections that see the same ledger see the same store.
    /// When an ingest keeps committing between two openings, one connection serves.
    static func lanes(of pool: DatabasePool, count: Int = 4) throws -> [DatabaseSnapshot] {
        func head(_ snapshot: DatabaseSnapshot) throws -> String {
            try snapshot.read { db in
                let row = try Row.fetchOne(db, sql: "SELECT count(*), max(seq), (SELECT hash FROM ledger ORDER BY seq DESC LIMIT 1) FROM ledger")
                return row.map { "\($0[0] as Int64? ?? 0) \($0[1] as Int64? ?? 0) \($0[2] as String? ?? "")" } ?? ""
            }
        }
        for _ in 0..<5 {
            let lanes = try (0..<count).map { _ in try pool.makeSnapshot() }
            let heads = try lanes.map(head)
            if Set(heads).count == 1 { return lanes }
        }
        return [try pool.makeSnapshot()]
    }

    public func snapshot() async throws(EvidenceError) -> any EvidenceStore {
        do {
            return SQLiteSnapshot(location: location, lanes: try Self.lanes(of: pool))
        } catch {
            throw Self.translate(error, location: location)
        }
    }

    public func verify() async throws(EvidenceError) -> IntegrityReport {
        // One read transaction for the whole check, so a concurrent ingest is never half-seen.
        guard let snapshot = try await snapshot() as? SQLiteSnapshot else {
            throw EvidenceError(.store, source: location, "no consistent snapshot of the store")
        }
        return try await snapshot.verifyContents()
    }

    public func store(_ evidence: ParsedEvidence, ingestedAt: Instant?) async throws(EvidenceError) -> StoreOutcome {
        try await store(PreparedEvidence(evidence, ingestedAt: ingestedAt ?? Instant.now))
    }

    /// Stores evidence whose rows were prepared ahead, in one transaction with its ledger entry.
    public func store(_ prepared: PreparedEvidence) async throws(EvidenceError) -> StoreOutcome {
        do {
            return try await store(batch: [prepared])[0]
        } catch {
            throw error.error
        }
    }

    /// Stores pieces of evidence in one transaction, in order, each with its ledger entry: all of them,
    /// or none when one cannot be stored (the error says which). ``store(_:)`` is a batch of one.
    ///
    /// A commit writes every page it changed to the write-ahead log again, the tables' upper pages and
    /// indexes included. Replaying a bank's quarter into the bundle verifier's scratch store one commit
    /// per piece (3,000 of them) wrote a 650 MB log for 200 MB of rows; in batches it writes the rows
    /// about once.
    public func store(batch: [PreparedEvidence]) async throws(BatchStoreError) -> [StoreOutcome] {
        let keepsContents = keepsContents
        let written: [StoredOrDuplicate]
        do {
            written = try await pool.write { db in
                var written: [StoredOrDuplicate] = []
                written.reserveCapacity(batch.count)
                for (index, prepared) in batch.enumerated() {
                    do {
                        written.append(try Self.write(prepared, in: db, keepsContents: keepsContents))
                    } catch {
                        throw BatchStoreError(index: index, error: Self.translate(error, location: location))
                    }
                }
                return written
            }
        } catch let error as BatchStoreError {
            throw error
        } catch {
            // The transaction itself (its start or its commit): no piece in particular.
            throw BatchStoreError(index: nil, error: Self.translate(error, location: location))
        }
        var outcomes: [StoreOutcome] = []
        outcomes.reserveCapacity(batch.count)
        for (index, outcome) in written.enumerated() {
            do {
                outcomes.append(try await resolve(outcome, of: batch[index]))
            } catch {
                throw BatchStoreError(index: index, error: error)
            }
        }
        return outcomes
    }

    /// The outcome of a write, with the stored summary of a duplicate.
    private func resolve(_ outcome: StoredOrDuplicate, of prepared: PreparedEvidence) async throws(EvidenceError) -> StoreOutcome {
        switch outcome {
        case .stored(let entry):
            return .stored(entry)
        case .duplicate:
            guard let existing = try await evidence(matching: prepared.evidence.id.hex).first else {
                throw EvidenceError(.store, source: location, "duplicate evidence vanished while reading it")
            }
            return .duplicate(existing)
        }
    }

    /// Writes one piece of evidence and its ledger entry in the open transaction; nothing when its bytes
    /// are already stored.
    private static func write(_ prepared: PreparedEvidence, in db: Database, keepsContents: Bool) throws -> StoredOrDuplicate {
        let evidence = prepared.evidence
        let now = prepared.ingestedAt
        let records = prepared.records
        let id = evidence.id.description
        if try Row.fetchOne(db, sql: "SELECT 1 FROM evidence WHERE id = ?", arguments: [id]) != nil {
            return .duplicate
        }
        let head = try fetch(db, "SELECT seq, hash FROM ledger ORDER BY seq DESC LIMIT 1", [], table: "ledger")
            .first.map { row in (seq: try row.int("seq"), hash: try row.hash("hash")) }
        let entry = LedgerEntry(
            following: head, evidence: evidence.id, kind: evidence.kind, source: evidence.source,
            ingestedAt: now, records: records)
        for member in evidence.members {
            try db.cachedStatement(sql: "INSERT INTO blob (hash, size, content) VALUES (?, ?, ?) ON CONFLICT(hash) DO NOTHING")
                .execute(arguments: [member.hash.description, member.bytes.count, keepsContents ? member.bytes : Data()])
        }
        var own = EncodedRows()
        own.begin(Schema.evidence)
        RecordRows.evidenceRow(evidence, covers: evidence.content.covers, entry: entry, ingestedAt: now, into: &own)
        for member in evidence.members {
            own.begin(Schema.member)
            RecordRows.memberRow(member, into: &own)
        }
        try insert(db, own, evidence: id)
        try insert(db, prepared.rows, evidence: id)
        var ledger = EncodedRows()
        ledger.begin(Schema.ledger)
        RecordRows.ledgerRow(entry, into: &ledger)
        try insert(db, ledger, evidence: nil)
        return .stored(entry)
    }

    private enum StoredOrDuplicate: Sendable {
        case stored(LedgerEntry)
        case duplicate
    }

    /// Inserts rows with their tables' cached statements, binding the values straight to SQLite: a
    /// quarter's ingest inserts ~300,000 rows, and building GRDB's arguments for each (with a check of
    /// every value against the statement) took over half of the time spent storing them. When
    /// `evidence` is given, it is every row's first column and the rows hold the others.
    ///
    /// Each text and blob is bound where it lies in the rows' encoding, without a destructor
    /// (SQLITE_STATIC): SQLite reads it in place, with no copy made, kept and freed per value. Each
    /// statement is reset with its bindings cleared after its row, before the encoding goes out of
    /// reach, as GRDB leaves its own; only this function executes the tables' insert statements.
    private static func insert(_ db: Database, _ rows: EncodedRows, evidence: String?) throws {
        var key = evidence ?? ""
        let first: Int32 = evidence == nil ? 1 : 2
        var statements: [OpaquePointer?] = Array(repeating: nil, count: rows.tables.count)
        try key.withUTF8 { key in
            try rows.encoding.withUnsafeBytes { encoding in
                for row in rows.rows {
                    let table = rows.tables[row.table]
                    let sqlite: OpaquePointer
                    if let prepared = statements[row.table] {
                        sqlite = prepared
                    } else {
                        sqlite = try db.cachedStatement(sql: table.insertSQL).sqliteStatement
                        statements[row.table] = sqlite
                    }
                    guard row.values.count + Int(first) - 1 == Int(sqlite3_bind_parameter_count(sqlite)) else {
                        throw DatabaseError(
                            resultCode: .SQLITE_MISUSE,
                            message: "\(row.values.count + Int(first) - 1) values for \(sqlite3_bind_parameter_count(sqlite)) columns",
                            sql: table.insertSQL)
                    }
                    sqlite3_reset(sqlite)
                    defer {
                        sqlite3_reset(sqlite)
                        sqlite3_clear_bindings(sqlite)
                    }
                    func check(_ code: Int32) throws {
                        guard code == SQLITE_OK else {
                            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage, sql: table.insertSQL)
                        }
                    }
                    if first == 2 {
                        try check(key.withMemoryRebound(to: CChar.self) { sqlite3_bind_text(sqlite, 1, $0.baseAddress, Int32($0.count), nil) })
                    }
                    var index = first
                    for value in rows.values[row.values] {
                        switch value {
                        case .null:
                            try check(sqlite3_bind_null(sqlite, index))
                        case .integer(let number):
                            try check(sqlite3_bind_int64(sqlite, index, number))
                        case .text(let range):
                            // Never NULL for an empty text: the encoding holds at least the row's table name.
                            let start = (encoding.baseAddress! + range.lowerBound).assumingMemoryBound(to: CChar.self)
                            try check(sqlite3_bind_text(sqlite, index, start, Int32(range.count), nil))
                        case .blob(let range):
                            try check(sqlite3_bind_blob(sqlite, index, encoding.baseAddress! + range.lowerBound, Int32(range.count), nil))
                        }
                        index += 1
                    }
                    let code = sqlite3_step(sqlite)
                    guard code == SQLITE_DONE else {
                        throw DatabaseError(resultCode: ResultCode(rawValue: code), message: db.lastErrorMessage, sql: table.insertSQL)
                    }
                }
            }
        }
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


/// Why a batch of evidence was not stored (``SQLiteEvidenceStore/store(batch:)``): the piece that could
/// not be, by its position in the batch (`nil` when the transaction itself failed), and the error.
public struct BatchStoreError: Error, Sendable {
    /// The position in the batch of the piece that could not be stored.
    public let index: Int?
    /// What went wrong.
    public let error: EvidenceError
}

/// A consistent, read-only view of an SQLite store: one long read transaction (WAL snapshot), so a
/// check or a verification sees the store as it was at one instant even while others ingest.
final class SQLiteSnapshot: SQLEvidenceReader {
    let location: String
    /// Connections that all see the same state (``SQLiteEvidenceStore/lanes(of:count:)``); a query
    /// takes the one with the fewest queries in flight, so a short question does not wait behind a
    /// long read on another task.
    private let lanes: [DatabaseSnapshot]
    private let inFlight: Mutex<[Int]>

    init(location: String, lanes: [DatabaseSnapshot]) {
        self.location = location
        self.lanes = lanes
        inFlight = Mutex(Array(repeating: 0, count: lanes.count))
    }

    /// Runs `work` on the least busy connection.
    private func read<T: Sendable>(_ work: @escaping @Sendable (Database) throws -> T) async throws(EvidenceError) -> T {
        let lane = inFlight.withLock { counts in
            let lane = counts.indices.min { counts[$0] < counts[$1] } ?? 0
            counts[lane] += 1
            return lane
        }
        defer { inFlight.withLock { $0[lane] -= 1 } }
        do {
            return try await lanes[lane].read(work)
        } catch {
            throw SQLiteEvidenceStore.translate(error, location: location)
        }
    }

    func rows(_ sql: String, _ arguments: [SQLValue], table: String) async throws(EvidenceError) -> [SQLRow] {
        try await read { db in try SQLiteEvidenceStore.fetch(db, sql, arguments, table: table) }
    }

    func rows(batch queries: [SQLQuery]) async throws(EvidenceError) -> [[SQLRow]] {
        try await read { db in try queries.map { try SQLiteEvidenceStore.fetch(db, $0.sql, $0.arguments, table: $0.table) } }
    }

    /// Digests the rows from SQLite's own buffers as it steps through them: a quarter's states hold
    /// hundreds of megabytes of values, and building them as rows first costs more than hashing them.
    /// Consistency results, whose tables are digested after their run, are read whole.
    func recordsDigest(of evidence: String, covers: String, tables: [(TableSpec, String)]) async throws(EvidenceError) -> ContentHash {
        if tables.contains(where: { $0.0.name == Schema.consistencyRun.name || $0.0.name == Schema.consistencyTable.name }) {
            return try await readRecordsDigest(of: evidence, covers: covers, tables: tables)
        }
        return try await read { db in
            var digester = RecordDigester(covers: covers)
            for (table, order) in tables {
                let statement = try db.cachedStatement(sql: Self.recordsQuery(table, order: order))
                let cursor = try Row.fetchCursor(statement, arguments: [evidence])
                let sqlite = statement.sqliteStatement
                let count = sqlite3_column_count(sqlite)
                while try cursor.next() != nil {
                    digester.row(of: table)
                    for index in 1..<max(count, 1) {
                        switch SQLiteEvidenceStore.Column(sqlite, index) {
                        case .null: digester.null()
                        case .integer(let value): digester.integer(value)
                        case .text(let bytes): digester.text(bytes)
                        case .blob(let bytes): digester.blob(bytes)
                        }
                    }
                }
            }
            return digester.finalize()
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
