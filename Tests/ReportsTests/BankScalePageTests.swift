import Foundation
import Testing

@testable import Evidence
@testable import Reports

/// A bank's quarter on the page and in `check --format json`: past ``HTMLView/passingRowsLimit``
/// passes a table lists what did not pass and counts the passes; the findings JSON encoded in slices
/// is byte for byte the JSON encoded whole.
@Suite("Bank-scale page and JSON")
struct BankScalePageTests {
    /// `count` passing consistency findings (and one failing), as a bank's quarter has them.
    static func tableChecks(_ count: Int, failing: String) -> [Finding] {
        let evidence = ContentHash.of(Data("consistency".utf8))
        func finding(_ table: String, _ status: FindingStatus, _ message: String) -> Finding {
            Finding(
                rule: .consistency, subject: "\(table)@cc-1", status: status, severity: .high, measuredSeconds: 0,
                targetSeconds: 900, message: message, evidence: [evidence],
                details: FindingDetails(dataLoss: DataLossDetails(
                    referenceTime: nil, referenceSource: nil,
                    tables: [TableLoss(table: table, checkRun: "cc-1", action: "none", version: 7, versionTime: nil, lossSeconds: 0)])))
        }
        return [finding(failing, .fail, "unrecoverable: no complete version")]
            + (0..<count).map { finding("main.passing_table_\($0)", .pass, "latest version 7 complete in \"north\" <&>\n\u{1}") }
    }

    @Test func pastTheLimitThePageListsWhatDidNotPassAndCountsThePasses() async throws {
        var model = try await HTMLFixtures.sampleModel()
        let checks = Self.tableChecks(HTMLView.passingRowsLimit + 1, failing: "main.lost_table")
        model.dataIntegrity = checks
        model.findings += checks
        let html = try HTMLFixtures.render(model)
        #expect(html.contains("main.lost_table"))
        #expect(!html.contains("main.passing_table_0<"))
        let passes = model.findings.filter { $0.status == .pass }.count
        #expect(html.contains("\(HTMLFormat.grouped(passes)) passing findings ("))
        #expect(html.contains("\(HTMLFormat.grouped(HTMLView.passingRowsLimit + 1)) passing table checks (consistency \(HTMLFormat.grouped(HTMLView.passingRowsLimit + 1))) are not listed here"))
        #expect(html.contains("<caption>Findings that did not pass</caption>"))
    }

    @Test func upToTheLimitEveryPassIsListed() async throws {
        var model = try await HTMLFixtures.sampleModel()
        let alreadyPassing = model.findings.filter { $0.status == .pass }.count
        let checks = Self.tableChecks(HTMLView.passingRowsLimit - alreadyPassing, failing: "main.lost_table")
        model.dataIntegrity = checks
        model.findings += checks
        let html = try HTMLFixtures.render(model)
        #expect(html.contains("main.passing_table_0<"))
        #expect(html.contains("<caption>All findings</caption>"))
        #expect(!html.contains("are not listed here"))
    }

    @Test func thousandsAreGrouped() {
        #expect(HTMLFormat.grouped(0) == "0")
        #expect(HTMLFormat.grouped(999) == "999")
        #expect(HTMLFormat.grouped(1_000) == "1,000")
        #expect(HTMLFormat.grouped(83_349) == "83,349")
        #expect(HTMLFormat.grouped(1_234_567) == "1,234,567")
        #expect(HTMLFormat.grouped(-4_000) == "-4,000")
    }

    @Test func findingsEncodedInSlicesAreTheFindingsEncodedWhole() throws {
        var findings = Self.tableChecks(6_000, failing: "main.lost_table")
        // Empty arrays (a blank line inside) and nested details at several depths.
        findings.append(Finding(rule: .parity, subject: "ws-empty", status: .pass, severity: .medium, message: "", evidence: []))
        findings.insert(Finding(rule: .rto, subject: "p@d#1", status: .indeterminate, severity: .critical, message: "é\t\"/\\"), at: 3_001)
        let assessment = Assessment(
            period: "2026-Q3", periodStart: Instant(nanosecondsSinceEpoch: 0), periodEnd: Instant(nanosecondsSinceEpoch: 1_000_000_000),
            rules: RuleID.allCases, findings: findings, warnings: ["a warning"])
        #expect(JSONRenderer.sliceCount(findings.count) > 1 || ProcessInfo.processInfo.activeProcessorCount == 1)
        let sliced = try JSONRenderer.render(assessment)
        let whole = try JSONRenderer.renderWhole(assessment)
        #expect(sliced == whole)
        let parsed = try #require(try JSONSerialization.jsonObject(with: sliced) as? [String: Any])
        #expect((parsed["findings"] as? [Any])?.count == findings.count)
    }

    @Test func aSmallQuarterIsEncodedWhole() throws {
        #expect(JSONRenderer.sliceCount(1_999) == 1)
        let assessment = Assessment(
            period: "2026-Q3", periodStart: Instant(nanosecondsSinceEpoch: 0), periodEnd: Instant(nanosecondsSinceEpoch: 1),
            rules: [], findings: [], warnings: [])
        #expect(try JSONRenderer.render(assessment) == JSONRenderer.renderWhole(assessment))
    }
}
