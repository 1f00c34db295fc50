internal import CLibXML2
import Foundation

/// Collects the structured errors libxml2 reports while it parses a schema or validates a document,
/// copied into Swift values (the `xmlError` is only valid during the callback), so they can be
/// translated into a ``ReportsError`` at the boundary instead of being printed on stderr.
///
/// Handed to libxml2 as the callback's context pointer; not `Sendable` (mutated from the callback on
/// the calling thread only).
final class XMLErrorLog {
    /// One error: libxml2's message, and where it was raised.
    struct Entry: Equatable {
        /// The message, trimmed.
        var message: String
        /// The 1-based line in the document, when known.
        var line: Int?
        /// The element (or attribute) concerned, as a path from the root with local names
        /// (`/DRReport/Header/LEI`, `/DRReport/Findings/Finding[3]/@id`), when known.
        var path: String?
    }

    /// The errors, in the order libxml2 reported them (at most ``limit``).
    private(set) var entries: [Entry] = []
    /// How many errors were reported in all.
    private(set) var count = 0
    /// The most errors kept; a broken document can report thousands.
    let limit = 20

    /// The context pointer to give libxml2; valid while `self` is alive.
    var context: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    /// Records an error reported to the context pointer ``context``. Called from the closures given to
    /// libxml2 as structured error handlers, which cannot capture anything.
    static func receive(_ context: UnsafeMutableRawPointer?, _ error: xmlError?) {
        guard let context, let error else { return }
        Unmanaged<XMLErrorLog>.fromOpaque(context).takeUnretainedValue().record(error)
    }

    private func record(_ error: xmlError) {
        count += 1
        guard entries.count < limit else { return }
        let message = error.message.map { String(cString: $0) }?.trimmingCharacters(in: .whitespacesAndNewlines)
        var path: String?
        if let node = error.node?.assumingMemoryBound(to: xmlNode.self) {
            path = Self.path(of: node)
        }
        entries.append(
            Entry(message: message ?? "unknown libxml2 error", line: error.line > 0 ? Int(error.line) : nil, path: path)
        )
    }

    /// The first error's message, and how many more there were.
    var summary: String {
        guard let first = entries.first else { return "no detail from libxml2" }
        let more = count > 1 ? " (and \(count - 1) more)" : ""
        return first.message + more
    }

    /// The path of a node from the root, with local names and a 1-based position among same-named
    /// siblings where there is more than one; an attribute ends the path as `@name`. Nil for a node
    /// that is neither (the document itself).
    static func path(of node: xmlNodePtr) -> String? {
        var parts: [String] = []
        var current: xmlNodePtr? = node
        if node.pointee.type == XML_ATTRIBUTE_NODE {
            // An attribute is an xmlAttr, which shares only its first fields with xmlNode.
            let attribute = UnsafeMutableRawPointer(node).assumingMemoryBound(to: xmlAttr.self)
            parts.append("@" + (attribute.pointee.name.map { String(cString: $0) } ?? "?"))
            current = attribute.pointee.parent
        }
        while let step = current, step.pointee.type == XML_ELEMENT_NODE {
            let name = step.pointee.name.map { String(cString: $0) } ?? "?"
            var position = 1
            var total = 1
            var sibling = step.pointee.prev
            while let other = sibling {
                if other.pointee.type == XML_ELEMENT_NODE, sameName(other, step) { position += 1 }
                sibling = other.pointee.prev
            }
            sibling = step.pointee.next
            while let other = sibling {
                if other.pointee.type == XML_ELEMENT_NODE, sameName(other, step) { total += 1 }
                sibling = other.pointee.next
            }
            total += position - 1
            parts.append(total > 1 ? "\(name)[\(position)]" : name)
            current = step.pointee.parent
        }
        return parts.isEmpty ? nil : "/" + parts.reversed().joined(separator: "/")
    }

    private static func sameName(_ lhs: xmlNodePtr, _ rhs: xmlNodePtr) -> Bool {
        guard let left = lhs.pointee.name, let right = rhs.pointee.name else { return false }
        return xmlStrEqual(left, right) != 0
    }
}
