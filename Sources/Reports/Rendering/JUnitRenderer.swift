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
