internal import CLibXML2
import Foundation

/// A compiled W3C XML Schema (libxml2 `xmlSchema`) that validates documents and reports the first
/// violation with the element's path, the line and the schema's message.
///
/// The schema file is read by drreport and parsed like any other XML it reads (no network, no DTD,
/// no entity substitution), then compiled from that tree; libxml2 never opens a file or a URL itself.
///
/// Owns C pointers, freed in `deinit`; therefore not `Sendable`.
final class XMLSchema {
    /// The schema's name in messages (its file name).
    let source: String
    /// The parsed schema document; the compiled schema may refer to it, so it lives as long.
    private let tree: XMLTree
    private let schema: xmlSchemaPtr

    /// Reads and compiles a schema. A file that cannot be read, is not well-formed or is not a valid
    /// XML Schema is a broken template: `.invalidTemplate`.
    init(contentsOf url: URL) throws(ReportsError) {
        source = url.lastPathComponent
        let bytes: Data
        do {
            bytes = try Data(contentsOf: url)
        } catch {
            throw ReportsError(
                .invalidTemplate, source: url.path,
                "cannot read the XML schema; expected drreport's templates/drreport-report.xsd")
        }
        tree = try XMLTree(parsing: bytes, source: url.path, failure: .invalidTemplate)
        guard let context = xmlSchemaNewDocParserCtxt(tree.document) else {
            throw ReportsError(.output, source: url.path, "libxml2 could not allocate a schema parser")
        }
        defer { xmlSchemaFreeParserCtxt(context) }
        let log = XMLErrorLog()
        let compiled = withExtendedLifetime(log) { () -> xmlSchemaPtr? in
            xmlSchemaSetParserStructuredErrors(
                context, { context, error in XMLErrorLog.receive(context, error?.pointee) }, log.context)
            return xmlSchemaParse(context)
        }
        guard let compiled else {
            throw ReportsError(
                .invalidTemplate, source: url.path, line: log.entries.first?.line,
                "not a valid XML Schema: \(log.summary)")
        }
        schema = compiled
    }

    deinit {
        xmlSchemaFree(schema)
    }

    /// Validates a parsed document. A violation throws `.schemaViolation` naming the document, the
    /// line, the offending element's path and the schema's message.
    func validate(_ document: XMLTree, source documentName: String) throws(ReportsError) {
        guard let context = xmlSchemaNewValidCtxt(schema) else {
            throw ReportsError(.output, source: documentName, "libxml2 could not allocate a schema validator")
        }
        defer { xmlSchemaFreeValidCtxt(context) }
        let log = XMLErrorLog()
        let result = withExtendedLifetime(log) { () -> Int32 in
            xmlSchemaSetValidStructuredErrors(
                context, { context, error in XMLErrorLog.receive(context, error?.pointee) }, log.context)
            return xmlSchemaValidateDoc(context, document.document)
        }
        guard result != 0 else { return }
        let first = log.entries.first
        let message = result < 0 ? "libxml2 could not validate the document" : log.summary
        throw ReportsError(
            .schemaViolation, source: documentName, line: first?.line, path: first?.path,
            "violates \(source): \(message)")
    }

    // MARK: - Streaming

    /// Validates a document from SAX events, building no tree, so memory stays bounded for a report of
    /// any size. A violation throws `.schemaViolation` naming the document, the line, the offending
    /// element's path and the schema's message, as ``validate(_:source:)`` does: a document found
    /// invalid is validated once more, tracking the path of the element each event is about.
    func validate(_ bytes: Data, source documentName: String) throws(ReportsError) {
        guard let checked = XMLElementPathTracker.validate(bytes, schema: schema, tracking: false) else {
            throw ReportsError(.output, source: documentName, "libxml2 could not validate the document")
        }
        guard !checked.valid else { return }
        let found = XMLElementPathTracker.validate(bytes, schema: schema) ?? checked
        let first = found.log.entries.first
        let message = found.log.count == 0 ? "libxml2 found the document invalid without saying why" : found.log.summary
        throw ReportsError(
            .schemaViolation, source: documentName, line: first?.line, path: found.firstPath,
            "violates \(source): \(message)")
    }

    /// The violations of a document found from SAX events, the first with its element's path; nil
    /// when libxml2 could not validate.
    func locateViolations(in bytes: Data) -> (log: XMLErrorLog, firstPath: String?)? {
        XMLElementPathTracker.validate(bytes, schema: schema).map { ($0.log, $0.firstPath) }
    }
}
