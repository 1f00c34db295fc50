import Evidence
import Foundation

extension HTMLView {
    /// A finding, worst first.
    struct FindingRow {
        var number: Int
        var status: Status
        var severity: String
        var rule: String
        var ruleTitle: String
        var subject: String
        var comparison: String
        var hasComparison: Bool
        var message: String
        var waivers: [Waiver]
        var evidence: [EvidenceLink]
    }

    /// Every finding of the period, or, past ``HTMLView/passingRowsLimit`` passes, every finding that
    /// did not pass and the number of passes per rule.
    struct Findings {
        var hasRows: Bool
        var hasListed: Bool
        var caption: String
        var rows: [FindingRow]
        var hasOmitted: Bool
        var omitted: String

        init(_ model: ReportModel) {
            let listing = HTMLView.listing(model.findings, passes: "passing finding")
            rows = listing.rows.map { index, finding in
                FindingRow(
                    number: index + 1, status: Status(finding.status), severity: finding.severity.rawValue, rule: finding.rule.rawValue,
                    ruleTitle: finding.rule.title, subject: HTMLFormat.text(finding.subject), comparison: finding.comparisonText ?? "",
                    hasComparison: finding.comparisonText != nil, message: HTMLFormat.text(finding.message),
                    waivers: Waiver.list(finding.waiver), evidence: finding.evidence.map(EvidenceLink.init))
            }
            hasRows = !model.findings.isEmpty
            hasListed = !rows.isEmpty
            caption = listing.omitted == nil ? "All findings" : "Findings that did not pass"
            hasOmitted = listing.omitted != nil
            omitted = listing.omitted ?? ""
        }
    }

    /// A line of the remediation plan, to be completed by its owner.
    struct RemediationRow {
        var id: String
        var rule: String
        var subject: String
        var severity: String
        var owner: String
        var dueDate: String
    }

    /// The remediation plan.
    struct Remediation {
        var hasRows: Bool
        var rows: [RemediationRow]

        init(_ model: ReportModel) {
            rows = model.remediation.map { item in
                RemediationRow(
                    id: HTMLFormat.text(item.id), rule: HTMLFormat.text(item.rule), subject: HTMLFormat.text(item.subject),
                    severity: HTMLFormat.text(item.severity), owner: HTMLFormat.text(item.owner), dueDate: HTMLFormat.text(item.dueDate))
            }
            hasRows = !rows.isEmpty
        }
    }

    /// A sign-off line.
    struct SignOffRow {
        var role: String
        var name: String
        var date: String

        init(_ signOff: ReportModel.SignOff) {
            role = HTMLFormat.text(signOff.role)
            name = HTMLFormat.text(signOff.name)
            date = HTMLFormat.text(signOff.date)
        }
    }

    /// A piece of evidence the report used.
    struct EvidenceRow {
        var seq: Int64
        var kind: String
        var source: String
        var covers: String
        var ingestedAt: Stamp
        var hash: String
        var anchor: String
    }

    /// The evidence index.
    struct EvidenceIndex {
        var hasRows: Bool
        var count: String
        var rows: [EvidenceRow]

        init(_ model: ReportModel, zone: TimeZone) {
            rows = model.evidenceIndex.map { entry in
                EvidenceRow(
                    seq: entry.seq, kind: HTMLFormat.text(entry.kind), source: HTMLFormat.text(entry.source),
                    covers: HTMLFormat.text(entry.covers), ingestedAt: Stamp(entry.ingestedAt, in: zone), hash: entry.id.description,
                    anchor: "ev-" + entry.id.hex)
            }
            hasRows = !rows.isEmpty
            count = HTMLFormat.count(rows.count, "evidence item")
        }
    }

    /// Evidence integrity: the ledger head and the verification of the chain and blobs.
    struct Ledger {
        var head: String
        var policyHash: String
        var hasFinding: Bool
        var status: Status
        var message: String
        var entries: String
        var hasProblems: Bool
        var problems: [String]

        init(_ model: ReportModel) {
            let finding = model.evidenceIntegrity
            let details = finding?.details.integrity
            head = (details?.head ?? model.header.ledgerHead)?.description ?? "none (empty ledger)"
            policyHash = model.header.policyHash.description
            hasFinding = finding != nil
            status = finding.map { Status($0.status) } ?? Status(word: "NOT CHECKED", css: "st-indeterminate")
            message = HTMLFormat.text(finding?.message ?? "the evidence-integrity rule was not run")
            entries = details.map { String($0.entries) } ?? "—"
            problems = (details?.problems ?? []).map { HTMLFormat.text($0) }
            hasProblems = !problems.isEmpty
        }
    }
}
