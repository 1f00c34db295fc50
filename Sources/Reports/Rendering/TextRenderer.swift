import Evidence
import Foundation
import Synchronization

/// `check --format text`: for people. Findings grouped by rule, worst first, each with its measured
/// value against the target (`4h01m00s > 4h00m00s`); failing parity findings list their differences.
/// Colour only when asked (the caller knows whether stdout is a terminal).
public enum TextRenderer {
    /// The report text.
    ///
    /// The findings' lines are written in chunks of `chunkSize` on every core and joined in order: a
    /// bank's quarter has ~80,000 findings, ~11 MB of text that took one core a fifth of a second.
    public static func render(_ assessment: Assessment, policy: Policy, color: Bool, chunkSize: Int = 4_096) -> String {
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

        let zone = policy.timeZone
        let first = Period.local(assessment.periodStart, in: zone).rfc3339(fractionDigits: 0).prefix(10)
        let last = Period.local(assessment.periodEnd.adding(seconds: -1), in: zone).rfc3339(fractionDigits: 0).prefix(10)
        let cells = Dictionary(uniqueKeysWithValues: FindingStatus.allCases.map { ($0, paint(padded($0.rawValue.uppercased(), to: 13), $0)) })
        let findings = assessment.findings
        // Positions, not copies.
        let positions = Dictionary(grouping: findings.indices) { findings[$0].rule }

        /// What the text is made of, in order: lines written here, and runs of one rule's findings
        /// (with the width their subjects are padded to) written in chunks.
        enum Piece: Sendable {
            case lines(String)
            case findings(ArraySlice<Int>, width: Int)
        }
        var pieces: [Piece] = [.lines(bold("drreport check — \(policy.organization.name) — \(assessment.period)") + " (\(first) to \(last), \(zone.identifier))")]
        for rule in assessment.rules {
            let indices = positions[rule] ?? []
            var byStatus: [FindingStatus: Int] = [:]
            for index in indices { byStatus[findings[index].status, default: 0] += 1 }
            let counts = FindingStatus.allCases.compactMap { status -> String? in
                byStatus[status].map { "\($0) \(status.rawValue)" }
            }.joined(separator: ", ")
            pieces.append(.lines("\n\n" + bold("\(rule.rawValue) — \(rule.title)") + (counts.isEmpty ? "  (no subjects)" : "  \(counts)")))
            let width = min(44, indices.map { findings[$0].subject.count }.max() ?? 0)
            for start in stride(from: 0, to: indices.count, by: max(1, chunkSize)) {
                pieces.append(.findings(indices[start..<min(start + max(1, chunkSize), indices.count)], width: width))
            }
        }
        /// A run of findings, each on a line of its own (after a line break), with its parity differences.
        @Sendable func lines(_ run: ArraySlice<Int>, width: Int) -> String {
            var text = ""
            text.reserveCapacity(160 * run.count)
            for index in run {
                let finding = findings[index]
                text.append("\n  ")
                text.append(cells[finding.status] ?? "")
                text.append(" ")
                text.append(finding.subject)
                let subjectWidth = finding.subject.count
                if subjectWidth < width { text.append(contentsOf: repeatElement(" " as Character, count: width - subjectWidth)) }
                if let comparison = finding.comparisonText {
                    text.append("  ")
                    text.append(comparison)
                }
                text.append("  ")
                text.append(finding.message)
                if finding.status != .pass, let parity = finding.details.parity, !parity.differences.isEmpty {
                    for difference in parity.differences.prefix(20) { text.append("\n      " + describe(difference)) }
                    if parity.differences.count > 20 { text.append("\n      … \(parity.differences.count - 20) more") }
                }
            }
            return text
        }
        let order = pieces
        let written = Mutex<[String]>(Array(repeating: "", count: order.count))
        DispatchQueue.concurrentPerform(iterations: order.count) { position in
            let text = switch order[position] {
            case .lines(let text): text
            case .findings(let run, let width): lines(run, width: width)
            }
            written.withLock { $0[position] = text }
        }
        let summary = assessment.summary
        let verdict = assessment.failsGate ? paint("FAIL", .fail) : paint("PASS", .pass)
        let closing = "\n\n" + bold("summary: ")
            + "\(summary[.pass] ?? 0) pass, \(summary[.fail] ?? 0) fail, \(summary[.indeterminate] ?? 0) indeterminate, \(summary[.waived] ?? 0) waived — " + verdict
        return written.withLock { parts in
            var text = ""
            text.reserveCapacity(parts.reduce(closing.utf8.count) { $0 + $1.utf8.count })
            for part in parts { text.append(part) }
            text.append(closing)
            return text
        }
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
