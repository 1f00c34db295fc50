import Evidence
import Foundation

/// JUnit XML for CI (Azure DevOps `PublishTestResults`, format JUnit): one test suite per rule, one
/// test case per finding. `fail` and `indeterminate` are failures (both fail the gate), `waived` is
/// skipped with the waiver, `pass` passes.
public enum JUnitRenderer {
    /// The JUnit document.
    public static func render(_ assessment: Assessment, timestamp: Instant) throws(ReportsError) -> Data {
        let writer = try XMLWriter()
        let failures = assessment.findings.filter { $0.status.failsGate }.count
        let skipped = assessment.findings.filter { $0.status == .waived }.count
        writer.start("testsuites")
        writer.attribute("name", "drreport check \(assessment.period)")
        writer.attribute("tests", String(assessment.findings.count))
        writer.attribute("failures", String(failures))
        writer.attribute("errors", "0")
        writer.attribute("skipped", String(skipped))
        for rule in assessment.rules {
            let findings = assessment.findings.filter { $0.rule == rule }
            writer.start("testsuite")
            writer.attribute("name", rule.rawValue)
            writer.attribute("tests", String(findings.count))
            writer.attribute("failures", String(findings.filter { $0.status.failsGate }.count))
            writer.attribute("errors", "0")
            writer.attribute("skipped", String(findings.filter { $0.status == .waived }.count))
            writer.attribute("timestamp", timestamp.rfc3339(utc: true, fractionDigits: 0))
            for finding in findings {
                writer.start("testcase")
                writer.attribute("classname", "drreport.\(rule.rawValue)")
                writer.attribute("name", finding.subject)
                writer.attribute("time", "0")
                switch finding.status {
                case .fail, .indeterminate:
                    writer.start("failure")
                    writer.attribute("type", finding.status.rawValue)
                    writer.attribute("message", finding.message)
                    writer.text(TextRenderer.describe(finding))
                    writer.end()
                case .waived:
                    writer.start("skipped")
                    writer.attribute("message", finding.message)
                    writer.end()
                case .pass:
                    break
                }
                writer.element("system-out", "\(finding.severity.rawValue): \(finding.message)")
                writer.end()
            }
            writer.end()
        }
        writer.end()
        return try writer.finish()
    }
}

/// `check --format json` (DESIGN §6): `period`, `summary`, `findings` with the documented fields,
/// plus each finding's structured `details` and `waiver`, and the top-level `warnings`.
public enum JSONRenderer {
    struct Document: Encodable {
        var period: String
        var summary: Summary
        var findings: [Item]
        var warnings: [String]
    }

    struct Summary: Encodable {
        var pass: Int
        var fail: Int
        var indeterminate: Int
        var waived: Int
    }

    struct Item: Encodable {
        var rule: String
        var subject: String
        var status: String
        var severity: String
        var measured_s: Int64?
        var target_s: Int64?
        var message: String
        var evidence: [String]
        var waiver: WaiverNote?
        var details: FindingDetails

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(rule, forKey: .rule)
            try container.encode(subject, forKey: .subject)
            try container.encode(status, forKey: .status)
            try container.encode(severity, forKey: .severity)
            try container.encode(measured_s, forKey: .measured_s)
            try container.encode(target_s, forKey: .target_s)
            try container.encode(message, forKey: .message)
            try container.encode(evidence, forKey: .evidence)
            try container.encodeIfPresent(waiver, forKey: .waiver)
            try container.encode(details, forKey: .details)
        }

        enum CodingKeys: String, CodingKey {
            case rule, subject, status, severity, measured_s, target_s, message, evidence, waiver, details
        }
    }

    /// The JSON document, pretty-printed with sorted keys (deterministic), details in snake_case.
    public static func render(_ assessment: Assessment) throws(ReportsError) -> Data {
        let summary = assessment.summary
        let document = Document(
            period: assessment.period,
            summary: Summary(
                pass: summary[.pass] ?? 0, fail: summary[.fail] ?? 0, indeterminate: summary[.indeterminate] ?? 0,
                waived: summary[.waived] ?? 0),
            findings: assessment.findings.map {
                Item(
                    rule: $0.rule.rawValue, subject: $0.subject, status: $0.status.rawValue, severity: $0.severity.rawValue,
                    measured_s: $0.measuredSeconds, target_s: $0.targetSeconds, message: $0.message,
                    evidence: $0.evidence.map(\.description), waiver: $0.waiver, details: $0.details)
            },
            warnings: assessment.warnings)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        do {
            return try encoder.encode(document)
        } catch {
            throw ReportsError(.output, source: "json", "cannot encode the findings: \(error)")
        }
    }
}
