import Foundation
import Testing

@testable import Evidence
@testable import Reports

/// Evidence naming what the policy does not know is reported with the file it came from, never dropped.
@Suite("warnings about evidence the policy does not know")
struct WarningTests {
    @Test func unknownProcessWorkspaceRegionAndTableAreNamedWithTheirFile() throws {
        let policy = try Support.policy()
        var context = Support.context(
            policy: policy,
            events: [
                Support.event("2026-09-12T07:55:00+02:00", .drillStarted, processes: ["loan-origination", "ghost-process"], line: 1),
                Support.event("2026-09-12T09:00:00+02:00", .serviceRestored, process: "ghost-process", line: 7),
            ],
            runs: [
                Stored(evidence: Support.evidenceB, value: ConsistencyRun(
                    checkRun: "cc-x", drill: "DR-2026-Q3-01", checkedAt: Support.instant("2026-09-12T09:30:00Z"),
                    tables: [TableCheck(table: "orphan.gold.t", latestVersion: 1, latestVersionTime: Support.instant("2026-09-12T06:00:00Z"), complete: true, action: .none)])),
            ],
            applyRuns: [
                Support.applyRun(id: 9, workspace: "shadow-prod", region: "francecentral", created: "2026-08-04T09:00:00Z", finished: "2026-08-04T09:20:00Z"),
            ])
        context.sources = [Support.evidenceA: "drills/q3.jsonl", Support.evidenceB: "consistency/cc-x.json"]
        let warnings = Assessor.unknownNames(context)
        #expect(warnings.contains("drill DR-2026-Q3-01 in drills/q3.jsonl (\(Support.evidenceA.short)), line 7, names process 'ghost-process', which drreport.yaml does not define"))
        #expect(warnings.contains { $0.contains("line 1, has process 'ghost-process' in scope") })
        #expect(warnings.contains { $0.hasPrefix("pipeline run 9 in ") && $0.hasSuffix("deploys workspace 'shadow-prod', which drreport.yaml does not define") })
        #expect(warnings.contains { $0.hasSuffix("deploys to region 'francecentral', neither the primary nor the secondary") })
        #expect(warnings.contains("consistency check cc-x in consistency/cc-x.json (\(Support.evidenceB.short)) reports table 'orphan.gold.t', which no process in drreport.yaml owns"))
        #expect(warnings.count == 5)
    }
}
