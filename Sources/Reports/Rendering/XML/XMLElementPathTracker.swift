internal import CLibXML2
import Foundation

/// Validates a document from libxml2's SAX events while tracking the path of the element each event
/// is about, so that a violation found in a stream (where libxml2 has no tree node to name) is
/// reported with the same path ``XMLErrorLog`` gives for a tree: local names from the root, with a
/// 1-based position among same-named siblings where there is more than one (`/DRReport/Findings/Finding[3]`).
///
/// The validator's SAX layer calls drreport's handler before it validates the event; an element's
/// end is therefore applied only at the next event, so that a violation found at an end tag (content,
/// facets of simple content) names the element that ends. Whether a position is needed is known when
/// the parent ends, so paths are resolved after the pass.
///
/// Handed to libxml2 as the SAX and error context pointer; not `Sendable` (mutated from the
/// callbacks on the calling thread only).
final class XMLElementPathTracker {
    /// The child elements seen so far under one element, by local name.
    private final class Children {
        var counts: [String: Int] = [:]
    }

    /// One open element: its local name, its position among same-named siblings, the siblings'
    /// counts (its parent's children) and its own children.
    private struct Step {
        var name: String
        var position: Int
        var siblings: Children
        var children: Children
    }

    private let document = Children()
    private var open: [Step] = []
    /// Whether the innermost open element has ended and is to be closed at the next event.
    private var ending = false
    /// The open elements when the first violation was reported.
    private var firstSteps: [Step]?
    /// The violations.
    let log = XMLErrorLog()

    private var context: UnsafeMutableRawPointer { Unmanaged.passUnretained(self).toOpaque() }

    private static func tracker(_ context: UnsafeMutableRawPointer?) -> XMLElementPathTracker? {
        context.map { Unmanaged<XMLElementPathTracker>.fromOpaque($0).takeUnretainedValue() }
    }

    /// Validates `bytes` against a compiled schema: whether they satisfy it, the violations, and, when
    /// `tracking`, the path of the first; nil when libxml2 could not run the validation. libxml2 may
    /// give up after reporting violations (a negative result); what it reported still stands. Without
    /// tracking, the pass receives no events at all and runs about a third faster.
    static func validate(
        _ bytes: Data, schema: xmlSchemaPtr, tracking: Bool = true
    ) -> (valid: Bool, log: XMLErrorLog, firstPath: String?)? {
        guard !bytes.isEmpty, bytes.count < Int(Int32.max), let context = xmlSchemaNewValidCtxt(schema) else {
            return nil
        }
        defer { xmlSchemaFreeValidCtxt(context) }
        let tracker = XMLElementPathTracker()
        let result = withExtendedLifetime(tracker) { tracker.run(bytes, validating: context, tracking: tracking) }
        guard result >= 0 || tracker.log.count > 0 else { return nil }
        return (result == 0 && tracker.log.count == 0, tracker.log, tracker.firstSteps.flatMap { tracker.path($0) })
    }

    private func run(_ bytes: Data, validating context: xmlSchemaValidCtxtPtr, tracking: Bool) -> Int32 {
        let errors: xmlStructuredErrorFunc = { context, error in
            XMLElementPathTracker.tracker(context)?.record(error?.pointee)
        }
        xmlSchemaSetValidStructuredErrors(context, errors, self.context)
        var handler = tracking ? Self.handler() : Self.silent()
        // libxml2 2.9's static memory input is re-read from its start once the parser has consumed
        // it (a validator fed that way sees the document twice); the document is read in copies of a
        // few KiB through a read callback instead.
        let reader = ChunkReader(bytes)
        return withExtendedLifetime(reader) { () -> Int32 in
            let read: xmlInputReadCallback = { context, buffer, length in
                guard let context, let buffer, length >= 0 else { return -1 }
                return Unmanaged<ChunkReader>.fromOpaque(context).takeUnretainedValue().read(into: buffer, length)
            }
            let input = xmlParserInputBufferCreateIO(
                read, nil, Unmanaged.passUnretained(reader).toOpaque(), XML_CHAR_ENCODING_NONE)
            guard let input else { return -1 }
            // The stream takes the input buffer and frees it.
            return xmlSchemaValidateStream(context, input, XML_CHAR_ENCODING_NONE, &handler, self.context)
        }
    }

    /// Hands a document to libxml2 in pieces; the read callback's context.
    private final class ChunkReader {
        let bytes: Data
        var offset: Int

        init(_ bytes: Data) {
            self.bytes = bytes
            offset = bytes.startIndex
        }

        func read(into buffer: UnsafeMutablePointer<CChar>, _ length: Int32) -> Int32 {
            let count = min(Int(length), bytes.endIndex - offset)
            guard count > 0 else { return 0 }
            bytes.copyBytes(
                to: UnsafeMutableRawBufferPointer(start: buffer, count: count).bindMemory(to: UInt8.self),
                from: offset..<(offset + count))
            offset += count
            return Int32(count)
        }
    }

    /// A SAX2 handler that receives nothing (without one, libxml2 would build the document's tree).
    private static func silent() -> xmlSAXHandler {
        var handler = xmlSAXHandler()
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        return handler
    }

    /// The SAX2 handler: element starts and ends, and text (which closes an ended element).
    private static func handler() -> xmlSAXHandler {
        var handler = xmlSAXHandler()
        handler.initialized = UInt32(XML_SAX2_MAGIC)
        let start: startElementNsSAX2Func = { context, name, _, _, _, _, _, _, _ in
            XMLElementPathTracker.tracker(context)?.start(name)
        }
        let end: endElementNsSAX2Func = { context, _, _, _ in XMLElementPathTracker.tracker(context)?.end() }
        let text: charactersSAXFunc = { context, _, _ in XMLElementPathTracker.tracker(context)?.closeEnded() }
        handler.startElementNs = start
        handler.endElementNs = end
        handler.characters = text
        handler.cdataBlock = text
        return handler
    }

    private func start(_ name: UnsafePointer<xmlChar>?) {
        closeEnded()
        let local = name.map { String(cString: $0) } ?? "?"
        let siblings = open.last?.children ?? document
        let position = siblings.counts[local, default: 0] + 1
        siblings.counts[local] = position
        open.append(Step(name: local, position: position, siblings: siblings, children: Children()))
    }

    private func end() {
        closeEnded()
        ending = true
    }

    private func closeEnded() {
        if ending {
            ending = false
            _ = open.popLast()
        }
    }

    private func record(_ error: xmlError?) {
        if firstSteps == nil { firstSteps = open }
        XMLErrorLog.receive(log.context, error)
    }

    /// The path of the open elements, once every sibling count is final.
    private func path(_ steps: [Step]) -> String? {
        guard !steps.isEmpty else { return nil }
        return "/"
            + steps.map { step in
                step.siblings.counts[step.name, default: 1] > 1 ? "\(step.name)[\(step.position)]" : step.name
            }.joined(separator: "/")
    }
}
