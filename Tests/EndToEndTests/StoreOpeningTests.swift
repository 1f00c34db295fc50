import Foundation
import Testing

/// DESIGN §6: where the store is, and what happens when there is none or it is not a store.
@Suite("Opening the store")
struct StoreOpeningTests {
    @Test("init creates an empty store that verifies")
    func initCreatesStore() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        #expect(!FileManager.default.fileExists(atPath: scratch.store.path))

        let created = try await DRReportBinary.run(["init"] + scratch.storeArguments, in: scratch.url)
        #expect(created.status == 0, "\(created)")
        #expect(created.stdout == "evidence store ready at \(scratch.store.path) (0 ledger entries)\n")
        #expect(created.stderr.isEmpty)
        #expect(FileManager.default.fileExists(atPath: scratch.store.path))
        // A real SQLite database in WAL mode with the ledger's append-only triggers.
        #expect(try await SQLiteShell.exec(scratch.store, "PRAGMA journal_mode;") == ["wal"])
        #expect(
            try await SQLiteShell.exec(
                scratch.store, "SELECT name FROM sqlite_master WHERE type = 'trigger' ORDER BY name;")
                == ["ledger_no_delete", "ledger_no_update"])

        let verified = try await DRReportBinary.run(["evidence", "verify"] + scratch.storeArguments, in: scratch.url)
        #expect(verified.status == 0, "\(verified)")
        #expect(
            verified.stdout == "intact: 0 ledger entries, 0 evidence items, 0 blobs (0.0 MiB); ledger head (empty)\n")

        let listed = try await DRReportBinary.run(["evidence", "list"] + scratch.storeArguments, in: scratch.url)
        #expect(listed.status == 0, "\(listed)")
        #expect(listed.stdout.isEmpty, "the product (stdout) of an empty store is empty")
        #expect(listed.stderr == "no evidence in \(scratch.store.path)\n")
        #expect(try await StoreProbe.list(scratch) == [])

        // init again leaves the store as it is.
        let again = try await DRReportBinary.run(["init"] + scratch.storeArguments, in: scratch.url)
        #expect(again.status == 0, "\(again)")
        #expect(again.stdout == "evidence store ready at \(scratch.store.path) (0 ledger entries)\n")
    }

    @Test("the store comes from --store, else DRREPORT_STORE, else ./drreport.db")
    func storeLocation() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let fromEnvironment = scratch.path("from-env.db")
        let flag = scratch.path("from-flag.db")

        let byDefault = try await DRReportBinary.run(["init"], in: scratch.url)
        #expect(byDefault.status == 0, "\(byDefault)")
        #expect(byDefault.stdout.hasPrefix("evidence store ready at drreport.db "))
        #expect(FileManager.default.fileExists(atPath: scratch.path("drreport.db").path))

        let byEnvironment = try await DRReportBinary.run(
            ["init"], in: scratch.url, environment: ["DRREPORT_STORE": fromEnvironment.path])
        #expect(byEnvironment.status == 0, "\(byEnvironment)")
        #expect(FileManager.default.fileExists(atPath: fromEnvironment.path))

        try scratch.write("drill.jsonl", Fixtures.drillLog("DR-ENV"))
        let ingested = try await DRReportBinary.run(
            ["ingest", "--store", flag.path, "drill.jsonl"], in: scratch.url,
            environment: ["DRREPORT_STORE": fromEnvironment.path])
        #expect(ingested.status == 0, "\(ingested)")
        #expect(
            try await SQLiteShell.integer(flag, "SELECT count(*) FROM evidence;") == 1,
            "--store wins over the environment")
        #expect(try await SQLiteShell.integer(fromEnvironment, "SELECT count(*) FROM evidence;") == 0)
        #expect(try await SQLiteShell.integer(scratch.path("drreport.db"), "SELECT count(*) FROM evidence;") == 0)
    }

    @Test(
        "every read command on a missing store exits 2 naming the path, and creates nothing",
        arguments: [["evidence", "list"], ["evidence", "verify"], ["evidence", "show", "abc"]])
    func missingStore(command: [String]) async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let missing = scratch.path("nowhere/evidence.db")
        let missingHere = scratch.path("absent.db")
        for path in [missing, missingHere] {
            let result = try await DRReportBinary.run(command + ["--store", path.path], in: scratch.url)
            #expect(result.status == 2, "\(result)")
            #expect(result.stdout.isEmpty)
            #expect(
                result.stderr
                    == "Error: \(path.path): no evidence store here; run `drreport init` or name one with --store\n")
            #expect(!FileManager.default.fileExists(atPath: path.path), "a read command must not create a store")
        }
        // The environment variable names the store in the message too.
        let viaEnvironment = try await DRReportBinary.run(
            command, in: scratch.url, environment: ["DRREPORT_STORE": missingHere.path])
        #expect(viaEnvironment.status == 2, "\(viaEnvironment)")
        #expect(viaEnvironment.stderr.contains(missingHere.path))
    }

    @Test("init in a folder that does not exist exits 2 naming the path")
    func initWithoutFolder() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let path = scratch.path("no/such/folder/evidence.db")
        let result = try await DRReportBinary.run(["init", "--store", path.path], in: scratch.url)
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr == "Error: \(path.path): cannot open the store (missing folder or no permission)\n")
        #expect(result.stdout.isEmpty)
    }

    @Test(
        "a file that is not SQLite is refused with exit 2 and left untouched",
        arguments: [
            ["evidence", "list"], ["evidence", "verify"], ["evidence", "show", "abc"], ["init"],
            ["ingest", "drill.jsonl"],
        ])
    func notSQLite(command: [String]) async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let bytes = Data(String(repeating: "quarterly notes, certainly not a database\n", count: 200).utf8)
        let notAStore = try scratch.write("notes.db", bytes)
        try scratch.write("drill.jsonl", Fixtures.drillLog("DR-NOTDB"))

        let result = try await DRReportBinary.run(command + ["--store", notAStore.path], in: scratch.url)
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr == "Error: \(notAStore.path): not a drreport store (not an SQLite database)\n")
        #expect(!result.stdout.contains("new"))
        #expect(try Data(contentsOf: notAStore) == bytes, "drreport must not write into a file that is not its store")
        #expect(!FileManager.default.fileExists(atPath: notAStore.path + "-wal"))
    }

    @Test("another application's SQLite database is not taken over by a read command")
    func foreignSQLiteDatabase() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let foreign = scratch.path("crm.db")
        try await SQLiteShell.exec(
            foreign,
            "CREATE TABLE customer (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customer VALUES (1, 'ACME');")
        let before = try await SQLiteShell.exec(foreign, "SELECT type, name FROM sqlite_master ORDER BY name;")

        let result = try await DRReportBinary.run(["evidence", "verify", "--store", foreign.path], in: scratch.url)
        let after = try await SQLiteShell.exec(foreign, "SELECT type, name FROM sqlite_master ORDER BY name;")
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("not a drreport store"))
        #expect(after == before, "evidence verify must not create drreport's tables in another database")
    

    }
}
