import Evidence
import Foundation

/// The outcome of checking a period: every finding, worst first within each rule, and the warnings
/// about evidence the policy does not know.
public struct Assessment: Sendable, Hashable, Codable {
    /// The period (`2026-Q3`).
    public var period: String
    /// The period's first instant.
    public var periodStart: Instant
    /// The first instant after the period.
    public var periodEnd: Instant
    /// The rules run.
    public var rules: [RuleID]
    /// The findings, in rule order, worst first, then by subject.
    public var findings: [Finding]
    /// Evidence naming processes or workspaces the policy does not know, unused waivers, and the like.
    public var warnings: [String]

    /// The number of findings per status.
    public var summary: [FindingStatus: Int] {
        var counts: [FindingStatus: Int] = [:]
        for status in FindingStatus.allCases { counts[status] = 0 }
        for finding in findings { counts[finding.status, default: 0] += 1 }
        return counts
    }

    /// Whether any finding fails the gate (fail or indeterminate).
    public var failsGate: Bool { findings.contains { $0.status.failsGate } }

    /// Whether the evidence integrity rule failed.
    public var integrityFailed: Bool {
        findings.contains { $0.rule == .evidenceIntegrity && $0.status == .fail }
    }

    /// Orders findings: rule order, then worst status first, then subject in byte order.
    /// Findings that tie keep their order. A bank's quarter has ~80,000 findings, each a large value:
    /// positions are sorted (``order(of:rank:)``), and the findings are then moved into place, not copied.
    public static func ordered(_ findings: consuming [Finding]) -> [Finding] {
        var findings = findings
        let order = order(of: findings) { finding in
            (RuleID.allCases.firstIndex(of: finding.rule) ?? 0) * FindingStatus.allCases.count
                + (FindingStatus.allCases.firstIndex(of: finding.status) ?? 0)
        }
        // Position k takes the finding at order[k]: each cycle of the permutation is followed once,
        // its first finding held aside and the others moved one place along it (moved, so no
        // finding is copied or released).
        var placed = [Bool](repeating: false, count: findings.count)
        findings.withUnsafeMutableBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for start in buffer.indices where !placed[start] {
                let held = (base + start).move()
                var position = start
                while true {
                    placed[position] = true
                    let source = order[position]
                    if source == start {
                        (base + position).initialize(to: held)
                        break
                    }
                    (base + position).moveInitialize(from: base + source, count: 1)
                    position = source
                }
            }
        }
        return findings
    }

    /// The positions of `findings` sorted by `rank` (ascending), then subject in byte order; findings
    /// that tie keep their order. The keys are taken out once, the subjects' bytes side by side in one
    /// buffer, so a comparison touches no string.
    static func order(of findings: [Finding], rank: (Finding) -> Int) -> [Int] {
        var ranks: [Int] = []
        var bytes: [UInt8] = []
        var spans: [Range<Int>] = []
        ranks.reserveCapacity(findings.count)
        spans.reserveCapacity(findings.count)
        // Read in place: iterating the array would copy each finding.
        findings.withUnsafeBufferPointer { findings in
            for index in findings.indices {
                ranks.append(rank(findings[index]))
                let start = bytes.count
                bytes.append(contentsOf: findings[index].subject.utf8)
                spans.append(start..<bytes.count)
            }
        }
        var order = Array(findings.indices)
        bytes.withUnsafeBytes { subjects in
            order.sort { a, b in
                if ranks[a] != ranks[b] { return ranks[a] < ranks[b] }
                let order = subjects.compareBytes(spans[a], with: spans[b])
                return order != 0 ? order < 0 : a < b
            }
        }
        return order
    }
}

/// Runs the rules over a store for a period.
public enum Assessor {
    /// Checks a period with the selected rules (all when empty).
    public static func assess(
        store: any EvidenceStore, policy: Policy, period: Period, rules: Set<RuleID> = []
    ) async throws(EvidenceError) -> Assessment {
        try await assessWithContext(store: store, policy: policy, period: period, rules: rules).assessment
    }

    /// Checks a period with the selected rules (all when empty), and gives the context the rules were run
    /// on too (a report and a bundle are made from it). A bundle verifier passes the integrity it
    /// established from the bundle's own ledger; otherwise the store verifies itself.
    public static func assessWithContext(
        store: any EvidenceStore, policy: Policy, period: Period, rules: Set<RuleID> = [], integrity: IntegrityReport? = nil
    ) async throws(EvidenceError) -> (assessment: Assessment, context: RuleContext) {
        let selected = rules.isEmpty ? Set(RuleID.allCases) : rules
        // The store's own verification and parity read on their own; they run beside the reading of
        // the rest (one core for a bank's quarter) and the other rules.
        async let verified = outcome(if: selected.contains(.evidenceIntegrity)) { () throws(EvidenceError) in
            if let integrity { integrity } else { try await store.verify() }
        }
        async let parity = outcome(if: selected.contains(.parity)) { () throws(EvidenceError) in
            try await ParityRule.evaluate(policy: policy, asOf: RuleContext.asOf(period), store: store)
        }
        let context = try await RuleContext.load(store: store, policy: policy, period: period)
        var findings = evaluate(context, selected: selected)
        findings += try await parity?.get() ?? []
        return (try await assessment(context, selected: selected, findings: findings, integrity: verified), context)
    }

    /// The findings of the selected rules that read only the context (all but parity and evidence
    /// integrity), in rule order.
    /// Drill cadence reads the RTO and RPO findings of the period's attempts rather than evaluating them again.
    static func evaluate(_ context: RuleContext, selected: Set<RuleID>) -> [Finding] {
        var findings: [Finding] = []
        var known: [RuleID: [String: Finding]] = [:]
        for rule in RuleID.allCases where selected.contains(rule) {
            switch rule {
            case .rto, .rpo:
                let evaluated = rule == .rto ? RTORule.evaluate(context) : RPORule.evaluate(context)
                known[rule] = Dictionary(evaluated.map { ($0.subject, $0) }, uniquingKeysWith: { first, _ in first })
                findings += evaluated
            case .consistency: findings += ConsistencyRule.evaluate(context)
            case .applyParity: findings += ApplyParityRule.evaluate(context)
            case .changeApproval: findings += ChangeApprovalRule.evaluate(context)
            case .drillCadence: findings += DrillCadenceRule.evaluate(context, known: known)
            case .parity, .evidenceIntegrity: break
            }
        }
        return findings
    }

    /// The assessment from the rules' findings and the store's integrity: waivers applied, findings
    /// ordered, unknown names warned about.
    static func assessment(
        _ context: RuleContext, selected: Set<RuleID>, findings: consuming [Finding], integrity: Result<IntegrityReport, EvidenceError>?
    ) throws(EvidenceError) -> Assessment {
        var findings = findings
        if let integrity { findings.append(EvidenceIntegrityRule.evaluate(try integrity.get())) }
        var waived = Waivers.apply(consume findings, policy: context.policy, asOf: context.asOf)
        var warnings = unknownNames(context)
        for waiver in waived.unused where selected.contains(waiver.rule) {
            warnings.append("waiver \(waiver.id) (drreport.yaml line \(waiver.line)) matches no failing finding of \(waiver.rule.rawValue) for \(waiver.subject)")
        }
        // Taken out of the result, so the ordering moves the only copy.
        findings = waived.findings
        waived.findings = []
        return Assessment(
            period: context.period.description, periodStart: context.period.start, periodEnd: context.period.end,
            rules: RuleID.allCases.filter { selected.contains($0) }, findings: Assessment.ordered(consume findings),
            warnings: warnings)
    }

    /// What `work` gives when it is `needed`, as a result, so it can run in an `async let` beside the
    /// reading and the other rules.
    static func outcome<T>(if needed: Bool, _ work: () async throws(EvidenceError) -> T) async -> Result<T, EvidenceError>? {
        guard needed else { return nil }
        return await .awaiting(work)
    }

    /// Evidence that names a process, workspace, region or table the policy does not know: reported,
    /// never silently dropped.
    static func unknownNames(_ context: RuleContext) -> [String] {
        let policy = context.policy
        var warnings: Set<String> = []
        for attempt in context.attempts {
            for event in attempt.events {
                if let process = event.value.process, policy.process(process) == nil {
                    warnings.insert("drill \(attempt.drill) in \(context.name(of: event.evidence)), line \(event.value.line), names process '\(process)', which drreport.yaml does not define")
                }
                for process in event.value.processes ?? [] where policy.process(process) == nil {
                    warnings.insert("drill \(attempt.drill) in \(context.name(of: event.evidence)), line \(event.value.line), has process '\(process)' in scope, which drreport.yaml does not define")
                }
            }
        }
        for run in context.applyRuns where context.period.contains(run.instant) {
            if policy.workspace(run.run.workspace) == nil {
                warnings.insert("pipeline run \(run.run.id) in \(context.name(of: run.evidence)) deploys workspace '\(run.run.workspace)', which drreport.yaml does not define")
            }
            if run.run.region != policy.primaryRegion, run.run.region != policy.secondaryRegion {
                warnings.insert("pipeline run \(run.run.id) in \(context.name(of: run.evidence)) deploys to region '\(run.run.region)', neither the primary nor the secondary")
            }
        }
        for key in context.stateKeys where policy.workspace(key.workspace) == nil {
            warnings.insert("a Terraform state of workspace '\(key.workspace)' in \(key.region) is stored, but drreport.yaml does not define that workspace")
        }
        for run in context.consistencyRuns where context.period.contains(run.value.checkedAt) {
            for table in run.value.tables where context.owners(of: table.table).isEmpty {
                warnings.insert("consistency check \(run.value.checkRun) in \(context.name(of: run.evidence)) reports table '\(table.table)', which no process in drreport.yaml owns")
            }
        }
        return warnings.sorted()
    }
}
