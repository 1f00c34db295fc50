import Evidence
import Foundation

/// What `report.html` shows, already worded for people: every string formatted (durations
/// `4h01m00s`, instants in the policy's time zone with their offset, statuses as words and CSS
/// classes), every choice the templates make a `Bool` or a list, so the templates hold no logic beyond
/// sections. Built once from a ``ReportModel``; Mustache renders it by reflection, so every field is a
/// stored property and nothing is optional (a missing value would make Mustache look it up in an
/// enclosing object instead).
struct HTMLView {
    /// The most passing rows a table of the page lists. A bank's quarter has ~80,000 table checks,
    /// nearly all passing: past this many, the page lists what did not pass and counts the passes,
    /// which `report.xml` and `oscal-ar.xml` list one by one. A page of 80,000 rows is one no one
    /// reads, prints or even opens.
    static let passingRowsLimit = 500

    /// The most tables an RPO row lists, worst loss first; the rest are counted.
    static let lossRowsLimit = 25

    /// A verdict as the page writes it: the word, always, and a CSS class for its colour.
    struct Status {
        var word: String
        var css: String

        init(_ status: FindingStatus) {
            word = HTMLFormat.word(status)
            css = "st-" + status.rawValue
        }

        init(word: String, css: String) {
            self.word = word
            self.css = css
        }
    }

    /// What a table of findings lists: every finding, each with its position, up to
    /// ``passingRowsLimit`` passes; past that, the findings that did not pass, and the sentence that
    /// stands for the passes (how many, per rule, and where they are listed).
    static func listing(_ findings: [Finding], passes noun: String) -> (rows: [(index: Int, finding: Finding)], omitted: String?) {
        let passing = findings.filter { $0.status == .pass }
        let listed = findings.enumerated().map { (index: $0.offset, finding: $0.element) }
        guard passing.count > passingRowsLimit else { return (listed, nil) }
        var counts: [RuleID: Int] = [:]
        for finding in passing { counts[finding.rule, default: 0] += 1 }
        let perRule = RuleID.allCases.compactMap { rule in counts[rule].map { "\(rule.rawValue) \(HTMLFormat.grouped($0))" } }
        let count = "\(HTMLFormat.grouped(passing.count)) \(passing.count == 1 ? noun : noun + "s")"
        return (
            listed.filter { $0.finding.status != .pass },
            "\(count) (\(perRule.joined(separator: ", "))) are not listed here, to keep the page readable; report.xml and oscal-ar.xml list every finding."
        )
    }

    /// An instant: for people and for the `datetime` attribute.
    struct Stamp {
        var text: String
        var machine: String

        init(_ instant: Instant, in zone: TimeZone) {
            text = HTMLFormat.instant(instant, in: zone)
            machine = HTMLFormat.machineInstant(instant, in: zone)
        }
    }

    /// A link to a row of the evidence index.
    struct EvidenceLink {
        var short: String
        var full: String
        var anchor: String

        init(_ hash: ContentHash) {
            short = hash.short
            full = hash.description
            anchor = "ev-" + hash.hex
        }
    }

    /// A waiver applied to, or refused for, a finding.
    struct Waiver {
        var id: String
        var outcome: String
        var css: String
        var reason: String
        var approvedBy: String
        var expires: String
        var originalStatus: String

        init(_ note: WaiverNote) {
            id = HTMLFormat.text(note.id)
            outcome = note.applied ? "applied" : "refused"
            css = note.applied ? "st-waived" : "st-fail"
            reason = HTMLFormat.text(note.reason)
            approvedBy = HTMLFormat.text(note.approvedBy)
            expires = HTMLFormat.text(note.expires)
            originalStatus = HTMLFormat.word(note.originalStatus)
        }

        /// Zero or one waiver, as a list the templates can section on.
        static func list(_ note: WaiverNote?) -> [Waiver] {
            note.map { [Waiver($0)] } ?? []
        }
    }

    /// The page's `<title>`.
    var documentTitle: String
    var header: Header
    var summary: Summary
    var basis: [BasisRow]
    var scope: Scope
    var drills: Drills
    var recovery: Recovery
    var sustained: Sustained
    var integrity: Integrity
    var parity: Parity
    var change: Change
    var cadence: Cadence
    var findings: Findings
    var remediation: Remediation
    var signOff: [SignOffRow]
    var evidence: EvidenceIndex
    var ledger: Ledger

    /// The view of a report model.
    init(_ model: ReportModel) {
        let zone = TimeZone(identifier: model.header.timeZone) ?? .gmt
        documentTitle = "DR test report \(HTMLFormat.text(model.header.period)) — \(HTMLFormat.text(model.header.entity))"
        header = Header(model, zone: zone)
        summary = Summary(model, zone: zone)
        basis = model.regulatoryBasis.map(BasisRow.init)
        scope = Scope(model)
        drills = Drills(model, zone: zone)
        recovery = Recovery(model, zone: zone)
        sustained = Sustained(model, zone: zone)
        integrity = Integrity(model, zone: zone)
        parity = Parity(model, zone: zone)
        change = Change(model, zone: zone)
        cadence = Cadence(model, zone: zone)
        findings = Findings(model)
        remediation = Remediation(model)
        signOff = model.signOff.map(SignOffRow.init)
        evidence = EvidenceIndex(model, zone: zone)
        ledger = Ledger(model)
    }
}
