import Evidence

/// `rto`, per `process@drill#attempt` (DESIGN §5): the minimum-service restore minus the start
/// (the policy's `rto_clock` event) must be within the process's RTO, judged with clock uncertainty.
/// Both clocks and the declaration latency are always reported. Instants are UTC, so a drill that
/// crosses a daylight-saving change is measured right.
public enum RTORule {
    /// Findings for every process in scope of every attempt in the period.
    public static func evaluate(_ context: RuleContext) -> [Finding] {
        context.periodAttempts.flatMap { attempt in
            attempt.processes(in: context.policy).compactMap { id in
                context.policy.process(id).map { evaluate(attempt, process: $0, context: context) }
            }
        }
    }

    /// The finding for one process in one attempt.
    public static func evaluate(_ attempt: DrillAttempt, process: Policy.Process, context: RuleContext) -> Finding {
        let policy = context.policy
        let subject = attempt.subject(for: process.id)
        let disruption = attempt.first(.disruption)
        let declaration = attempt.first(.crisisDeclared)
        let restores = attempt.events.filter { $0.value.event == .serviceRestored && $0.value.process == process.id }
        let restore = restores.first { $0.value.level == .minimum } ?? restores.first
        let aborted = attempt.first(.aborted)
        let start = policy.rtoClock == .crisisDeclared ? declaration : disruption

        var details = RecoveryDetails(
            clock: policy.rtoClock.rawValue, disruption: disruption.map(context.reference),
            declaration: declaration.map(context.reference), restore: restore.map(context.reference), aborted: aborted != nil)
        if let restore, let declaration {
            details.fromDeclarationSeconds = UncertainDuration.seconds(from: declaration.value.time, to: restore.value.time)
        }
        if let restore, let disruption {
            details.fromDisruptionSeconds = UncertainDuration.seconds(from: disruption.value.time, to: restore.value.time)
        }
        if let declaration, let disruption {
            details.declarationLatencySeconds = UncertainDuration.seconds(from: disruption.value.time, to: declaration.value.time)
        }
        var evidence = [start, restore, disruption, declaration, aborted].compactMap { $0?.evidence }
        if let started = attempt.first(.drillStarted) { evidence.append(started.evidence) }

        func finding(_ status: FindingStatus, _ message: String, measured: Int64? = nil) -> Finding {
            Finding(
                rule: .rto, subject: subject, status: status, severity: Severity(process.criticality),
                measuredSeconds: measured, targetSeconds: process.rto, message: message, evidence: evidence,
                details: FindingDetails(recovery: details))
        }

        let clockName = policy.rtoClock.rawValue
        if let aborted {
            var message = "attempt \(attempt.attempt) of \(attempt.drill) was aborted at \(aborted.value.time)"
            var measured: Int64?
            if let restore, let start, restore.value.time < aborted.value.time {
                measured = UncertainDuration.seconds(from: start.value.time, to: restore.value.time)
                message += " (service had been restored \(DurationText.format(measured ?? 0)) after \(clockName))"
            } else {
                message += " before \(process.name) was restored"
            }
            return finding(.fail, message + "; an aborted attempt does not demonstrate recovery", measured: measured)
        }
        guard let start else {
            return finding(.indeterminate, "no \(clockName) event in \(attempt.label); the recovery time cannot be measured")
        }
        guard let restore else {
            return finding(.indeterminate, "no service_restored event for \(process.id) in \(attempt.label); recovery is not evidenced")
        }
        if let declaration, let disruption, declaration.value.time < disruption.value.time {
            return finding(
                .indeterminate,
                "inconsistent evidence: crisis_declared (\(declaration.value.time)) precedes the disruption (\(disruption.value.time))")
        }
        let measured = UncertainDuration.seconds(from: start.value.time, to: restore.value.time)
        guard measured >= 0 else {
            return finding(
                .indeterminate,
                "inconsistent evidence: service_restored (\(restore.value.time)) precedes \(clockName) (\(start.value.time))",
                measured: measured)
        }
        let uncertainty = context.uncertainty(of: start.value) + context.uncertainty(of: restore.value)
        details.lowerBoundSeconds = measured - uncertainty
        details.upperBoundSeconds = measured + uncertainty
        let status = UncertainDuration.verdict(measured: measured, uncertainty: uncertainty, target: process.rto)
        var message: String
        switch status {
        case .pass:
            message = "restored \(DurationText.format(measured)) after \(clockName), within the RTO of \(DurationText.format(process.rto))"
        case .fail:
            message = "restored \(DurationText.format(measured)) after \(clockName), beyond the RTO of \(DurationText.format(process.rto))"
        default:
            message = "restored \(DurationText.format(measured)) after \(clockName); with ±\(uncertainty)s of clock uncertainty it cannot be shown within the RTO of \(DurationText.format(process.rto))"
        }
        if let downtime = details.fromDisruptionSeconds, policy.rtoClock == .crisisDeclared {
            message += "; downtime from disruption \(DurationText.format(downtime))"
        } else if let fromDeclaration = details.fromDeclarationSeconds, policy.rtoClock == .disruption {
            message += "; \(DurationText.format(fromDeclaration)) from crisis declaration"
        }
        if let latency = details.declarationLatencySeconds {
            message += ", declaration latency \(DurationText.format(latency))"
        }
        var result = finding(status, message, measured: measured)
        result.details.recovery = details
        return result
    }
}
