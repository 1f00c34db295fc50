import CLibXML2
import Foundation
import Testing

@testable import Evidence
@testable import Reports

/// report.xml as it was made before the streaming path, kept as the reference the streaming code is
/// judged by: the writer's bytes (with xmlTextWriter's own text escaping) parsed into a libxml2 tree;
/// the digest from libxml2's `xmlC14NDocDumpMemory` (Exclusive C14N 1.0) on a copy of the tree without
/// the Integrity element; the digest set in the tree; the tree validated and serialised with
/// `xmlDocDumpMemoryEnc`.
enum XMLTreeReference {
    /// A reference step that libxml2 refused.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The report as the tree path renders it.
    static func render(_ model: ReportModel, schema: URL) throws -> Data {
        let validator = try XMLSchema(contentsOf: schema)
        let written = try XMLReportRenderer.write(model, escaping: .writer)
        let tree = try XMLTree(parsing: written, source: "report.xml", failure: .output)
        guard let position = rootChildPositions(of: tree, named: "Integrity").first,
            let seal = rootChild(of: tree.document, at: position)
        else {
            throw Failure(description: "the writer produced no Integrity element")
        }
        let digest = ContentHash.of(try canonicalForm(of: tree.document, omittingRootChildAt: position))
        guard let escaped = xmlEncodeSpecialChars(tree.document, digest.description) else {
            throw Failure(description: "libxml2 could not escape the digest")
        }
        xmlNodeSetContent(seal, escaped)
        XMLTree.release(escaped)
        try validator.validate(tree, source: "report.xml")
        var output: UnsafeMutablePointer<xmlChar>?
        var length: Int32 = 0
        xmlDocDumpMemoryEnc(tree.document, &output, &length, "UTF-8")
        guard let output, length > 0 else { throw Failure(description: "libxml2 could not serialise the document") }
        defer { XMLTree.release(output) }
        return Data(bytes: output, count: Int(length))
    }

    /// libxml2's Exclusive C14N 1.0 form (without comments) of a document, with the root's first child
    /// element `{urn:drreport:report:1}Integrity` removed when there is one.
    static func canonicalForm(of bytes: Data) throws -> Data {
        let tree = try XMLTree(parsing: bytes, source: "reference.xml", failure: .output)
        if let position = rootChildPositions(of: tree, named: "Integrity").first {
            return try canonicalForm(of: tree.document, omittingRootChildAt: position)
        }
        return try canonicalForm(of: tree.document, omittingRootChildAt: nil)
    }

    /// The positions, among all the root's child nodes, of its child elements with this local name in
    /// the report's namespace.
    static func rootChildPositions(of tree: XMLTree, named name: String) -> [Int] {
        var positions: [Int] = []
        var child = xmlDocGetRootElement(tree.document)?.pointee.children
        var index = 0
        while let node = child {
            if node.pointee.type == XML_ELEMENT_NODE, let local = node.pointee.name,
                let href = node.pointee.ns?.pointee.href, String(cString: local) == name,
                String(cString: href) == XMLReportRenderer.namespace
            {
                positions.append(index)
            }
            index += 1
            child = node.pointee.next
        }
        return positions
    }

    private static func rootChild(of document: xmlDocPtr, at position: Int) -> xmlNodePtr? {
        var child = xmlDocGetRootElement(document)?.pointee.children
        var index = 0
        while let node = child, index < position {
            index += 1
            child = node.pointee.next
        }
        return child
    }

    /// The canonical form of a copy of the document with the root's child node at `position` removed.
    private static func canonicalForm(of document: xmlDocPtr, omittingRootChildAt position: Int?) throws -> Data {
        guard let copy = xmlCopyDoc(document, 1) else { throw Failure(description: "libxml2 could not copy") }
        defer { xmlFreeDoc(copy) }
        if let position {
            guard let omitted = rootChild(of: copy, at: position) else {
                throw Failure(description: "no node at position \(position)")
            }
            xmlUnlinkNode(omitted)
            xmlFreeNode(omitted)
        }
        var output: UnsafeMutablePointer<xmlChar>?
        let length = xmlC14NDocDumpMemory(copy, nil, Int32(XML_C14N_EXCLUSIVE_1_0.rawValue), nil, 0, &output)
        guard length >= 0 else { throw Failure(description: "libxml2 could not canonicalise the document") }
        defer { XMLTree.release(output) }
        guard let output else { return Data() }
        return Data(bytes: output, count: Int(length))
    }
}
