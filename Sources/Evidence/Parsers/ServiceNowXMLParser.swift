internal import CLibXML2
import Foundation

/// Reads ServiceNow XML exports with libxml2: the list "Export → XML" unload form
/// (`<unload><change_request>…</change_request><sysapproval_approver>…</sysapproval_approver></unload>`)
/// and the Table API form (`<response><result>…</result></response>`).
///
/// Untrusted XML is read with network access, DTD loading and entity substitution off, and a
/// document that declares a DOCTYPE (the carrier of external entities and entity-expansion bombs) is
/// refused before libxml2 sees it.
public enum ServiceNowXMLParser {
    /// Reads an XML export.
    public static func parse(_ bytes: Data, source: String) throws(EvidenceError) -> ChangeExport {
        if let line = declarationLine(in: bytes) {
            throw EvidenceError(
                .forbiddenDTD, source: source, line: line,
                "XML with a DOCTYPE or ENTITY declaration is refused; a ServiceNow export has none")
        }
        let document = try XMLDocument(bytes, source: source)
        let tagLines = startTagLines(in: bytes)
        var seen: [String: Int] = [:]
        func line(of element: XMLDocument.Element) -> Int {
            let occurrence = seen[element.name, default: 0]
            seen[element.name] = occurrence + 1
            return tagLines[element.name].flatMap { occurrence < $0.count ? $0[occurrence] : nil } ?? element.line
        }
        guard var root = document.root else {
            throw EvidenceError(.invalidXML, source: source, "no root element; expected <unload> or <response>")
        }
        root.line = line(of: root)
        var records: [ServiceNowParser.Record] = []
        switch root.name {
        case "unload":
            for (index, child) in root.children.enumerated() {
                var element = child
                element.line = line(of: child)
                guard element.name == "change_request" || element.name == "sysapproval_approver" else {
                    throw EvidenceError(
                        .notEvidence, source: source, line: element.line, field: element.name,
                        "unsupported table in the export; expected change_request or sysapproval_approver")
                }
                records.append(record(element, table: element.name, path: "unload/\(element.name)[\(index)]"))
            }
        case "response", "xml":
            for (index, child) in root.children.enumerated() {
                var element = child
                element.line = line(of: child)
                guard element.name == "result" else { continue }
                records.append(record(element, table: nil, path: "\(root.name)/result[\(index)]"))
            }
        default:
            throw EvidenceError(
                .notEvidence, source: source, line: root.line, field: root.name,
                "unexpected root element; expected <unload> (list export) or <response> (Table API)")
        }
        return try ServiceNowParser.export(records, source: source)
    }

    private static func record(_ element: XMLDocument.Element, table: String?, path: String) -> ServiceNowParser.Record {
        var fields: [String: ServiceNowParser.Field] = [:]
        for child in element.children {
            let parts = child.children
            if let value = parts.first(where: { $0.name == "value" }) {
                let display = parts.first(where: { $0.name == "display_value" })?.text
                fields[child.name] = ServiceNowParser.Field(value: value.text, display: display)
            } else {
                fields[child.name] = ServiceNowParser.Field(value: child.text, display: child.attribute("display_value"))
            }
        }
        return ServiceNowParser.Record(table: table, fields: fields, path: path, line: element.line)
    }

    /// The line of a `<!DOCTYPE` (or a stray `<!ENTITY`) in the prolog, the only place a document type
    /// declaration can be. The scan stops at the root element, so text that merely mentions one (in
    /// CDATA, say) is not mistaken for it.
    static func declarationLine(in bytes: Data) -> Int? {
        var scanner = MarkupScanner(bytes)
        while let byte = scanner.current {
            guard byte == UInt8(ascii: "<") else {
                scanner.advance()
                continue
            }
            if scanner.starts(with: "<?") {
                scanner.skip(past: "?>")
            } else if scanner.starts(with: "<!--") {
                scanner.skip(past: "-->")
            } else if scanner.starts(with: "<!DOCTYPE") || scanner.starts(with: "<!ENTITY") {
                return scanner.line
            } else {
                return nil
            }
        }
        return nil
    }

    /// The line of each start tag `<name` in the order they appear (outside comments, CDATA and
    /// processing instructions), by local name: libxml2 numbers an element by the line its start tag
    /// ends on, and messages want the line it begins on.
    static func startTagLines(in bytes: Data) -> [String: [Int]] {
        var lines: [String: [Int]] = [:]
        var scanner = MarkupScanner(bytes)
        while let byte = scanner.current {
            guard byte == UInt8(ascii: "<") else {
                scanner.advance()
                continue
            }
            if let (_, close) = [("<!--", "-->"), ("<![CDATA[", "]]>"), ("<?", "?>")].first(where: { scanner.starts(with: $0.0) }) {
                scanner.skip(past: close)
                continue
            }
            let name = scanner.tagName()
            if let first = name.unicodeScalars.first, first != "/", first != "!" {
                lines[name.split(separator: ":").last.map(String.init) ?? name, default: []].append(scanner.line)
            }
            scanner.advance()
        }
        return lines
    }
}

/// A cursor over markup bytes that counts lines as it goes.
struct MarkupScanner {
    private let bytes: [UInt8]
    private var index = 0
    private(set) var line = 1

    init(_ data: Data) { bytes = [UInt8](data) }

    var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    mutating func advance() {
        if bytes[index] == UInt8(ascii: "\n") { line += 1 }
        index += 1
    }

    func starts(with text: String) -> Bool {
        let pattern = Array(text.utf8)
        guard index + pattern.count <= bytes.count else { return false }
        return bytes[index..<index + pattern.count].elementsEqual(pattern)
    }

    mutating func skip(past terminator: String) {
        while current != nil, !starts(with: terminator) { advance() }
        for _ in 0..<terminator.utf8.count where current != nil { advance() }
    }

    /// The name after `<` at the cursor.
    func tagName() -> String {
        var end = index + 1
        while end < bytes.count, !" \t\r\n/>".utf8.contains(bytes[end]) { end += 1 }
        return String(decoding: bytes[min(index + 1, end)..<end], as: UTF8.self)
    }
}

/// A parsed XML document read into plain Swift values, so no libxml2 pointer outlives the parse.
struct XMLDocument {
    /// An element: its name, attributes, text and child elements.
    struct Element {
        var name: String
        var attributes: [String: String]
        var text: String
        var children: [Element]
        var line: Int

        func attribute(_ name: String) -> String? { attributes[name] }
    }

    var root: Element?

    init(_ bytes: Data, source: String) throws(EvidenceError) {
        LibXML2.initialise()
        guard bytes.count < Int(Int32.max) else {
            throw EvidenceError(.tooLarge, source: source, "XML larger than 2 GiB")
        }
        guard let context = xmlNewParserCtxt() else {
            throw EvidenceError(.unreadable, source: source, "libxml2 could not allocate a parser")
        }
        defer { xmlFreeParserCtxt(context) }
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue
                            | XML_PARSE_NOCDATA.rawValue)
        let document = bytes.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> xmlDocPtr? in
            guard let base = buffer.baseAddress?.assumingMemoryBound(to: CChar.self) else { return nil }
            return xmlCtxtReadMemory(context, base, Int32(buffer.count), "evidence.xml", nil, options)
        }
        guard let document else {
            if let error = xmlCtxtGetLastError(context) {
                let message = error.pointee.message.map { String(cString: $0) }?
                    .trimmingCharacters(in: .whitespacesAndNewlines) ?? "not well-formed"
                throw EvidenceError(
                    .invalidXML, source: source, line: error.pointee.line > 0 ? Int(error.pointee.line) : nil,
                    column: error.pointee.int2 > 0 ? Int(error.pointee.int2) : nil,
                    "invalid XML: \(message.prefix(200)); expected a ServiceNow XML export")
            }
            throw EvidenceError(.invalidXML, source: source, "invalid XML; expected a ServiceNow XML export")
        }
        defer { xmlFreeDoc(document) }
        if document.pointee.intSubset != nil {
            throw EvidenceError(.forbiddenDTD, source: source, "XML with a DOCTYPE is refused")
        }
        root = xmlDocGetRootElement(document).map { Self.element($0, depth: 0) }
    }

    private static func element(_ node: xmlNodePtr, depth: Int) -> Element {
        var attributes: [String: String] = [:]
        var attribute = node.pointee.properties
        while let current = attribute {
            let name = String(cString: current.pointee.name)
            var value = ""
            var text = current.pointee.children
            while let part = text {
                if let content = part.pointee.content { value += String(cString: content) }
                text = part.pointee.next
            }
            attributes[name] = value
            attribute = current.pointee.next
        }
        var children: [Element] = []
        var text = ""
        var child = node.pointee.children
        while let current = child {
            if current.pointee.type == XML_ELEMENT_NODE, depth < 32 {
                children.append(element(current, depth: depth + 1))
            } else if current.pointee.type == XML_TEXT_NODE || current.pointee.type == XML_CDATA_SECTION_NODE,
                let content = current.pointee.content
            {
                text += String(cString: content)
            }
            child = current.pointee.next
        }
        return Element(
            name: String(cString: node.pointee.name), attributes: attributes,
            text: text.trimmingCharacters(in: .whitespacesAndNewlines), children: children,
            line: Int(xmlGetLineNo(node)))
    }
}
