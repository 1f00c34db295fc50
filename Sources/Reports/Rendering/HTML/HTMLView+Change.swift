import Evidence
import Foundation

extension HTMLView {
    /// One check of a run's change approval.
    struct CheckRow {
        var check: String
        var outcome: String
        var css: String
        var detail: String
    }

    /// A production pipeline run and its change-approval checks.
    struct ChangeRow {
        var run: String
        var status: Status
        var checks: [CheckRow]
        var message: String
        var waivers: [Waiver]
    }

    /// An apply and its counterpart in the other region.
    struct ApplyRow {
        var subject: String
        var status: Status
        var run: String
        var region: String
        var commit: String
        var finished: String
        var counterpart: String
        var gap: String
        var window: String
        var message: String
        var waivers: [Waiver]
    }

    /// Change management: population, exceptions, each run with its checks, and apply parity.
    struct Change {
        var approvalRequired: String
        var population: Int
        var exceptions: Int
        var passed: Int
        var hasRuns: Bool
        var runs: [ChangeRow]
        var hasApplies: Bool
        var applies: [ApplyRow]
        var applyExceptions: Int

        init(_ model: ReportModel, zone: TimeZone) {
            let change = model.changeManagement
            approvalRequired = change.approvalRequired.isEmpty ? "none" : change.approvalRequired.map { HTMLFormat.text($0) }.joined(separator: ", ")
            population = change.population
            exceptions = change.exceptions
            passed = change.findings.filter { $0.status == .pass }.count
            runs = change.findings.map { finding in
                ChangeRow(
                    run: HTMLFormat.text(finding.subject), status: Status(finding.status),
                    checks: (finding.details.checks ?? []).map { check in
                        let outcome = check.passed.map { $0 ? "ok" : "failed" } ?? "undetermined"
                        return CheckRow(check: HTMLFormat.text(check.check), outcome: outcome, css: "check-" + outcome, detail: HTMLFormat.text(check.detail))
                    },
                    message: HTMLFormat.text(finding.message), waivers: Waiver.list(finding.waiver))
            }
            hasRuns = !runs.isEmpty
            applies = change.applyParity.map { finding in
                let details = finding.details.applyParity
                let counterpart: String
                if let details, let id = details.counterpartRunID {
                    counterpart = "run \(id) in \(HTMLFormat.text(details.counterpartRegion))"
                        + (details.counterpartFinished.map { ", finished \(HTMLFormat.instant($0, in: zone))" } ?? "")
                } else if let details {
                    counterpart = "none in \(HTMLFormat.text(details.counterpartRegion))"
                } else {
                    counterpart = "—"
                }
                return ApplyRow(
                    subject: HTMLFormat.text(finding.subject), status: Status(finding.status),
                    run: details.map { String($0.runID) } ?? "—", region: HTMLFormat.text(details?.region ?? "—"),
                    commit: HTMLFormat.text(details?.commit.map { String($0.prefix(12)) } ?? "—"),
                    finished: details.map { HTMLFormat.instant($0.finished, in: zone) } ?? "—", counterpart: counterpart,
                    gap: HTMLFormat.duration(finding.measuredSeconds), window: HTMLFormat.duration(finding.targetSeconds),
                    message: HTMLFormat.text(finding.message), waivers: Waiver.list(finding.waiver))
            }
            hasApplies = !applies.isEmpty
            applyExceptions = change.applyParity.filter { $0.status.failsGate }.count
        }
    }

    /// A business-critical process and its last passing drill.
    struct CadenceRow {
        var process: String
        var status: Status
        var lastPassing: String
        var windowStart: String
        var attempts: [String]
        var hasAttempts: Bool
        var message: String
        var waivers: [Waiver]
    }

    /// Drill cadence.
    struct Cadence {
        var hasRows: Bool
        var rows: [CadenceRow]

        init(_ model: ReportModel, zone: TimeZone) {
            rows = model.cadence.map { finding in
                let details = finding.details.cadence
                let last: String
                if let drill = details?.lastPassingDrill {
                    last = HTMLFormat.text(drill) + (details?.lastPassingTime.map { ", " + HTMLFormat.instant($0, in: zone) } ?? "")
                } else {
                    last = "none"
                }
                let attempts = (details?.attempts ?? []).map { HTMLFormat.text($0) }
                return CadenceRow(
                    process: HTMLFormat.text(finding.subject), status: Status(finding.status), lastPassing: last,
                    windowStart: details.map { HTMLFormat.instant($0.windowStart, in: zone) } ?? "—", attempts: attempts,
                    hasAttempts: !attempts.isEmpty, message: HTMLFormat.text(finding.message), waivers: Waiver.list(finding.waiver))
            }
            hasRows = !rows.isEmpty
        }
    }
}
