import Evidence
import Foundation

extension HTMLView {
    /// One table of one consistency check run.
    struct ConsistencyRow {
        var table: String
        var checkRun: String
        var status: Status
        var action: String
        var version: String
        var versionTime: String
        var loss: String
        var target: String
        var message: String
        var waivers: [Waiver]
    }

    /// A reconciliation logged during a drill (`integrity_verified`).
    struct ReconciliationRow {
        var drill: String
        var process: String
        var time: Stamp
        var actor: String
        var note: String
        var source: String
        var evidence: EvidenceLink
    }

    /// Data integrity after failover: consistency per table and the reconciliations logged.
    struct Integrity {
        var hasTables: Bool
        var tables: [ConsistencyRow]
        var summary: String
        var hasOmitted: Bool
        var omitted: String
        var hasReconciliations: Bool
        var reconciliations: [ReconciliationRow]

        /// The table and check run of a consistency finding: from its data-loss details, else from its
        /// subject (`table@run`).
        static func tableAndRun(of finding: Finding) -> (table: String, run: String) {
            let subject = finding.subject
            let split = subject.lastIndex(of: "@")
            let loss = finding.details.dataLoss?.tables.first
            return (
                loss?.table ?? split.map { String(subject[..<$0]) } ?? subject,
                loss?.checkRun ?? split.map { String(subject[subject.index(after: $0)...]) } ?? ""
            )
        }

        init(_ model: ReportModel, zone: TimeZone) {
            let listing = HTMLView.listing(model.dataIntegrity, passes: "passing table check")
            tables = listing.rows.map { _, finding in
                let loss = finding.details.dataLoss?.tables.first
                let (table, run) = Self.tableAndRun(of: finding)
                return ConsistencyRow(
                    table: HTMLFormat.text(table), checkRun: HTMLFormat.text(run),
                    status: Status(finding.status), action: HTMLFormat.text(loss?.action ?? "—"),
                    version: loss?.version.map(String.init) ?? "—",
                    versionTime: loss?.versionTime.map { HTMLFormat.instant($0, in: zone) } ?? "—",
                    loss: loss.map { $0.lossSeconds.map(DurationText.format) ?? "unrecoverable" } ?? HTMLFormat.duration(finding.measuredSeconds),
                    target: HTMLFormat.duration(finding.targetSeconds), message: HTMLFormat.text(finding.message),
                    waivers: Waiver.list(finding.waiver))
            }
            hasTables = !model.dataIntegrity.isEmpty
            let failing = model.dataIntegrity.filter { $0.status.failsGate }.count
            let runs = Set(model.dataIntegrity.map { Self.tableAndRun(of: $0).run })
            summary = "\(HTMLFormat.count(model.dataIntegrity.count, "table check")) in \(HTMLFormat.count(runs.count, "check run")): \(HTMLFormat.grouped(failing)) failing or indeterminate."
            hasOmitted = listing.omitted != nil
            omitted = listing.omitted ?? ""
            reconciliations = model.integrityChecks.map { event in
                let drill = model.drills.first { drill in
                    drill.events.contains { $0.evidence == event.evidence && $0.line == event.line }
                }
                return ReconciliationRow(
                    drill: drill.map { "\(HTMLFormat.text($0.drill)) #\($0.attempt)" } ?? "—", process: HTMLFormat.text(event.process),
                    time: Stamp(event.time, in: zone), actor: HTMLFormat.text(event.actor), note: HTMLFormat.text(event.note),
                    source: "\(HTMLFormat.text(event.source)):\(event.line)", evidence: EvidenceLink(event.evidence))
            }
            hasReconciliations = !reconciliations.isEmpty
        }
    }

    /// One difference between the regions.
    struct DifferenceRow {
        var kind: String
        var address: String
        var path: String
        var primary: String
        var secondary: String
    }

    /// A workspace in the parity matrix.
    struct ParityRow {
        var workspace: String
        var environment: String
        var status: Status
        var primaryState: String
        var secondaryState: String
        var compared: String
        var differences: String
        var message: String
        var waivers: [Waiver]
        var hasDetail: Bool
        var anchor: String
    }

    /// The differences of a failing, waived or indeterminate workspace.
    struct ParityDetail {
        var workspace: String
        var anchor: String
        var status: Status
        var message: String
        var waivers: [Waiver]
        var hasDifferences: Bool
        var count: String
        var differences: [DifferenceRow]
    }

    /// Dual-region parity: the matrix and every difference.
    struct Parity {
        var hasRows: Bool
        var primaryRegion: String
        var secondaryRegion: String
        var rows: [ParityRow]
        var hasDetails: Bool
        var details: [ParityDetail]

        init(_ model: ReportModel, zone: TimeZone) {
            primaryRegion = HTMLFormat.text(model.scope.primaryRegion)
            secondaryRegion = HTMLFormat.text(model.scope.secondaryRegion)
            func state(_ reference: StateReference?) -> String {
                guard let reference else { return "no state" }
                let run = reference.runID.map { "run \($0), " } ?? ""
                return "\(run)\(HTMLFormat.instant(reference.instant, in: zone)), \(HTMLFormat.count(reference.resources, "resource"))"
            }
            var details: [ParityDetail] = []
            rows = model.parity.enumerated().map { index, finding in
                let parity = finding.details.parity
                let environment = model.scope.workspaces.first { $0.id == finding.subject }?.environment ?? "—"
                let anchor = "parity-\(index + 1)"
                let detailed = finding.status != .pass
                if detailed {
                    let differences = (parity?.differences ?? []).map { difference in
                        DifferenceRow(
                            kind: Self.kind(difference.kind, primary: model.scope.primaryRegion, secondary: model.scope.secondaryRegion),
                            address: HTMLFormat.text(difference.address), path: HTMLFormat.text(difference.path.isEmpty ? "(whole resource)" : difference.path),
                            primary: HTMLFormat.text(difference.primary ?? "—"), secondary: HTMLFormat.text(difference.secondary ?? "—"))
                    }
                    details.append(ParityDetail(
                        workspace: HTMLFormat.text(finding.subject), anchor: anchor, status: Status(finding.status),
                        message: HTMLFormat.text(finding.message), waivers: Waiver.list(finding.waiver), hasDifferences: !differences.isEmpty,
                        count: HTMLFormat.count(differences.count, "difference"), differences: differences))
                }
                return ParityRow(
                    workspace: HTMLFormat.text(finding.subject), environment: HTMLFormat.text(environment), status: Status(finding.status),
                    primaryState: state(parity?.primary), secondaryState: state(parity?.secondary),
                    compared: parity.map { String($0.compared) } ?? "—", differences: parity.map { String($0.differences.count) } ?? "—",
                    message: HTMLFormat.text(finding.message), waivers: Waiver.list(finding.waiver), hasDetail: detailed, anchor: anchor)
            }
            hasRows = !rows.isEmpty
            self.details = details
            hasDetails = !details.isEmpty
        }

        static func kind(_ kind: ParityDifference.Kind, primary: String, secondary: String) -> String {
            switch kind {
            case .missingInSecondary: "missing in \(HTMLFormat.text(secondary))"
            case .missingInPrimary: "missing in \(HTMLFormat.text(primary))"
            case .changed: "differs"
            }
        }
    }
}
