import Evidence
import Foundation

/// `check --format text`: for people. Findings grouped by rule, worst first, each with its measured
/// value against the target (`4h01m00s > 4h00m00s`); failing parity findings list their differences.
/// Colour only when asked (the caller knows whether stdout is a terminal).
public enum TextRenderer {
    /// The report text.
    public static func render(_ assessment: Assessment, policy: Policy, color: Bool) -> String {
        func paint(_ text: String, _ status: FindingStatus) -> String {
            guard color else { return text }
            let code = switch status {
            case .fail: "31;1"
            case .indeterminate: "33;1"
            case .waived: "36"
            case .pass: "32"
            }
            return "\u{1B}[\(code)m\(text)\u{1B}[0m"
        }
        func bold(_ text: String) -> String { color ? "\u{1B}[1m\(text)\u{1B}[0m" : text }

        var lines: [String] = []
        let zone = policy.timeZone
        let first = Period.local(assessment.periodStart, in: zone).rfc3339(fractionDigits: 0).prefix(10)
        let last = Period.local(assessment.periodEnd.adding(seconds: -1), in: zone).rfc3339(fractionDigits: 0).prefix(10)
        lines.append(bold("drreport check — \(policy.organization.name) — \(assessment.period)") + " (\(first) to \(last), \(zone.identifier))")
        // Positions, not copies: a bank's quarter has ~80,000 findings.
        let positions = Dictionary(grouping: assessment.findings.indices) { assessment.findings[$0].rule }
        for rule in assessment.rules {
            let indices = positions[rule] ?? []
            lines.append("")
            var byStatus: [FindingStatus: Int] = [:]
            for index in indices { byStatus[assessment.findings[index].status, default: 0] += 1 }
            let counts = FindingStatus.allCases.compactMap { status -> String? in
                byStatus[status].map { "\($0) \(status.rawValue)" }
            }.joined(separator: ", ")
            lines.append(bold("\(rule.rawValue) — \(rule.title)") + (counts.isEmpty ? "  (no subjects)" : "  \(counts)"))
            let width = min(44, indices.map { assessment.findings[$0].subject.count }.max() ?? 0)
            for index in indices {
                let finding = assessment.findings[index]
                let status = paint(padded(finding.status.rawValue.uppercased(), to: 13), finding.status)
                var line = "  \(status) \(padded(finding.subject, to: width))"
                if let comparison = finding.comparisonText { line += "  \(comparison)" }
                line += "  \(finding.message)"
                lines.append(line)
                if finding.status != .pass, let parity = finding.details.parity, !parity.differences.isEmpty {
                    for difference in parity.differences.prefix(20) { lines.append("      " + describe(difference)) }
                    if parity.differences.count > 20 { lines.append("      … \(parity.differences.count - 20) more") }
                }
            }
        }
        let summary = assessment.summary
        lines.append("")
        let verdict = assessment.failsGate ? paint("FAIL", .fail) : paint("PASS", .pass)
        lines.append(bold("summary: ") + "\(summary[.pass] ?? 0) pass, \(summary[.fail] ?? 0) fail, \(summary[.indeterminate] ?? 0) indeterminate, \(summary[.waived] ?? 0) waived — " + verdict)
        return lines.joined(separator: "\n")
    }

    /// The text followed by spaces up to `width` characters (never cut).
    static func padded(_ text: String, to width: Int) -> String {
        let count = text.count
        return count >= width ? text : text + String(repeating: " ", count: width - count)
    }

    /// One parity difference on one line.
    public static func describe(_ difference: ParityDifference) -> String {
        switch difference.kind {
        case .missingInSecondary: "\(difference.address): missing in the secondary"
        case .missingInPrimary: "\(difference.address): missing in the primary"
        case .changed: "\(difference.address) \(difference.path): \(difference.primary ?? "unset") ≠ \(difference.secondary ?? "unset")"
        }
    }

    /// A finding in a few lines (for JUnit failure bodies).
    public static func describe(_ finding: Finding) -> String {
        var lines = ["\(finding.rule.rawValue) \(finding.subject): \(finding.status.rawValue) (\(finding.severity.rawValue))"]
        if let comparison = finding.comparisonText { lines.append("measured \(comparison)") }
        lines.append(finding.message)
        for check in finding.details.checks ?? [] {
            lines.append("- \(check.check): \(check.passed.map { $0 ? "ok" : "FAILED" } ?? "undetermined") — \(check.detail)")
        }
        for difference in finding.details.parity?.differences ?? [] { lines.append("- " + describe(difference)) }
        if !finding.evidence.isEmpty { lines.append("evidence: " + finding.evidence.map(\.description).joined(separator: ", ")) }
        return lines.joined(separator: "\n")
    }
}
