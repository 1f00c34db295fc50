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
            try container.encode(rule, forKey: .rule)
            try container.encode(subject, forKey: .subject)
            try container.encode(status, forKey: .status)
            try container.encode(severity, forKey: .severity)
            // Absent seconds are written as `null`.
            if let measured_s { try container.encode(measured_s, forKey: .measured_s) } else { try container.encodeNil(forKey: .measured_s) }
            if let target_s { try container.encode(target_s, forKey: .target_s) } else { try container.encodeNil(forKey: .target_s) }
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
    public static func render(_ assessment: Assessment) async throws(ReportsError) -> Data {
        var document = Data()
        try await write(assessment) { document.append($0) }
        return document
    }

    /// Writes the JSON document (``render(_:)``) to `sink` piece by piece, so that a bank's quarter
    /// (~80,000 findings, ~100 MB of JSON) is never held whole: stdout receives it as it is written.
    ///
    /// The bytes are exactly those of `JSONEncoder` encoding the whole document (``renderWhole(_:)``),
    /// written by ``PrettyJSON`` several times faster. A bank's findings are written in chunks on every
    /// core, a window of chunks ahead of the one handed to `sink`, and joined in order: each chunk
    /// continues the findings array where the one before it stopped.
    public static func write(_ assessment: Assessment, to sink: (Data) throws(ReportsError) -> Void) async throws(ReportsError) {
        let findings = assessment.findings
        guard streams(findings.count) else {
            var json = PrettyJSON()
            json.openObject()
            json.key("findings")
            json.openArray()
            try elements(findings[...], into: &json)
            closing(assessment, into: &json)
            return try sink(Data(json.bytes))
        }
        var opening = PrettyJSON()
        opening.openObject()
        opening.key("findings")
        opening.openArray()
        try sink(Data(opening.bytes))
        let ranges = chunks(findings)
        // Two chunks per core under way: a core that finishes a chunk takes the next at once, while
        // the document is written in order and at most the window's chunks are held.
        var written = AheadWindow(count: ranges.count) { chunk in
            Result { () throws(ReportsError) in
                // Inside the document's object and its findings array, empty before the first chunk.
                var json = PrettyJSON(within: [false, chunk == 0], capacity: 1_300 * ranges[chunk].count)
                try elements(findings[ranges[chunk]], into: &json)
                return Data(json.bytes)
            }
        }
        while let chunk = await written.next() {
            try sink(chunk.get())
        }
        var json = PrettyJSON(within: [false, findings.isEmpty])
        closing(assessment, into: &json)
        try sink(Data(json.bytes))
    }

    /// About the writing work of a thousand findings of one table each: what a chunk holds.
    static let chunkWeight = 20_000

    /// Half the number of findings from which they are written in chunks.
    static let chunkSize = 1_000

    /// Whether the findings are written in chunks: a small quarter's document is written in one piece.
    static func streams(_ findings: Int) -> Bool {
        findings >= 2 * chunkSize
    }

    /// The findings' positions cut into chunks of about ``chunkWeight`` each, in order. A finding
    /// weighs its members and those of each table or difference it lists: a data-loss finding of a
    /// drill lists every table of its process (thousands), and chunks of equal counts left one core
    /// writing those while the other waited.
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

    /// The findings as elements of the open findings array.
    private static func elements(_ findings: ArraySlice<Finding>, into json: inout PrettyJSON) throws(ReportsError) {
        do {
            for finding in findings {
                json.element()
                try write(finding, into: &json)
            }
        } catch {
            throw ReportsError(.output, source: "json", "cannot encode the findings: \(error)")
        }
    }

    /// What follows the findings: the end of their array, then the document's other members.
    private static func closing(_ assessment: Assessment, into json: inout PrettyJSON) {
        let summary = assessment.summary
        json.closeArray()
        json.key("period")
        json.string(assessment.period)
        json.key("summary")
        json.openObject()
        json.key("fail")
        json.int(summary[.fail] ?? 0)
        json.key("indeterminate")
        json.int(summary[.indeterminate] ?? 0)
        json.key("pass")
        json.int(summary[.pass] ?? 0)
        json.key("waived")
        json.int(summary[.waived] ?? 0)
        json.closeObject()
        json.key("warnings")
        json.strings(assessment.warnings)
        json.closeObject()
    }

    /// A finding as ``Item`` encodes it, its keys in byte order. The sections a bank has thousands of
    /// (data loss, apply parity, checks, requesters) are spelled out; the rare ones are encoded.
    private static func write(_ finding: Finding, into json: inout PrettyJSON) throws {
        json.openObject()
        json.key("details")
        try write(finding.details, into: &json)
        json.key("evidence")
        json.openArray()
        for hash in finding.evidence {
            json.element()
            json.string(hash.description)
        }
        json.closeArray()
        json.key("measured_s")
        if let seconds = finding.measuredSeconds { json.int(seconds) } else { json.null() }
        json.key("message")
        json.string(finding.message)
        json.key("rule")
        json.string(finding.rule.rawValue)
        json.key("severity")
        json.string(finding.severity.rawValue)
        json.key("status")
        json.string(finding.status.rawValue)
        json.key("subject")
        json.string(finding.subject)
        json.key("target_s")
        if let seconds = finding.targetSeconds { json.int(seconds) } else { json.null() }
        if let waiver = finding.waiver {
            json.key("waiver")
            try json.encoded(waiver)
        }
        json.closeObject()
    }

    private static func write(_ details: FindingDetails, into json: inout PrettyJSON) throws {
        json.openObject()
        if let apply = details.applyParity {
            json.key("apply_parity")
            json.openObject()
            if let commit = apply.commit {
                json.key("commit")
                json.string(commit)
            }
            if let finished = apply.counterpartFinished {
                json.key("counterpart_finished")
                json.string(finished.rfc3339())
            }
            json.key("counterpart_region")
            json.string(apply.counterpartRegion)
            if let run = apply.counterpartRunID {
                json.key("counterpart_run_id")
                json.int(run)
            }
            json.key("finished")
            json.string(apply.finished.rfc3339())
            json.key("region")
            json.string(apply.region)
            json.key("run_id")
            json.int(apply.runID)
            json.closeObject()
        }
        if let cadence = details.cadence {
            json.key("cadence")
            try json.encoded(cadence)
        }
        if let checks = details.checks {
            json.key("checks")
            json.openArray()
            for check in checks {
                json.element()
                json.openObject()
                json.key("check")
                json.string(check.check)
                json.key("detail")
                json.string(check.detail)
                if let passed = check.passed {
                    json.key("passed")
                    json.bool(passed)
                }
                json.closeObject()
            }
            json.closeArray()
        }
        if let loss = details.dataLoss {
            json.key("data_loss")
            write(loss, into: &json)
        }
        if let integrity = details.integrity {
            json.key("integrity")
            try json.encoded(integrity)
        }
        if let notes = details.notes {
            json.key("notes")
            json.strings(notes)
        }
        if let parity = details.parity {
            json.key("parity")
            try json.encoded(parity)
        }
        if let recovery = details.recovery {
            json.key("recovery")
            try json.encoded(recovery)
        }
        if let requesters = details.requesters {
            json.key("requesters")
            json.strings(requesters)
        }
        json.closeObject()
    }

    private static func write(_ loss: DataLossDetails, into json: inout PrettyJSON) {
        json.openObject()
        if let source = loss.referenceSource {
            json.key("reference_source")
            json.string(source)
        }
        if let time = loss.referenceTime {
            json.key("reference_time")
            json.string(time.rfc3339())
        }
        json.key("tables")
        json.openArray()
        for table in loss.tables {
            json.element()
            json.openObject()
            json.key("action")
            json.string(table.action)
            json.key("check_run")
            json.string(table.checkRun)
            if let seconds = table.lossSeconds {
                json.key("loss_seconds")
                json.int(seconds)
            }
            json.key("table")
            json.string(table.table)
            if let version = table.version {
                json.key("version")
                json.int(version)
            }
            if let time = table.versionTime {
                json.key("version_time")
                json.string(time.rfc3339())
            }
            json.closeObject()
        }
        json.closeArray()
        json.closeObject()
    }

    /// The JSON document encoded whole by `JSONEncoder`: the definition ``render(_:)`` writes.
    static func renderWhole(_ assessment: Assessment) throws(ReportsError) -> Data {
        let summary = assessment.summary
        let document = Document(
            period: assessment.period,
            summary: Summary(
                pass: summary[.pass] ?? 0, fail: summary[.fail] ?? 0, indeterminate: summary[.indeterminate] ?? 0,
                waived: summary[.waived] ?? 0),
            findings: assessment.findings.map(Item.init), warnings: assessment.warnings)
        do {
            return try PrettyJSON.encoder().encode(document)
        } catch {
            throw ReportsError(.output, source: "json", "cannot encode the findings: \(error)")
        }
    }
}
