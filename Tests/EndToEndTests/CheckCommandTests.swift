import Foundation
import FoundationXML
import Testing

/// `drreport check` as CI and risk officers run it: on the sample quarter, JSON, JUnit, text, exit codes.
@Suite("check command on the sample quarter")
struct CheckCommandTests {
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return url
    }()

    static let policy = packageRoot.appendingPathComponent("samples/drreport.yaml").path

    /// A scratch store with the sample quarter ingested.
    static func sampleStore() async throws -> Scratch {
        let scratch = try Scratch()
        let ingest = try await DRReportBinary.run(
            ["ingest"] + scratch.storeArguments + [packageRoot.appendingPathComponent("samples/evidence").path], in: scratch.url)
        try #require(ingest.status == 0, "\(ingest)")
        return scratch
    }

    struct Output: Decodable {
        struct Summary: Decodable, Equatable {
            var pass: Int
            var fail: Int
            var indeterminate: Int
            var waived: Int
        }
        struct Item: Decodable {
            var rule: String
            var subject: String
            var status: String
            var severity: String
            var measured_s: Int?
            var target_s: Int?
            var message: String
            var evidence: [String]
        }
        var period: String
        var summary: Summary
        var findings: [Item]
    }

    @Test func jsonAndJUnitOfTheWholeQuarter() async throws {
        let scratch = try await Self.sampleStore()
        defer { scratch.remove() }
        let junit = scratch.path("findings.xml")
        let result = try await DRReportBinary.run(
            ["check"] + scratch.storeArguments + ["--config", Self.policy, "--period", "2026-Q3", "--format", "json", "--junit", junit.path],
            in: scratch.url)
        #expect(result.status == 1, "\(result)")
        let output = try JSONDecoder().decode(Output.self, from: result.stdoutData)
        #expect(output.period == "2026-Q3")
        #expect(output.summary == Output.Summary(pass: 82, fail: 21, indeterminate: 4, waived: 1))
        #expect(output.findings.count == 108)
        let late = try #require(output.findings.first { $0.rule == "rto" && $0.subject == "core-banking-ledger@DR-2026-Q3-02#1" })
        #expect(late.status == "fail")
        #expect(late.measured_s == 14_460)
        #expect(late.target_s == 14_400)
        #expect(late.severity == "critical")
        #expect(late.evidence.allSatisfy { $0.hasPrefix("sha256:") && $0.count == 71 })
        #expect(output.findings.allSatisfy { !$0.message.isEmpty && !$0.evidence.isEmpty || $0.rule == "evidence-integrity" || $0.rule == "drill-cadence" })

        // The JUnit file is well-formed XML with one test case per finding and failures for fail and indeterminate.
        let document = try XMLDocument(contentsOf: junit)
        let root = try #require(document.rootElement())
        #expect(root.name == "testsuites")
        #expect(root.attribute(forName: "tests")?.stringValue == "108")
        #expect(root.attribute(forName: "failures")?.stringValue == "25")
        #expect(root.attribute(forName: "skipped")?.stringValue == "1")
        let cases = try document.nodes(forXPath: "//testcase")
        #expect(cases.count == 108)
        let failures = try document.nodes(forXPath: "//testcase/failure")
        #expect(failures.count == 25)
        let suites = try document.nodes(forXPath: "/testsuites/testsuite").compactMap { ($0 as? XMLElement)?.attribute(forName: "name")?.stringValue }
        #expect(suites == ["rto", "rpo", "consistency", "parity", "apply-parity", "change-approval", "drill-cadence", "evidence-integrity"])
    }

    @Test func textIsForPeopleAndUncolouredWhenPiped() async throws {
        let scratch = try await Self.sampleStore()
        defer { scratch.remove() }
        let result = try await DRReportBinary.run(
            ["check"] + scratch.storeArguments + ["--config", Self.policy, "--period", "2026-Q3", "--rule", "rto"], in: scratch.url)
        #expect(result.status == 1)
        #expect(!result.stdout.contains("\u{1B}["))
        #expect(result.stdout.contains("core-banking-ledger@DR-2026-Q3-02#1  4h01m00s > 4h00m00s"))
        #expect(result.stdoutLines.first == "drreport check — Banca Esempio S.p.A. — 2026-Q3 (2026-07-01 to 2026-09-30, Europe/Rome)")
        #expect(result.stdoutLines.last == "summary: 4 pass, 4 fail, 2 indeterminate, 0 waived — FAIL")
        // Worst first within the rule.
        let statuses = result.stdoutLines.compactMap { line in ["FAIL", "INDETERMINATE", "PASS"].first { line.hasPrefix("  " + $0) } }
        #expect(statuses == ["FAIL", "FAIL", "FAIL", "FAIL", "INDETERMINATE", "INDETERMINATE", "PASS", "PASS", "PASS", "PASS"])
    }

    @Test func parityGateFailsOnADifferenceAndPassesWhenItIsWaived() async throws {
        let scratch = try await Self.sampleStore()
        defer { scratch.remove() }
        let failing = try await DRReportBinary.run(
            ["check"] + scratch.storeArguments + ["--config", Self.policy, "--period", "2026-Q3", "--rule", "parity"], in: scratch.url)
        #expect(failing.status == 1, "\(failing)")
        #expect(failing.stdout.contains("retail-payments-prod   1 resource missing in northeurope"))

        // The bank waives the two open parity findings: the gate passes.
        var policy = try String(contentsOfFile: Self.policy, encoding: .utf8)
        policy += """
              - {id: W-2026-020, rule: parity, subject: "retail-payments-prod", reason: "alert job deferred to the next release",
                 approved_by: "CRO", approved_on: 2026-09-01, expires: 2026-12-31}
              - {id: W-2026-021, rule: parity, subject: "retail-crm-prod", reason: "secondary state published next quarter",
                 approved_by: "CRO", approved_on: 2026-09-01, expires: 2026-12-31}

            """
        let waived = scratch.path("waived.yaml")
        try Data(policy.utf8).write(to: waived)
        let passing = try await DRReportBinary.run(
            ["check"] + scratch.storeArguments + ["--config", waived.path, "--period", "2026-Q3", "--rule", "parity", "--format", "json"],
            in: scratch.url)
        #expect(passing.status == 0, "\(passing)")
        let output = try JSONDecoder().decode(Output.self, from: passing.stdoutData)
        #expect(output.summary == Output.Summary(pass: 6, fail: 0, indeterminate: 0, waived: 3))
    }

    @Test func badInputIsExitTwoWithALocatedError() async throws {
        let scratch = try await Self.sampleStore()
        defer { scratch.remove() }
        let badPeriod = try await DRReportBinary.run(
            ["check"] + scratch.storeArguments + ["--config", Self.policy, "--period", "2026-Q5"], in: scratch.url)
        #expect(badPeriod.status == 2)
        #expect(badPeriod.stderr.contains("Error: --period: '2026-Q5' is not a quarter; expected YYYY-Qn"))
        #expect(badPeriod.stdout.isEmpty)

        try Data("organization: {name: Bank, lei: 8156000EXAMPLEBNK042}\ntimezone: Europe/Rome\nregions: {primary: a, secondary: b}\nworkspaces: []\nprocesses:\n  - {id: p, criticality: standard, rto: 4 hours, rpo: 4h}\n".utf8)
            .write(to: scratch.path("bad.yaml"))
        let badPolicy = try await DRReportBinary.run(
            ["check"] + scratch.storeArguments + ["--config", scratch.path("bad.yaml").path, "--period", "2026-Q3"], in: scratch.url)
        #expect(badPolicy.status == 2)
        #expect(badPolicy.stderr.contains("bad.yaml:6: processes[0].rto: '4 hours' is not a duration"), "\(badPolicy)")

        let badRule = try await DRReportBinary.run(
            ["check"] + scratch.storeArguments + ["--config", Self.policy, "--rule", "uptime"], in: scratch.url)
        #expect(badRule.status == 64)

        let missingStore = try await DRReportBinary.run(
            ["check", "--store", scratch.path("nope.db").path, "--config", Self.policy, "--period", "2026-Q3"], in: scratch.url)
        #expect(missingStore.status == 2)
        #expect(!FileManager.default.fileExists(atPath: scratch.path("nope.db").path))
    }

    @Test func aTamperedStoreIsExitThree() async throws {
        let scratch = try await Self.sampleStore()
        defer { scratch.remove() }
        _ = try await SQLiteShell.exec(scratch.store, "UPDATE drill_event SET time_ns = time_ns - 3600000000000 WHERE event = 'service_restored';")
        let result = try await DRReportBinary.run(
            ["check"] + scratch.storeArguments + ["--config", Self.policy, "--period", "2026-Q3", "--format", "json"], in: scratch.url)
        #expect(result.status == 3, "\(result)")
        let output = try JSONDecoder().decode(Output.self, from: result.stdoutData)
        let integrity = try #require(output.findings.first { $0.rule == "evidence-integrity" })
        #expect(integrity.status == "fail")
        #expect(integrity.message.contains("ledger entry"))
    }
}
