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
        guard let root = document.root else {
            throw EvidenceError(.invalidXML, source: source, "no root element; expected <unload> or <response>")
        }
        var records: [ServiceNowParser.Record] = []
        switch root.name {
        case "unload":
            for (index, element) in root.children.enumerated() {
                guard element.name == "change_request" || element.name == "sysapproval_approver" else {
                    throw EvidenceError(
                        .notEvidence, source: source, line: element.line, field: element.name,
                        "unsupported table in the export; expected change_request or sysapproval_approver")
                }
                records.append(record(element, table: element.name, path: "unload/\(element.name)[\(index)]"))
            }
        case "response", "xml":
            for (index, element) in root.children.enumerated() where element.name == "result" {
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

    /// The line of a `<!DOCTYPE` or `<!ENTITY` declaration, if the bytes hold one.
    static func declarationLine(in bytes: Data) -> Int? {
        let patterns = [Array("<!DOCTYPE".utf8), Array("<!ENTITY".utf8)]
        return bytes.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Int? in
            var line = 1
            var index = 0
            while index < buffer.count {
                let byte = buffer[index]
                if byte == UInt8(ascii: "\n") {
                    line += 1
                } else if byte == UInt8(ascii: "<") {
                    for pattern in patterns where index + pattern.count <= buffer.count {
                        var matches = true
                        for offset in 0..<pattern.count where buffer[index + offset] != pattern[offset] {
                            matches = false
                            break
                        }
                        if matches { return line }
                    }
                }
                index += 1
            }
            return nil
        }
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

    private static let initialise: Void = { xmlInitParser() }()

    init(_ bytes: Data, source: String) throws(EvidenceError) {
        _ = Self.initialise
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
