import Crypto
import Evidence
import Foundation

/// The canonical digest of a document that ``XMLWriter`` has just written, computed from its bytes in
/// one scan instead of a pass of libxml2's reader: the same digest and outcome as
/// ``XMLCanonicalStream/digest(of:source:failure:omitting:)``, several times faster on a report of a
/// hundred megabytes.
///
/// It reads only the subset of XML the writer writes, and the exclusive canonical form of that subset
/// is a small rewrite of the bytes:
/// - the XML declaration, and the whitespace around the document element, are dropped;
/// - an empty element `<name/>` becomes `<name></name>`;
/// - attributes are sorted by name, after the root's default namespace declaration;
/// - each character reference or predefined entity is decoded and written again as canonical XML
///   escapes it (text: `&`, `<`, `>`, CR; attribute values: `&`, `<`, `"`, TAB, LF, CR), and a
///   raw `>` in text becomes `&gt;`.
///
/// Anything outside that subset makes ``digest(of:omitting:)`` return nil, and the caller takes
/// libxml2's reader instead: a prefixed name, a namespace declaration other than the root's default
/// one, a comment, a processing instruction, CDATA, a DOCTYPE, an entity other than the five
/// predefined ones, a raw CR or control character, whitespace in an attribute value or inside a tag
/// other than the single space before each attribute, tags that do not nest. The bytes are trusted
/// to be UTF-8, as the writer writes them; documents from elsewhere go to ``XMLCanonicalStream``.
enum XMLWrittenDigest {
    /// The SHA-256 of the canonical form without the omitted element, and what the scan found; nil
    /// when the bytes are not of the subset the writer writes.
    static func digest(
        of bytes: Data, omitting omission: XMLCanonicalStream.Omission
    ) -> (digest: ContentHash, outcome: XMLCanonicalStream.Outcome)? {
        bytes.withUnsafeBytes { buffer in
            var scan = Scan(buffer, omission: omission)
            guard let outcome = scan.run() else { return nil }
            return (ContentHash(digest: scan.output.finish()), outcome)
        }
    }

    /// Canonical bytes gathered in a buffer of a few pages, and hashed a buffer at a time.
    final class Output {
        private var hasher = SHA256()
        private let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: capacity, alignment: 16)
        private var count = 0
        private static let capacity = 1 << 16

        deinit {
            buffer.deallocate()
        }

        func append(_ bytes: UnsafeRawBufferPointer) {
            if count + bytes.count > Self.capacity { flush() }
            if bytes.count >= Self.capacity {
                hasher.update(bufferPointer: bytes)
            } else if let source = bytes.baseAddress, let target = buffer.baseAddress {
                (target + count).copyMemory(from: source, byteCount: bytes.count)
                count += bytes.count
            }
        }

        func append(_ text: StaticString) {
            append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
        }

        private func flush() {
            hasher.update(bufferPointer: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
            count = 0
        }

        func finish() -> SHA256.Digest {
            flush()
            return hasher.finalize()
        }
    }

    struct Scan {
        let bytes: UnsafeRawBufferPointer
        let omission: XMLCanonicalStream.Omission
        let output = Output()
        var index = 0
        /// The names of the open elements, as ranges of `bytes`.
        var open: [Range<Int>] = []
        var rootName: String?
        var rootNamespace: String?
        var omitted: [XMLCanonicalStream.OmittedElement] = []
        /// While inside the omitted element: the depth it opened at, and its text so far (nil once longer
        /// than ``XMLCanonicalStream/textLimit``).
        var omittedDepth: Int?
        var omittedText: [UInt8]? = []
        /// The attributes of the tag being read.
        var attributes: [Attribute] = []

        /// An attribute as it lies in the bytes: its name, its value between the quotes, and whether the
        /// value holds no reference (its canonical form is then its bytes).
        struct Attribute {
            var name: Range<Int>
            var value: Range<Int>
            var plain: Bool
        }

        init(_ bytes: UnsafeRawBufferPointer, omission: XMLCanonicalStream.Omission) {
            self.bytes = bytes
            self.omission = omission
        }

        subscript(_ position: Int) -> UInt8 { position < bytes.count ? bytes[position] : 0 }

        mutating func run() -> XMLCanonicalStream.Outcome? {
            guard declaration(), skipWhitespace(), self[index] == UInt8(ascii: "<"), startTag() else { return nil }
            while !open.isEmpty {
                guard text() else { return nil }
                guard index < bytes.count else { return nil }
                // At a '<'.
                let ok = self[index + 1] == UInt8(ascii: "/") ? endTag() : startTag()
                guard ok else { return nil }
            }
            guard skipWhitespace(), index == bytes.count, let rootName else { return nil }
            return XMLCanonicalStream.Outcome(rootName: rootName, rootNamespace: rootNamespace, omitted: omitted)
        }

        /// `<?xml version="1.0" encoding="UTF-8"?>`, as the writer starts every document.
        mutating func declaration() -> Bool {
            let expected: StaticString = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
            let prefix = UnsafeRawBufferPointer(start: expected.utf8Start, count: expected.utf8CodeUnitCount)
            guard bytes.count >= prefix.count, prefix.compareBytes(prefix.indices, with: prefix.indices, in: bytes) == 0 else {
                return false
            }
            index = prefix.count
            return true
        }

        mutating func skipWhitespace() -> Bool {
            while index < bytes.count, bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x09 {
                index += 1
            }
            return true
        }

        var omitting: Bool { omittedDepth != nil }

        /// Text up to the next '<' (or the end), written escaped as canonical text.
        mutating func text() -> Bool {
            var run = index
            while index < bytes.count {
                let byte = bytes[index]
                switch byte {
                case UInt8(ascii: "<"):
                    emitText(run..<index)
                    return true
                case UInt8(ascii: "&"):
                    emitText(run..<index)
                    guard let scalar = reference() else { return false }
                    emit(scalar, in: .text)
                    run = index
                case UInt8(ascii: ">"):
                    // "]]>" is not allowed in text.
                    guard index < 2 || bytes[index - 1] != UInt8(ascii: "]") || bytes[index - 2] != UInt8(ascii: "]") else {
                        return false
                    }
                    emitText(run..<index)
                    emit(">", in: .text)
                    index += 1
                    run = index
                case 0x09, 0x0A:
                    index += 1
                case 0..<0x20:
                    // CR is normalised by a parser, other controls are not XML: the writer writes neither.
                    return false
                default:
                    index += 1
                }
            }
            emitText(run..<index)
            return true
        }

        mutating func emitText(_ range: Range<Int>) {
            guard !range.isEmpty else { return }
            let slice = UnsafeRawBufferPointer(rebasing: bytes[range])
            if omitting {
                collect(slice)
            } else {
                output.append(slice)
            }
        }

        mutating func collect(_ slice: UnsafeRawBufferPointer) {
            guard var text = omittedText else { return }
            guard text.count + slice.count <= XMLCanonicalStream.textLimit else {
                omittedText = nil
                return
            }
            omittedText = nil  // no copy while appending
            text.append(contentsOf: slice)
            omittedText = text
        }

        /// A decoded character, escaped as canonical XML escapes it where it stands (or, inside the
        /// omitted element, gathered as it is).
        mutating func emit(_ scalar: Unicode.Scalar, in escaping: CanonicalEscaping) {
            let utf8 = Array(scalar.utf8)
            if omitting {
                utf8.withUnsafeBytes { collect($0) }
            } else if scalar.isASCII, let replacement = escaping.replacement(for: UInt8(scalar.value)) {
                output.append(replacement)
            } else {
                utf8.withUnsafeBytes { output.append($0) }
            }
        }

        /// The character of the reference at `index` (an '&'), past which it moves; nil when it is not
        /// one of the five predefined entities or a character reference to a character XML allows.
        mutating func reference() -> Unicode.Scalar? {
            guard let (scalar, next) = reference(at: index) else { return nil }
            index = next
            return scalar
        }

        /// The character of the reference at `position` (an '&'), and where it ends.
        func reference(at position: Int) -> (Unicode.Scalar, Int)? {
            var end = position + 1
            while end < bytes.count, end - position <= 12, bytes[end] != UInt8(ascii: ";") { end += 1 }
            guard end < bytes.count, bytes[end] == UInt8(ascii: ";") else { return nil }
            let name = (position + 1)..<end
            for (entity, scalar) in Self.entities where matches(name, entity) {
                return (scalar, end + 1)
            }
            guard name.count >= 2, bytes[name.lowerBound] == UInt8(ascii: "#") else { return nil }
            let hex = bytes[name.lowerBound + 1] == UInt8(ascii: "x")
            let digits = (name.lowerBound + (hex ? 2 : 1))..<name.upperBound
            guard !digits.isEmpty, digits.count <= 8 else { return nil }
            var value: UInt32 = 0
            for byte in bytes[digits] {
                let digit: UInt32
                switch byte {
                case 0x30...0x39: digit = UInt32(byte - 0x30)
                case 0x61...0x66 where hex: digit = UInt32(byte - 0x61 + 10)
                case 0x41...0x46 where hex: digit = UInt32(byte - 0x41 + 10)
                default: return nil
                }
                value = value * (hex ? 16 : 10) + digit
            }
            guard let scalar = Unicode.Scalar(value), XMLWriter.allowed(scalar) else { return nil }
            return (scalar, end + 1)
        }

        static let entities: [(StaticString, Unicode.Scalar)] = [
            ("amp", "&"), ("lt", "<"), ("gt", ">"), ("quot", "\""), ("apos", "'"),
        ]

        /// A name at `index`: no prefix, ended by a space, '/', '=' or '>'.
        mutating func name() -> Range<Int>? {
            let start = index
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: " "), UInt8(ascii: "/"), UInt8(ascii: ">"), UInt8(ascii: "="):
                    return index > start ? start..<index : nil
                case UInt8(ascii: ":"), UInt8(ascii: "<"), UInt8(ascii: "&"), UInt8(ascii: "\""), UInt8(ascii: "'"),
                    UInt8(ascii: "!"), UInt8(ascii: "?"), 0..<0x21:
                    return nil
                default:
                    index += 1
                }
            }
            return nil
        }

        /// A start tag at `index` ('<'), written with its attributes sorted, or left out with all it holds
        /// when it is the omitted element.
        mutating func startTag() -> Bool {
            index += 1
            guard let element = name() else { return false }
            attributes.removeAll(keepingCapacity: true)
            var namespace: [UInt8]?
            while self[index] == UInt8(ascii: " ") {
                index += 1
                guard let attribute = name(), self[index] == UInt8(ascii: "="), self[index + 1] == UInt8(ascii: "\"") else {
                    return false
                }
                index += 2
                guard let (value, plain) = attributeValue() else { return false }
                if matches(attribute, "xmlns") {
                    // The default namespace, declared on the root only, once.
                    let uri = decoded(value)
                    guard open.isEmpty, namespace == nil, isAbsolute(uri) else { return false }
                    namespace = uri
                } else {
                    attributes.append(Attribute(name: attribute, value: value, plain: plain))
                }
            }
            let empty: Bool
            if self[index] == UInt8(ascii: "/"), self[index + 1] == UInt8(ascii: ">") {
                empty = true
                index += 2
            } else if self[index] == UInt8(ascii: ">") {
                empty = false
                index += 1
            } else {
                return false
            }
            attributes.sort { bytes.compareBytes($0.name, with: $1.name) < 0 }
            for pair in zip(attributes, attributes.dropFirst())
            where bytes.compareBytes(pair.0.name, with: pair.1.name) == 0 {
                return false
            }
            if open.isEmpty {
                rootName = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[element]), as: UTF8.self)
                rootNamespace = namespace.map { String(decoding: $0, as: UTF8.self) }
            }
            if omitting {
                open.append(element)
                if empty { return endElement(element) }
                return true
            }
            if open.count == 1, rootNamespace == omission.namespace, matches(element, omission.name) {
                let attribute = attributes.first { matches($0.name, omission.attribute) }
                omitted.append(XMLCanonicalStream.OmittedElement(
                    attribute: attribute.map { String(decoding: decoded($0.value), as: UTF8.self) }, text: nil))
                omittedDepth = open.count
                omittedText = []
                open.append(element)
                if empty { return endElement(element) }
                return true
            }
            output.append("<")
            output.append(UnsafeRawBufferPointer(rebasing: bytes[element]))
            if let namespace {
                output.append(" xmlns=\"")
                writeAttributeValue(namespace)
                output.append("\"")
            }
            for attribute in attributes {
                output.append(" ")
                output.append(UnsafeRawBufferPointer(rebasing: bytes[attribute.name]))
                output.append("=\"")
                if attribute.plain {
                    output.append(UnsafeRawBufferPointer(rebasing: bytes[attribute.value]))
                } else {
                    writeAttributeValue(decoded(attribute.value))
                }
                output.append("\"")
            }
            output.append(">")
            open.append(element)
            if empty { return endElement(element) }
            return true
        }

        /// An end tag at `index` ("</"), which must close the innermost open element.
        mutating func endTag() -> Bool {
            index += 2
            guard let element = name(), self[index] == UInt8(ascii: ">"), let innermost = open.last,
                bytes.compareBytes(element, with: innermost) == 0
            else { return false }
            index += 1
            return endElement(innermost)
        }

        /// Closes the innermost open element, `name`.
        mutating func endElement(_ name: Range<Int>) -> Bool {
            open.removeLast()
            if let depth = omittedDepth {
                if open.count == depth {
                    omittedDepth = nil
                    if let text = omittedText, !omitted.isEmpty {
                        omitted[omitted.count - 1].text = String(decoding: text, as: UTF8.self)
                    }
                    omittedText = []
                }
                return true
            }
            output.append("</")
            output.append(UnsafeRawBufferPointer(rebasing: bytes[name]))
            output.append(">")
            return true
        }

        /// An attribute value after its opening quote, up to and past its closing quote: where it lies,
        /// and whether it holds no reference.
        mutating func attributeValue() -> (Range<Int>, plain: Bool)? {
            let start = index
            var plain = true
            while index < bytes.count {
                switch bytes[index] {
                case UInt8(ascii: "\""):
                    index += 1
                    return (start..<(index - 1), plain)
                case UInt8(ascii: "&"):
                    guard reference() != nil else { return nil }
                    plain = false
                case UInt8(ascii: "<"), 0..<0x20:
                    // A raw TAB, LF or CR would be normalised to a space by a parser: the writer escapes them.
                    return nil
                default:
                    index += 1
                }
            }
            return nil
        }

        /// An attribute value's characters, its references decoded (they were checked when it was read).
        func decoded(_ value: Range<Int>) -> [UInt8] {
            var characters: [UInt8] = []
            var position = value.lowerBound
            while position < value.upperBound {
                if bytes[position] == UInt8(ascii: "&"), let (scalar, next) = reference(at: position) {
                    characters.append(contentsOf: scalar.utf8)
                    position = next
                } else {
                    characters.append(bytes[position])
                    position += 1
                }
            }
            return characters
        }

        /// A decoded attribute value, escaped as canonical XML escapes attribute values.
        mutating func writeAttributeValue(_ value: [UInt8]) {
            var run = 0
            value.withUnsafeBytes { raw in
                for (offset, byte) in raw.enumerated() {
                    guard let escape = CanonicalEscaping.attribute.replacement(for: byte) else { continue }
                    output.append(UnsafeRawBufferPointer(rebasing: raw[run..<offset]))
                    output.append(escape)
                    run = offset + 1
                }
                output.append(UnsafeRawBufferPointer(rebasing: raw[run...]))
            }
        }

        func matches(_ range: Range<Int>, _ text: String) -> Bool {
            var text = text
            return text.withUTF8 { utf8 in
                bytes.compareBytes(range, with: 0..<utf8.count, in: UnsafeRawBufferPointer(utf8)) == 0
            }
        }

        func matches(_ range: Range<Int>, _ text: StaticString) -> Bool {
            let utf8 = UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
            return bytes.compareBytes(range, with: 0..<utf8.count, in: utf8) == 0
        }

        /// Whether a namespace URI is absolute: it starts with a scheme (a letter, then letters, digits,
        /// '+', '-' or '.') and a colon. Anything else goes to libxml2, which refuses a relative one.
        func isAbsolute(_ uri: [UInt8]) -> Bool {
            guard let colon = uri.firstIndex(of: UInt8(ascii: ":")), colon > 0,
                uri[0].isASCIILetter,
                uri[1..<colon].allSatisfy({ $0.isASCIILetter || (0x30...0x39).contains($0) || "+-.".utf8.contains($0) })
            else { return false }
            return true
        }
    }
}

extension UInt8 {
    fileprivate var isASCIILetter: Bool { (0x41...0x5A).contains(self) || (0x61...0x7A).contains(self) }
}
