import Evidence
import Foundation

extension HTMLView {
    /// Who reports what, for which period, with which tool and from which ledger head.
    struct Header {
        var entity: String
        var lei: String
        var reportID: String
        var period: String
        var periodStart: Stamp
        var periodEnd: Stamp
        var timeZone: String
        var generatedAt: Stamp
        var toolVersion: String
        var ledgerHead: String
        var hasLedgerHead: Bool
        var policyHash: String

        init(_ model: ReportModel, zone: TimeZone) {
            let header = model.header
            entity = HTMLFormat.text(header.entity)
            lei = HTMLFormat.text(header.lei)
            reportID = HTMLFormat.text(header.reportID)
            period = HTMLFormat.text(header.period)
            periodStart = Stamp(header.periodStart, in: zone)
            // The period is half-open; people read its last second.
            periodEnd = Stamp(header.periodEnd.adding(seconds: -1), in: zone)
            timeZone = HTMLFormat.text(header.timeZone)
            generatedAt = Stamp(header.generatedAt, in: zone)
            toolVersion = HTMLFormat.text(header.toolVersion)
            ledgerHead = header.ledgerHead?.description ?? "none (empty ledger)"
            hasLedgerHead = header.ledgerHead != nil
            policyHash = header.policyHash.description
        }
    }

    /// A count of findings with one status, for the summary's tiles.
    struct Tile {
        var word: String
        var count: Int
        var css: String
    }

    /// A verdict line of the executive summary.
    struct VerdictRow {
        var subject: String
        var title: String
        var status: Status
        var pass: Int
        var fail: Int
        var indeterminate: Int
        var waived: Int
        var total: Int

        init(_ verdict: ReportModel.Verdict) {
            subject = HTMLFormat.text(verdict.subject)
            title = HTMLFormat.text(verdict.title)
            status = Status(verdict.status)
            pass = verdict.counts.pass
            fail = verdict.counts.fail
            indeterminate = verdict.counts.indeterminate
            waived = verdict.counts.waived
            total = pass + fail + indeterminate + waived
        }
    }

    /// A fact of the period, for the summary.
    struct Fact {
        var label: String
        var value: String
    }

    /// The first page: the overall verdict, the counts, the verdict per process and per rule.
    struct Summary {
        var noEvidence: Bool
        var overall: Status
        var conclusion: String
        var tiles: [Tile]
        var total: Int
        var facts: [Fact]
        var byProcess: [VerdictRow]
        var byRule: [VerdictRow]
        var hasWarnings: Bool
        var warnings: [String]

        init(_ model: ReportModel, zone: TimeZone) {
            noEvidence = model.noEvidence
            let totals = model.totals
            total = totals.pass + totals.fail + totals.indeterminate + totals.waived
            overall = Status(totals.worst)
            let failing = totals.fail + totals.indeterminate
            if model.noEvidence {
                conclusion = "No evidence was recorded for \(model.header.period): no drill, no pipeline run, no change record and no consistency check. Nothing can be shown to meet its objectives."
            } else if failing > 0 {
                conclusion = "Objectives not demonstrated: \(HTMLFormat.count(totals.fail, "finding")) failed and \(totals.indeterminate) could not be determined from the evidence. Each is listed under Findings with a remediation line to complete."
            } else if totals.waived > 0 {
                conclusion = "Objectives met, with \(HTMLFormat.count(totals.waived, "accepted exception")) under a valid waiver."
            } else {
                conclusion = "Every objective checked in the period was met."
            }
            tiles = [
                Tile(word: "FAIL", count: totals.fail, css: "st-fail"),
                Tile(word: "INDETERMINATE", count: totals.indeterminate, css: "st-indeterminate"),
                Tile(word: "WAIVED", count: totals.waived, css: "st-waived"),
                Tile(word: "PASS", count: totals.pass, css: "st-pass"),
            ]
            let attempts = model.drills.count
            let drillIDs = Set(model.drills.map(\.drill)).count
            let drilled = model.scope.processes.filter(\.drilled).count
            let parityScope = model.scope.workspaces.filter(\.parityApplies).count
            facts = [
                Fact(label: "Drills", value: "\(HTMLFormat.count(drillIDs, "drill")), \(HTMLFormat.count(attempts, "attempt")), \(model.drills.filter(\.aborted).count) aborted"),
                Fact(label: "Processes drilled", value: "\(drilled) of \(model.scope.processes.count) in scope"),
                Fact(label: "Recoveries measured", value: HTMLFormat.count(model.recovery.count, "process recovery", plural: "process recoveries")),
                Fact(label: "Workspaces held to parity", value: "\(parityScope) of \(model.scope.workspaces.count)"),
                Fact(label: "Changes in scope", value: "\(HTMLFormat.count(model.changeManagement.population, "pipeline run")), \(HTMLFormat.count(model.changeManagement.exceptions, "exception"))"),
                Fact(label: "Evidence items", value: HTMLFormat.grouped(model.evidenceIndex.count)),
            ]
            byProcess = model.byProcess.map(VerdictRow.init)
            byRule = model.byRule.map(VerdictRow.init)
            warnings = model.warnings.map { HTMLFormat.text($0) }
            hasWarnings = !warnings.isEmpty
        }
    }

    /// A legal basis and where the report answers it.
    struct BasisRow {
        var reference: String
        var requirement: String
        var section: String

        init(_ reference: ReportModel.RegulatoryReference) {
            self.reference = HTMLFormat.text(reference.reference)
            requirement = HTMLFormat.text(reference.requirement)
            section = HTMLFormat.text(reference.section)
        }
    }

    /// A process in scope.
    struct ProcessRow {
        var id: String
        var name: String
        var criticality: String
        var rto: String
        var rpo: String
        var workspaces: String
        var tables: String
        var drilled: String
        var drilledCSS: String
    }

    /// A workspace in scope.
    struct WorkspaceRow {
        var id: String
        var division: String
        var environment: String
        var kind: String
        var parity: String
    }

    /// What the report covers and leaves out.
    struct Scope {
        var primaryRegion: String
        var secondaryRegion: String
        var rtoClock: String
        var otherClock: String
        var uncertainty: String
        var processes: [ProcessRow]
        var workspaces: [WorkspaceRow]
        var hasExclusions: Bool
        var exclusions: [String]

        init(_ model: ReportModel) {
            let scope = model.scope
            primaryRegion = HTMLFormat.text(scope.primaryRegion)
            secondaryRegion = HTMLFormat.text(scope.secondaryRegion)
            rtoClock = HTMLFormat.eventName(scope.rtoClock)
            otherClock = scope.rtoClock == "disruption" ? "crisis declared" : "disruption"
            uncertainty = DurationText.format(scope.clockUncertaintySeconds)
            processes = scope.processes.map { process in
                ProcessRow(
                    id: HTMLFormat.text(process.id), name: HTMLFormat.text(process.name),
                    criticality: HTMLFormat.text(process.criticality), rto: DurationText.format(process.rtoSeconds),
                    rpo: DurationText.format(process.rpoSeconds),
                    workspaces: process.workspaces.map { HTMLFormat.text($0) }.joined(separator: ", "),
                    tables: process.tables.map { HTMLFormat.text($0) }.joined(separator: ", "),
                    drilled: process.drilled ? "yes" : "no", drilledCSS: process.drilled ? "yes" : "no")
            }
            workspaces = scope.workspaces.map { workspace in
                WorkspaceRow(
                    id: HTMLFormat.text(workspace.id), division: HTMLFormat.text(workspace.division),
                    environment: HTMLFormat.text(workspace.environment), kind: HTMLFormat.text(workspace.kind ?? "—"),
                    parity: workspace.parityApplies ? "yes" : "no")
            }
            exclusions = scope.exclusions.map { HTMLFormat.text($0) }
            hasExclusions = !exclusions.isEmpty
        }
    }
}
