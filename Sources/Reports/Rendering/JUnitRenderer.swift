import Evidence
import Foundation
import Synchronization

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

    struct Item: Encodable, Sendable {
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

        init(_ finding: Finding) {
            rule = finding.rule.rawValue
            subject = finding.subject
            status = finding.status.rawValue
            severity = finding.severity.rawValue
            measured_s = finding.measuredSeconds
            target_s = finding.targetSeconds
            message = finding.message
            evidence = finding.evidence.map(\.description)
            waiver = finding.waiver
            details = finding.details
        }
    }

    /// The JSON document, pretty-printed with sorted keys (deterministic), details in snake_case.
    ///
    /// A bank's quarter has ~80,000 findings, and encoding them is most of `check`'s time; the findings
    /// are therefore encoded in one slice per core and spliced into the document. The bytes are exactly
    /// those of encoding the whole document at once (``renderWhole(_:)``): a pretty-printed array's
    /// elements are separated by `,\n`, and a newline byte only ever comes from the indentation
    /// (newlines inside strings are escaped), so a slice encoded at the top level is re-indented by
    /// adding two spaces at the start of each line that is not blank.
    public static func render(_ assessment: Assessment) throws(ReportsError) -> Data {
        let slices = sliceCount(assessment.findings.count)
        guard slices > 1 else { return try renderWhole(assessment) }
        let items = assessment.findings.map(Item.init)
        let bounds = (0...slices).map { $0 * items.count / slices }
        let encoded = Mutex<[Result<Data, ReportsError>?]>(Array(repeating: nil, count: slices))
        DispatchQueue.concurrentPerform(iterations: slices) { index in
            let slice = Result { () throws(ReportsError) in try encode(Array(items[bounds[index]..<bounds[index + 1]])) }
            encoded.withLock { $0[index] = slice }
        }
        let skeleton = try encode(document(assessment, findings: []))
        // The empty array as the encoder writes it at depth one, and what replaces it.
        let empty = Data("\"findings\" : [\n\n  ]".utf8)
        guard let range = skeleton.firstRange(of: empty) else {
            throw ReportsError(.output, source: "json", "cannot encode the findings: the document has no findings array")
        }
        var findings = Array("\"findings\" : [\n".utf8)
        for index in 0..<slices {
            guard let result = encoded.withLock({ $0[index] }) else {
                throw ReportsError(.output, source: "json", "cannot encode the findings: a slice was not encoded")
            }
            let slice = try result.get()
            // `[\n  {…},\n  {…}\n]`: the elements, without the brackets, indented one level deeper.
            guard slice.count > 4 else { continue }
            if index > 0 { findings.append(contentsOf: Array(",\n".utf8)) }
            slice.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
                let body = UnsafeRawBufferPointer(rebasing: bytes[2..<(bytes.count - 2)])
                var lineStart = 0
                while lineStart < body.count {
                    let rest = UnsafeRawBufferPointer(rebasing: body[lineStart...])
                    let length = rest.firstIndex(of: UInt8(ascii: "\n")).map { $0 - rest.startIndex + 1 } ?? rest.count
                    // The blank line inside an empty array (`[\n\n    ]`) carries no indentation.
                    if rest[rest.startIndex] != UInt8(ascii: "\n") { findings.append(contentsOf: [0x20, 0x20]) }
                    findings.append(contentsOf: UnsafeRawBufferPointer(rebasing: rest[rest.startIndex..<(rest.startIndex + length)]))
                    lineStart += length
                }
            }
        }
        findings.append(contentsOf: Array("\n  ]".utf8))
        var result = skeleton
        result.replaceSubrange(range, with: findings)
        return result
    }

    /// The JSON document encoded whole, in one piece: what ``render(_:)`` is equal to.
    static func renderWhole(_ assessment: Assessment) throws(ReportsError) -> Data {
        try encode(document(assessment, findings: assessment.findings.map(Item.init)))
    }

    /// How many slices the findings are encoded in: one per core, none for a small quarter.
    static func sliceCount(_ findings: Int) -> Int {
        findings < 2_000 ? 1 : max(1, min(ProcessInfo.processInfo.activeProcessorCount, findings / 1_000))
    }

    private static func document(_ assessment: Assessment, findings: [Item]) -> Document {
        let summary = assessment.summary
        return Document(
            period: assessment.period,
            summary: Summary(
                pass: summary[.pass] ?? 0, fail: summary[.fail] ?? 0, indeterminate: summary[.indeterminate] ?? 0,
                waived: summary[.waived] ?? 0),
            findings: findings, warnings: assessment.warnings)
    }

    private static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }

    private static func encode(_ value: some Encodable) throws(ReportsError) -> Data {
        do {
            return try encoder().encode(value)
        } catch {
            throw ReportsError(.output, source: "json", "cannot encode the findings: \(error)")
        }
    }
}
