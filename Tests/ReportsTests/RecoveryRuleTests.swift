import Foundation
import Testing

@testable import Evidence
@testable import Reports

@Suite("rto: recovery time per process and attempt")
struct RTORuleTests {
    let policy: Policy
    init() throws { policy = try Support.policy() }

    func finding(_ events: [Stored<DrillEvent>], process: String = "loan-origination", period: Period = Support.q3) throws -> Finding {
        let context = Support.context(policy: policy, period: period, events: events)
        return try #require(RTORule.evaluate(context).first { $0.subject.hasPrefix(process + "@") })
    }

    @Test func restoredWithinTargetPasses() throws {
        let result = try finding([
            Support.event("2026-09-12T08:03:11+02:00", .disruption, uncertainty: 2),
            Support.event("2026-09-12T08:09:40+02:00", .crisisDeclared),
            Support.event("2026-09-12T10:41:05+02:00", .serviceRestored, process: "loan-origination"),
        ])
        #expect(result.status == .pass)
        #expect(result.subject == "loan-origination@DR-2026-Q3-01#1")
        #expect(result.measuredSeconds == Int64(2 * 3600 + 31 * 60 + 25))
        #expect(result.targetSeconds == Int64(4 * 3600))
        #expect(result.details.recovery?.fromDisruptionSeconds == Int64(2 * 3600 + 37 * 60 + 54))
        #expect(result.details.recovery?.declarationLatencySeconds == Int64(6 * 60 + 29))
        #expect(result.severity == .critical)
    }

    @Test func oneMinuteOverFails() throws {
        let result = try finding([
            Support.event("2026-09-12T08:09:40+02:00", .crisisDeclared, uncertainty: 0),
            Support.event("2026-09-12T12:10:40+02:00", .serviceRestored, process: "loan-origination", uncertainty: 0),
        ])
        #expect(result.status == .fail)
        #expect(result.measuredSeconds == Int64(4 * 3600 + 60))
        #expect(result.comparisonText == "4h01m00s > 4h00m00s")
    }

    @Test func threeSecondsOverWithFiveSecondsOfUncertaintyIsIndeterminate() throws {
        let result = try finding([
            Support.event("2026-09-12T08:00:00+02:00", .crisisDeclared),
            Support.event("2026-09-12T12:00:03+02:00", .serviceRestored, process: "loan-origination"),
        ])
        #expect(result.status == .indeterminate)
        #expect(result.measuredSeconds == Int64(4 * 3600 + 3))
        #expect(result.details.recovery?.lowerBoundSeconds == Int64(4 * 3600 + 3 - 10))
        #expect(result.details.recovery?.upperBoundSeconds == Int64(4 * 3600 + 3 + 10))
    }

    @Test func drillAcrossTheEndOfSummerTimeIsMeasuredInRealTime() throws {
        // Europe/Rome falls back from 03:00 CEST to 02:00 CET on 2026-10-25. Wall clocks say 3h30m
        // (01:30 → 05:00); the real elapsed time is 4h30m.
        let q4 = try Period(parsing: "2026-Q4", timeZone: try #require(TimeZone(identifier: "Europe/Rome")))
        let result = try finding(
            [
                Support.event("2026-10-25T01:30:00+02:00", .crisisDeclared, drill: "DR-2026-Q4-01", uncertainty: 0),
                Support.event("2026-10-25T05:00:00+01:00", .serviceRestored, drill: "DR-2026-Q4-01", process: "loan-origination", uncertainty: 0),
            ], period: q4)
        #expect(result.measuredSeconds == Int64(4 * 3600 + 30 * 60))
        #expect(result.status == .fail)
    }

    @Test func missingRestoreIsIndeterminate() throws {
        let result = try finding([Support.event("2026-09-12T08:09:40+02:00", .crisisDeclared)])
        #expect(result.status == .indeterminate)
        #expect(result.measuredSeconds == nil)
        #expect(result.message.contains("no service_restored"))
    }

    @Test func missingStartIsIndeterminate() throws {
        let result = try finding([
            Support.event("2026-09-12T08:03:11+02:00", .disruption),
            Support.event("2026-09-12T10:41:05+02:00", .serviceRestored, process: "loan-origination"),
        ])
        #expect(result.status == .indeterminate)
        #expect(result.message.contains("no crisis_declared"))
    }

    @Test func abortedAttemptFailsAndTheNextAttemptCounts() throws {
        let context = Support.context(policy: policy, events: [
            Support.event("2026-09-12T08:00:00+02:00", .crisisDeclared, attempt: 1),
            Support.event("2026-09-12T09:00:00+02:00", .aborted, attempt: 1),
            Support.event("2026-09-13T08:00:00+02:00", .crisisDeclared, attempt: 2),
            Support.event("2026-09-13T09:00:00+02:00", .serviceRestored, attempt: 2, process: "loan-origination"),
        ])
        let findings = RTORule.evaluate(context).filter { $0.subject.hasPrefix("loan-origination") }
        #expect(findings.map(\.subject) == ["loan-origination@DR-2026-Q3-01#1", "loan-origination@DR-2026-Q3-01#2"])
        #expect(findings.map(\.status) == [.fail, .pass])
        #expect(findings[1].measuredSeconds == Int64(3600))
    }

    @Test func restoreBeforeDeclarationIsReportedAsInconsistent() throws {
        let result = try finding([
            Support.event("2026-09-12T10:00:00+02:00", .crisisDeclared),
            Support.event("2026-09-12T09:00:00+02:00", .serviceRestored, process: "loan-origination"),
        ])
        #expect(result.status == .indeterminate)
        #expect(result.message.contains("inconsistent evidence"))
        #expect(result.measuredSeconds == -3600)
    }

    @Test func disruptionClockMeasuresFromTheDisruption() throws {
        let yaml = Support.policyYAML.replacingOccurrences(of: "rto_clock: crisis_declared", with: "rto_clock: disruption")
        let policy = try Support.policy(yaml)
        let context = Support.context(policy: policy, events: [
            Support.event("2026-09-12T08:00:00+02:00", .disruption, uncertainty: 0),
            Support.event("2026-09-12T08:30:00+02:00", .crisisDeclared, uncertainty: 0),
            Support.event("2026-09-12T12:15:00+02:00", .serviceRestored, process: "loan-origination", uncertainty: 0),
        ])
        let result = try #require(RTORule.evaluate(context).first { $0.subject.hasPrefix("loan-origination") })
        #expect(result.measuredSeconds == Int64(4 * 3600 + 15 * 60))
        #expect(result.status == .fail)
        #expect(result.details.recovery?.fromDeclarationSeconds == Int64(3 * 3600 + 45 * 60))
    }

    @Test func scopeComesFromDrillStarted() throws {
        let context = Support.context(policy: policy, events: [
            Support.event("2026-09-12T07:55:00+02:00", .drillStarted, processes: ["payments"]),
            Support.event("2026-09-12T08:00:00+02:00", .crisisDeclared),
            Support.event("2026-09-12T09:00:00+02:00", .serviceRestored, process: "payments"),
        ])
        let findings = RTORule.evaluate(context)
        #expect(findings.map(\.subject) == ["payments@DR-2026-Q3-01#1"])
        #expect(findings.first?.status == .pass)
    }

    @Test func drillsOutsideThePeriodAreNotSubjects() throws {
        let context = Support.context(policy: policy, events: [
            Support.event("2026-06-30T23:30:00+02:00", .crisisDeclared, drill: "DR-2026-Q2-09"),
            Support.event("2026-07-01T01:00:00+02:00", .serviceRestored, drill: "DR-2026-Q2-09", process: "loan-origination"),
        ])
        #expect(RTORule.evaluate(context).isEmpty)
    }
}

@Suite("rpo and consistency: data loss per process and per table")
struct DataLossRuleTests {
    let policy: Policy
    init() throws { policy = try Support.policy() }

    func run(_ tables: [TableCheck], reference: String? = nil, checked: String = "2026-09-12T08:40:02Z", name: String = "cc-1") -> Stored<ConsistencyRun> {
        Stored(evidence: Support.evidenceB, value: ConsistencyRun(
            checkRun: name, drill: "DR-2026-Q3-01", region: "northeurope", checkedAt: Support.instant(checked),
            referenceTime: reference.map(Support.instant), tables: tables))
    }

    var drill: [Stored<DrillEvent>] {
        [
            Support.event("2026-09-12T08:03:11+02:00", .disruption, uncertainty: 0),
            Support.event("2026-09-12T08:09:40+02:00", .crisisDeclared),
        ]
    }

    @Test func worstTableDecidesAndPasses() throws {
        let context = Support.context(policy: policy, events: drill, runs: [run([
            TableCheck(table: "neprix.gold.exposures", latestVersion: 77, latestVersionTime: Support.instant("2026-09-12T05:31:02Z"), complete: true, action: .none),
            TableCheck(table: "neprix.silver.contracts", latestVersion: 1842, complete: false, missingFiles: ["part-3"], restoredVersion: 1841, restoredVersionTime: Support.instant("2026-09-12T05:58:40Z"), action: .restored),
        ])])
        let result = try #require(RPORule.evaluate(context).first { $0.subject == "loan-origination@DR-2026-Q3-01#1" })
        #expect(result.status == .pass)
        // Reference is the disruption, 06:03:11Z; the older version in use is 05:31:02Z.
        #expect(result.measuredSeconds == Int64(32 * 60 + 9))
        #expect(result.details.dataLoss?.tables.first?.table == "neprix.gold.exposures")
    }

    @Test func restoredTooFarBackFails() throws {
        let context = Support.context(policy: policy, events: drill, runs: [run([
            TableCheck(table: "neprix.silver.contracts", latestVersion: 1842, complete: false, restoredVersion: 1800, restoredVersionTime: Support.instant("2026-09-12T01:03:10Z"), action: .restored),
        ], reference: "2026-09-12T06:03:11Z")])
        let result = try #require(RPORule.evaluate(context).first { $0.subject.hasPrefix("loan-origination") })
        #expect(result.status == .fail)
        #expect(result.measuredSeconds == Int64(5 * 3600 + 1))
    }

    @Test func unrecoverableTableFails() throws {
        let context = Support.context(policy: policy, events: drill, runs: [run([
            TableCheck(table: "neprix.bronze.raw", latestVersion: 9, complete: false, action: .unrecoverable),
        ])])
        let result = try #require(RPORule.evaluate(context).first { $0.subject.hasPrefix("loan-origination") })
        #expect(result.status == .fail)
        #expect(result.message.contains("unrecoverable"))
    }

    @Test func noConsistencyEvidenceIsIndeterminate() throws {
        let context = Support.context(policy: policy, events: drill)
        let result = try #require(RPORule.evaluate(context).first { $0.subject.hasPrefix("loan-origination") })
        #expect(result.status == .indeterminate)
        #expect(result.message.contains("no consistency-check evidence"))
    }

    @Test func checksThatCoverOtherTablesOnlyAreIndeterminate() throws {
        let context = Support.context(policy: policy, events: drill, runs: [run([
            TableCheck(table: "retail.payments.ledger", latestVersion: 3, latestVersionTime: Support.instant("2026-09-12T06:00:00Z"), complete: true, action: .none),
        ])])
        let result = try #require(RPORule.evaluate(context).first { $0.subject.hasPrefix("loan-origination") })
        #expect(result.status == .indeterminate)
        let payments = try #require(RPORule.evaluate(context).first { $0.subject.hasPrefix("payments") })
        #expect(payments.status == .pass)
        #expect(payments.measuredSeconds == Int64(191))
    }

    @Test(arguments: [
        (ConsistencyAction.none, "2026-09-12T06:00:00Z", FindingStatus.pass),
        (.restored, "2026-09-12T05:00:00Z", .pass),
        (.restored, "2026-09-12T02:00:00Z", .fail),
        (.unrecoverable, "2026-09-12T05:00:00Z", .fail),
    ])
    func consistencyPerTable(action: ConsistencyAction, versionTime: String, expected: FindingStatus) throws {
        let table = TableCheck(
            table: "neprix.silver.contracts", latestVersion: 10,
            latestVersionTime: action == .none ? Support.instant(versionTime) : nil, complete: action == .none,
            restoredVersion: action == .restored ? 9 : nil,
            restoredVersionTime: action == .restored ? Support.instant(versionTime) : nil, action: action)
        let context = Support.context(policy: policy, events: drill, runs: [run([table], reference: "2026-09-12T06:03:11Z")])
        let result = try #require(ConsistencyRule.evaluate(context).first)
        #expect(result.subject == "neprix.silver.contracts@cc-1")
        #expect(result.status == expected)
        if action == .restored {
            #expect(result.measuredSeconds == UncertainDuration.seconds(from: Support.instant(versionTime), to: Support.instant("2026-09-12T06:03:11Z")))
        }
    }

    @Test func checkBeforeTheDisruptionIsInconsistent() throws {
        let context = Support.context(policy: policy, events: drill, runs: [run([
            TableCheck(table: "neprix.gold.exposures", latestVersion: 77, latestVersionTime: Support.instant("2026-09-12T05:31:02Z"), complete: true, action: .none),
        ], checked: "2026-09-12T06:00:00Z")])
        let result = try #require(ConsistencyRule.evaluate(context).first)
        #expect(result.status == .indeterminate)
        #expect(result.message.contains("inconsistent evidence"))
    }
}
