import Evidence
import Foundation
import Testing

/// DESIGN §3.5: one file or folder = one transaction; a bad file is listed with its location, the
/// good files of the batch are stored, nothing of the bad one, exit 2.
@Suite("One transaction per file")
struct TransactionTests {
    @Test("a batch with a bad drill log stores the good files and nothing of the bad one")
    func badFileInBatch() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let created = try await DRReportBinary.run(["init"] + scratch.storeArguments, in: scratch.url)
        try #require(created.status == 0, "\(created)")
        try scratch.write("batch/a-good.jsonl", Fixtures.drillLog("DR-GOOD-A", events: 5))
        try scratch.write("batch/b-good.json", Fixtures.consistency("cc-good", drill: "DR-GOOD-A"))
        let bad = try scratch.write("batch/c-bad.jsonl", Fixtures.drillLog("DR-BAD", events: 50, naiveAt: 40))
        try scratch.write("batch/d-good.jsonl", Fixtures.drillLog("DR-GOOD-D", events: 7))
        try scratch.writeRecord("batch/e-run", Fixtures.applyRecord(runID: 9001, resources: 2))
        let before = try await StoreProbe.counts(scratch.store)

        let result = try await DRReportBinary.run(["ingest"] + scratch.storeArguments + ["batch"], in: scratch.url)
        #expect(result.status == 2, "\(result)")
        #expect(
            result.stderr
                == "Error: batch/c-bad.jsonl:40: field 'time': timestamp '2026-09-12T08:39:11' has no offset; "
                + "expected Z or ±hh:mm (e.g. 2026-09-12T08:03:11+02:00)\n")
        #expect(result.stdoutLines.last == "4 new, 0 duplicate, 1 rejected")
        #expect(!result.stdout.contains("c-bad"), "the rejected file is listed on stderr only")

        let listed = try await StoreProbe.list(scratch)
        #expect(
            listed.map(\.source) == ["batch/a-good.jsonl", "batch/b-good.json", "batch/d-good.jsonl", "batch/e-run"])
        let after = try await StoreProbe.counts(scratch.store)
        #expect(before.values.allSatisfy { $0 == 0 })
        #expect(after["evidence"] == 4)
        #expect(after["ledger"] == 4)
        #expect(after["drill_event"] == 12, "5 + 7 events of the good logs; none of the bad log's 50")
        #expect(after["consistency_table"] == 2)
        #expect(after["tf_resource"] == 2)
        #expect(
            try await SQLiteShell.integer(scratch.store, "SELECT count(*) FROM drill_event WHERE drill = 'DR-BAD';")
                == 0)
        let badHash = ContentHash.of(try Data(contentsOf: bad)).description
        #expect(
            try await SQLiteShell.integer(scratch.store, "SELECT count(*) FROM blob WHERE hash = '\(badHash)';") == 0)
        #expect(
            try await SQLiteShell.integer(scratch.store, "SELECT count(*) FROM evidence WHERE source LIKE '%c-bad%';")
                == 0)
        #expect(try await StoreProbe.incompleteEvidence(scratch.store) == [])

        let verified = try await DRReportBinary.run(["evidence", "verify"] + scratch.storeArguments, in: scratch.url)
        #expect(verified.status == 0, "\(verified)")
        #expect(verified.stdout.hasPrefix("intact: 4 ledger entries, 4 evidence items, 6 blobs"))

        // Fixing the file and ingesting the batch again stores just it.
        try scratch.write("batch/c-bad.jsonl", Fixtures.drillLog("DR-BAD", events: 50))
        let fixed = try await DRReportBinary.run(["ingest"] + scratch.storeArguments + ["batch"], in: scratch.url)
        #expect(fixed.status == 0, "\(fixed)")
        #expect(fixed.stdoutLines.last == "1 new, 4 duplicate, 0 rejected")
        #expect(
            try await SQLiteShell.integer(scratch.store, "SELECT count(*) FROM drill_event WHERE drill = 'DR-BAD';")
                == 50)
    }

    @Test("every bad file of a batch is listed; a missing path is one of them")
    func severalBadFiles() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("good.jsonl", Fixtures.drillLog("DR-OK"))
        try scratch.write("naive.jsonl", Fixtures.drillLog("DR-NAIVE", events: 3, naiveAt: 2))
        try scratch.write("empty.jsonl", Data())
        var record = Fixtures.applyRecord(runID: 42)
        record["apply.jsonl"] = nil
        try scratch.writeRecord("run-without-apply", record)

        let result = try await DRReportBinary.run(
            ["ingest"] + scratch.storeArguments + [
                "naive.jsonl", "good.jsonl", "missing.jsonl", "empty.jsonl", "run-without-apply",
            ],
            in: scratch.url)
        #expect(result.status == 2, "\(result)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.first == "created a new evidence store at \(scratch.storeArguments.last ?? "")", "\(result.stderr)")
        let errors = lines.filter { $0.hasPrefix("Error: ") }
        #expect(errors.count == 4, "\(result.stderr)")
        #expect(lines.count == 5, "\(result.stderr)")
        #expect(errors.first?.hasPrefix("Error: naive.jsonl:2: field 'time': ") == true)
        #expect(errors.contains("Error: missing.jsonl: no such file or folder"))
        #expect(errors.contains { $0.hasPrefix("Error: empty.jsonl: empty file (0 bytes)") })
        #expect(
            errors.contains {
                $0.hasPrefix("Error: run-without-apply: field 'apply.jsonl': an apply record needs apply.jsonl")
            })
        #expect(result.stdoutLines.last == "1 new, 0 duplicate, 4 rejected")
        #expect(try await StoreProbe.list(scratch).map(\.source) == ["good.jsonl"])
    }

    @Test("a failure inside the store's transaction rolls back every row of that file")
    func failureMidTransaction() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("1-first.jsonl", Fixtures.drillLog("DR-FIRST", events: 10))
        try scratch.write("2-long.jsonl", Fixtures.drillLog("DR-LONG", events: 50))
        let first = try await DRReportBinary.run(
            ["ingest"] + scratch.storeArguments + ["1-first.jsonl"], in: scratch.url)
        try #require(first.status == 0, "\(first)")
        // The store refuses the 40th event's row, after blob, evidence, member and 39 event rows went in.
        try await SQLiteShell.exec(
            scratch.store,
            "CREATE TRIGGER refuse_line_40 BEFORE INSERT ON drill_event WHEN NEW.line = 40 BEGIN SELECT RAISE(ABORT, 'injected failure at line 40'); END;"
        )
        let before = try await StoreProbe.counts(scratch.store)

        let result = try await DRReportBinary.run(
            ["ingest"] + scratch.storeArguments + ["2-long.jsonl"], in: scratch.url)
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.contains("injected failure at line 40"), "\(result.stderr)")
        #expect(result.stderr.hasPrefix("Error: \(scratch.store.path): "))
        #expect(!result.stdout.contains("new "))
        #expect(try await StoreProbe.counts(scratch.store) == before, "nothing of the file, not even its blob")
        #expect(try await StoreProbe.incompleteEvidence(scratch.store) == [])

        try await SQLiteShell.exec(scratch.store, "DROP TRIGGER refuse_line_40;")
        let verified = try await DRReportBinary.run(["evidence", "verify"] + scratch.storeArguments, in: scratch.url)
        #expect(verified.status == 0, "\(verified)")
        let retried = try await DRReportBinary.run(
            ["ingest"] + scratch.storeArguments + ["2-long.jsonl"], in: scratch.url)
        #expect(retried.stdoutLines.last == "1 new, 0 duplicate, 0 rejected", "\(retried)")
        #expect(try await StoreProbe.seqs(scratch.store) == [1, 2], "the failed attempt used no ledger position")
    }
}
