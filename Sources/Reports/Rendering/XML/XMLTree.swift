internal import CLibXML2
import Evidence
import Foundation

/// A parsed XML document owned by libxml2 (its tree API): the schema a report is validated
/// against is compiled from one. Reports themselves are never parsed into a tree (see
/// ``XMLCanonicalStream``); this type also holds the parser options and the deallocator every
/// libxml2 caller in drreport shares.
///
/// Every document is read with network access off (`XML_PARSE_NONET`), without entity substitution
/// (`XML_PARSE_NOENT` is never set), without loading or validating a DTD, and a document that carries
/// a DOCTYPE is refused: drreport's documents have none, and a DOCTYPE is how entity bombs and
/// external entities arrive.
///
/// Owns a C pointer, freed in `deinit`; therefore not `Sendable`.
final class XMLTree {
    /// The document; valid as long as `self`.
    let document: xmlDocPtr

    /// The parser options of every document drreport reads: no network; errors are collected, not printed.
    static let parseOptions = Int32(
        XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)

    /// libxml2's deallocator for memory it hands out (strings, dumps). Its `xmlFree` is a C global
    /// variable, which strict concurrency cannot read; `xmlMemGet` returns the same function once.
    private static let deallocator: xmlFreeFunc? = {
        var function: xmlFreeFunc?
        xmlMemGet(&function, nil, nil, nil)
        return function
    }()

    /// Frees memory libxml2 allocated and handed to the caller.
    static func release(_ pointer: UnsafeMutableRawPointer?) {
        if let deallocator {
            deallocator(pointer)
        } else {
            free(pointer)
        }
    }

    /// Parses bytes; a failure is reported as `failure` (the code that fits the caller: a broken
    /// template, a broken bundle, a writer bug), naming `source`, the line and libxml2's message.
    init(parsing bytes: Data, source: String, failure: ReportsError.Code) throws(ReportsError) {
        LibXML2.initialise()
        guard bytes.count < Int(Int32.max) else {
            throw ReportsError(failure, source: source, "XML larger than 2 GiB")
        }
        guard let context = xmlNewParserCtxt() else {
            throw ReportsError(.output, source: source, "libxml2 could not allocate a parser")
        }
        defer { xmlFreeParserCtxt(context) }
        let parsed = bytes.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> xmlDocPtr? in
            guard let base = buffer.baseAddress?.assumingMemoryBound(to: CChar.self) else { return nil }
            return xmlCtxtReadMemory(context, base, Int32(buffer.count), source, nil, Self.parseOptions)
        }
        guard let parsed else {
            var line: Int?
            var message = bytes.isEmpty ? "empty document" : "not well-formed"
            if let error = xmlCtxtGetLastError(context) {
                line = error.pointee.line > 0 ? Int(error.pointee.line) : nil
                if let text = error.pointee.message {
                    message = String(String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines).prefix(300))
                }
            }
            throw ReportsError(failure, source: source, line: line, "invalid XML: \(message)")
        }
        guard parsed.pointee.intSubset == nil else {
            xmlFreeDoc(parsed)
            throw ReportsError(failure, source: source, "XML with a DOCTYPE is refused; drreport's documents have none")
        }
        document = parsed
    }

    deinit {
        xmlFreeDoc(document)
    }
}
