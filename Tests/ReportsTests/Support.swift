import Foundation
import Testing

@testable import Evidence
@testable import Reports

/// Builders for rule tests: a policy from YAML, events and runs from short literals.
enum Support {
    static let policyYAML = """
        organization: {name: "Banca Esempio S.p.A.", lei: "8156000EXAMPLEBNK042"}
        timezone: Europe/Rome
        regions: {primary: westeurope, secondary: northeurope}
        rto_clock: crisis_declared
        clock_uncertainty_s: 5
        processes:
          - id: loan-origination
            name: Loan origination
            criticality: business-critical
            rto: 4h
            rpo: 4h
            workspaces: [neprix-tech-prod]
            tables: ["neprix.*"]
          - id: payments
            name: Payments
            criticality: important
            rto: 2h
            rpo: 15m
            workspaces: [retail-prod]
            tables: ["retail.payments.*"]
        workspaces:
          - {id: neprix-tech-prod, division: neprix, environment: prod, kind: technical}
          - {id: retail-prod, division: retail, environment: prod}
          - {id: retail-uat, division: retail, environment: uat}
        parity:
          apply_window: 24h
          ignore:
            "*": [id, provider_config.*.workspace_id]
            databricks_cluster: [cluster_id, url, state, default_tags]
            databricks_permissions: [cluster_id, job_id]
        change_control:
          approval_required: [prod]
          emergency_approval_within: 72h
        cadence:
          drill_every: 12mo
        people:
          - {id: dev.two, aliases: ["Dev Two", "3333aaaa3333aaaa3333aaaa3333aaaa", "dev.two@bank.example"]}
        waivers:
          - {id: W-2026-004, rule: parity, subject: "retail-prod", reason: "GPU SKU unavailable in northeurope", approved_by: "CRO", approved_on: 2026-07-01, expires: 2026-12-31}
          - {id: W-2026-001, rule: rto, subject: "payments@*", reason: "runbook rewrite", approved_by: "CRO", approved_on: 2026-01-10, expires: 2026-06-30}
        """

    static func policy(_ yaml: String = policyYAML) throws -> Policy {
        try Policy.load(yaml: yaml, source: "drreport.yaml")
    }

    static let q3 = try! Period(parsing: "2026-Q3", timeZone: TimeZone(identifier: "Europe/Rome")!)

    static func instant(_ text: String) -> Instant {
        guard case .success(let instant) = Timestamp.parseRFC3339(text) else {
            Issue.record("bad timestamp literal \(text)")
            return Instant(nanosecondsSinceEpoch: 0)
        }
        return instant
    }

    static let evidenceA = ContentHash.of("evidence A")
    static let evidenceB = ContentHash.of("evidence B")

    static func event(
        _ time: String, _ type: DrillEventType, drill: String = "DR-2026-Q3-01", attempt: Int = 1, process: String? = nil,
        uncertainty: Int? = nil, level: RestoreLevel? = nil, processes: [String]? = nil, line: Int = 1
    ) -> Stored<DrillEvent> {
        Stored(evidence: evidenceA, value: DrillEvent(
            drill: drill, attempt: attempt, time: instant(time), event: type, process: process, uncertaintySeconds: uncertainty,
            level: type == .serviceRestored ? (level ?? .minimum) : level, processes: processes, line: line))
    }

    static func context(
        policy: Policy, period: Period = q3, events: [Stored<DrillEvent>] = [], runs: [Stored<ConsistencyRun>] = [],
        applyRuns: [StoredApplyRun] = [], changes: [Stored<ChangeRequest>] = [], approvals: [Stored<Approval>] = []
    ) -> RuleContext {
        RuleContext(
            policy: policy, period: period, asOf: period.end.adding(seconds: -1), attempts: DrillAttempt.group(events),
            consistencyRuns: runs, applyRuns: applyRuns, changes: changes, approvals: approvals, stateKeys: [])
    }

    static func applyRun(
        id: Int, workspace: String = "neprix-tech-prod", region: String = "westeurope", environment: String = "prod",
        commit: String? = "a1b2c3d4e5f6", result: String = "succeeded", outcome: ApplyOutcome = .succeeded,
        created: String, applyStart: String? = nil, applyEnd: String? = nil, finished: String, change: String? = nil,
        requestedBy: String? = "dev.one@bank.example"
    ) -> StoredApplyRun {
        StoredApplyRun(
            evidence: ContentHash.of("run \(id)"),
            run: PipelineRun(
                id: id, name: "run-\(id)", state: "completed", result: result, createdDate: instant(created),
                finishedDate: instant(finished), commit: commit, workspace: workspace, region: region,
                environment: environment, changeRequest: change, requestedBy: requestedBy),
            apply: ApplyStream(
                firstTimestamp: applyStart.map(instant), lastTimestamp: applyEnd.map(instant), outcome: outcome),
            hasState: false)
    }
}
