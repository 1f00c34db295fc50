import Foundation
import Testing

/// The benchmark generator's quarter, small: `drreport` must find exactly the violations the
/// generator planted (expected.json) and pass everything else; the same seed and scale must give the
/// same bytes. The bank-scale runs are benchmarks (scripts/benchmark.py), not tests.
@Suite("generated quarter", .serialized)
struct GeneratedQuarterTests {
    static let scale = "0.02"

    struct Check: Decodable {
        struct Summary: Decodable {
            var pass: Int
            var fail: Int
            var indeterminate: Int
            var waived: Int
        }
        struct Finding: Decodable {
            var rule: String
            var subject: String
            var status: String
            var message: String
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
    }

    /// A verdict as a comparable line: `rule subject status`.
    static func key(_ rule: String, _ subject: String, _ status: String) -> String {
        "\(rule) \(subject) \(status)"
    }

    @Test("drreport check reports exactly the planted violations and passes everything else")
    func checkFindsThePlantedViolations() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let quarter = folder.url.appendingPathComponent("quarter")
        let generate = try await Binary.run(
            "drreport-bench", ["generate", "--output", quarter.path, "--scale", Self.scale, "--seed", "7"], in: folder.url)
        try #require(generate.status == 0, "\(generate)")
        let expected = try JSONDecoder().decode(Expected.self, from: Data(contentsOf: quarter.appendingPathComponent("expected.json")))

        let store = folder.url.appendingPathComponent("evidence.db").path
        let ingest = try await Binary.run(
            "drreport", ["ingest", "--store", store, quarter.appendingPathComponent("evidence").path], in: folder.url)
        try #require(ingest.status == 0, "\(ingest)")
        #expect(ingest.stdout.contains(" 0 rejected"), "\(ingest)")

        let check = try await Binary.run(
            "drreport",
            ["check", "--store", store, "--config", quarter.appendingPathComponent("drreport.yaml").path, "--period", expected.period,
             "--format", "json"],
            in: folder.url)
        #expect(check.status == 1, "planted failures must fail the gate: \(check)")
        let output = try JSONDecoder().decode(Check.self, from: check.stdoutData)

        let reported = Set(output.findings.filter { $0.status != "pass" }.map { Self.key($0.rule, $0.subject, $0.status) })
        let planted = Set(expected.findings.map { Self.key($0.rule, $0.subject, $0.status) })
        let unexpected = output.findings.filter { $0.status != "pass" && !planted.contains(Self.key($0.rule, $0.subject, $0.status)) }
        #expect(unexpected.isEmpty, "not planted: \(unexpected.map { "\(Self.key($0.rule, $0.subject, $0.status)): \($0.message)" })")
        #expect(planted.subtracting(reported).isEmpty, "planted but not reported: \(planted.subtracting(reported).sorted())")

        // Every rule judged every subject the generator put in the quarter.
        var perRule: [String: Int] = [:]
        for finding in output.findings { perRule[finding.rule, default: 0] += 1 }
        #expect(perRule == expected.subjects)
        let total = expected.subjects.values.reduce(0, +)
        #expect(output.summary.pass == total - expected.findings.count)
        #expect(output.summary.fail == expected.findings.filter { $0.status == "fail" }.count)
        #expect(output.summary.indeterminate == expected.findings.filter { $0.status == "indeterminate" }.count)
        #expect(output.summary.waived == expected.findings.filter { $0.status == "waived" }.count)
        // A few of each rule that has violations at all.
        #expect(Set(expected.findings.map(\.rule)) == Set(["rto", "rpo", "consistency", "parity", "apply-parity", "change-approval", "drill-cadence"]))
    }

    @Test("the same seed and scale give byte-identical quarters; another seed does not")
    func generationIsDeterministic() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var digests: [[String: Data]] = []
        for (name, seed) in [("a", "11"), ("b", "11"), ("c", "12")] {
            let output = folder.url.appendingPathComponent(name)
            let result = try await Binary.run(
                "drreport-bench", ["generate", "--output", output.path, "--scale", Self.scale, "--seed", seed], in: folder.url)
            try #require(result.status == 0, "\(result)")
            digests.append(try TemporaryFolder.contents(of: output))
        }
        #expect(digests[0].count > 200)
        #expect(digests[0] == digests[1], "files differ: \(digests[0].keys.filter { digests[0][$0] != digests[1][$0] }.sorted().prefix(5))")
        #expect(digests[0] != digests[2])
    }

    @Test("an existing output folder is refused without --force")
    func refusesToOverwrite() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let result = try await Binary.run("drreport-bench", ["generate", "--output", folder.url.path, "--scale", Self.scale], in: folder.url)
        #expect(result.status != 0)
        #expect(result.stderr.contains("--force"), "\(result)")
    }
}
