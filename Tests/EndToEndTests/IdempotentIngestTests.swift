import Evidence
import Foundation
import Testing

/// DESIGN §3.5: the same bytes ingested twice are one piece of evidence, reported as a duplicate, exit 0.
@Suite("Idempotent ingest")
struct IdempotentIngestTests {
    @Test("re-ingesting the same files stores nothing and reports each as a duplicate")
    func sameFilesTwice() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let drills = ["DR-2026-Q3-01", "DR-2026-Q3-02", "DR-2026-Q4-01"]
        for (index, drill) in drills.enumerated() {
            try scratch.write("logs/drill-\(index).jsonl", Fixtures.drillLog(drill, events: 4 + index))
        }
        try scratch.write("consistency/cc-1.json", Fixtures.consistency("cc-2026-09-12T0840", drill: drills[0]))
        let record = Fixtures.applyRecord(runID: 5001)
        try scratch.writeRecord("runs/5001", record)
        let inputs = ["logs", "consistency/cc-1.json", "runs/5001"]

        let first = try await DRReportBinary.run(["ingest"] + scratch.storeArguments + inputs, in: scratch.url)
        #expect(first.status == 0, "\(first)")
        #expect(first.stdoutLines.last == "5 new, 0 duplicate, 0 rejected")
        #expect(first.stdoutLines.dropLast().allSatisfy { $0.hasPrefix("new ") }, "\(first.stdout)")
        let listed = try await StoreProbe.list(scratch)
        #expect(listed.count == 5)
        #expect(listed.map(\.seq) == [1, 2, 3, 4, 5])
        // Ledger order follows the command line; folders are walked in name order.
        #expect(
            listed.map(\.source) == [
                "logs/drill-0.jsonl", "logs/drill-1.jsonl", "logs/drill-2.jsonl", "consistency/cc-1.json", "runs/5001",
            ])
        let countsBefore = try await StoreProbe.counts(scratch.store)

        let second = try await DRReportBinary.run(["ingest"] + scratch.storeArguments + inputs, in: scratch.url)
        #expect(second.status == 0, "\(second)")
        #expect(second.stderr.isEmpty, "\(second.stderr)")
        let lines = second.stdoutLines
        #expect(lines.count == 6)
        #expect(lines.last == "0 new, 5 duplicate, 0 rejected")
        for (line, item) in zip(lines.dropLast(), listed) {
            #expect(line.hasPrefix("duplicate " + item.id.prefix(23)), "\(line)")
            #expect(line.contains(item.source))
        }
        #expect(try await StoreProbe.list(scratch) == listed, "ids, seq, sources and ingested-at are unchanged")
        #expect(try await StoreProbe.counts(scratch.store) == countsBefore)
        let verified = try await DRReportBinary.run(["evidence", "verify"] + scratch.storeArguments, in: scratch.url)
        #expect(verified.status == 0, "\(verified)")
    }

    @Test("the same bytes under another name, or twice in one batch, are one piece of evidence")
    func sameBytesOtherName() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let bytes = Fixtures.drillLog("DR-2026-Q3-01", events: 6)
        try scratch.write("drill.jsonl", bytes)
        try scratch.write("copy/renamed-export.log", bytes)
        try scratch.write("also.jsonl", bytes)

        let result = try await DRReportBinary.run(
            ["ingest"] + scratch.storeArguments + ["drill.jsonl", "copy/renamed-export.log", "also.jsonl"],
            in: scratch.url)
        #expect(result.status == 0, "\(result)")
        let lines = result.stdoutLines
        #expect(lines.count == 4)
        let id = ContentHash.of(bytes).description
        #expect(
            lines[0].hasPrefix("new       \(id.prefix(23))  drill       drill.jsonl  drill DR-2026-Q3-01 (6 events)"))
        #expect(
            lines[1]
                == "duplicate \(id.prefix(23))  drill       copy/renamed-export.log  drill DR-2026-Q3-01 (6 events) (first ingested as drill.jsonl)"
        )
        #expect(
            lines[2]
                == "duplicate \(id.prefix(23))  drill       also.jsonl  drill DR-2026-Q3-01 (6 events) (first ingested as drill.jsonl)"
        )
        #expect(lines[3] == "1 new, 2 duplicate, 0 rejected")

        let listed = try await StoreProbe.list(scratch)
        #expect(listed.map(\.id) == [id], "a single file's identity is its SHA-256, what sha256sum prints")
        #expect(listed.first?.source == "drill.jsonl", "the first source name is kept")
        #expect(try await SQLiteShell.integer(scratch.store, "SELECT count(*) FROM drill_event;") == 6)
        #expect(try await SQLiteShell.integer(scratch.store, "SELECT count(*) FROM blob;") == 1)
    }

    @Test("an apply record as a folder, a .zip and a .tar of the same files is one piece of evidence")
    func recordFolderZipTar() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let files = Fixtures.applyRecord(runID: 7001, resources: 4)
        let folder = try scratch.writeRecord("run-7001", files)
        // A zip with the record inside one top folder (as ADO artifacts download), a tar with it at the top.
        try await runTool("/usr/bin/zip", ["-q", "-r", "-X", "run-7001.zip", "run-7001"], in: scratch.url)
        try await runTool(
            "/usr/bin/tar", ["-cf", "../run-7001.tar", "run.json", "apply.jsonl", "state.json"], in: folder)
        try scratch.write("renamed/any-name.zip", try Data(contentsOf: scratch.path("run-7001.zip")))
        let id = treeIdentity(files)

        let result = try await DRReportBinary.run(
            ["ingest"] + scratch.storeArguments + ["run-7001", "run-7001.zip", "run-7001.tar", "renamed/any-name.zip"],
            in: scratch.url)
        #expect(result.status == 0, "\(result)")
        let lines = result.stdoutLines
        #expect(lines.count == 5)
        #expect(
            lines[0].hasPrefix(
                "new       \(id.prefix(23))  apply       run-7001  run 7001 neprix-tech-prod@westeurope prod succeeded CHG0031889 (state: 4 resources)"
            ), "\(lines[0])")
        for (line, source) in zip(lines[1...3], ["run-7001.zip", "run-7001.tar", "renamed/any-name.zip"]) {
            #expect(line.hasPrefix("duplicate \(id.prefix(23))  apply       \(source)  "), "\(line)")
            #expect(line.hasSuffix("(first ingested as run-7001)"), "\(line)")
        }
        #expect(lines[4] == "1 new, 3 duplicate, 0 rejected")

        let listed = try await StoreProbe.list(scratch)
        #expect(listed.count == 1)
        #expect(listed.first?.id == id)
        #expect(listed.first?.files.map(\.name) == ["apply.jsonl", "run.json", "state.json"])
        #expect(
            listed.first?.files.map(\.hash)
                == ["apply.jsonl", "run.json", "state.json"].map { ContentHash.of(files[$0]!).description })
        #expect(try await SQLiteShell.integer(scratch.store, "SELECT count(*) FROM apply_run;") == 1)
        #expect(try await SQLiteShell.integer(scratch.store, "SELECT count(*) FROM tf_resource;") == 4)

        // Files beside the record in its folder are not part of it: a warning, and still the same evidence.
        var withNotes = files
        withNotes["README.txt"] = Data("pipeline notes\n".utf8)
        try scratch.writeRecord("notes/run-7001", withNotes)
        let noted = try await DRReportBinary.run(["ingest"] + scratch.storeArguments + ["notes/run-7001"], in: scratch.url)
        #expect(noted.status == 0, "\(noted)")
        #expect(noted.stderr == "Warning: notes/run-7001: ignored README.txt, which is not part of an apply record\n")
        #expect(noted.stdoutLines.last == "0 new, 1 duplicate, 0 rejected")

        // The other order: the archive first, the folder after, in a second run.
        let other = try Scratch()
        defer { other.remove() }
        try FileManager.default.copyItem(at: scratch.path("run-7001.tar"), to: other.path("first.tar"))
        try other.writeRecord("later/run-7001", files)
        let archiveFirst = try await DRReportBinary.run(
            ["ingest"] + other.storeArguments + ["first.tar"], in: other.url)
        #expect(archiveFirst.stdoutLines.last == "1 new, 0 duplicate, 0 rejected", "\(archiveFirst)")
        let folderLater = try await DRReportBinary.run(["ingest"] + other.storeArguments + ["later"], in: other.url)
        #expect(folderLater.status == 0, "\(folderLater)")
        #expect(folderLater.stdoutLines.last == "0 new, 1 duplicate, 0 rejected")
        #expect(try await StoreProbe.list(other).map(\.id) == [id])
    }
}
