import Evidence

/// `change-approval`, per `run` in the environments that require approval (DESIGN §5): the run names
/// a change request that exists and is approved, was approved before the apply started (emergency
/// changes: within `emergency_approval_within` after), the apply ran inside the planned window, and
/// no approver is the change's requester or the run's implementer (ADO `requestedBy`), identities
/// being matched case-insensitively and through `people`.
public enum ChangeApprovalRule {
    /// Findings for every run of the period in an approval-required environment.
    public static func evaluate(_ context: RuleContext) -> [Finding] {
        context.applyRuns
            .filter { context.period.contains($0.instant) && context.policy.changeControl.approvalRequired.contains($0.run.environment) }
            .map { evaluate($0, context: context) }
    }

    /// The finding for one run.
    public static func evaluate(_ stored: StoredApplyRun, context: RuleContext) -> Finding {
        let policy = context.policy
        let run = stored.run
        let subject = String(run.id)
        let severity: Severity = run.environment == "prod" ? .high : .medium
        var checks: [CheckResult] = []
        var evidence = [stored.evidence]
        var requesters: [String] = []

        func finding() -> Finding {
            let failed = checks.first { $0.passed == false }
            let unknown = checks.first { $0.passed == nil }
            let status: FindingStatus = failed != nil ? .fail : (unknown != nil ? .indeterminate : .pass)
            let message: String
            switch status {
            case .fail:
                let failures = checks.filter { $0.passed == false }
                message = failures.map(\.detail).joined(separator: "; ")
            case .indeterminate:
                message = unknown?.detail ?? "undetermined"
            default:
                message = "\(run.changeRequest ?? "") approved before the apply, applied inside its window, approvers independent"
            }
            var details = FindingDetails(checks: checks)
            details.requesters = requesters.isEmpty ? nil : requesters
            return Finding(
                rule: .changeApproval, subject: subject, status: status, severity: severity, message: "run \(run.id) (\(run.workspace)@\(run.region)): " + message,
                evidence: evidence, details: details)
        }

        // A ServiceNow reference's sys_id identifies; its display value is the fallback.
        func identities(_ reference: Reference?) -> [String] {
            guard let reference else { return [] }
            return [reference.value, reference.display].compactMap { $0 }.filter { !$0.isEmpty }
        }

        guard let number = run.changeRequest else {
            checks.append(CheckResult(check: "change request named", passed: false, detail: "names no change request, but \(run.environment) changes need an approved one"))
            return finding()
        }
        checks.append(CheckResult(check: "change request named", passed: true, detail: number))
        let versions = context.changes(number: number)
        guard let latest = versions.max(by: { ($0.value.updatedOn ?? Instant(nanosecondsSinceEpoch: .min)) < ($1.value.updatedOn ?? Instant(nanosecondsSinceEpoch: .min)) }) else {
            checks.append(CheckResult(check: "change request exists", passed: false, detail: "\(number) is not in the evidence store"))
            return finding()
        }
        evidence.append(latest.evidence)
        let change = latest.value
        requesters = identities(change.requestedBy)
        checks.append(CheckResult(check: "change request exists", passed: true, detail: "\(number) (\(change.type))"))

        let approvals = context.approvals(change: change.sysID)
        evidence += approvals.map(\.evidence)
        let approved = approvals.filter { $0.value.state.lowercased() == "approved" }
        if change.approval.lowercased() == "approved" {
            checks.append(CheckResult(check: "approved", passed: true, detail: "\(number) is approved"))
        } else {
            checks.append(CheckResult(check: "approved", passed: false, detail: "\(number) is not approved (approval: \(change.approval.isEmpty ? "empty" : change.approval))"))
        }

        // When it became approved: the last approver's decision, else the change's approval_set.
        let approvedAt = approved.compactMap(\.value.updatedOn).max() ?? change.approvalSet
        let applyStart = stored.apply.firstTimestamp ?? run.createdDate
        let applyEnd = stored.apply.lastTimestamp ?? run.finishedDate ?? applyStart
        let emergency = change.type.lowercased() == "emergency"
        if let approvedAt {
            let delay = UncertainDuration.seconds(from: applyStart, to: approvedAt)
            if delay <= 0 {
                checks.append(CheckResult(check: "approved before apply", passed: true, detail: "approved \(DurationText.format(-delay)) before the apply started"))
            } else if emergency, delay <= policy.changeControl.emergencyApprovalWithin {
                checks.append(CheckResult(check: "approved before apply", passed: true, detail: "emergency change approved \(DurationText.format(delay)) after the apply, within \(DurationText.format(policy.changeControl.emergencyApprovalWithin))"))
            } else if emergency {
                checks.append(CheckResult(check: "approved before apply", passed: false, detail: "emergency change approved \(DurationText.format(delay)) after the apply started, beyond \(DurationText.format(policy.changeControl.emergencyApprovalWithin))"))
            } else {
                checks.append(CheckResult(check: "approved before apply", passed: false, detail: "approved \(DurationText.format(delay)) after the apply started (\(applyStart))"))
            }
        } else {
            checks.append(CheckResult(check: "approved before apply", passed: nil, detail: "no approval time is recorded for \(number) (no approved approver record, no approval_set)"))
        }

        if let windowStart = change.startDate, let windowEnd = change.endDate {
            if applyStart >= windowStart, applyEnd <= windowEnd {
                checks.append(CheckResult(check: "inside planned window", passed: true, detail: "applied within \(windowStart) – \(windowEnd)"))
            } else {
                let when = applyStart < windowStart
                    ? "started \(DurationText.format(UncertainDuration.seconds(from: applyStart, to: windowStart))) before the window opened"
                    : "ran until \(DurationText.format(UncertainDuration.seconds(from: windowEnd, to: applyEnd))) after the window closed"
                checks.append(CheckResult(check: "inside planned window", passed: false, detail: "applied outside the planned window \(windowStart) – \(windowEnd): \(when)"))
            }
        } else {
            checks.append(CheckResult(check: "inside planned window", passed: false, detail: "\(number) has no planned window (start_date, end_date)"))
        }

        let requesterIDs = requesters
        let implementerIDs = run.requestedBy.map { [$0] } ?? []
        var conflicts: [String] = []
        for approval in approved {
            let approverIDs = identities(approval.value.approver)
            let name = approval.value.approver.display ?? approval.value.approver.value
            if approverIDs.contains(where: { id in requesterIDs.contains { policy.samePerson(id, $0) } }) {
                conflicts.append("approver \(name) is the change's requester")
            }
            if approverIDs.contains(where: { id in implementerIDs.contains { policy.samePerson(id, $0) } }) {
                conflicts.append("approver \(name) is the run's implementer (\(run.requestedBy ?? ""))")
            }
        }
        if approved.isEmpty {
            checks.append(CheckResult(check: "independent approver", passed: change.approval.lowercased() == "approved" ? nil : false, detail: "no approver record for \(number); independence cannot be shown"))
        } else if conflicts.isEmpty {
            checks.append(CheckResult(check: "independent approver", passed: true, detail: "approved by " + approved.map { $0.value.approver.display ?? $0.value.approver.value }.joined(separator: ", ")))
        } else {
            checks.append(CheckResult(check: "independent approver", passed: false, detail: "segregation of duties broken: " + conflicts.joined(separator: "; ")))
        }
        return finding()
    }
}
