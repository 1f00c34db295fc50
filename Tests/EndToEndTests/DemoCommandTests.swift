import Foundation
import Testing

/// `drreport demo` (DESIGN §6): the sample quarter end to end in one command, for someone trying the tool.
@Suite("demo command")
struct DemoCommandTests {
    /// Runs demo with its temporary folder inside `scratch`, so the demo store goes when the scratch does.
    static func demo(_ scratch: Scratch, output: URL) async throws -> ProcessResult {
        let temporary = scratch.path("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        return try await DRReportBinary.run(
            ["demo", "--output", output.path, "--generated-at", SampleBundle.generatedAt], in: scratch.url,
            environment: ["TMPDIR": temporary.path + "/"])
    }

    @Test("demo --output DIR: exit 0, the three files, their paths and a one-screen summary")
    func demoWritesTheReport() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let output = scratch.path("demo-report")
        let result = try await Self.demo(scratch, output: output)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        #expect(
            result.stdout.split(separator: "\n", omittingEmptySubsequences: false).count - 1 <= 40, "\(result.stdout)")

        let lines = result.stdoutLines
        #expect(
            lines.first == "drreport demo — Banca Esempio S.p.A., 2026-Q3 (the sample quarter; failures are on purpose)"
        )
        let temporary = scratch.path("tmp").standardizedFileURL.path
        let ingested = try #require(lines.first { $0.hasPrefix("  ingested ") })
        #expect(ingested.hasPrefix("  ingested 37 evidence items into \(temporary)/drreport-demo-"), "\(ingested)")
        #expect(ingested.hasSuffix("/evidence.db"))
        #expect(lines.contains("  rule                  pass  fail  indet.  waived"))
        #expect(lines.contains("  rto                      4     4     2     0"))
        #expect(lines.contains("  total                   82    21     4     1"))
        #expect(lines.contains("    FAIL rto core-banking-ledger@DR-2026-Q3-02#1  4h01m00s > 4h00m00s"))
        for name in ["report.html", "report.xml", "oscal-ar.xml"] {
            let path = output.appendingPathComponent(name).path
            #expect(lines.contains("  " + name.padding(toLength: 13, withPad: " ", startingAt: 0) + path), "\(name)")
            let size = try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int
            #expect((size ?? 0) > 10_000, "\(name)")
        }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: output.path).sorted() == [
                "oscal-ar.xml", "report.html", "report.xml",
            ])
        // The hint at the end works: check on the demo store exits 1 (the failures are on purpose).
        let hint = try #require(lines.last)
        #expect(hint.hasPrefix("  Open report.html in a browser. Try: drreport check --store "), "\(hint)")
        let store = try #require(ingested.split(separator: " ").last.map(String.init))
        let check = try await DRReportBinary.run(
            ["check", "--store", store, "--config", SampleBundle.policy, "--period", "2026-Q3", "--format", "json"],
            in: scratch.url)
        #expect(check.status == 1, "\(check)")
    }

    @Test("demo run again into the same folder replaces the report")
    func demoTwiceIntoOneFolder() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let output = scratch.path("demo-report")
        let first = try await Self.demo(scratch, output: output)
        #expect(first.status == 0, "\(first)")
        let earlier = try Data(contentsOf: output.appendingPathComponent("report.xml"))
        let again = try await Self.demo(scratch, output: output)
        #expect(again.status == 0, "\(again)")
        #expect(again.stderr.isEmpty, "\(again.stderr)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: output.path).sorted() == [
                "oscal-ar.xml", "report.html", "report.xml",
            ], "the three files, no temporary file left")
        // A fresh demo store each run: other ingestion instants, another ledger, so another report.xml.
        #expect(try Data(contentsOf: output.appendingPathComponent("report.xml")) != earlier)
    }
}
