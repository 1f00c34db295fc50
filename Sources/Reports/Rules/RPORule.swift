import Evidence

/// `rpo`, per `process@drill#attempt` (DESIGN §5): the largest data loss over the process's tables —
/// reference time minus the time of the Delta version in use after the consistency check (the latest
/// if complete, the restored one otherwise) — must be within the RPO. An unrecoverable table fails;
/// no consistency evidence for the attempt is indeterminate.
public enum RPORule {
    /// Findings for every process in scope of every attempt in the period.
    public static func evaluate(_ context: RuleContext) -> [Finding] {
        context.periodAttempts.flatMap { attempt in
            attempt.processes(in: context.policy).compactMap { id in
                context.policy.process(id).map { evaluate(attempt, process: $0, context: context) }
            }
        }
    }

    /// The consistency runs belonging to an attempt: runs of its drill checked from the attempt's start
    /// until the next attempt of the same drill starts.
    /// Returns their positions in `context.consistencyRuns`.
    static func runs(for attempt: DrillAttempt, context: RuleContext) -> [Int] {
        let siblings = context.attempts.filter { $0.drill == attempt.drill }
        let next = siblings.filter { $0.attempt > attempt.attempt }.map(\.start).min()
        // The first attempt also takes runs checked before it started, so such inconsistent evidence is
        // reported rather than dropped.
        let isFirst = !siblings.contains { $0.attempt < attempt.attempt }
        return context.consistencyRuns.indices.filter { position in
            let run = context.consistencyRuns[position]
            return run.value.drill == attempt.drill && (isFirst || run.value.checkedAt >= attempt.start)
                && next.map { run.value.checkedAt < $0 } ?? true
        }
    }

    /// The instant a run's data loss is measured from, its uncertainty and where it came from.
    static func reference(
        for run: ConsistencyRun, attempt: DrillAttempt?, context: RuleContext
    ) -> (time: Instant, uncertainty: Int64, source: String)? {
        if let time = run.referenceTime {
            return (time, context.policy.clockUncertainty, "reference_time of \(run.checkRun)")
        }
        if let disruption = attempt?.first(.disruption) {
            return (disruption.value.time, context.uncertainty(of: disruption.value), "disruption of \(attempt?.label ?? "")")
        }
        return nil
    }

    /// The finding for one process in one attempt.
    public static func evaluate(_ attempt: DrillAttempt, process: Policy.Process, context: RuleContext) -> Finding {
        let subject = attempt.subject(for: process.id)
        let runPositions = runs(for: attempt, context: context)
        let attemptRuns = runPositions.map { context.consistencyRuns[$0] }
        var evidence = attemptRuns.map(\.evidence)
        if let disruption = attempt.first(.disruption) { evidence.append(disruption.evidence) }

        func finding(_ status: FindingStatus, _ message: String, measured: Int64? = nil, details: DataLossDetails? = nil) -> Finding {
            Finding(
                rule: .rpo, subject: subject, status: status, severity: Severity(process.criticality),
                measuredSeconds: measured, targetSeconds: process.rpo, message: message, evidence: evidence,
                details: FindingDetails(dataLoss: details))
        }

        guard !attemptRuns.isEmpty else {
            return finding(.indeterminate, "no consistency-check evidence for \(attempt.label); data loss is not evidenced")
        }
        // The latest check of each of the process's tables.
        var latest: [String: (run: ConsistencyRun, table: TableCheck)] = [:]
        for position in runPositions {
            let stored = context.consistencyRuns[position]
            for tablePosition in context.tablesByProcess[position][process.id] ?? [] {
                let table = stored.value.tables[tablePosition]
                if let existing = latest[table.table], existing.run.checkedAt > stored.value.checkedAt { continue }
                latest[table.table] = (stored.value, table)
            }
        }
        guard !latest.isEmpty else {
            return finding(
                .indeterminate,
                "the consistency checks of \(attempt.label) cover none of \(process.id)'s tables (\(process.tables.joined(separator: ", ")))")
        }
        var losses: [TableLoss] = []
        var referenceTime: Instant?
        var referenceSource: String?
        var uncertainty: Int64 = 0
        var unrecoverable: [String] = []
        var unknown: [String] = []
        var inconsistent: [String] = []
        for (name, entry) in latest.sorted(by: { $0.key < $1.key }) {
            guard let reference = reference(for: entry.run, attempt: attempt, context: context) else {
                unknown.append(name)
                losses.append(TableLoss(table: name, checkRun: entry.run.checkRun, action: entry.table.action.rawValue, version: nil, versionTime: nil, lossSeconds: nil))
                continue
            }
            referenceTime = reference.time
            referenceSource = reference.source
            uncertainty = max(uncertainty, reference.uncertainty)
            if entry.run.checkedAt < reference.time {
                inconsistent.append("\(entry.run.checkRun) checked at \(entry.run.checkedAt), before the reference time \(reference.time)")
            }
            let table = entry.table
            let version = table.action == .restored ? table.restoredVersion : table.latestVersion
            guard table.action != .unrecoverable else {
                unrecoverable.append(name)
                losses.append(TableLoss(table: name, checkRun: entry.run.checkRun, action: table.action.rawValue, version: nil, versionTime: nil, lossSeconds: nil))
                continue
            }
            guard let time = table.versionInUseTime else {
                unknown.append(name)
                losses.append(TableLoss(table: name, checkRun: entry.run.checkRun, action: table.action.rawValue, version: version, versionTime: nil, lossSeconds: nil))
                continue
            }
            let loss = max(0, UncertainDuration.seconds(from: time, to: reference.time))
            losses.append(TableLoss(table: name, checkRun: entry.run.checkRun, action: table.action.rawValue, version: version, versionTime: time, lossSeconds: loss))
        }
        losses.sort { ($0.lossSeconds ?? .max, $0.table) > ($1.lossSeconds ?? .max, $1.table) }
        let details = DataLossDetails(referenceTime: referenceTime, referenceSource: referenceSource, tables: losses)
        let worst = losses.compactMap(\.lossSeconds).max()
        if !unrecoverable.isEmpty {
            return finding(
                .fail, "\(unrecoverable.count) table\(unrecoverable.count == 1 ? "" : "s") unrecoverable (\(unrecoverable.joined(separator: ", "))): their data is lost",
                measured: worst, details: details)
        }
        if !inconsistent.isEmpty {
            return finding(.indeterminate, "inconsistent evidence: " + inconsistent.joined(separator: "; "), measured: worst, details: details)
        }
        if !unknown.isEmpty || worst == nil {
            return finding(
                .indeterminate,
                "the data loss of \(unknown.joined(separator: ", ")) cannot be measured (no reference time or version time)",
                measured: worst, details: details)
        }
        let measured = worst ?? 0
        let status = UncertainDuration.verdict(measured: measured, uncertainty: uncertainty, target: process.rpo)
        let worstTable = losses.first?.table ?? ""
        let message: String
        switch status {
        case .pass:
            message = "at most \(DurationText.format(measured)) of data lost (\(worstTable)), within the RPO of \(DurationText.format(process.rpo))"
        case .fail:
            message = "\(DurationText.format(measured)) of data lost in \(worstTable), beyond the RPO of \(DurationText.format(process.rpo))"
        default:
            message = "\(DurationText.format(measured)) of data lost in \(worstTable); with ±\(uncertainty)s of clock uncertainty it cannot be shown within the RPO of \(DurationText.format(process.rpo))"
        }
        return finding(status, message, measured: measured, details: details)
    }
}

/// `consistency`, per `table@check_run` (DESIGN §5): a table passes when its latest version reached
/// the secondary complete, or when it was restored to a version within the owning process's RPO;
/// an unrecoverable table fails.
public enum ConsistencyRule {
    /// Findings for every table of every check run in the period.
    public static func evaluate(_ context: RuleContext) -> [Finding] {
        context.consistencyRuns.filter { context.period.contains($0.value.checkedAt) }.flatMap { stored in
            let attempts = context.attempts.filter { $0.drill == stored.value.drill }
            let attempt = attempts.last { $0.start <= stored.value.checkedAt } ?? attempts.first
            // What every table of the run shares, worked out once for its thousands of tables.
            let reference = RPORule.reference(for: stored.value, attempt: attempt, context: context)
            var evidence = [stored.evidence]
            if reference != nil, stored.value.referenceTime == nil, let disruption = attempt?.first(.disruption) { evidence.append(disruption.evidence) }
            return stored.value.tables.map { evaluate($0, run: stored.value, reference: reference, evidence: evidence, context: context) }
        }
    }

    static func evaluate(
        _ table: TableCheck, run: ConsistencyRun, reference: (time: Instant, uncertainty: Int64, source: String)?, evidence: [ContentHash],
        context: RuleContext
    ) -> Finding {
        let owners = context.owners(of: table.table)
        let rpo = owners.map(\.rpo).min()
        let severity = owners.map { Severity($0.criticality) }.min() ?? .medium
        let subject = "\(table.table)@\(run.checkRun)"
        let version = table.action == .restored ? table.restoredVersion : table.latestVersion
        var loss: Int64?
        if let reference, let time = table.versionInUseTime {
            loss = max(0, UncertainDuration.seconds(from: time, to: reference.time))
        }
        let details = DataLossDetails(
            referenceTime: reference?.time, referenceSource: reference?.source,
            tables: [TableLoss(table: table.table, checkRun: run.checkRun, action: table.action.rawValue, version: version, versionTime: table.versionInUseTime, lossSeconds: loss)])

        func finding(_ status: FindingStatus, _ message: String) -> Finding {
            Finding(
                rule: .consistency, subject: subject, status: status, severity: severity, measuredSeconds: loss,
                targetSeconds: rpo, message: message, evidence: evidence, details: FindingDetails(dataLoss: details))
        }

        if let reference, run.checkedAt < reference.time {
            return finding(.indeterminate, "inconsistent evidence: checked at \(run.checkedAt), before the reference time \(reference.time)")
        }
        switch table.action {
        case .unrecoverable:
            return finding(.fail, "unrecoverable: no complete version of the table reached \(run.region ?? "the secondary")")
        case .none:
            return finding(.pass, "latest version \(table.latestVersion.map(String.init) ?? "?") complete in \(run.region ?? "the secondary")")
        case .restored:
            guard let rpo else {
                return finding(.indeterminate, "restored to version \(version.map(String.init) ?? "?"), but no process in drreport.yaml owns this table, so no RPO applies")
            }
            guard let loss else {
                return finding(.indeterminate, "restored to version \(version.map(String.init) ?? "?"); its data loss cannot be measured without a reference time")
            }
            let uncertainty = reference?.uncertainty ?? 0
            let status = UncertainDuration.verdict(measured: loss, uncertainty: uncertainty, target: rpo)
            let missing = table.missingFiles.isEmpty ? "" : " (\(table.missingFiles.count) file\(table.missingFiles.count == 1 ? "" : "s") of version \(table.latestVersion.map(String.init) ?? "?") missing)"
            switch status {
            case .pass:
                return finding(.pass, "restored to version \(version.map(String.init) ?? "?")\(missing), losing \(DurationText.format(loss)), within the RPO of \(DurationText.format(rpo))")
            case .fail:
                return finding(.fail, "restored to version \(version.map(String.init) ?? "?")\(missing), losing \(DurationText.format(loss)), beyond the RPO of \(DurationText.format(rpo))")
            default:
                return finding(.indeterminate, "restored to version \(version.map(String.init) ?? "?")\(missing), losing \(DurationText.format(loss)); within ±\(uncertainty)s of the RPO of \(DurationText.format(rpo))")
            }
        }
    }
}
