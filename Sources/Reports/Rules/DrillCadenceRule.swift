import Evidence

/// `drill-cadence`, per business-critical `process` (DESIGN §5): the process had a drill whose RTO
/// and RPO both passed within `drill_every` before the period's end.
public enum DrillCadenceRule {
    /// Findings for every business-critical process. `known` holds RTO and RPO findings already
    /// evaluated for the period's attempts (before waivers), by rule and subject: those attempts are
    /// not evaluated again; the look-back window's earlier attempts are.
    public static func evaluate(_ context: RuleContext, known: [RuleID: [String: Finding]] = [:]) -> [Finding] {
        let windowStart = context.period.instant(context.policy.drillEvery, before: context.period.end)
        let attempts = context.attempts.filter { $0.start >= windowStart && $0.start < context.period.end }
        return context.policy.processes.filter { $0.criticality == .businessCritical }.map { process in
            var outcomes: [String] = []
            var evidence: [ContentHash] = []
            var lastPassing: DrillAttempt?
            for attempt in attempts where attempt.processes(in: context.policy).contains(process.id) {
                let subject = attempt.subject(for: process.id)
                let rto = known[.rto]?[subject] ?? RTORule.evaluate(attempt, process: process, context: context)
                let rpo = known[.rpo]?[subject] ?? RPORule.evaluate(attempt, process: process, context: context)
                outcomes.append("\(attempt.label) (\(attempt.start.rfc3339(utc: true, fractionDigits: 0))): RTO \(rto.status.rawValue), RPO \(rpo.status.rawValue)")
                evidence += rto.evidence + rpo.evidence
                if rto.status == .pass, rpo.status == .pass { lastPassing = attempt }
            }
            let details = CadenceDetails(
                windowStart: windowStart, lastPassingDrill: lastPassing?.label, lastPassingTime: lastPassing?.start,
                attempts: outcomes)
            let since = Period.local(windowStart, in: context.policy.timeZone).rfc3339(fractionDigits: 0)
            let finding: (FindingStatus, String)
            if let lastPassing {
                finding = (.pass, "last drill with RTO and RPO passed: \(lastPassing.label) on \(lastPassing.start.rfc3339(utc: true, fractionDigits: 0)), within \(context.policy.drillEvery)")
            } else if outcomes.isEmpty {
                finding = (.fail, "no drill covered \(process.id) since \(since) (every \(context.policy.drillEvery) required)")
            } else {
                finding = (.fail, "\(outcomes.count) drill attempt\(outcomes.count == 1 ? "" : "s") since \(since), none with both RTO and RPO passed")
            }
            return Finding(
                rule: .drillCadence, subject: process.id, status: finding.0, severity: .critical, message: finding.1,
                evidence: evidence, details: FindingDetails(cadence: details))
        }
    }
}
