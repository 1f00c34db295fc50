import Foundation
import Testing

/// The benchmark generator's quarter, small: `drreport` must find exactly the violations the
/// generator planted (expected.json) and pass everything else; the plain-script parity baseline must
/// find the same differences as drreport; the same seed and scale must give the same bytes. The
/// bank-scale runs are benchmarks (scripts/benchmark.py), not tests.
@Suite("generated quarter", .serialized)
struct GeneratedQuarterTests {
    /// Small enough for a test (every count at its minimum but the tables); every injection is in it.
    static let scale = "0.01"
    /// The package root, for scripts/parity_baseline.py.
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    struct Check: Decodable {
        struct Summary: Decodable {
            var pass: Int
            var fail: Int
            var indeterminate: Int
            var waived: Int
        }
        struct Difference: Decodable {
            var kind: String
            var address: String
            var path: String
        }
        struct Parity: Decodable {
            struct Side: Decodable {}
            var primary: Side?
            var secondary: Side?
            var differences: [Difference]
        }
        struct Details: Decodable {
            var parity: Parity?
        }
        struct Finding: Decodable {
            var rule: String
            var subject: String
            var status: String
            var message: String
            var details: Details?
        }
        var period: String
        var summary: Summary
        var findings: [Finding]
    }

    struct Expected: Decodable {
        struct Finding: Decodable {
            var rule: String
            var subject: String
            var status: String
            var injection: String
        }
        var period: String
        var subjects: [String: Int]
        var findings: [Finding]
        /// Differences per workspace; `nil` where a region has no state.
        var parity_differences: [String: Int?]
    }

    struct Baseline: Decodable {
        var differences: [String: Int?]
        var details: [String: [String]]
    }

    /// A verdict as a comparable line: `rule subject status`.
    static func key(_ rule: String, _ subject: String, _ status: String) -> String {
        "\(rule) \(subject) \(status)"
    }

    @Test("drreport check reports exactly the planted violations, passes everything else, and agrees with the Python baseline")
    func checkFindsThePlantedViolations() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let quarter = folder.url.appendingPathComponent("quarter")
        let generate = try await Binary.run(
            "drreport-bench", ["generate", "--output", quarter.path, "--scale", Self.scale, "--seed", "7"], in: folder.url)
        try #require(generate.status == 0, "\(generate)")
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: quarter.appendingPathComponent("expected.json")))
        try #require(expected.findings.count >= 20, "the generator plants at least 20 violations")

        // Every generated file is accepted: no file of the quarter is hostile.
        let store = folder.url.appendingPathComponent("evidence.db").path
        let ingest = try await Binary.run(
            "drreport", ["ingest", "--store", store, quarter.appendingPathComponent("evidence").path], in: folder.url)
        try #require(ingest.status == 0, "\(ingest)")
        #expect(ingest.stdout.contains(" 0 duplicate, 0 rejected"), "\(ingest)")
        #expect(!ingest.stderr.contains("warning"), "\(ingest.stderr.prefix(2000))")

        let check = try await Binary.run(
            "drreport",
            ["check", "--store", store, "--config", quarter.appendingPathComponent("drreport.yaml").path, "--period", expected.period,
             "--format", "json"],
            in: folder.url)
        #expect(check.status == 1, "planted failures must fail the gate: \(check)")
        let output = try JSONDecoder().decode(Check.self, from: check.stdoutData)
        #expect(output.period == expected.period)

        // The non-passing findings are exactly the planted ones, with the planted status.
        let reported = Set(output.findings.filter { $0.status != "pass" }.map { Self.key($0.rule, $0.subject, $0.status) })
        let planted = Set(expected.findings.map { Self.key($0.rule, $0.subject, $0.status) })
        #expect(planted.count == expected.findings.count, "expected.json lists a finding twice")
        let unexpected = output.findings.filter { $0.status != "pass" && !planted.contains(Self.key($0.rule, $0.subject, $0.status)) }
        #expect(unexpected.isEmpty, "not planted: \(unexpected.map { "\(Self.key($0.rule, $0.subject, $0.status)): \($0.message)" })")
        #expect(planted.subtracting(reported).isEmpty, "planted but not reported: \(planted.subtracting(reported).sorted())")

        // Every rule judged every subject the generator put in the quarter, and the rest pass.
        var perRule: [String: Int] = [:]
        for finding in output.findings { perRule[finding.rule, default: 0] += 1 }
        #expect(perRule == expected.subjects)
        let total = expected.subjects.values.reduce(0, +)
        #expect(output.summary.pass == total - expected.findings.count)
        #expect(output.summary.pass > 1000, "a quarter of mostly passing findings")
        for rule in expected.subjects.keys {
            #expect(output.findings.contains { $0.rule == rule && $0.status == "pass" }, "no \(rule) finding passes")
        }
        #expect(output.summary.fail == expected.findings.filter { $0.status == "fail" }.count)
        #expect(output.summary.indeterminate == expected.findings.filter { $0.status == "indeterminate" }.count)
        #expect(output.summary.waived == expected.findings.filter { $0.status == "waived" }.count)
        #expect(Set(expected.findings.map(\.rule)) == ["rto", "rpo", "consistency", "parity", "apply-parity", "change-approval", "drill-cadence"])

        // drreport's parity differences, per workspace, as parity_baseline.py writes them.
        var drreport: [String: [String]?] = [:]
        for finding in output.findings where finding.rule == "parity" {
            guard let parity = finding.details?.parity, parity.primary != nil, parity.secondary != nil else {
                drreport[finding.subject] = .some(nil)
                continue
            }
            drreport[finding.subject] = parity.differences.map { difference in
                switch difference.kind {
                case "missing-in-secondary": "\(difference.address): missing in secondary"
                case "missing-in-primary": "\(difference.address): missing in primary"
                default: "\(difference.address) \(difference.path)"
                }
            }.sorted()
        }
        #expect(drreport.mapValues { $0?.count } == expected.parity_differences)

        let python = try await Binary.run(
            executable: URL(fileURLWithPath: "/usr/bin/env"),
            ["python3", Self.root.appendingPathComponent("scripts/parity_baseline.py").path, quarter.path, "--json", "--details"],
            in: folder.url)
        try #require(python.status == 0, "\(python)")
        let baseline = try JSONDecoder().decode(Baseline.self, from: python.stdoutData)
        #expect(baseline.differences == expected.parity_differences)
        for (workspace, differences) in drreport {
            #expect(baseline.details[workspace]?.sorted() == differences, "\(workspace)")
        }
    }

    @Test("the same seed and scale give byte-identical quarters; another seed does not")
    func generationIsDeterministic() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        func generate(_ name: String, seed: String) async throws -> [String: Data] {
            let output = folder.url.appendingPathComponent(name)
            let result = try await Binary.run(
                "drreport-bench", ["generate", "--output", output.path, "--scale", "0.005", "--seed", seed], in: folder.url)
            try #require(result.status == 0, "\(result)")
            return try TemporaryFolder.contents(of: output)
        }
        async let first = generate("a", seed: "11")
        async let second = generate("b", seed: "11")
        async let other = generate("c", seed: "12")
        let (a, b, c) = try await (first, second, other)
        // Booleans, not the folders, go into #expect: it would describe megabytes of operands.
        #expect(a.count > 200)
        #expect(a.keys.contains("expected.json") && a.keys.contains("drreport.yaml"))
        let identical = a == b
        #expect(identical, "files differ: \(a.keys.filter { a[$0] != b[$0] }.sorted().prefix(5))")
        let drill = "evidence/drills/DR-2026-Q3-01.jsonl"
        let otherSeedDiffers = a[drill] != nil && a[drill] != c[drill] && a != c
        #expect(otherSeedDiffers, "seed 12 wrote the same drill log as seed 11")
    }

    @Test("an existing output folder is refused without --force")
    func refusesToOverwrite() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let result = try await Binary.run("drreport-bench", ["generate", "--output", folder.url.path, "--scale", Self.scale], in: folder.url)
        #expect(result.status != 0)
        #expect(result.stderr.contains("--force"), "\(result)")
        #expect(FileManager.default.fileExists(atPath: folder.url.path))
    }
}
