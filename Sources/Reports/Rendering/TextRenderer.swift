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

        // One text, appended to line by line: a bank's quarter has ~80,000 findings.
        var text = ""
        text.reserveCapacity(128 * assessment.findings.count + 4_096)
        /// Starts a line holding `content`; the rest of the line may be appended to `text` after it.
        func line(_ content: String) {
            if !text.isEmpty { text.append("\n") }
            text.append(content)
        }
        let zone = policy.timeZone
        let first = Period.local(assessment.periodStart, in: zone).rfc3339(fractionDigits: 0).prefix(10)
        let last = Period.local(assessment.periodEnd.adding(seconds: -1), in: zone).rfc3339(fractionDigits: 0).prefix(10)
        line(bold("drreport check — \(policy.organization.name) — \(assessment.period)") + " (\(first) to \(last), \(zone.identifier))")
        let cells = Dictionary(uniqueKeysWithValues: FindingStatus.allCases.map { ($0, paint(padded($0.rawValue.uppercased(), to: 13), $0)) })
        assessment.findings.withUnsafeBufferPointer { findings in
            // Positions, not copies.
            let positions = Dictionary(grouping: findings.indices) { findings[$0].rule }
            for rule in assessment.rules {
                let indices = positions[rule] ?? []
                line("")
                var byStatus: [FindingStatus: Int] = [:]
                for index in indices { byStatus[findings[index].status, default: 0] += 1 }
                let counts = FindingStatus.allCases.compactMap { status -> String? in
                    byStatus[status].map { "\($0) \(status.rawValue)" }
                }.joined(separator: ", ")
                line(bold("\(rule.rawValue) — \(rule.title)") + (counts.isEmpty ? "  (no subjects)" : "  \(counts)"))
                let widths = indices.map { findings[$0].subject.count }
                let width = min(44, widths.max() ?? 0)
                for (index, subjectWidth) in zip(indices, widths) {
                    line("  ")
                    text.append(cells[findings[index].status] ?? "")
                    text.append(" ")
                    text.append(findings[index].subject)
                    if subjectWidth < width { text.append(contentsOf: repeatElement(" " as Character, count: width - subjectWidth)) }
                    if let comparison = findings[index].comparisonText {
                        text.append("  ")
                        text.append(comparison)
                    }
                    text.append("  ")
                    text.append(findings[index].message)
                    if findings[index].status != .pass, let parity = findings[index].details.parity, !parity.differences.isEmpty {
                        for difference in parity.differences.prefix(20) { line("      " + describe(difference)) }
                        if parity.differences.count > 20 { line("      … \(parity.differences.count - 20) more") }
                    }
                }
            }
        }
        let summary = assessment.summary
        line("")
        let verdict = assessment.failsGate ? paint("FAIL", .fail) : paint("PASS", .pass)
        line(bold("summary: ") + "\(summary[.pass] ?? 0) pass, \(summary[.fail] ?? 0) fail, \(summary[.indeterminate] ?? 0) indeterminate, \(summary[.waived] ?? 0) waived — " + verdict)
        return text
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
