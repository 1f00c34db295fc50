internal import CLibXML2
import Evidence
import Foundation

/// A parsed XML document owned by libxml2 (its tree API), for what the writer cannot do:
/// canonicalising, editing one element, validating and serialising.
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

    private static let initialise: Void = { xmlInitParser() }()

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
        _ = Self.initialise
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

    /// The root element.
    var root: xmlNodePtr? { xmlDocGetRootElement(document) }

    /// Whether a node is an element with this local name in this namespace.
    static func isElement(_ node: xmlNodePtr, named name: String, namespace: String) -> Bool {
        guard node.pointee.type == XML_ELEMENT_NODE, let local = node.pointee.name,
            let href = node.pointee.ns?.pointee.href
        else {
            return false
        }
        return String(cString: local) == name && String(cString: href) == namespace
    }

    /// The positions, among all the root's child nodes (text included), of its child elements with
    /// this local name and namespace.
    func rootChildPositions(named name: String, namespace: String) -> [Int] {
        var positions: [Int] = []
        var child = root?.pointee.children
        var index = 0
        while let node = child {
            if Self.isElement(node, named: name, namespace: namespace) { positions.append(index) }
            index += 1
            child = node.pointee.next
        }
        return positions
    }

    /// The root's child node at a position among all its child nodes.
    func rootChild(at position: Int) -> xmlNodePtr? {
        var child = root?.pointee.children
        var index = 0
        while let node = child, index < position {
            index += 1
            child = node.pointee.next
        }
        return child
    }

    /// The text content of a node.
    static func text(of node: xmlNodePtr) -> String {
        guard let content = xmlNodeGetContent(node) else { return "" }
        defer { Self.release(content) }
        return String(cString: content)
    }

    /// An attribute's value (no namespace), when present.
    static func attribute(_ name: String, of node: xmlNodePtr) -> String? {
        guard let value = xmlGetNoNsProp(node, name) else { return nil }
        defer { Self.release(value) }
        return String(cString: value)
    }

    /// Replaces a node's content with text (escaped when serialised).
    static func setText(_ text: String, of node: xmlNodePtr) {
        guard let escaped = xmlEncodeSpecialChars(node.pointee.doc, XMLWriter.clean(text)) else { return }
        defer { Self.release(escaped) }
        xmlNodeSetContent(node, escaped)
    }

    /// The SHA-256 of the Exclusive XML Canonicalization 1.0 form (without comments) of this document
    /// with the root's child node at `position` removed (only that node: the text around it stays).
    /// Works on a copy; the document itself is unchanged.
    func canonicalDigest(omittingRootChildAt position: Int) throws(ReportsError) -> ContentHash {
        guard let copy = xmlCopyDoc(document, 1) else {
            throw ReportsError(.output, source: "xml", "libxml2 could not copy the document")
        }
        defer { xmlFreeDoc(copy) }
        var child = xmlDocGetRootElement(copy)?.pointee.children
        var index = 0
        while let node = child, index < position {
            index += 1
            child = node.pointee.next
        }
        guard let omitted = child else {
            throw ReportsError(.output, source: "xml", "no node to omit at position \(position)")
        }
        xmlUnlinkNode(omitted)
        xmlFreeNode(omitted)
        return try Self.canonicalDigest(of: copy)
    }

    /// The SHA-256 of the Exclusive C14N 1.0 form (without comments) of a whole document.
    static func canonicalDigest(of document: xmlDocPtr) throws(ReportsError) -> ContentHash {
        var output: UnsafeMutablePointer<xmlChar>?
        let length = xmlC14NDocDumpMemory(document, nil, Int32(XML_C14N_EXCLUSIVE_1_0.rawValue), nil, 0, &output)
        guard length >= 0, let output else {
            throw ReportsError(.output, source: "xml", "libxml2 could not canonicalise the document")
        }
        defer { Self.release(output) }
        return ContentHash.of(Data(bytes: output, count: Int(length)))
    }

    /// The document as UTF-8 bytes with an XML declaration, exactly as the tree holds it (no
    /// re-indentation: the whitespace the writer put in is part of the content).
    func serialized() throws(ReportsError) -> Data {
        var output: UnsafeMutablePointer<xmlChar>?
        var length: Int32 = 0
        xmlDocDumpMemoryEnc(document, &output, &length, "UTF-8")
        guard let output, length > 0 else {
            throw ReportsError(.output, source: "xml", "libxml2 could not serialise the document")
        }
        defer { Self.release(output) }
        return Data(bytes: output, count: Int(length))
    }
}
