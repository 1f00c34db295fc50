import Crypto
import Evidence
import Foundation
import Synchronization

/// The XML report (`report.xml`, DESIGN §7): the whole ``ReportModel`` in the namespace
/// `urn:drreport:report:1`, sealed with an integrity digest and validated against the shipped schema
/// `templates/drreport-report.xsd` before it is returned.
///
/// How a report is made, holding the document once and no tree of it (a bank's quarter gives a
/// report of over 100 MB):
/// 1. the sections are written with libxml2's xmlTextWriter (``XMLWriter``: every text escaped,
///    characters XML 1.0 cannot carry replaced by U+FFFD), indented by two spaces, with the
///    `Integrity` element last holding a placeholder of the digest's length; they are written in
///    three parts on every core, whose chunks are then joined into one document;
/// 2. one scan of those bytes (``XMLWrittenDigest``) computes the digest as ``verifyIntegrity(_:)``
///    recomputes it with libxml2 (see ``integrityAlgorithm``), while a pass of libxml2's SAX parser on
///    the other core checks that they are well-formed and validates the document against the schema:
///    a violation is a bug in drreport and throws `.schemaViolation` naming the element;
/// 3. the digest is written over the placeholder, in place.
///
/// The bytes are UTF-8 with an XML declaration, exactly as libxml2's tree serialiser writes the same
/// document (text escapes `&`, `<`, `>` and CR; an element without content is `<name/>`). Instants
/// are `xs:dateTime` in UTC (`Z`), durations whole seconds. The same model always gives the same bytes.
public enum XMLReportRenderer {
    /// The report's namespace.
    public static let namespace = "urn:drreport:report:1"

    /// The value of `Integrity/@algorithm`: W3C's identifiers of Exclusive XML Canonicalization 1.0
    /// (without comments) and of SHA-256.
    ///
    /// The digest is defined as: parse `report.xml` keeping all whitespace; remove the element
    /// `{urn:drreport:report:1}Integrity` that is a child of the root, and nothing else (the whitespace
    /// text nodes before and after it stay); serialise the remaining document with Exclusive XML
    /// Canonicalization 1.0 without comments and no inclusive prefixes; take the SHA-256 of those
    /// bytes, written `sha256:<64 lowercase hex digits>`. The report declares only one namespace, on
    /// its root, so inclusive C14N 1.0 gives the same bytes; the exclusive form is named because it is
    /// the one whose output does not depend on any enclosing context.
    public static let integrityAlgorithm =
        "http://www.w3.org/2001/10/xml-exc-c14n# http://www.w3.org/2001/04/xmlenc#sha256"

    /// The element the digest leaves out, and the attribute that names the algorithm.
    static let seal = XMLCanonicalStream.Omission(name: "Integrity", namespace: namespace, attribute: "algorithm")

    /// The report as UTF-8 XML, sealed and validated against `schema`.
    ///
    /// - Throws: `.invalidTemplate` when the schema is missing or is not a valid XML Schema;
    ///   `.schemaViolation` when the document does not satisfy it (a bug); `.output` when libxml2
    ///   fails or the writer produced something that is not a sealable report (a bug).
    public static func render(_ model: ReportModel, schema: URL) throws(ReportsError) -> Data {
        var document = try write(model)
        // Two independent passes over the written bytes, one per core: the canonical digest on this
        // thread, the schema on another (which compiles its own copy: a compiled schema is not shared
        // across threads). Neither builds a tree.
        let (sealing, validation) = Alongside.run(
            over: document,
            here: { bytes in Result { () throws(ReportsError) in try digest(of: bytes) } },
            there: { bytes in
                Result { () throws(ReportsError) in
                    try XMLSchema(contentsOf: schema).validate(bytes, source: "report.xml")
                }
            })
        let sealed = try sealing.get()
        try validation.get()
        try writeDigest(sealed, into: &document)
        return document
    }

    /// The report as ``render(_:schema:)`` makes it, byte for byte, without the schema validation: what
    /// the bundle verifier compares with a bundled report, which was validated when it was made (a
    /// report that differs from it by a byte fails verification, valid or not).
    ///
    /// Returns the document with the SHA-256 of its bytes, which the verifier compares with the manifest's.
    /// Everything before the seal's value is hashed on another core while the canonical digest is computed
    /// on this one; only the value and the root's end tag are hashed after it (in a bank's quarter the
    /// digest's ~0.6 s and the hash's ~0.1 s of a 125 MB document ran one after the other).
    public static func reproduce(_ model: ReportModel) throws(ReportsError) -> (document: Data, sha256: ContentHash) {
        var document = try write(model)
        let seal = try sealValueOffset(in: document)
        let value = seal - document.startIndex
        let (sealing, before) = Alongside.run(
            over: document,
            here: { bytes in Result { () throws(ReportsError) in try digest(of: bytes) } },
            there: { bytes in
                var hasher = SHA256()
                bytes.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[..<value])) }
                return hasher
            })
        try writeDigest(try sealing.get(), into: &document, at: seal)
        var hasher = before
        document.withUnsafeBytes { hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: $0[value...])) }
        return (document, ContentHash(digest: hasher.finalize()))
    }

    /// The canonical digest of a document the writer has just written, holding the placeholder.
    ///
    /// The writer's bytes are canonicalised by ``XMLWrittenDigest``, a scan of the subset of XML the
    /// writer writes; should it meet anything else, libxml2's streaming reader (``XMLCanonicalStream``)
    /// does it instead. Both give the digest ``verifyIntegrity(_:)`` recomputes.
    static func digest(of document: Data) throws(ReportsError) -> ContentHash {
        let (digest, outcome) =
            if let scanned = XMLWrittenDigest.digest(of: document, omitting: seal) {
                scanned
            } else {
                try XMLCanonicalStream.digest(of: document, source: "report.xml", failure: .output, omitting: seal)
            }
        guard outcome.omitted == [XMLCanonicalStream.OmittedElement(attribute: integrityAlgorithm, text: placeholder)]
        else {
            throw ReportsError(
                .output, source: "report.xml",
                "the writer produced \(outcome.omitted.count) Integrity elements; expected one holding the placeholder")
        }
        return digest
    }

    /// Whether a report's `Integrity` digest matches the rest of the document, recomputed as
    /// ``integrityAlgorithm`` defines it, in one streaming pass (no tree of the document is built).
    /// The bundle verifier calls it on the bundled `report.xml`.
    ///
    /// Returns `false` when the digest differs, and when the document has no `Integrity` element, more
    /// than one, another algorithm or a malformed digest (nothing then vouches for the document).
    /// - Throws: `.invalidBundle` when the bytes are not a drreport report at all: not well-formed
    ///   XML, a DOCTYPE, another root element, or a namespace declaration with a relative URI (which
    ///   canonicalisation must refuse).
    public static func verifyIntegrity(_ data: Data) throws(ReportsError) -> Bool {
        let (digest, outcome) = try XMLCanonicalStream.digest(
            of: data, source: "report.xml", failure: .invalidBundle, omitting: seal)
        guard outcome.rootName == "DRReport", outcome.rootNamespace == namespace else {
            throw ReportsError(
                .invalidBundle, source: "report.xml",
                "not a drreport report; expected the root element DRReport in \(namespace)")
        }
        guard outcome.omitted.count == 1, let found = outcome.omitted.first, found.attribute == integrityAlgorithm,
            let claimed = found.text, let hash = ContentHash(parsing: claimed), hash.description == claimed
        else { return false }
        return digest == hash
    }

    /// Writes the digest over the placeholder, in place (they have the same length). The placeholder
    /// must be the text of the `Integrity` element that ends the document: only whitespace and the
    /// root's end tag may follow it, so no placeholder-like text elsewhere can be overwritten.
    /// `start` is where the placeholder starts, when the caller has found it already.
    static func writeDigest(_ digest: ContentHash, into document: inout Data, at start: Data.Index? = nil) throws(ReportsError) {
        let value = Data(digest.description.utf8)
        guard value.count == placeholder.utf8.count else {
            throw ReportsError(.output, source: "report.xml", "the digest is not as long as the placeholder")
        }
        let start = if let start { start } else { try sealValueOffset(in: document) }
        document.replaceSubrange(start..<(start + value.count), with: value)
    }

    /// Where the placeholder of the Integrity element starts: in the last element of the document.
    static func sealValueOffset(in document: Data) throws(ReportsError) -> Data.Index {
        let opening = Data("<Integrity algorithm=\"\(integrityAlgorithm)\">".utf8)
        let element = opening + Data((placeholder + "</Integrity>").utf8)
        let tail =
            document.index(document.endIndex, offsetBy: -1024, limitedBy: document.startIndex)
            ?? document.startIndex
        // The last KiB, searched on its own: a search of the document with a range copies all of it.
        let window = Data(document[tail...])
        guard let found = window.range(of: element, options: .backwards), isClosingRoot(window[found.upperBound...]) else {
            throw ReportsError(
                .output, source: "report.xml",
                "the document does not end with the Integrity placeholder; cannot write the digest")
        }
        return tail + found.lowerBound + opening.count
    }

    /// Whether bytes are the root's end tag, with whitespace around it only.
    private static func isClosingRoot(_ bytes: Data) -> Bool {
        let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        let tail = Array(bytes)
        var lower = 0
        var upper = tail.count
        while lower < upper, whitespace.contains(tail[lower]) { lower += 1 }
        while upper > lower, whitespace.contains(tail[upper - 1]) { upper -= 1 }
        return tail[lower..<upper].elementsEqual("</DRReport>".utf8)
    }

    /// The placeholder the writer puts in `Integrity` until the digest is known.
    static let placeholder = "sha256:" + String(repeating: "0", count: 64)

    /// The document as the writer makes it, sealed with the placeholder. Text is escaped as libxml2's
    /// tree serialiser escapes it unless told otherwise (the tests' reference path re-serialises).
    static func write(
        _ model: ReportModel, escaping: XMLWriter.TextEscaping = .serialiser
    ) throws(ReportsError) -> Data {
        let ids = FindingIDs(model.findings)
        // The sections in three parts of similar cost (a bank's data integrity and findings are most of
        // the document), each written under a root of its own by a writer of its own, on every core.
        // A writer's bytes depend only on what it is given and on the depth, so the parts joined are the
        // bytes one writer makes of the whole.
        let groups: [@Sendable (XMLWriter) -> Void] = [
            { writer in
                writeHeader(model.header, to: writer)
                writeRegulatoryBasis(model.regulatoryBasis, to: writer)
                writeScope(model.scope, to: writer)
                writeScenario(model.drills, to: writer)
                writeTimeline(model.drills, to: writer)
                writeRecoveryResults(model, ids: ids, to: writer)
            },
            { writer in writeDataIntegrity(model, ids: ids, to: writer) },
            { writer in
                writeRedundancyParity(model.parity, ids: ids, to: writer)
                writeChangeManagement(model.changeManagement, ids: ids, to: writer)
                writeFindings(model, ids: ids, to: writer)
                writeEvidenceIndex(model.evidenceIndex, to: writer)
                writer.start("Integrity")
                writer.attribute("algorithm", integrityAlgorithm)
                writer.text(placeholder)
                writer.end()
            },
        ]
        let written = Mutex<[Result<[Data], ReportsError>?]>(Array(repeating: nil, count: groups.count))
        DispatchQueue.concurrentPerform(iterations: groups.count) { index in
            let result = Result { () throws(ReportsError) -> [Data] in
                let writer = try XMLWriter(escaping: escaping)
                writer.start("DRReport", namespace: namespace)
                groups[index](writer)
                // The last part closes the root; the others stop where their sections end.
                return index == groups.count - 1 ? try writer.finishChunks() : try writer.flushedChunks()
            }
            written.withLock { $0[index] = result }
        }
        // Every part starts with the declaration's line and the root's start tag's, in its first chunk;
        // the first part keeps them.
        var chunks: [Data] = []
        var prefix: Data?
        for (index, result) in written.withLock({ $0 }).enumerated() {
            guard var part = try result?.get(), let first = part.first, let start = rootLines(of: first) else {
                throw ReportsError(.output, source: "report.xml", "part \(index + 1) does not start with the declaration and the root")
            }
            if let prefix {
                guard first[..<start] == prefix else {
                    throw ReportsError(.output, source: "report.xml", "part \(index + 1) does not start as the first part does")
                }
                part[0] = first[start...]
            } else {
                prefix = first[..<start]
            }
            chunks += part
        }
        written.withLock { $0.removeAll() }
        let document = XMLWriter.joined(consume chunks)
        // The parts were written and freed on other threads, whose arenas keep what they free: a bank's
        // report leaves ~125 MB there, resident while the document is sealed and validated.
        HeapTrim.now()
        return document
    }

    /// Where the bytes after the first two lines start (the declaration's, and the root's start tag
    /// holding its namespace), or nil when there are no two lines.
    private static func rootLines(of part: Data) -> Data.Index? {
        guard let first = part.firstIndex(of: 0x0A), let second = part[(first + 1)...].firstIndex(of: 0x0A) else { return nil }
        return second + 1
    }
}
