/// The ids findings get in `report.xml` (`F-0001`, …: their 1-based position in the Findings
/// section, worst first), by which the other sections cite the finding they present.
struct FindingIDs: Sendable {
    private struct Key: Hashable {
        var rule: RuleID
        var subject: String
    }

    private var ids: [Key: String] = [:]
    /// The ids in the order of the findings given.
    private(set) var ordered: [String] = []

    /// Numbers the findings in order; the first of two findings with the same rule and subject wins.
    init(_ findings: [Finding]) {
        for (index, finding) in findings.enumerated() {
            let id = "F-" + Self.pad(index + 1)
            ordered.append(id)
            let key = Key(rule: finding.rule, subject: finding.subject)
            if ids[key] == nil { ids[key] = id }
        }
    }

    /// The id of a finding. A finding missing from the Findings section (a bug) gets `F-0000`, which
    /// the schema's key reference then rejects, naming the element.
    func id(of finding: Finding) -> String {
        ids[Key(rule: finding.rule, subject: finding.subject)] ?? "F-0000"
    }

    private static func pad(_ number: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
