import Foundation
import Testing

@testable import Evidence
@testable import Reports

/// The sample quarter's verdicts, as samples/README.md documents them.
@Suite("sample quarter 2026-Q3: the documented verdicts")
struct SampleQuarterTests {
    @Test func everyRuleGivesTheDocumentedCounts() async throws {
        let quarter = try await SampleQuarter()
        defer { quarter.remove() }
        let assessment = try await Assessor.assess(store: quarter.store, policy: quarter.policy, period: quarter.period)
        func counts(_ rule: RuleID) -> [Int] {
            let findings = assessment.findings.filter { $0.rule == rule }
            return [FindingStatus.pass, .fail, .indeterminate, .waived].map { status in findings.filter { $0.status == status }.count }
        }
        #expect(counts(.rto) == [4, 4, 2, 0])
        #expect(counts(.rpo) == [7, 2, 1, 0])
        #expect(counts(.consistency) == [25, 2, 0, 0])
        #expect(counts(.parity) == [6, 1, 1, 1])
        #expect(counts(.applyParity) == [22, 4, 0, 0])
        #expect(counts(.changeApproval) == [14, 6, 0, 0])
        #expect(counts(.drillCadence) == [3, 2, 0, 0])
        #expect(counts(.evidenceIntegrity) == [1, 0, 0, 0])
        #expect(assessment.warnings.isEmpty)
    }

    /// The text for people is written in chunks of findings on every core: however they are cut, the
    /// text is the same, with each rule's title, each finding on its line and the summary last.
    @Test func theTextIsTheSameHoweverItsFindingsAreChunked() async throws {
        let quarter = try await SampleQuarter()
        defer { quarter.remove() }
        let assessment = try await Assessor.assess(store: quarter.store, policy: quarter.policy, period: quarter.period)
        for color in [false, true] {
            let whole = TextRenderer.render(assessment, policy: quarter.policy, color: color, chunkSize: 100_000)
            for size in [1, 2, 7] {
                #expect(TextRenderer.render(assessment, policy: quarter.policy, color: color, chunkSize: size) == whole)
            }
        }
        let lines = TextRenderer.render(assessment, policy: quarter.policy, color: false, chunkSize: 3).split(separator: "\n", omittingEmptySubsequences: false)
        let differences = assessment.findings.filter { $0.status != .pass }.map { min($0.details.parity?.differences.count ?? 0, 21) }.reduce(0, +)
        #expect(lines.count == 1 + 2 * assessment.rules.count + assessment.findings.count + differences + 2)
        #expect(lines.first?.hasPrefix("drreport check — ") == true)
        #expect(lines.last?.hasPrefix("summary: ") == true && lines.last?.hasSuffix("— FAIL") == true)
        #expect(lines.filter { $0.hasPrefix("  FAIL ") }.count == assessment.findings.filter { $0.status == .fail }.count)
    }

    /// The cadence read from the period's RTO and RPO findings is the cadence evaluated on its own,
    /// and it alone when only drill cadence is checked.
    @Test func cadenceFromKnownFindingsIsCadenceEvaluatedAlone() async throws {
        let quarter = try await SampleQuarter()
        defer { quarter.remove() }
        let context = try await RuleContext.load(store: quarter.store, policy: quarter.policy, period: quarter.period)
        let alone = DrillCadenceRule.evaluate(context)
        #expect(alone.count == 5)
        #expect(alone.contains { !($0.details.cadence?.attempts.isEmpty ?? true) })
        #expect(Assessor.evaluate(context, selected: Set(RuleID.allCases)).filter { $0.rule == .drillCadence } == alone)
        #expect(Assessor.evaluate(context, selected: [.drillCadence]) == alone)
    }

    @Test func theDeliberateCasesHaveTheirMeasuredValues() async throws {
        let quarter = try await SampleQuarter()
        defer { quarter.remove() }
        let findings = try await Assessor.assess(store: quarter.store, policy: quarter.policy, period: quarter.period).findings
        func finding(_ rule: RuleID, _ subject: String) throws -> Finding {
            try #require(findings.first { $0.rule == rule && $0.subject == subject })
        }
        let late = try finding(.rto, "core-banking-ledger@DR-2026-Q3-02#1")
        #expect(late.measuredSeconds == Int64(14_460))
        let straddling = try finding(.rto, "payments@DR-2026-Q3-02#1")
        #expect(straddling.status == .indeterminate)
        let aborted = try finding(.rto, "loan-origination@DR-2026-Q3-01#1")
        #expect(aborted.measuredSeconds == Int64(6500))
        let lost = try finding(.rpo, "core-banking-ledger@DR-2026-Q3-02#1")
        #expect(lost.measuredSeconds == Int64(15_125))
        let apart = try finding(.applyParity, "corporate-ledger-prod@28130")
        #expect(apart.measuredSeconds == Int64(108_328))
        #expect(try finding(.changeApproval, "28150").message.contains("approved 1m00s after the apply started"))
        #expect(try finding(.parity, "neprix-user-prod").waiver?.id == "W-2026-004")
        #expect(try finding(.applyParity, "retail-payments-prod@28170").waiver?.applied == false)
        #expect(try finding(.drillCadence, "treasury-liquidity").message.hasPrefix("waiver W-2025-017 expired on 2026-06-30"))
    }
}
