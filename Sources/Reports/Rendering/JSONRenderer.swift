import Evidence
import Foundation

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
        var json = PrettyJSON()
        json.openObject()
        json.key("findings")
        json.openArray()
        guard streams(findings.count) else {
            try elements(findings[...], into: &json)
            closing(assessment, into: &json)
            return try sink(Data(json.bytes))
        }
        try sink(Data(json.bytes))
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
        var tail = PrettyJSON(within: [false, findings.isEmpty])
        closing(assessment, into: &tail)
        try sink(Data(tail.bytes))
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
        json.member("period", assessment.period)
        json.object("summary") { json in
            json.member("fail", summary[.fail] ?? 0)
            json.member("indeterminate", summary[.indeterminate] ?? 0)
            json.member("pass", summary[.pass] ?? 0)
            json.member("waived", summary[.waived] ?? 0)
        }
        json.member("warnings", strings: assessment.warnings)
        json.closeObject()
    }

    /// A finding as ``Item`` encodes it, its keys in byte order. The sections a bank has thousands of
    /// (data loss, apply parity, checks, requesters) are spelled out; the rare ones are encoded.
    private static func write(_ finding: Finding, into json: inout PrettyJSON) throws {
        json.openObject()
        json.key("details")
        try write(finding.details, into: &json)
        json.member("evidence", strings: finding.evidence.map(\.description))
        json.member("measured_s", orNull: finding.measuredSeconds)
        json.member("message", finding.message)
        json.member("rule", finding.rule.rawValue)
        json.member("severity", finding.severity.rawValue)
        json.member("status", finding.status.rawValue)
        json.member("subject", finding.subject)
        json.member("target_s", orNull: finding.targetSeconds)
        try json.member("waiver", encoding: finding.waiver)
        json.closeObject()
    }

    private static func write(_ details: FindingDetails, into json: inout PrettyJSON) throws {
        json.openObject()
        if let apply = details.applyParity {
            json.object("apply_parity") { json in
                json.member("commit", apply.commit)
                json.member("counterpart_finished", apply.counterpartFinished)
                json.member("counterpart_region", apply.counterpartRegion)
                json.member("counterpart_run_id", apply.counterpartRunID)
                json.member("finished", apply.finished)
                json.member("region", apply.region)
                json.member("run_id", apply.runID)
            }
        }
        try json.member("cadence", encoding: details.cadence)
        if let checks = details.checks {
            json.objects("checks", checks) { json, check in
                json.member("check", check.check)
                json.member("detail", check.detail)
                json.member("passed", check.passed)
            }
        }
        if let loss = details.dataLoss {
            json.object("data_loss") { json in
                json.member("reference_source", loss.referenceSource)
                json.member("reference_time", loss.referenceTime)
                json.objects("tables", loss.tables) { json, table in
                    json.member("action", table.action)
                    json.member("check_run", table.checkRun)
                    json.member("loss_seconds", table.lossSeconds)
                    json.member("table", table.table)
                    json.member("version", table.version)
                    json.member("version_time", table.versionTime)
                }
            }
        }
        try json.member("integrity", encoding: details.integrity)
        json.member("notes", strings: details.notes)
        try json.member("parity", encoding: details.parity)
        try json.member("recovery", encoding: details.recovery)
        json.member("requesters", strings: details.requesters)
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
