import Foundation
import PostgresNIO
import Testing

@testable import Evidence

/// What only the shared PostgreSQL store must do: many processes ingesting at once, a connection lost
/// mid-transaction, credentials and schema versions. Needs `DRREPORT_TEST_POSTGRES_URL`.
@Suite(
    "PostgreSQL evidence store", .enabled(if: PostgresTestServer.shouldRun, PostgresTestServer.skipReason),
    .serialized)
struct PostgresStoreTests {
    @Test("8 ingesting processes × 50 files lose nothing and keep one ledger chain", .timeLimit(.minutes(10)))
    func concurrentProcessesLoseNothing() async throws {
        let binary = try DRReportBinary.path()
        try await TestDatabase.with { database in
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            var expected: Set<ContentHash> = []
            for process in 0..<8 {
                let directory = folder.url.appendingPathComponent("pipeline-\(process)")
                try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
                for file in 0..<50 {
                    let text = ConformanceSamples.drillText(drill: "DR-P\(process)-\(file)", tag: " (\(process)/\(file))")
                    try Data(text.utf8).write(
                        to: directory.appendingPathComponent(String(format: "drill-%02d.jsonl", file)))
                    expected.insert(ContentHash.of(Data(text.utf8)))
                }
            }
            #expect(expected.count == 400)
            // The password travels in PGPASSWORD, not on the command line; the database is new, so the
            // eight processes also race to create the schema.
            let password = try #require(URLComponents(string: database.url)?.password)
            let url = database.url(password: nil)
            let started = ContinuousClock.now
            let results = try await withThrowingTaskGroup(of: ProcessResult.self) { group in
                for process in 0..<8 {
                    group.addTask {
                        try await DRReportBinary.run(
                            binary,
                            ["ingest", "--store", url, folder.url.appendingPathComponent("pipeline-\(process)").path],
                            environment: ["PGPASSWORD": password])
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let elapsed = ContinuousClock.now - started
            print("8 processes × 50 files ingested into PostgreSQL in \(elapsed)")
            for result in results {
                #expect(result.status == 0, "\(result.stderr)")
                #expect(result.stdout.hasSuffix("50 new, 0 duplicate, 0 rejected\n"), "\(result.stdout.suffix(200))")
                #expect(!result.stderr.contains(password) && !result.stdout.contains(password))
            }

            let store = try await PostgresEvidenceStore.open(url: database.url, create: false)
            let entries = try await store.ledgerEntries()
            #expect(entries.map(\.seq) == Array(1...400))
            #expect(LedgerChain.problems(in: entries).isEmpty)
            #expect(Set(entries.map(\.evidence)) == expected)
            let ingested = entries.compactMap(\.ingestedInstant)
            #expect(ingested == ingested.sorted(), "ingested-at follows ledger order (one clock, under the lock)")
            #expect(Set(try await store.evidenceList().map(\.id)) == expected)
            let report = try await store.verify()
            #expect(report.intact, "\(report.problems.prefix(3))")
            #expect(report.entries == 400)
            let migrations = try await database.execute("SELECT version FROM drreport_schema_migrations")
            #expect(migrations.count == Schema.version)
            await store.close()
        }
    }

    @Test("a connection terminated mid-transaction leaves nothing partial", .timeLimit(.minutes(5)))
    func terminatedConnectionLeavesNothingPartial() async throws {
        try await TestDatabase.with { database in
            let store = try await PostgresEvidenceStore.open(url: database.url, create: true)
            for index in 0..<3 {
                try await Self.storeNew(store, try ConformanceSamples.drill(drill: "DR-K-\(index)", tag: "\(index)"))
            }
            let big = try ConformanceSamples.boundState(resources: 20_000, tag: "big")
            let started = ContinuousClock.now
            let ingest = Task { try await store.store(big) }
            let killed = try await Self.terminateLedgerLockHolder(in: database)
            let outcome = await ingest.result
            print(
                "large ingest (20,000 resources) terminated after \(ContinuousClock.now - started) (backend \(killed))")
            guard case .failure(let error) = outcome else {
                Issue.record("the ingest finished before its connection was terminated")
                await store.close()
                return
            }
            let password = try #require(URLComponents(string: database.url)?.password)
            let failure = try #require(error as? EvidenceError)
            #expect(failure.code == .store)
            #expect(failure.message.contains("nothing of samples/statebig.json was stored"), "\(failure)")
            #expect(!failure.description.contains(password))

            // Nothing of it is in the database: no evidence, no rows, no blob, no ledger entry.
            #expect(try await store.content(of: big.id) == nil)  // the same store reconnects
            for (table, count) in [
                ("tf_state", 0), ("tf_resource", 0), ("evidence", 3), ("evidence_member", 3), ("blob", 3),
            ] {
                let rows = try await database.execute("SELECT COUNT(*) AS n FROM \(table)")
                #expect(rows.first?["n"] == .integer(Int64(count)), "\(table)")
            }
            let entries = try await store.ledgerEntries()
            #expect(entries.map(\.seq) == [1, 2, 3])
            #expect(try await store.verify().intact)

            // Ingesting it again works and continues the chain.
            let entry = try await Self.storeNew(store, big)
            #expect(entry.seq == 4)
            #expect(try await store.content(of: big.id) == big.content)
            #expect(try await store.verify().intact)
            await store.close()
        }
    }

    @Test("drreport ingest whose connection is terminated exits 2 with nothing written", .timeLimit(.minutes(5)))
    func terminatedIngestProcessExits2() async throws {
        let binary = try DRReportBinary.path()
        try await TestDatabase.with { database in
            let folder = try TemporaryFolder()
            defer { folder.remove() }
            let small = folder.url.appendingPathComponent("drill.jsonl")
            try Data(ConformanceSamples.drillText().utf8).write(to: small)
            let big = folder.url.appendingPathComponent("state.json")
            try Data(ConformanceSamples.stateText(resources: 20_000, tag: "cli").utf8).write(to: big)
            let first = try await DRReportBinary.run(binary, ["ingest", "--store", database.url, small.path])
            #expect(first.status == 0, "\(first.stderr)")

            async let run = DRReportBinary.run(
                binary,
                ["ingest", "--store", database.url, "--kind", "state", "--workspace", "w", "--region", "r", big.path])
            _ = try await Self.terminateLedgerLockHolder(in: database)
            let result = try await run
            let password = try #require(URLComponents(string: database.url)?.password)
            #expect(result.status == 2)
            #expect(result.stderr.contains("Error: postgres://"), "\(result.stderr)")
            #expect(result.stderr.contains("nothing of \(big.path) was stored"), "\(result.stderr)")
            #expect(!result.stderr.contains(password) && !result.stdout.contains(password))

            let store = try await PostgresEvidenceStore.open(url: database.url, create: false)
            #expect(try await store.ledgerEntries().count == 1)
            #expect(try await database.execute("SELECT COUNT(*) AS n FROM tf_resource").first?["n"] == .integer(0))
            #expect(try await store.verify().intact)
            await store.close()
        }
    }

    @Test("a wrong password is a clear error that never shows a password")
    func wrongPassword() async throws {
        let binary = try DRReportBinary.path()
        try await TestDatabase.with { database in
            let right = try #require(URLComponents(string: database.url)?.password)
            let wrong = "not-the-password-\(UUID().uuidString.prefix(8))"
            do throws(EvidenceError) {
                _ = try await PostgresEvidenceStore.open(url: database.url(password: wrong), create: true)
                Issue.record("a wrong password was accepted")
            } catch {
                #expect(error.code == .store)
                #expect(error.message.contains("authentication failed for user"), "\(error)")
                #expect(error.source == database.url(password: nil))
                #expect(!error.description.contains(wrong) && !error.description.contains(right))
            }
            // The same through PGPASSWORD and the command line.
            let result = try await DRReportBinary.run(
                binary, ["evidence", "list", "--store", database.url(password: nil)], environment: ["PGPASSWORD": wrong]
            )
            #expect(result.status == 2)
            #expect(result.stderr.contains("authentication failed"), "\(result.stderr)")
            #expect(!result.stderr.contains(wrong) && !result.stdout.contains(wrong))
        }
    }

    @Test("a database at a newer schema version is refused")
    func newerSchemaIsRefused() async throws {
        try await TestDatabase.with { database in
            let store = try await PostgresEvidenceStore.open(url: database.url, create: true)
            try await Self.storeNew(store, try ConformanceSamples.drill())
            await store.close()
            try await database.execute(
                "INSERT INTO drreport_schema_migrations (version, applied_at) VALUES (\(Schema.version + 1), 'the future')"
            )
            for create in [false, true] {
                do throws(EvidenceError) {
                    _ = try await PostgresEvidenceStore.open(url: database.url, create: create)
                    Issue.record("a newer schema was accepted")
                } catch {
                    #expect(error.code == .storeVersion)
                    #expect(
                        error.message.contains("version \(Schema.version + 1), newer than this drreport"), "\(error)")
                }
            }
        }
    }

    @Test("first use creates the schema once, even when stores race; an empty database is not a store")
    func migrationsRaceSafely() async throws {
        try await TestDatabase.with { database in
            do throws(EvidenceError) {
                _ = try await PostgresEvidenceStore.open(url: database.url, create: false)
                Issue.record("an empty database was taken for a store")
            } catch {
                #expect(error.code == .store)
                #expect(error.message.contains("holds no drreport evidence store"), "\(error)")
            }
            let stores = try await withThrowingTaskGroup(of: PostgresEvidenceStore.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await PostgresEvidenceStore.open(url: database.url, create: true) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(
                try await database.execute("SELECT version FROM drreport_schema_migrations").count == Schema.version)
            for (index, store) in stores.enumerated() {
                try await Self.storeNew(store, try ConformanceSamples.drill(drill: "DR-M-\(index)", tag: "\(index)"))
            }
            #expect(try await stores[0].ledgerEntries().map(\.seq) == [1, 2, 3, 4])
            for store in stores { await store.close() }
        }
    }

    @Test("an unreachable server and a missing database are clear store errors")
    func unreachableAndMissing() async throws {
        let url = try PostgresTestServer.requireURL()
        var components = try #require(URLComponents(string: url))
        let password = try #require(components.password)
        components.path = "/drreport_no_such_database"
        let missing = try #require(components.string)
        do {
            _ = try await PostgresEvidenceStore.open(url: missing, create: true)
            Issue.record("a missing database was opened")
        } catch {
            #expect(error.code == .store)
            #expect(error.message.contains("database 'drreport_no_such_database' does not exist"), "\(error)")
            #expect(!error.description.contains(password))
        }
        components.port = try Self.closedPort()
        let unreachable = try #require(components.string)
        do {
            _ = try await PostgresEvidenceStore.open(url: unreachable, create: true)
            Issue.record("an unreachable server was opened")
        } catch {
            #expect(error.code == .store)
            #expect(error.message.contains("cannot connect to the PostgreSQL server at"), "\(error)")
            #expect(!error.description.contains(password))
        }
    }

    @Test(
        "TLS: require encrypts, verify-full checks the certificate, disable does not encrypt",
        .enabled(
            if: PostgresTestServer.tlsShouldRun, "DRREPORT_TEST_POSTGRES_CA is not set: the test server offers no TLS"))
    func tls() async throws {
        let authority = try PostgresTestServer.requireCertificateAuthority()
        try await TestDatabase.with { database in
            let password = try #require(URLComponents(string: database.url)?.password)
            func url(_ items: [URLQueryItem]) throws -> String {
                var components = try #require(URLComponents(string: database.url))
                components.queryItems = items
                return try #require(components.string)
            }
            func encrypted(_ items: [URLQueryItem]) async throws -> Bool {
                let store = try await PostgresEvidenceStore.open(url: try url(items), create: true)
                let rows = try await store.rows("SELECT ssl::TEXT AS ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()")
                await store.close()
                return rows.first?["ssl"] == .text("true")
            }
            #expect(try await encrypted([URLQueryItem(name: "sslmode", value: "require")]))
            #expect(try await encrypted([URLQueryItem(name: "sslmode", value: "prefer")]))
            #expect(
                try await encrypted([
                    URLQueryItem(name: "sslmode", value: "verify-full"),
                    URLQueryItem(name: "sslrootcert", value: authority),
                ]))
            #expect(
                try await encrypted([
                    URLQueryItem(name: "sslmode", value: "verify-ca"),
                    URLQueryItem(name: "sslrootcert", value: authority),
                ]))
            #expect(try await !encrypted([URLQueryItem(name: "sslmode", value: "disable")]))

            // The system's CAs did not sign the test certificate: verify-full must refuse it.
            let untrusted = try url([URLQueryItem(name: "sslmode", value: "verify-full")])
            do throws(EvidenceError) {
                _ = try await PostgresEvidenceStore.open(
                    url: untrusted, create: true)
                Issue.record("verify-full accepted a certificate no trusted CA signed")
            } catch {
                #expect(error.code == .store)
                #expect(error.message.contains("TLS"), "\(error)")
                #expect(!error.description.contains(password))
            }
        }
    }

    // MARK: - Helpers

    @discardableResult
    static func storeNew(_ store: PostgresEvidenceStore, _ evidence: ParsedEvidence) async throws -> LedgerEntry {
        guard case .stored(let entry) = try await store.store(evidence) else {
            throw StoreTestFailure("unexpected duplicate")
        }
        return entry
    }

    /// Waits until some session of `database` holds the ledger's advisory lock (i.e. is inside a store
    /// transaction) and terminates that backend from another connection. Returns its pid.
    static func terminateLedgerLockHolder(in database: TestDatabase) async throws -> Int64 {
        let key = UInt64(bitPattern: PostgresEvidenceStore.ledgerLockKey)
        let admin = try await PostgresTestServer.connect(database: database.name)
        defer { Task { try? await admin.close() } }
        let find = """
            SELECT pid::BIGINT AS pid FROM pg_locks WHERE locktype = 'advisory' AND granted
              AND classid::TEXT::BIGINT = \(key >> 32) AND objid::TEXT::BIGINT = \(key & 0xFFFF_FFFF) AND objsubid = 1
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """
        let deadline = ContinuousClock.now + .seconds(120)
        while ContinuousClock.now < deadline {
            let rows = try await PostgresStatements.collect(
                admin.query(PostgresQuery(unsafeSQL: find), logger: PostgresTestServer.logger), table: "pg_locks")
            if case .integer(let pid) = rows.first?["pid"] {
                try await admin.query(
                    PostgresQuery(unsafeSQL: "SELECT pg_terminate_backend(\(pid))"), logger: PostgresTestServer.logger)
                return pid
            }
            try await Task.sleep(for: .milliseconds(2))
        }
        throw StoreTestFailure("no session took the ledger lock within 120 s")
    }

    /// A local port nothing listens on.
    static func closedPort() throws -> Int {
        let socket = Foundation.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(socket) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, length) == 0 && getsockname(socket, $0, &length) == 0
            }
        }
        guard bound else { throw StoreTestFailure("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A folder under the temporary directory, removed by `remove()`.
struct TemporaryFolder: Sendable {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("drreport-pg-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// What a finished process printed and how it exited.
struct ProcessResult: Sendable {
    let status: Int32
    let stdout: String
    let stderr: String
}

/// The built `drreport` executable, next to the test bundle (`swift build` builds it).
enum DRReportBinary {
    static func path() throws -> String {
        if let path = ProcessInfo.processInfo.environment["DRREPORT_BINARY"] { return path }
        let folder = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [folder, folder.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("drreport").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        throw StoreTestFailure(
            "no built drreport next to \(folder.path); run `swift build` first or set DRREPORT_BINARY")
    }

    /// Runs the binary to completion; output goes through files, so no pipe can fill up.
    static func run(_ binary: String, _ arguments: [String], environment: [String: String] = [:]) async throws
        -> ProcessResult
    {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let out = folder.url.appendingPathComponent("stdout")
        let err = folder.url.appendingPathComponent("stderr")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        var variables = ProcessInfo.processInfo.environment
        variables["DRREPORT_STORE"] = nil
        variables["PGPASSWORD"] = nil
        variables.merge(environment) { $1 }
        process.environment = variables
        process.standardInput = FileHandle.nullDevice
        let outHandle = try FileHandle(forWritingTo: out)
        let errHandle = try FileHandle(forWritingTo: err)
        process.standardOutput = outHandle
        process.standardError = errHandle
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do {
                try process.run()
            } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        try outHandle.close()
        try errHandle.close()
        return ProcessResult(
            status: status, stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }
}
