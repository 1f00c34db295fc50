internal import CLibXML2
import Crypto
import Evidence
import Foundation

/// The Exclusive XML Canonicalization 1.0 form (without comments, no inclusive prefixes) of a
/// document, produced in one pass of libxml2's streaming reader (xmlTextReader) and fed in chunks to
/// a sink, with one child element of the root left out. Memory does not grow with the document: the reader keeps the open elements only.
///
/// The bytes are those of libxml2's `xmlC14NDocDumpMemory(…, XML_C14N_EXCLUSIVE_1_0, nil, 0, …)` on
/// the parsed document with that element removed (its whitespace neighbours stay), because the
/// rules are applied as libxml2's c14n.c applies them, to the same nodes libxml2's parser builds:
/// - no XML declaration, comments or DOCTYPE; nothing between top-level nodes;
/// - a processing instruction as `<?target data?>` (no space when the data is empty), followed by a
///   line feed before the document element and preceded by one after it;
/// - every element as a start tag and an end tag, `<name></name>` when empty;
/// - text and CDATA as text with `&`, `<`, `>` and CR escaped; attribute values in double quotes
///   with `&`, `<`, `"`, TAB, LF and CR escaped;
/// - namespace declarations before attributes, sorted by prefix (the default first); a declaration
///   is written on an element only when the element or one of its attributes visibly uses it and the
///   nearest output ancestor did not already write the same prefix with the same URI; `xmlns=""`
///   when an unqualified element sits under an output ancestor that wrote a non-empty default;
/// - attributes sorted by namespace URI (none first), then local name;
/// - a namespace declaration with a relative URI is an error, as the standard requires.
///
/// Every document is read with network access off (`XML_PARSE_NONET`), without entity substitution
/// (`XML_PARSE_NOENT` is never set) or DTD loading, and a document that carries a DOCTYPE is refused:
/// drreport's documents have none, and a DOCTYPE is how entity bombs and external entities arrive.
///
/// Owns the reader, freed when a pass ends; not `Sendable`.
final class XMLCanonicalStream {
    /// The child element of the root that the canonical form leaves out, and which of its
    /// attributes (without a namespace) to report.
    struct Omission {
        /// Its local name.
        var name: String
        /// Its namespace URI.
        var namespace: String
        /// The name of the attribute to report.
        var attribute: String
    }

    /// An omitted element as it was found.
    struct OmittedElement: Equatable {
        /// The value of the reported attribute, when present.
        var attribute: String?
        /// Its text content (every text and CDATA node inside it, concatenated); nil when longer than
        /// ``textLimit`` bytes.
        var text: String?
    }

    /// What a pass found besides the canonical bytes.
    struct Outcome {
        /// The local name of the document element.
        var rootName: String
        /// The namespace URI of the document element, when it has one.
        var rootNamespace: String?
        /// The omitted elements, in document order.
        var omitted: [OmittedElement]
    }

    /// The most bytes of an omitted element's text that are kept; more than any digest needs.
    static let textLimit = 1024

    /// Canonical bytes are handed to the sink in chunks of about this size.
    static let chunkSize = 1 << 16

    /// The SHA-256 of the canonical form, and what the pass found.
    ///
    /// - Parameters:
    ///   - source: the document's name in errors.
    ///   - failure: the code of the error thrown when the bytes are not well-formed XML, carry a
    ///     DOCTYPE or cannot be canonicalised (the code that fits the caller: a writer bug, a broken bundle).
    static func digest(
        of bytes: Data, source: String, failure: ReportsError.Code, omitting omission: Omission
    ) throws(ReportsError) -> (digest: ContentHash, outcome: Outcome) {
        var hasher = SHA256()
        let outcome = try canonicalise(bytes, source: source, failure: failure, omitting: omission) { chunk in
            hasher.update(bufferPointer: chunk)
        }
        return (ContentHash(digest: hasher.finalize()), outcome)
    }

    /// Reads the document once, handing its canonical form to `sink` in chunks (each valid only
    /// during the call).
    static func canonicalise(
        _ bytes: Data, source: String, failure: ReportsError.Code, omitting omission: Omission,
        into sink: @escaping (UnsafeRawBufferPointer) -> Void
    ) throws(ReportsError) -> Outcome {
        guard !bytes.isEmpty else {
            throw ReportsError(failure, source: source, "invalid XML: empty document")
        }
        guard bytes.count < Int(Int32.max) else {
            throw ReportsError(failure, source: source, "XML larger than 2 GiB")
        }
        let result = bytes.withUnsafeBytes { buffer -> Result<Outcome, ReportsError> in
            guard let base = buffer.baseAddress?.assumingMemoryBound(to: CChar.self) else {
                return .failure(ReportsError(failure, source: source, "invalid XML: empty document"))
            }
            do throws(ReportsError) {
                let stream = try XMLCanonicalStream(
                    memory: base, count: buffer.count, source: source, failure: failure, omission: omission, sink: sink)
                return .success(try stream.run())
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    // MARK: - The pass

    private let reader: xmlTextReaderPtr
    private let source: String
    private let failure: ReportsError.Code
    private let omission: Omission
    private var output: CanonicalOutput

    /// Where the pass is relative to the document element (c14n.c's `pos`): processing instructions
    /// before it are followed by a line feed, those after it preceded by one.
    private enum Position { case before, inside, after }
    private var position = Position.before

    /// The namespace declarations written by the open output elements (c14n.c's `ns_rendered`): the
    /// declaration's prefix and URI, pointing into libxml2's nodes, which the reader keeps alive while
    /// their element is open (a declaration in scope is on the element or one of its ancestors).
    private var rendered: [(prefix: UnsafePointer<xmlChar>?, href: UnsafePointer<xmlChar>?)] = []
    /// For each open output element, how many entries `rendered` had before it.
    private var renderedMarks: [Int] = []

    private var rootName: String?
    private var rootNamespace: String?
    private var omitted: [OmittedElement] = []
    /// The depth of the omitted element being skipped, while inside one.
    private var omittedDepth: Int?
    /// The text of the omitted element being skipped; nil once it exceeded ``textLimit``.
    private var omittedText: [UInt8]? = []

    private init(
        memory: UnsafePointer<CChar>, count: Int, source: String, failure: ReportsError.Code, omission: Omission,
        sink: @escaping (UnsafeRawBufferPointer) -> Void
    ) throws(ReportsError) {
        LibXML2.initialise()
        guard let reader = xmlReaderForMemory(memory, Int32(count), source, nil, XMLTree.parseOptions) else {
            throw ReportsError(.output, source: source, "libxml2 could not allocate a reader")
        }
        self.reader = reader
        self.source = source
        self.failure = failure
        self.omission = omission
        self.output = CanonicalOutput(sink: sink)
    }

    deinit {
        xmlFreeTextReader(reader)
    }

    private func run() throws(ReportsError) -> Outcome {
        xmlResetLastError()
        while true {
            let status = xmlTextReaderRead(reader)
            if status == 0 { break }
            guard status > 0 else { throw parseError() }
            try visit(Int(xmlTextReaderNodeType(reader)))
        }
        guard let rootName else {
            throw ReportsError(failure, source: source, "invalid XML: no document element")
        }
        output.flush()
        return Outcome(rootName: rootName, rootNamespace: rootNamespace, omitted: omitted)
    }

    /// The error for a read that failed: libxml2's last message for it, with its line.
    private func parseError() -> ReportsError {
        var line: Int?
        var message = "not well-formed"
        if let error = xmlGetLastError() {
            line = error.pointee.line > 0 ? Int(error.pointee.line) : nil
            if let text = error.pointee.message {
                message = String(String(cString: text).trimmingCharacters(in: .whitespacesAndNewlines).prefix(300))
            }
        }
        return ReportsError(failure, source: source, line: line, "invalid XML: \(message)")
    }

    private func visit(_ type: Int) throws(ReportsError) {
        guard let node = xmlTextReaderCurrentNode(reader) else {
            throw ReportsError(.output, source: source, "libxml2's reader gave no node")
        }
        let depth = Int(xmlTextReaderDepth(reader))
        if let omittedDepth {
            if type == Self.endElement && depth == omittedDepth {
                finishOmitted()
            } else if Self.textTypes.contains(type), let value = xmlTextReaderConstValue(reader) {
                collectOmitted(value)
            }
            return
        }
        switch type {
        case Self.element:
            try startElement(node, depth: depth)
        case Self.endElement:
            endElement(node, depth: depth)
        case _ where Self.textTypes.contains(type):
            // Text outside the document element is never part of the document (libxml2 builds none).
            if position == .inside, let value = xmlTextReaderConstValue(reader) {
                output.append(value, escaping: .text)
            }
        case Self.processingInstruction:
            processingInstruction(node)
        case Self.documentType:
            throw ReportsError(failure, source: source, "XML with a DOCTYPE is refused; drreport's documents have none")
        case Self.entityReference:
            throw ReportsError(
                failure, source: source, line: Self.line(of: node),
                "an entity reference cannot be canonicalised; expected none in a document without a DOCTYPE")
        default:
            // Comments (left out without comments), the end of an entity, the declaration: nothing.
            break
        }
    }

    // MARK: - Elements

    private func startElement(_ node: xmlNodePtr, depth: Int) throws(ReportsError) {
        let empty = xmlTextReaderIsEmptyElement(reader) == 1
        if depth == 0 {
            rootName = node.pointee.name.map { String(cString: $0) } ?? ""
            rootNamespace = node.pointee.ns?.pointee.href.map { String(cString: $0) }
        } else if depth == 1, isOmitted(node) {
            omittedText = []
            let value = xmlGetNoNsProp(node, omission.attribute)
            defer { XMLTree.release(value) }
            omitted.append(OmittedElement(attribute: value.map { String(cString: $0) }, text: nil))
            if empty {
                finishOmitted()
            } else {
                omittedDepth = depth
            }
            return
        }
        try checkNamespaces(of: node)
        renderedMarks.append(rendered.count)
        if depth == 0 { position = .inside }
        output.append("<")
        appendQualifiedName(of: node)
        writeNamespaces(of: node)
        writeAttributes(of: node)
        output.append(">")
        if empty { endElement(node, depth: depth) }
    }

    private func endElement(_ node: xmlNodePtr, depth: Int) {
        output.append("</")
        appendQualifiedName(of: node)
        output.append(">")
        if let mark = renderedMarks.popLast() {
            rendered.removeSubrange(mark...)
        }
        if depth == 0 { position = .after }
    }

    private func appendQualifiedName(of node: xmlNodePtr) {
        if let prefix = node.pointee.ns?.pointee.prefix, prefix.pointee != 0 {
            output.append(prefix)
            output.append(":")
        }
        if let name = node.pointee.name { output.append(name) }
    }

    private func isOmitted(_ node: xmlNodePtr) -> Bool {
        guard let name = node.pointee.name, let href = node.pointee.ns?.pointee.href else { return false }
        return String(cString: name) == omission.name && String(cString: href) == omission.namespace
    }

    private func collectOmitted(_ value: UnsafePointer<xmlChar>) {
        guard var text = omittedText else { return }
        let length = strlen(UnsafeRawPointer(value).assumingMemoryBound(to: CChar.self))
        guard text.count + length <= Self.textLimit else {
            omittedText = nil
            return
        }
        omittedText = nil  // no copy while appending
        text.append(contentsOf: UnsafeBufferPointer(start: value, count: length))
        omittedText = text
    }

    private func finishOmitted() {
        omittedDepth = nil
        if let text = omittedText, !omitted.isEmpty {
            omitted[omitted.count - 1].text = String(decoding: text, as: UTF8.self)
        }
        omittedText = []
    }

    /// Canonicalisation must fail on a namespace declaration whose URI is relative (or not a URI).
    private func checkNamespaces(of node: xmlNodePtr) throws(ReportsError) {
        var declaration = node.pointee.nsDef
        while let ns = declaration {
            declaration = ns.pointee.next
            guard let href = ns.pointee.href, href.pointee != 0 else { continue }
            let uri = xmlParseURI(UnsafeRawPointer(href).assumingMemoryBound(to: CChar.self))
            defer { xmlFreeURI(uri) }
            guard let scheme = uri?.pointee.scheme, scheme.pointee != 0 else {
                let prefix = ns.pointee.prefix.map { "xmlns:" + String(cString: $0) } ?? "xmlns"
                let value = String(String(cString: href).prefix(100))
                let element = node.pointee.name.map { String(cString: $0) } ?? "?"
                throw ReportsError(
                    failure, source: source, line: Self.line(of: node),
                    "\(prefix)=\"\(value)\" on element \(element) is \(uri == nil ? "not a URI" : "a relative URI"), "
                        + "which canonicalisation must refuse; expected an absolute namespace URI")
            }
        }
    }

    // MARK: - Namespace axis (c14n.c, xmlExcC14NProcessNamespacesAxis without inclusive prefixes)

    private func writeNamespaces(of node: xmlNodePtr) {
        var list: [xmlNsPtr] = []
        var hasEmptyNamespace = false
        var usesEmptyNamespace = false

        let namespace: xmlNsPtr?
        if let own = node.pointee.ns {
            namespace = own
        } else {
            namespace = xmlSearchNs(node.pointee.doc, node, nil)
            usesEmptyNamespace = true
        }
        if let namespace, !Self.isXMLNamespace(namespace) {
            if !alreadyRendered(prefix: namespace.pointee.prefix, href: namespace.pointee.href) {
                Self.insert(namespace, into: &list)
            }
            rendered.append((namespace.pointee.prefix, namespace.pointee.href))
            if Self.isEmpty(namespace.pointee.prefix) { hasEmptyNamespace = true }
        }

        var attribute = node.pointee.properties
        while let current = attribute {
            attribute = current.pointee.next
            guard let namespace = current.pointee.ns else { continue }
            if !Self.isXMLNamespace(namespace) {
                let already = alreadyRendered(prefix: namespace.pointee.prefix, href: namespace.pointee.href)
                rendered.append((namespace.pointee.prefix, namespace.pointee.href))
                if !already { Self.insert(namespace, into: &list) }
                if Self.isEmpty(namespace.pointee.prefix) { hasEmptyNamespace = true }
            } else if Self.isEmpty(namespace.pointee.prefix) && Self.isEmpty(namespace.pointee.href) {
                usesEmptyNamespace = true
            }
        }

        if usesEmptyNamespace && !hasEmptyNamespace && !alreadyRendered(prefix: nil, href: nil) {
            output.append(" xmlns=\"\"")
        }
        for namespace in list {
            if let prefix = namespace.pointee.prefix {
                output.append(" xmlns:")
                output.append(prefix)
                output.append("=")
            } else {
                output.append(" xmlns=")
            }
            if let href = namespace.pointee.href {
                output.appendQuoted(href)
            } else {
                output.append("\"\"")
            }
        }
    }

    /// Whether the nearest output ancestor (or this element, earlier) wrote this prefix with this URI
    /// (c14n.c's xmlExcC14NVisibleNsStackFind). An empty default that nobody wrote counts as written.
    private func alreadyRendered(prefix: UnsafePointer<xmlChar>?, href: UnsafePointer<xmlChar>?) -> Bool {
        for entry in rendered.reversed() where Self.equal(prefix, entry.prefix) {
            return Self.equal(href, entry.href)
        }
        return Self.isEmpty(prefix) && Self.isEmpty(href)
    }

    /// Inserts before the first namespace whose prefix sorts at or after this one's (libxml2's
    /// xmlListInsert with xmlC14NNsCompare: the default namespace, with no prefix, first).
    private static func insert(_ namespace: xmlNsPtr, into list: inout [xmlNsPtr]) {
        let index = list.firstIndex { xmlStrcmp($0.pointee.prefix, namespace.pointee.prefix) >= 0 } ?? list.count
        list.insert(namespace, at: index)
    }

    private static func isXMLNamespace(_ namespace: xmlNsPtr) -> Bool {
        xmlStrEqual(namespace.pointee.prefix, "xml") != 0 && xmlStrEqual(namespace.pointee.href, xmlNamespace) != 0
    }

    private static let xmlNamespace = "http://www.w3.org/XML/1998/namespace"

    private static func isEmpty(_ text: UnsafePointer<xmlChar>?) -> Bool {
        text.map { $0.pointee == 0 } ?? true
    }

    /// Equality where a missing string equals the empty one (c14n.c's xmlC14NStrEqual).
    private static func equal(_ lhs: UnsafePointer<xmlChar>?, _ rhs: UnsafePointer<xmlChar>?) -> Bool {
        if lhs == rhs { return true }
        guard let lhs else { return isEmpty(rhs) }
        guard let rhs else { return isEmpty(lhs) }
        return xmlStrEqual(lhs, rhs) != 0
    }

    // MARK: - Attribute axis (c14n.c, xmlC14NProcessAttrsAxis in exclusive mode)

    private func writeAttributes(of node: xmlNodePtr) {
        var list: [xmlAttrPtr] = []
        var attribute = node.pointee.properties
        while let current = attribute {
            attribute = current.pointee.next
            let index = list.firstIndex { Self.compare($0, current) >= 0 } ?? list.count
            list.insert(current, at: index)
        }
        for attribute in list {
            output.append(" ")
            if let prefix = attribute.pointee.ns?.pointee.prefix, prefix.pointee != 0 {
                output.append(prefix)
                output.append(":")
            }
            if let name = attribute.pointee.name { output.append(name) }
            output.append("=\"")
            if let value = xmlNodeListGetString(node.pointee.doc, attribute.pointee.children, 1) {
                output.append(UnsafePointer(value), escaping: .attribute)
                XMLTree.release(value)
            }
            output.append("\"")
        }
    }

    /// Unqualified attributes first, then by namespace URI, then by local name (c14n.c's
    /// xmlC14NAttrsCompare).
    private static func compare(_ lhs: xmlAttrPtr, _ rhs: xmlAttrPtr) -> Int32 {
        if lhs == rhs { return 0 }
        let left = lhs.pointee.ns
        let right = rhs.pointee.ns
        if left == right { return xmlStrcmp(lhs.pointee.name, rhs.pointee.name) }
        guard let left else { return -1 }
        guard let right else { return 1 }
        if left.pointee.prefix == nil { return -1 }
        if right.pointee.prefix == nil { return 1 }
        let order = xmlStrcmp(left.pointee.href, right.pointee.href)
        return order != 0 ? order : xmlStrcmp(lhs.pointee.name, rhs.pointee.name)
    }

    // MARK: - Other nodes

    private func processingInstruction(_ node: xmlNodePtr) {
        output.append(position == .after ? "\n<?" : "<?")
        if let name = node.pointee.name { output.append(name) }
        if let content = node.pointee.content, content.pointee != 0 {
            output.append(" ")
            output.append(UnsafePointer(content), escaping: .processingInstruction)
        }
        output.append(position == .before ? "?>\n" : "?>")
    }

    private static func line(of node: xmlNodePtr) -> Int? {
        let line = xmlGetLineNo(node)
        return line > 0 ? Int(line) : nil
    }

    private static let element = Int(XML_READER_TYPE_ELEMENT.rawValue)
    private static let endElement = Int(XML_READER_TYPE_END_ELEMENT.rawValue)
    private static let processingInstruction = Int(XML_READER_TYPE_PROCESSING_INSTRUCTION.rawValue)
    private static let documentType = Int(XML_READER_TYPE_DOCUMENT_TYPE.rawValue)
    private static let entityReference = Int(XML_READER_TYPE_ENTITY_REFERENCE.rawValue)
    private static let textTypes: Set<Int> = [
        Int(XML_READER_TYPE_TEXT.rawValue), Int(XML_READER_TYPE_CDATA.rawValue),
        Int(XML_READER_TYPE_WHITESPACE.rawValue), Int(XML_READER_TYPE_SIGNIFICANT_WHITESPACE.rawValue),
    ]
}

/// Which characters of a string canonical XML replaces by references (c14n.c's
/// xmlC11NNormalizeString); ``XMLWrittenDigest`` escapes by the same rules.
enum CanonicalEscaping {
    /// `&`, `<`, `>`, CR.
    case text
    /// `&`, `<`, `"`, TAB, LF, CR.
    case attribute
    /// CR.
    case processingInstruction

    func replacement(for byte: UInt8) -> StaticString? {
        switch (self, byte) {
        case (.text, 0x26), (.attribute, 0x26): "&amp;"
        case (.text, 0x3C), (.attribute, 0x3C): "&lt;"
        case (.text, 0x3E): "&gt;"
        case (.attribute, 0x22): "&quot;"
        case (.attribute, 0x09): "&#x9;"
        case (.attribute, 0x0A): "&#xA;"
        case (_, 0x0D): "&#xD;"
        default: nil
        }
    }
}

/// The canonical bytes on their way to the sink, gathered into chunks of
/// ``XMLCanonicalStream/chunkSize`` bytes.
private struct CanonicalOutput {
    private let sink: (UnsafeRawBufferPointer) -> Void
    private var buffer: [UInt8] = []

    init(sink: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.sink = sink
        buffer.reserveCapacity(XMLCanonicalStream.chunkSize + 4096)
    }

    mutating func append(_ text: StaticString) {
        text.withUTF8Buffer { append(UnsafeBufferPointer(rebasing: $0[...])) }
    }

    /// A NUL-terminated string as it is.
    mutating func append(_ text: UnsafePointer<xmlChar>) {
        append(UnsafeBufferPointer(start: text, count: Self.length(of: text)))
    }

    /// A NUL-terminated string with the characters `escaping` names replaced.
    mutating func append(_ text: UnsafePointer<xmlChar>, escaping: CanonicalEscaping) {
        var run = text
        var current = text
        while current.pointee != 0 {
            if let replacement = escaping.replacement(for: current.pointee) {
                append(UnsafeBufferPointer(start: run, count: current - run))
                append(replacement)
                run = current + 1
            }
            current += 1
        }
        append(UnsafeBufferPointer(start: run, count: current - run))
    }

    /// A namespace URI quoted as libxml2's xmlBufWriteQuotedString quotes it: in double quotes; in
    /// single quotes when it contains a double quote; with `&quot;` when it contains both.
    mutating func appendQuoted(_ text: UnsafePointer<xmlChar>) {
        let bytes = UnsafeBufferPointer(start: text, count: Self.length(of: text))
        if !bytes.contains(0x22) {
            append("\"")
            append(bytes)
            append("\"")
        } else if !bytes.contains(0x27) {
            append("'")
            append(bytes)
            append("'")
        } else {
            append("\"")
            for byte in bytes {
                if byte == 0x22 { append("&quot;") } else { buffer.append(byte) }
            }
            append("\"")
        }
    }

    mutating func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard !bytes.isEmpty else { return }
        buffer.append(contentsOf: bytes)
        if buffer.count >= XMLCanonicalStream.chunkSize { flush() }
    }

    /// Hands what is gathered to the sink.
    mutating func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { sink($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private static func length(of text: UnsafePointer<xmlChar>) -> Int {
        strlen(UnsafeRawPointer(text).assumingMemoryBound(to: CChar.self))
    }
}
