import Evidence
import Foundation
import Testing

/// DESIGN §6: `evidence list` (text and JSON) and `evidence show`, as a user and a script read them.
@Suite("evidence list and show")
struct EvidenceCommandTests {
    /// A store with a drill log, an apply record with a state, and a consistency output.
    static func makeStore(_ scratch: Scratch) async throws -> (drill: Data, record: [String: Data], consistency: Data) {
        let drill = Fixtures.drillLog("DR-2026-Q3-01", events: 5)
        let record = Fixtures.applyRecord(runID: 4242, region: "northeurope", resources: 1_200)
        let consistency = Fixtures.consistency("cc-2026-09-12T0840", drill: "DR-2026-Q3-01")
        try scratch.write("drill.jsonl", drill)
        try scratch.writeRecord("runs/4242", record)
        try scratch.write("cc.json", consistency)
        let result = try await DRReportBinary.run(
            ["ingest"] + scratch.storeArguments + ["drill.jsonl", "runs/4242", "cc.json"], in: scratch.url)
        guard result.status == 0 else { throw HarnessError("ingest failed: \(result)") }
        return (drill, record, consistency)
    }

    static var rfc3339UTC: Regex<Substring> { /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/ }
    static var rfc3339Micro: Regex<Substring> { /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z/ }

    @Test("list --format json gives id, kind, source, covers, ingested_at, seq and files")
    func listJSON() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let started = Date()
        let (drill, record, consistency) = try await Self.makeStore(scratch)
        let finished = Date()

        let result = try await DRReportBinary.run(
            ["evidence", "list", "--format", "json"] + scratch.storeArguments, in: scratch.url)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.isEmpty)
        // Exactly these keys, nothing else (no ledger in a listing).
        let raw = try #require(try JSONSerialization.jsonObject(with: result.stdoutData) as? [[String: Any]])
        #expect(raw.count == 3)
        for item in raw {
            #expect(Set(item.keys) == ["id", "kind", "source", "covers", "ingested_at", "seq", "files"])
        }
        let listed = try JSONDecoder().decode([ListedEvidence].self, from: result.stdoutData)
        #expect(
            listed.map(\.id) == [
                ContentHash.of(drill).description, treeIdentity(record), ContentHash.of(consistency).description,
            ])
        #expect(listed.map(\.kind) == ["drill", "apply", "consistency"])
        #expect(listed.map(\.source) == ["drill.jsonl", "runs/4242", "cc.json"])
        #expect(listed.map(\.seq) == [1, 2, 3])
        #expect(
            listed.map(\.covers) == [
                "drill DR-2026-Q3-01 (5 events)",
                "run 4242 neprix-tech-prod@northeurope prod succeeded CHG0031889 (state: 1200 resources)",
                "check run cc-2026-09-12T0840 drill DR-2026-Q3-01 (2 tables)",
            ])
        #expect(
            listed[0].files == [.init(name: "drill.jsonl", hash: ContentHash.of(drill).description, size: drill.count)])
        #expect(
            listed[1].files
                == ["apply.jsonl", "run.json", "state.json"].map {
                    .init(name: $0, hash: ContentHash.of(record[$0]!).description, size: record[$0]!.count)
                })
        for item in listed {
            #expect(item.ingested_at.wholeMatch(of: Self.rfc3339Micro) != nil, "\(item.ingested_at)")
            let instant = try #require(try? Timestamp.parseRFC3339(item.ingested_at).get())
            let seconds = Double(instant.nanosecondsSinceEpoch) / 1e9
            #expect(seconds >= started.timeIntervalSince1970 - 1 && seconds <= finished.timeIntervalSince1970 + 1)
        }
        // --kind filters.
        let applies = try await DRReportBinary.run(
            ["evidence", "list", "--format", "json", "--kind", "apply"] + scratch.storeArguments, in: scratch.url)
        #expect(
            try JSONDecoder().decode([ListedEvidence].self, from: applies.stdoutData).map(\.source) == ["runs/4242"])
    }

    @Test("list prints one line per item: hash, kind, source, covers, ingested-at")
    func listText() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        _ = try await Self.makeStore(scratch)
        let listed = try await StoreProbe.list(scratch)

        let result = try await DRReportBinary.run(["evidence", "list"] + scratch.storeArguments, in: scratch.url)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.isEmpty)
        let lines = result.stdoutLines
        #expect(lines.count == listed.count)
        for (line, item) in zip(lines, listed) {
            let columns = line.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
            #expect(columns.count == 5, "\(line)")
            #expect(columns.first == String(item.id.prefix(23)))
            #expect(columns.dropFirst().first == item.kind)
            #expect(columns.dropFirst(2).first == item.source)
            #expect(columns.dropFirst(3).first == item.covers)
            #expect(columns.last.map { $0.wholeMatch(of: Self.rfc3339UTC) != nil } == true, "\(line)")
            #expect(
                columns.last.map { item.ingested_at.hasPrefix($0.dropLast()) } == true,
                "text and JSON give the same instant")
        }
    }

    @Test("show <prefix> describes one item; show --member writes the file's exact bytes")
    func show() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (_, record, _) = try await Self.makeStore(scratch)
        let id = treeIdentity(record)
        let prefix = String(id.dropFirst(7).prefix(10))

        let shown = try await DRReportBinary.run(
            ["evidence", "show", prefix] + scratch.storeArguments, in: scratch.url)
        #expect(shown.status == 0, "\(shown)")
        let lines = shown.stdoutLines
        #expect(lines.first == "evidence     \(id)")
        #expect(lines.contains("kind         apply"))
        #expect(lines.contains("source       runs/4242"))
        #expect(lines.contains { $0.hasPrefix("ledger       #2 sha256:") })
        #expect(
            lines.contains(
                "file         run.json  \(record["run.json"]!.count) bytes  \(ContentHash.of(record["run.json"]!))"))
        #expect(lines.contains("  run 4242 20260901.4242: succeeded, apply succeeded"))
        #expect(lines.contains("    databricks_job: 1200"))

        // The prefix may carry sha256: and upper-case digits.
        let upper = try await DRReportBinary.run(
            ["evidence", "show", "sha256:" + prefix.uppercased()] + scratch.storeArguments, in: scratch.url)
        #expect(upper.status == 0, "\(upper)")
        #expect(upper.stdoutLines.first == "evidence     \(id)")

        for name in ["run.json", "apply.jsonl", "state.json"] {
            let member = try await DRReportBinary.run(
                ["evidence", "show", id, "--member", name] + scratch.storeArguments, in: scratch.url)
            #expect(member.status == 0, "\(member)")
            #expect(
                member.stdoutData == record[name],
                "\(name): \(member.stdoutData.count) bytes, expected \(record[name]!.count)")
            #expect(member.stderr.isEmpty)
        }
        let missing = try await DRReportBinary.run(
            ["evidence", "show", id, "--member", "plan.json"] + scratch.storeArguments, in: scratch.url)
        #expect(missing.status == 2, "\(missing)")
        #expect(missing.stderr == "Error: \(id): no file 'plan.json'; it has apply.jsonl, run.json, state.json\n")
        #expect(missing.stdout.isEmpty)

        // JSON: the listing plus the ledger entry.
        let json = try await DRReportBinary.run(
            ["evidence", "show", prefix, "--format", "json"] + scratch.storeArguments, in: scratch.url)
        struct Shown: Decodable {
            var id: String
            var seq: Int
            var ledger: LedgerEntry
        }
        let decoded = try JSONDecoder().decode(Shown.self, from: json.stdoutData)
        #expect(decoded.id == id)
        #expect(decoded.ledger.seq == 2)
        #expect(decoded.ledger.evidence.description == id)
        #expect(decoded.ledger.hash == decoded.ledger.computedHash)
    }

    @Test("show with an unknown or ambiguous prefix exits 2")
    func showUnknownOrAmbiguous() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        // Two drill logs whose ids share their first hex digit (17 candidates always hold such a pair).
        var byDigit: [Character: Data] = [:]
        var pair: (Data, Data)?
        for salt in 0..<17 where pair == nil {
            let bytes = Fixtures.drillLog("DR-AMBIGUOUS", events: 3, salt: " #\(salt)")
            let digit = ContentHash.of(bytes).hex.first!
            if let other = byDigit[digit] { pair = (other, bytes) } else { byDigit[digit] = bytes }
        }
        let (first, second) = try #require(pair)
        try scratch.write("a.jsonl", first)
        try scratch.write("b.jsonl", second)
        let ingested = try await DRReportBinary.run(
            ["ingest"] + scratch.storeArguments + ["a.jsonl", "b.jsonl"], in: scratch.url)
        try #require(ingested.status == 0, "\(ingested)")
        let shared = String(ContentHash.of(first).hex.prefix(1))
        let unknown = try #require("0123456789abcdef".first { String($0) != shared })
        let unknownPrefix = String(unknown) + String(repeating: "0", count: 11)

        let ambiguous = try await DRReportBinary.run(
            ["evidence", "show", shared] + scratch.storeArguments, in: scratch.url)
        #expect(ambiguous.status == 2, "\(ambiguous)")
        #expect(
            ambiguous.stderr
                == "Error: \(scratch.store.path): '\(shared)' matches 2 pieces of evidence; give more digits\n")
        #expect(ambiguous.stdout.isEmpty)

        for prefix in [unknownPrefix, "sha256:" + unknownPrefix, "not-hex", "", "sha256:"] {
            let result = try await DRReportBinary.run(
                ["evidence", "show", prefix] + scratch.storeArguments, in: scratch.url)
            #expect(result.status == 2, "\(prefix): \(result)")
            #expect(result.stderr == "Error: \(scratch.store.path): no evidence matches '\(prefix)'\n")
            #expect(result.stdout.isEmpty)
        }
    }
}
