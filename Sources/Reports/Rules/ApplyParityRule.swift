import Evidence

/// `apply-parity`, per `workspace@run` (DESIGN §5): a successful apply in one region is matched by a
/// successful apply of the same commit in the other region, the two runs' finish times at most
/// `apply_window` apart. A failed apply is reported as a failure.
public enum ApplyParityRule {
    /// Findings for every run of the period in a parity environment and a policy region.
    public static func evaluate(_ context: RuleContext) -> [Finding] {
        let policy = context.policy
        let regions = [policy.primaryRegion, policy.secondaryRegion]
        return context.applyRuns
            .filter { context.period.contains($0.instant) && regions.contains($0.run.region) && policy.parity.applies(to: $0.run.environment) }
            .map { evaluate($0, context: context) }
    }

    /// The finding for one run.
    public static func evaluate(_ stored: StoredApplyRun, context: RuleContext) -> Finding {
        let policy = context.policy
        let run = stored.run
        let other = run.region == policy.primaryRegion ? policy.secondaryRegion : policy.primaryRegion
        let subject = "\(run.workspace)@\(run.id)"
        let severity: Severity = run.environment == "prod" ? .high : .medium
        let window = policy.parity.applyWindow
        var details = ApplyParityDetails(
            runID: run.id, region: run.region, commit: run.commit, finished: stored.instant, counterpartRunID: nil,
            counterpartRegion: other, counterpartFinished: nil)
        let requesters = context.changeRequesters(of: run)
        func finding(_ status: FindingStatus, _ message: String, measured: Int64? = nil, evidence: [ContentHash] = []) -> Finding {
            Finding(
                rule: .applyParity, subject: subject, status: status, severity: severity, measuredSeconds: measured,
                targetSeconds: window, message: message, evidence: [stored.evidence] + evidence,
                details: FindingDetails(applyParity: details, requesters: requesters.isEmpty ? nil : requesters))
        }
        guard stored.succeeded else {
            var message = "run \(run.id) in \(run.region) did not apply: pipeline \(run.result ?? run.state), terraform apply \(stored.apply.outcome.rawValue)"
            if let error = stored.apply.errors.first { message += " (\(error))" }
            return finding(.fail, message)
        }
        guard let commit = run.commit else {
            return finding(.indeterminate, "run \(run.id) does not record the commit it applied; its counterpart cannot be identified")
        }
        let counterparts = context.runs(workspace: run.workspace, region: other, commit: commit)
        let candidates = counterparts.filter(\.succeeded)
        let closest = candidates.min {
            abs(UncertainDuration.seconds(from: stored.instant, to: $0.instant)) < abs(UncertainDuration.seconds(from: stored.instant, to: $1.instant))
        }
        guard let counterpart = closest else {
            if let failed = counterparts.first {
                details.counterpartRunID = failed.run.id
                details.counterpartFinished = failed.instant
                return finding(.fail, "commit \(commit.prefix(12)) was applied in \(run.region) but its apply in \(other) (run \(failed.run.id)) did not succeed", evidence: [failed.evidence])
            }
            return finding(.fail, "commit \(commit.prefix(12)) was applied in \(run.region) (run \(run.id)) but never successfully in \(other)")
        }
        details.counterpartRunID = counterpart.run.id
        details.counterpartFinished = counterpart.instant
        let gap = abs(UncertainDuration.seconds(from: stored.instant, to: counterpart.instant))
        if gap <= window {
            return finding(.pass, "matched by run \(counterpart.run.id) in \(other), \(DurationText.format(gap)) apart (window \(DurationText.format(window)))", measured: gap, evidence: [counterpart.evidence])
        }
        return finding(.fail, "run \(counterpart.run.id) in \(other) applied the same commit \(DurationText.format(gap)) apart, beyond the window of \(DurationText.format(window))", measured: gap, evidence: [counterpart.evidence])
    }
}
