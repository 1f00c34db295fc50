import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// DESIGN §3.5 under a crash: an ingest killed with SIGKILL at any moment leaves a store that opens
/// and verifies, holds only complete evidence, and a re-run finishes the rest.
@Suite("Killed ingest", .serialized)
struct CrashTests {
    /// When the test kills the ingest.
    enum Moment: Sendable, CustomTestStringConvertible {
        /// As soon as the store file appears: while it is being created and migrated.
        case whenStoreFileAppears
        /// Once the ledger has at least this many entries. A trigger the test installs makes every
        /// ledger entry past that count spin for a while, so the ingest cannot finish between two
        /// polls of a loaded machine.
        case afterEntries(Int)
        /// Inside the transaction of one file, after some of its rows went in: a trigger the test
        /// installs makes that insert spin for seconds, and the test kills the process once it sees
        /// the write lock held with the ledger at the file's position.
        case insideTransaction(Trap)

        var testDescription: String {
            switch self {
            case .whenStoreFileAppears: "as the store file appears (creation, migration)"
            case .afterEntries(let count): "after \(count) ledger entries"
            case .insideTransaction(let trap): "inside the transaction of \(trap.input), after some of its rows"
            }
        }
    }

    /// A row insert to stall, and the input it belongs to.
    struct Trap: Sendable {
        /// The input path (as on the command line).
        var input: String
        /// The table and the condition on `NEW` that pick the stalled row.
        var table: String
        var condition: String
        /// What must not be in the store after the kill.
        var absentCheck: String

        static let drill = Trap(
            input: "in/drill-060.jsonl", table: "drill_event",
            condition: "NEW.drill = 'DR-KILL-060' AND NEW.ordinal = 3",
            absentCheck:
                "SELECT (SELECT count(*) FROM drill_event WHERE drill = 'DR-KILL-060') + (SELECT count(*) FROM evidence WHERE source = 'in/drill-060.jsonl');"
        )
        static let state = Trap(
            input: "in/run-8001", table: "tf_resource",
            condition: "NEW.ordinal = 600 AND NEW.values_json LIKE '%8001 #600%'",
            absentCheck:
                "SELECT (SELECT count(*) FROM apply_run WHERE run_id = 8001) + (SELECT count(*) FROM evidence WHERE source = 'in/run-8001') + (SELECT count(*) FROM tf_state WHERE run_id = 8001);"
        )

        /// A trigger whose body counts to 5 million (seconds of work) before the row goes in.
        var triggerSQL: String {
            """
            CREATE TRIGGER stall_for_kill BEFORE INSERT ON \(table) WHEN \(condition) BEGIN
              SELECT count(*) FROM (WITH RECURSIVE spin(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM spin WHERE x < 5000000) SELECT x FROM spin);
            END;
            """
        }
    }

    /// A trigger that makes every ledger entry past `count` spin (tens of milliseconds each).
    static func slowLedgerSQL(after count: Int) -> String {
        """
        CREATE TRIGGER slow_ledger BEFORE INSERT ON ledger WHEN NEW.seq > \(count) BEGIN
          SELECT count(*) FROM (WITH RECURSIVE spin(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM spin WHERE x < 300000) SELECT x FROM spin);
        END;
        """
    }

    static let drillCount = 120
    static let recordCount = 2
    static let resourcesPerState = 1_000
    static var total: Int { drillCount + recordCount }

    /// 120 small drill logs with two apply records carrying ~1.1 MB states among them (122 items).
    static func writeInputs(_ scratch: Scratch) throws -> [String] {
        var inputs: [String] = []
        var record = 0
        for index in 0..<drillCount {
            let path = String(format: "in/drill-%03d.jsonl", index)
            try scratch.write(path, Fixtures.drillLog(String(format: "DR-KILL-%03d", index), events: 5))
            inputs.append(path)
            if index % 50 == 30, record < recordCount {
                let folder = "in/run-\(8000 + record)"
                try scratch.writeRecord(
                    folder,
                    Fixtures.applyRecord(
                        runID: 8000 + record, region: record % 2 == 0 ? "westeurope" : "northeurope",
                        resources: resourcesPerState))
                inputs.append(folder)
                record += 1
            }
        }
        return inputs
    }

    /// The ledger's length as another process sees it now; 0 while the store is not readable yet.
    static func ledgerCount(_ store: URL) async -> Int {
        guard FileManager.default.fileExists(atPath: store.path),
            let result = try? await SQLiteShell.run(store, "SELECT count(*) FROM ledger;"), result.status == 0
        else { return 0 }
        return Int(result.stdoutLines.first ?? "") ?? 0
    }

    /// Whether another process holds the write lock now (a write transaction is open).
    static func writeLockHeld(_ store: URL) async -> Bool {
        guard let result = try? await SQLiteShell.run(store, "BEGIN IMMEDIATE; ROLLBACK;") else { return false }
        return result.status != 0 && result.stderr.contains("database is locked")
    }

    @Test(
        "SIGKILL during a large ingest leaves a store that verifies, with only complete evidence",
        arguments: [
            Moment.whenStoreFileAppears, .afterEntries(1), .insideTransaction(.drill), .insideTransaction(.state),
        ])
    func killedIngest(moment: Moment) async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let inputs = try Self.writeInputs(scratch)
        #expect(inputs.count == Self.total)
        var trapPosition: Int?
        switch moment {
        case .whenStoreFileAppears:
            break
        case .afterEntries(let wanted):
            let created = try await DRReportBinary.run(["init"] + scratch.storeArguments, in: scratch.url)
            try #require(created.status == 0, "\(created)")
            try await SQLiteShell.exec(scratch.store, Self.slowLedgerSQL(after: wanted))
        case .insideTransaction(let trap):
            let created = try await DRReportBinary.run(["init"] + scratch.storeArguments, in: scratch.url)
            try #require(created.status == 0, "\(created)")
            try await SQLiteShell.exec(scratch.store, trap.triggerSQL)
            trapPosition = inputs.firstIndex(of: trap.input)
            try #require(trapPosition != nil)
        }

        let child = try DRReportBinary.start(["ingest"] + scratch.storeArguments + inputs, in: scratch.url)
        // Poll the condition (the store as another process sees it), not the clock.
        switch moment {
        case .whenStoreFileAppears:
            // Watched from a thread of its own: under a loaded test run a task on the shared pool may not
            // be scheduled before the whole ingest is over.
            let path = scratch.store.path
            let watcher = Thread {
                while child.isRunning, !FileManager.default.fileExists(atPath: path) { usleep(100) }
                child.send(SIGKILL)
            }
            watcher.start()
        case .afterEntries(let wanted):
            while child.isRunning, await Self.ledgerCount(scratch.store) < wanted {
                try await Task.sleep(nanoseconds: 5_000_000)
            }
        case .insideTransaction:
            let position = trapPosition ?? 0
            while child.isRunning {
                if await Self.ledgerCount(scratch.store) >= position, await Self.writeLockHeld(scratch.store) { break }
                try await Task.sleep(nanoseconds: 5_000_000)
            }
        }
        child.send(SIGKILL)
        let killed = await child.wait(timeout: 120)
        try #require(
            killed.signalled && killed.status == 128 + SIGKILL, "the ingest finished before the kill: \(killed)")

        // The store opens and verifies, and every piece of evidence in it is whole.
        var stored = 0
        if FileManager.default.fileExists(atPath: scratch.store.path) {
            let verified = try await DRReportBinary.run(
                ["evidence", "verify"] + scratch.storeArguments, in: scratch.url)
            #expect(verified.status == 0, "\(verified)")
            #expect(verified.stdout.hasPrefix("intact: "), "\(verified.stdout)")
            stored = await Self.ledgerCount(scratch.store)
            #expect(try await StoreProbe.incompleteEvidence(scratch.store) == [])
            #expect(try await StoreProbe.seqs(scratch.store) == Array(0..<stored).map { $0 + 1 })
            #expect(
                try await SQLiteShell.exec(
                    scratch.store, "SELECT DISTINCT count(*) FROM drill_event GROUP BY evidence_id;")
                    == (stored > 0 ? ["5"] : []),
                "each stored drill log has all five events")
            let listed = try await StoreProbe.list(scratch)
            #expect(listed.count == stored)
            #expect(listed.map(\.source) == Array(inputs.prefix(stored)), "evidence is stored in command-line order")
        }
        switch moment {
        case .whenStoreFileAppears:
            break
        case .afterEntries(let wanted):
            #expect(stored >= wanted)
            try await SQLiteShell.exec(scratch.store, "DROP TRIGGER slow_ledger;")
        case .insideTransaction(let trap):
            #expect(stored == trapPosition, "killed inside the trapped file's transaction, after everything before it")
            #expect(
                try await SQLiteShell.integer(scratch.store, trap.absentCheck) == 0, "nothing of the interrupted file")
            try await SQLiteShell.exec(scratch.store, "DROP TRIGGER stall_for_kill;")
        }
        #expect(stored < Self.total)

        // Re-running the same ingest completes it; what was stored is reported as duplicate.
        let rerun = try await DRReportBinary.run(
            ["ingest"] + scratch.storeArguments + inputs, in: scratch.url, timeout: 300)
        #expect(rerun.status == 0, "\(rerun)")
        #expect(rerun.stdoutLines.last == "\(Self.total - stored) new, \(stored) duplicate, 0 rejected")
        let duplicates = rerun.stdoutLines.filter { $0.hasPrefix("duplicate ") }
        #expect(duplicates.count == stored)
        let verified = try await DRReportBinary.run(["evidence", "verify"] + scratch.storeArguments, in: scratch.url)
        #expect(verified.status == 0, "\(verified)")
        #expect(verified.stdout.hasPrefix("intact: \(Self.total) ledger entries, \(Self.total) evidence items"))
        #expect(try await StoreProbe.seqs(scratch.store) == Array(1...Self.total))
        #expect(try await StoreProbe.incompleteEvidence(scratch.store) == [])
        #expect(
            try await SQLiteShell.integer(scratch.store, "SELECT count(*) FROM tf_resource;")
                == Self.recordCount * Self.resourcesPerState)
    }
}
