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
        for rule in assessment.rules {
            let findings = assessment.findings.filter { $0.rule == rule }
            lines.append("")
            let counts = FindingStatus.allCases.compactMap { status -> String? in
                let count = findings.filter { $0.status == status }.count
                return count == 0 ? nil : "\(count) \(status.rawValue)"
            }.joined(separator: ", ")
            lines.append(bold("\(rule.rawValue) — \(rule.title)") + (counts.isEmpty ? "  (no subjects)" : "  \(counts)"))
            let width = min(44, findings.map(\.subject.count).max() ?? 0)
            for finding in findings {
                let status = paint(finding.status.rawValue.uppercased().padding(toLength: 13, withPad: " ", startingAt: 0), finding.status)
                var line = "  \(status) \(finding.subject.padding(toLength: max(width, finding.subject.count), withPad: " ", startingAt: 0))"
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
