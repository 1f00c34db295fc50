import Evidence
import Foundation

/// The XML report (`report.xml`, DESIGN §7): the whole ``ReportModel`` in the namespace
/// `urn:drreport:report:1`, sealed with an integrity digest and validated against the shipped schema
/// `templates/drreport-report.xsd` before it is returned.
///
/// How a report is made:
/// 1. the sections are written with libxml2's xmlTextWriter (``XMLWriter``: every text escaped,
///    characters XML 1.0 cannot carry replaced by U+FFFD), indented by two spaces, with the
///    `Integrity` element last holding a placeholder;
/// 2. the bytes are parsed back into a libxml2 tree (well-formedness is thereby checked);
/// 3. the digest is computed as ``verifyIntegrity(_:)`` recomputes it (see ``integrityAlgorithm``)
///    and written into `Integrity`;
/// 4. the tree is validated against the schema: a violation is a bug in drreport and throws
///    `.schemaViolation` naming the element;
/// 5. the tree is serialised as UTF-8 with an XML declaration.
///
/// Instants are `xs:dateTime` in UTC (`Z`), durations whole seconds. The same model always gives
/// the same bytes.
public enum XMLReportRenderer {
    /// The report's namespace.
    public static let namespace = "urn:drreport:report:1"

    /// The value of `Integrity/@algorithm`: W3C's identifiers of Exclusive XML Canonicalization 1.0
    /// (without comments) and of SHA-256.
    ///
    /// The digest is defined as: parse `report.xml` keeping all whitespace; remove the element
    /// `{urn:drreport:report:1}Integrity` that is a child of the root, and nothing else (the
    /// whitespace text nodes before and after it stay); serialise the remaining document with
    /// Exclusive XML Canonicalization 1.0 without comments and no inclusive prefixes; take the SHA-256
    /// of those bytes, written `sha256:<64 lowercase hex digits>`. The report declares only one
    /// namespace, on its root, so inclusive C14N 1.0 gives the same bytes; the exclusive form is
    /// named because it is the one whose output does not depend on any enclosing context.
    public static let integrityAlgorithm =
        "http://www.w3.org/2001/10/xml-exc-c14n# http://www.w3.org/2001/04/xmlenc#sha256"

    /// The element the digest leaves out, and the attribute that names the algorithm.
    static let seal = XMLCanonicalStream.Omission(name: "Integrity", namespace: namespace, attribute: "algorithm")

    /// The report as UTF-8 XML, sealed and validated against `schema`.
    ///
    /// - Throws: `.invalidTemplate` when the schema is missing or is not a valid XML Schema;
    ///   `.schemaViolation` when the document does not satisfy it (a bug); `.output` when libxml2
    ///   fails.
    public static func render(_ model: ReportModel, schema: URL) throws(ReportsError) -> Data {
        let validator = try XMLSchema(contentsOf: schema)
        let written = try write(model)
        let tree = try XMLTree(parsing: written, source: "report.xml", failure: .output)
        guard let position = tree.rootChildPositions(named: "Integrity", namespace: namespace).first,
            let seal = tree.rootChild(at: position)
        else {
            throw ReportsError(.output, source: "report.xml", "the writer produced no Integrity element")
        }
        let digest = try tree.canonicalDigest(omittingRootChildAt: position)
        XMLTree.setText(digest.description, of: seal)
        try validator.validate(tree, source: "report.xml")
        return try tree.serialized()
    }

    /// Whether a report's `Integrity` digest matches the rest of the document, recomputed as
    /// ``integrityAlgorithm`` defines it. The bundle verifier calls it on the bundled `report.xml`.
    ///
    /// Returns `false` when the digest differs, and when the document has no `Integrity` element, more
    /// than one, another algorithm or a malformed digest (nothing then vouches for the document).
    /// - Throws: `.invalidBundle` when the bytes are not a drreport report at all: not well-formed
    ///   XML, a DOCTYPE, or another root element.
    public static func verifyIntegrity(_ data: Data) throws(ReportsError) -> Bool {
        let tree = try XMLTree(parsing: data, source: "report.xml", failure: .invalidBundle)
        guard let root = tree.root, XMLTree.isElement(root, named: "DRReport", namespace: namespace) else {
            throw ReportsError(
                .invalidBundle, source: "report.xml",
                "not a drreport report; expected the root element DRReport in \(namespace)")
        }
        let positions = tree.rootChildPositions(named: "Integrity", namespace: namespace)
        guard positions.count == 1, let position = positions.first, let seal = tree.rootChild(at: position),
            XMLTree.attribute("algorithm", of: seal) == integrityAlgorithm
        else { return false }
        let claimed = XMLTree.text(of: seal)
        guard let hash = ContentHash(parsing: claimed), hash.description == claimed else { return false }
        return try tree.canonicalDigest(omittingRootChildAt: position) == hash
    }

    /// The placeholder the writer puts in `Integrity` until the digest is known.
    static let placeholder = "sha256:" + String(repeating: "0", count: 64)

    /// The document as the writer makes it, sealed with the placeholder. Text is escaped as libxml2's
    /// tree serialiser escapes it unless told otherwise (the tests' reference path re-serialises).
    static func write(
        _ model: ReportModel, escaping: XMLWriter.TextEscaping = .serialiser
    ) throws(ReportsError) -> Data {
        let writer = try XMLWriter(escaping: escaping)
        let ids = FindingIDs(model.findings)
        writer.start("DRReport", namespace: namespace)
        writeHeader(model.header, to: writer)
        writeRegulatoryBasis(model.regulatoryBasis, to: writer)
        writeScope(model.scope, to: writer)
        writeScenario(model.drills, to: writer)
        writeTimeline(model.drills, to: writer)
        writeRecoveryResults(model, ids: ids, to: writer)
        writeDataIntegrity(model, ids: ids, to: writer)
        writeRedundancyParity(model.parity, ids: ids, to: writer)
        writeChangeManagement(model.changeManagement, ids: ids, to: writer)
        writeFindings(model, ids: ids, to: writer)
        writeEvidenceIndex(model.evidenceIndex, to: writer)
        writer.start("Integrity")
        writer.attribute("algorithm", integrityAlgorithm)
        writer.text(placeholder)
        writer.end()
        writer.end()
        return try writer.finish()
    }
}
