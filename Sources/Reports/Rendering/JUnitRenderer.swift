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
            try encode(into: &container)
        }

        /// Its members written into `container`, the details into a nested container of it.
        func encode(into container: inout KeyedEncodingContainer<CodingKeys>) throws {
            try container.encode(rule, forKey: .rule)
            try container.encode(subject, forKey: .subject)
            try container.encode(status, forKey: .status)
            try container.encode(severity, forKey: .severity)
            // Absent seconds are written as `null`, and the evidence element by element: each as a
            // value of its own container, not through a nested encoder.
            if let measured_s { try container.encode(measured_s, forKey: .measured_s) } else { try container.encodeNil(forKey: .measured_s) }
            if let target_s { try container.encode(target_s, forKey: .target_s) } else { try container.encodeNil(forKey: .target_s) }
            try container.encode(message, forKey: .message)
            var list = container.nestedUnkeyedContainer(forKey: .evidence)
            for hash in evidence { try list.encode(hash) }
            try container.encodeIfPresent(waiver, forKey: .waiver)
            var nested = container.nestedContainer(keyedBy: FindingDetails.CodingKeys.self, forKey: .details)
            try details.encode(into: &nested)
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
    public static func render(_ assessment: Assessment) async throws(ReportsError) -> Data {
        var document = Data()
        try await write(assessment) { document.append($0) }
        return document
    }

    /// Writes the JSON document (``render(_:)``) to `sink` piece by piece, so that a bank's quarter
    /// (~80,000 findings, ~100 MB of JSON) is never held whole: stdout receives it as it is encoded.
    ///
    /// Encoding the findings is most of `check`'s time, so they are encoded in chunks on every core,
    /// a window of chunks ahead of the one written, and spliced into the document in order. The bytes
    /// are exactly those of encoding the whole document at once (``renderWhole(_:)``): each chunk is
    /// encoded as the findings array of an object of its own (``Chunk``), so its elements are already
    /// indented as deep as in the document, and what lies between that array's brackets is copied
    /// out; a pretty-printed array separates its elements by `,` and a line break, which is what joins
    /// two chunks.
    public static func write(_ assessment: Assessment, to sink: (Data) throws(ReportsError) -> Void) async throws(ReportsError) {
        let findings = assessment.findings
        guard streams(findings.count) else { return try sink(renderWhole(assessment)) }
        let skeleton = try encode(document(assessment, findings: []))
        // The empty array as the encoder writes it at depth one: the findings go between its brackets.
        let opening = Data("\"findings\" : [".utf8)
        guard let empty = skeleton.firstRange(of: opening + Data("\n\n  ]".utf8)) else {
            throw ReportsError(.output, source: "json", "cannot encode the findings: the document has no findings array")
        }
        try sink(skeleton[..<(empty.lowerBound + opening.count)])
        let ranges = chunks(findings)
        // Two chunks per core under way: a core that finishes a chunk takes the next at once, while
        // the document is written in order and at most the window's chunks are held.
        var encoded = AheadWindow(count: ranges.count) { chunk in
            Result { () throws(ReportsError) in
                try elements(of: encode(Chunk(findings: findings[ranges[chunk]].map(Item.init))), first: chunk == 0)
            }
        }
        while let chunk = await encoded.next() {
            try sink(chunk.get())
        }
        try sink(Data("\n  ]".utf8) + skeleton[empty.upperBound...])
    }

    /// About the encoding work of a thousand findings of one table each: what a chunk holds.
    static let chunkWeight = 20_000

    /// Half the number of findings from which they are written in chunks.
    static let chunkSize = 1_000

    /// Whether the findings are written in chunks: a small quarter's document is encoded in one piece.
    static func streams(_ findings: Int) -> Bool {
        findings >= 2 * chunkSize
    }

    /// The findings' positions cut into chunks of about ``chunkWeight`` each, in order. A finding
    /// weighs its members and those of each table or difference it lists: a data-loss finding of a
    /// drill lists every table of its process (thousands), and chunks of equal counts left one core
    /// encoding those while the other waited.
    static func chunks(_ findings: [Finding]) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var start = 0
        var weight = 0
        for (index, finding) in findings.enumerated() {
            let details = finding.details
            weight += 12 + 7 * ((details.dataLoss?.tables.count ?? 0) + (details.parity?.differences.count ?? 0))
            if weight >= chunkWeight {
                ranges.append(start..<(index + 1))
                start = index + 1
                weight = 0
            }
        }
        if start < findings.count { ranges.append(start..<findings.count) }
        return ranges
    }

    /// A chunk of findings, encoded as the document's findings array is: at depth one. Each finding
    /// is written into a nested container of the array, not through an encoder of its own.
    struct Chunk: Encodable {
        var findings: [Item]

        enum CodingKeys: String, CodingKey {
            case findings
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            var list = container.nestedUnkeyedContainer(forKey: .findings)
            for finding in findings {
                var nested = list.nestedContainer(keyedBy: Item.CodingKeys.self)
                try finding.encode(into: &nested)
            }
        }
    }

    /// The elements of an encoded ``Chunk``, `\n    {…},\n    {…}` as they lie between the brackets of
    /// `{\n  "findings" : [` and `\n  ]\n}`, after a comma unless they are the first.
    private static func elements(of chunk: Data, first: Bool) throws(ReportsError) -> Data {
        let opening = Data("{\n  \"findings\" : [".utf8)
        let closing = Data("\n  ]\n}".utf8)
        guard chunk.starts(with: opening), chunk.count >= opening.count + closing.count,
            chunk.suffix(closing.count).elementsEqual(closing)
        else {
            throw ReportsError(.output, source: "json", "cannot encode the findings: a chunk is not a findings array")
        }
        var elements = Data(first ? [] : [UInt8(ascii: ",")])
        elements.append(chunk[(chunk.startIndex + opening.count)..<(chunk.endIndex - closing.count)])
        return elements
    }

    /// The JSON document encoded whole, in one piece: what ``render(_:)`` is equal to.
    static func renderWhole(_ assessment: Assessment) throws(ReportsError) -> Data {
        try encode(document(assessment, findings: assessment.findings.map(Item.init)))
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
