import Evidence
import Foundation

/// The findings as an OSCAL assessment-results document (`oscal-ar.xml`, DESIGN §7), namespace
/// `http://csrc.nist.gov/ns/oscal/1.0`, valid against NIST's OSCAL 1.2.2 assessment-results XSD (and
/// the 1.0.6 one), built with libxml2's xmlTextWriter like every drreport XML document.
///
/// The mapping:
/// - `metadata`: title, `last-modified` = the report's generation instant, `version` = the report id,
///   `oscal-version` 1.2.2, the bank as an organisation `party` with its LEI as a `lei` prop;
/// - `import-ap`: drreport has no separate assessment plan; the policy (drreport.yaml) plays its
///   part, so `import-ap` points to a back-matter resource for it, with the policy's SHA-256;
/// - one `result` for the period (`start`/`end` = the period's bounds) whose `reviewed-controls`
///   are the SP 800-53 controls the rules map to (``OSCALControl``);
/// - an `observation` per piece of evidence in the report's evidence index: method `EXAMINE`,
///   `collected` = when it was ingested, `relevant-evidence` pointing to a back-matter resource that
///   names the source and carries the evidence's `sha256` as a prop;
/// - a `finding` per drreport finding: title `rule subject`, description = the message, `target` =
///   the rule's control objective with status `satisfied` (pass) or `not-satisfied` (fail,
///   indeterminate and waived; an indeterminate or waived verdict is explained in the status's
///   remarks and kept in the `drreport-status` prop), a `related-observation` per evidence used;
/// - a `risk` per waiver that bore on a finding: status `deviation-approved` when applied, `open`
///   when refused, with the waiver's id, approver and expiry as props, linked from its finding by
///   `associated-risk`.
///
/// Every UUID is derived from a stable name (``OSCALUUID``), so the same model gives the same bytes.
/// Props drreport defines carry `ns="urn:drreport:report:1"`.
public enum OSCALRenderer {
    /// OSCAL's XML namespace.
    public static let namespace = "http://csrc.nist.gov/ns/oscal/1.0"
    /// The OSCAL version the document is written for (and validated against in drreport's tests).
    public static let oscalVersion = "1.2.2"
    /// The namespace of drreport's own props.
    static let propNamespace = XMLReportRenderer.namespace

    /// The assessment-results document as UTF-8 XML.
    public static func render(_ model: ReportModel) throws(ReportsError) -> Data {
        let writer = try XMLWriter()
        let ids = Identifiers(model)
        writer.start("assessment-results", namespace: namespace)
        writer.attribute("uuid", ids.document)
        metadata(model.header, party: ids.party, to: writer)
        writer.start("import-ap")
        writer.attribute("href", "#" + ids.policy)
        writer.start("remarks")
        paragraph(
            "drreport has no separate assessment plan: the policy drreport.yaml (\(model.header.policyHash)) sets "
                + "the objectives, rules and waivers assessed here.", to: writer)
        writer.end()
        writer.end()
        result(model, ids: ids, to: writer)
        backMatter(model, ids: ids, to: writer)
        writer.end()
        return try writer.finish()
    }

    /// The UUID of every object of one document, derived from stable names (``OSCALUUID``).
    struct Identifiers {
        var document: String
        var result: String
        var party: String
        var policy: String
        /// Per evidence: its observation in this result.
        var observations: [ContentHash: String] = [:]
        /// Per finding, in model order.
        var findings: [String] = []
        /// Per finding, in model order: the risk of its waiver, when it has one.
        var risks: [String?] = []

        init(_ model: ReportModel) {
            let report = model.header.reportID
            document = OSCALUUID.make("assessment-results|\(report)")
            result = OSCALUUID.make("result|\(report)")
            party = OSCALUUID.make("party|\(model.header.lei)")
            policy = OSCALUUID.make("resource|policy|\(model.header.policyHash)")
            for entry in model.evidenceIndex {
                observations[entry.id] = OSCALUUID.make("observation|\(report)|\(entry.id)")
            }
            var occurrences: [String: Int] = [:]
            for finding in model.findings {
                let name = "\(report)|\(finding.rule.rawValue)|\(finding.subject)"
                let occurrence = occurrences[name, default: 0]
                occurrences[name] = occurrence + 1
                let unique = occurrence == 0 ? name : "\(name)|\(occurrence)"
                findings.append(OSCALUUID.make("finding|\(unique)"))
                risks.append(finding.waiver.map { OSCALUUID.make("risk|\(unique)|\($0.id)") })
            }
        }

        /// The back-matter resource describing a piece of evidence (the same in every report).
        static func resource(_ evidence: ContentHash) -> String {
            OSCALUUID.make("resource|evidence|\(evidence)")
        }
    }

    // MARK: - Parts

    private static func metadata(_ header: ReportModel.Header, party: String, to writer: XMLWriter) {
        writer.start("metadata")
        writer.element("title", "Disaster-recovery assessment results: \(header.entity), \(header.period)")
        writer.element("last-modified", XMLReportRenderer.utc(header.generatedAt))
        writer.element("version", oneLine(header.reportID) ?? "unversioned")
        writer.element("oscal-version", oscalVersion)
        prop("report-id", header.reportID, to: writer)
        prop("tool-version", header.toolVersion, to: writer)
        writer.start("party")
        writer.attribute("uuid", party)
        writer.attribute("type", "organization")
        writer.element("name", oneLine(header.entity))
        prop("lei", header.lei, to: writer)
        writer.end()
        writer.end()
    }

    private static func result(_ model: ReportModel, ids: Identifiers, to writer: XMLWriter) {
        let header = model.header
        let totals = model.totals
        writer.start("result")
        writer.attribute("uuid", ids.result)
        writer.element("title", "Disaster-recovery compliance results, \(header.period)")
        writer.start("description")
        paragraph(
            "drreport's verdicts on the disaster-recovery evidence of \(header.entity) (LEI \(header.lei)) for "
                + "\(header.period): \(model.findings.count) findings, \(totals.pass) pass, \(totals.fail) fail, "
                + "\(totals.indeterminate) indeterminate, \(totals.waived) waived.", to: writer)
        writer.end()
        writer.element("start", XMLReportRenderer.utc(header.periodStart))
        writer.element("end", XMLReportRenderer.utc(header.periodEnd))
        prop("period", header.period, to: writer)
        reviewedControls(model, to: writer)
        for entry in model.evidenceIndex {
            guard let uuid = ids.observations[entry.id] else { continue }
            observation(entry, uuid: uuid, to: writer)
        }
        for (index, finding) in model.findings.enumerated() {
            guard let risk = ids.risks[index], let waiver = finding.waiver else { continue }
            self.risk(finding, waiver: waiver, uuid: risk, observations: ids.observations, to: writer)
        }
        for (index, finding) in model.findings.enumerated() {
            self.finding(
                finding, uuid: ids.findings[index], risk: ids.risks[index], observations: ids.observations, to: writer)
        }
        if !model.regulatoryBasis.isEmpty {
            writer.start("remarks")
            paragraph("Regulatory basis of the assessment:", to: writer)
            writer.start("ul")
            for reference in model.regulatoryBasis {
                writer.element("li", "\(reference.reference): \(reference.requirement)")
            }
            writer.end()
            writer.end()
        }
        writer.end()
    }

    private static func backMatter(_ model: ReportModel, ids: Identifiers, to writer: XMLWriter) {
        let header = model.header
        writer.start("back-matter")
        writer.start("resource")
        writer.attribute("uuid", ids.policy)
        writer.element("title", "Policy drreport.yaml")
        writer.start("description")
        paragraph(
            "The business-impact policy: processes with their recovery objectives, workspaces, rule settings and "
                + "waivers.", to: writer)
        writer.end()
        prop("sha256", header.policyHash.description, to: writer)
        writer.start("rlink")
        writer.attribute("href", "drreport.yaml")
        writer.attribute("media-type", "application/yaml")
        writer.start("hash")
        writer.attribute("algorithm", "SHA-256")
        writer.text(header.policyHash.hex)
        writer.end()
        writer.end()
        writer.end()
        for entry in model.evidenceIndex {
            writer.start("resource")
            writer.attribute("uuid", Identifiers.resource(entry.id))
            writer.element("title", entry.source)
            writer.start("description")
            paragraph("\(entry.kind) evidence, ledger entry \(entry.seq), covering: \(entry.covers)", to: writer)
            writer.end()
            prop("sha256", entry.id.description, to: writer)
            prop("evidence-kind", entry.kind, to: writer)
            writer.end()
        }
        writer.end()
    }

    private static func reviewedControls(_ model: ReportModel, to writer: XMLWriter) {
        var rules = Set(model.findings.map(\.rule))
        rules.formUnion(model.byRule.compactMap { RuleID(rawValue: $0.subject) })
        let controls = OSCALControl.controls(for: rules.isEmpty ? RuleID.allCases : Array(rules))
        writer.start("reviewed-controls")
        writer.start("description")
        paragraph(
            "NIST SP 800-53 Rev. 5 controls closest to what drreport's rules check; the legal basis is DORA "
                + "art. 11, 12 and 24 "
                + "and RTS (EU) 2024/1774 art. 17 and 24-26.", to: writer)
        writer.end()
        writer.start("control-selection")
        for control in controls {
            writer.start("include-control")
            writer.attribute("control-id", control)
            writer.end()
        }
        writer.end()
        writer.end()
    }

    private static func observation(_ entry: ReportModel.EvidenceEntry, uuid: String, to writer: XMLWriter) {
        writer.start("observation")
        writer.attribute("uuid", uuid)
        writer.element("title", "\(entry.kind) evidence \(entry.source)")
        writer.start("description")
        paragraph("Examined \(entry.kind) evidence \(entry.source), covering: \(entry.covers)", to: writer)
        writer.end()
        prop("evidence-kind", entry.kind, to: writer)
        prop("ledger-seq", String(entry.seq), to: writer)
        writer.element("method", "EXAMINE")
        writer.start("relevant-evidence")
        writer.attribute("href", "#" + Identifiers.resource(entry.id))
        writer.start("description")
        paragraph(entry.source, to: writer)
        writer.end()
        prop("sha256", entry.id.description, to: writer)
        writer.end()
        writer.element("collected", XMLReportRenderer.utc(entry.ingestedAt))
        writer.end()
    }

    private static func risk(
        _ finding: Finding, waiver: WaiverNote, uuid: String, observations: [ContentHash: String], to writer: XMLWriter
    ) {
        writer.start("risk")
        writer.attribute("uuid", uuid)
        writer.element("title", "Waiver \(waiver.id): \(finding.rule.rawValue) \(finding.subject)")
        writer.start("description")
        paragraph(
            waiver.applied
                ? "Deviation approved by \(waiver.approvedBy) until \(waiver.expires): \(waiver.reason)"
                : "Waiver refused: \(waiver.reason)", to: writer)
        writer.end()
        writer.start("statement")
        paragraph(finding.message, to: writer)
        writer.end()
        prop("waiver-id", waiver.id, to: writer)
        prop("waiver-applied", waiver.applied ? "true" : "false", to: writer)
        prop("approved-by", waiver.approvedBy, to: writer)
        prop("expires", waiver.expires, to: writer)
        prop("original-status", waiver.originalStatus.rawValue, to: writer)
        writer.element("status", waiver.applied ? "deviation-approved" : "open")
        relatedObservations(finding, observations: observations, to: writer)
        writer.end()
    }

    private static func finding(
        _ finding: Finding, uuid: String, risk: String?, observations: [ContentHash: String], to writer: XMLWriter
    ) {
        writer.start("finding")
        writer.attribute("uuid", uuid)
        writer.element("title", "\(finding.rule.rawValue) \(finding.subject)")
        writer.start("description")
        paragraph(finding.message, to: writer)
        writer.end()
        prop("rule", finding.rule.rawValue, to: writer)
        prop("subject", finding.subject, to: writer)
        prop("drreport-status", finding.status.rawValue, to: writer)
        prop("severity", finding.severity.rawValue, to: writer)
        prop("measured-seconds", finding.measuredSeconds.map { String($0) }, to: writer)
        prop("target-seconds", finding.targetSeconds.map { String($0) }, to: writer)
        writer.start("target")
        writer.attribute("type", "objective-id")
        writer.attribute("target-id", OSCALControl.objective(for: finding.rule))
        writer.start("status")
        switch finding.status {
        case .pass:
            writer.attribute("state", "satisfied")
            writer.attribute("reason", "pass")
        case .fail:
            writer.attribute("state", "not-satisfied")
            writer.attribute("reason", "fail")
        case .indeterminate:
            writer.attribute("state", "not-satisfied")
            writer.attribute("reason", "other")
            writer.start("remarks")
            paragraph(
                "drreport verdict: indeterminate. The evidence cannot decide; an indeterminate verdict never "
                    + "counts as satisfied.",
                to: writer)
            writer.end()
        case .waived:
            writer.attribute("state", "not-satisfied")
            writer.attribute("reason", finding.waiver?.originalStatus == .fail ? "fail" : "other")
            writer.start("remarks")
            paragraph(
                "drreport verdict: waived. The objective is not met "
                    + "(\(finding.waiver?.originalStatus.rawValue ?? "fail")); "
                    + "the deviation is approved by waiver \(finding.waiver?.id ?? "?"), see the associated risk.",
                to: writer)
            writer.end()
        }
        writer.end()
        writer.end()
        relatedObservations(finding, observations: observations, to: writer)
        if let risk {
            writer.start("associated-risk")
            writer.attribute("risk-uuid", risk)
            writer.end()
        }
        writer.end()
    }

    private static func relatedObservations(
        _ finding: Finding, observations: [ContentHash: String], to writer: XMLWriter
    ) {
        for evidence in finding.evidence {
            guard let observation = observations[evidence] else { continue }
            writer.start("related-observation")
            writer.attribute("observation-uuid", observation)
            writer.end()
        }
    }

    /// A `prop` of drreport's namespace; nothing when the value is nil or blank.
    private static func prop(_ name: String, _ value: String?, to writer: XMLWriter) {
        guard let value = value.flatMap(oneLine) else { return }
        writer.start("prop")
        writer.attribute("name", name)
        writer.attribute("ns", propNamespace)
        writer.attribute("value", value)
        writer.end()
    }

    private static func paragraph(_ text: String, to writer: XMLWriter) {
        writer.element("p", text)
    }

    /// Text fit for OSCAL's `StringDatatype` (`\S(.*\S)?`: no line breaks, no leading or trailing
    /// whitespace): runs of XML whitespace become one space, the ends are trimmed; nil when nothing is left.
    static func oneLine(_ text: String) -> String? {
        var result = ""
        var pendingSpace = false
        for scalar in XMLWriter.clean(text).unicodeScalars {
            if scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
                pendingSpace = !result.isEmpty
            } else {
                if pendingSpace { result.unicodeScalars.append(" ") }
                pendingSpace = false
                result.unicodeScalars.append(scalar)
            }
        }
        return result.isEmpty ? nil : result
    }
}
