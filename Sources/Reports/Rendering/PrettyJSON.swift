import Evidence
import Foundation

/// JSON text in exactly the layout of Foundation's `JSONEncoder` with `.prettyPrinted`, `.sortedKeys`
/// and `.withoutEscapingSlashes`: members and elements one per line, indented by two spaces a level,
/// `"key" : value`, an empty container as its brackets around a blank line, and strings escaped as that
/// encoder escapes them (`\"`, `\\`, `\b \t \n \f \r`, other control characters as `\u00xx`; nothing
/// else). The writer does not sort: its caller writes each object's keys in byte order.
///
/// It writes the findings of `check --format json`, ~100 MB for a bank's quarter, several times faster
/// than the encoder does. Values it does not spell out itself are encoded by a `JSONEncoder` of the
/// same options and indented in place (``encoded(_:)``), so both write the same bytes.
struct PrettyJSON {
    private(set) var bytes: [UInt8] = []
    /// For each open container, outermost first: whether nothing has been written into it yet.
    private var open: [Bool]
    private var encoder: JSONEncoder?

    /// A writer inside the containers `open` (outermost first; true for one still empty): a piece of
    /// a document that continues where another piece left off.
    init(within open: [Bool] = [], capacity: Int = 0) {
        self.open = open
        bytes.reserveCapacity(capacity)
    }

    /// The encoder whose layout this is.
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    // MARK: Containers

    mutating func openObject() { openContainer(UInt8(ascii: "{")) }
    mutating func closeObject() { closeContainer(UInt8(ascii: "}")) }
    mutating func openArray() { openContainer(UInt8(ascii: "[")) }
    mutating func closeArray() { closeContainer(UInt8(ascii: "]")) }

    /// Starts the member `key` of the open object; its value is written next.
    mutating func key(_ key: StaticString) {
        nextLine()
        bytes.append(UInt8(ascii: "\""))
        raw(key)
        raw("\" : ")
    }

    /// Starts the next element of the open array; its value is written next.
    mutating func element() { nextLine() }

    /// The member `key` holding an object whose members `body` writes.
    mutating func object(_ key: StaticString, _ body: (inout PrettyJSON) throws -> Void) rethrows {
        self.key(key)
        openObject()
        try body(&self)
        closeObject()
    }

    /// The member `key` holding an array of one object per item, whose members `body` writes.
    mutating func objects<Item>(
        _ key: StaticString, _ items: [Item], _ body: (inout PrettyJSON, Item) throws -> Void
    ) rethrows {
        self.key(key)
        openArray()
        for item in items {
            element()
            openObject()
            try body(&self, item)
            closeObject()
        }
        closeArray()
    }

    private mutating func openContainer(_ bracket: UInt8) {
        bytes.append(bracket)
        open.append(true)
    }

    private mutating func closeContainer(_ bracket: UInt8) {
        let empty = open.removeLast()
        if empty { bytes.append(UInt8(ascii: "\n")) }
        bytes.append(UInt8(ascii: "\n"))
        indent()
        bytes.append(bracket)
    }

    /// The separator before a member or element: a comma unless it is the container's first.
    private mutating func nextLine() {
        if open[open.count - 1] {
            open[open.count - 1] = false
        } else {
            bytes.append(UInt8(ascii: ","))
        }
        bytes.append(UInt8(ascii: "\n"))
        indent()
    }

    private mutating func indent() {
        bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * open.count))
    }

    // MARK: Values

    private mutating func null() { raw("null") }

    private mutating func bool(_ value: Bool) { raw(value ? "true" : "false") }

    private mutating func int(_ value: Int64) {
        if value < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = value.magnitude
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            bytes.append(contentsOf: digits[start...])
        }
    }

    private mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { write(escaping: $0) }
    }

    private mutating func strings(_ values: [String]) {
        openArray()
        for value in values {
            element()
            string(value)
        }
        closeArray()
    }

    // MARK: Members
    //
    // A member whose value is nil is left out, as the encoder's `encodeIfPresent` leaves it out.

    mutating func member(_ key: StaticString, _ value: String?) {
        guard let value else { return }
        self.key(key)
        string(value)
    }

    mutating func member(_ key: StaticString, _ value: Int64?) {
        guard let value else { return }
        self.key(key)
        int(value)
    }

    mutating func member(_ key: StaticString, _ value: Int?) {
        member(key, value.map(Int64.init))
    }

    mutating func member(_ key: StaticString, _ value: Bool?) {
        guard let value else { return }
        self.key(key)
        bool(value)
    }

    /// An instant as its RFC 3339 text, as `Instant` encodes itself.
    mutating func member(_ key: StaticString, _ value: Instant?) {
        member(key, value?.rfc3339())
    }

    mutating func member(_ key: StaticString, strings values: [String]?) {
        guard let values else { return }
        self.key(key)
        strings(values)
    }

    /// A value the encoder writes (``encoded(_:)``).
    mutating func member(_ key: StaticString, encoding value: (some Encodable)?) throws {
        guard let value else { return }
        self.key(key)
        try encoded(value)
    }

    /// A member written as `null` when its value is nil.
    mutating func member(_ key: StaticString, orNull value: Int64?) {
        self.key(key)
        if let value { int(value) } else { null() }
    }

    /// `value` as the encoder writes it, indented to stand where it is written.
    private mutating func encoded(_ value: some Encodable) throws {
        let encoder = self.encoder ?? Self.encoder()
        self.encoder = encoder
        let data = try encoder.encode(value)
        let depth = 2 * open.count
        // A line break is only ever the layout's (one inside a string is escaped): each line but the
        // blank one of an empty container is indented further.
        var lineStart = false
        for byte in data {
            if lineStart, byte != UInt8(ascii: "\n") { bytes.append(contentsOf: repeatElement(UInt8(ascii: " "), count: depth)) }
            bytes.append(byte)
            lineStart = byte == UInt8(ascii: "\n")
        }
    }

    private mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func write(escaping text: UnsafeBufferPointer<UInt8>) {
        bytes.append(UInt8(ascii: "\""))
        var plain = 0
        for index in text.indices {
            let byte = text[index]
            guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[plain..<index]))
            plain = index + 1
            bytes.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): bytes.append(byte)
            case 0x08: bytes.append(UInt8(ascii: "b"))
            case 0x09: bytes.append(UInt8(ascii: "t"))
            case 0x0A: bytes.append(UInt8(ascii: "n"))
            case 0x0C: bytes.append(UInt8(ascii: "f"))
            case 0x0D: bytes.append(UInt8(ascii: "r"))
            default:
                let hex: StaticString = "0123456789abcdef"
                raw("u00")
                hex.withUTF8Buffer { bytes.append(contentsOf: [$0[Int(byte >> 4)], $0[Int(byte & 0xF)]]) }
            }
        }
        bytes.append(contentsOf: UnsafeBufferPointer(rebasing: text[plain...]))
        bytes.append(UInt8(ascii: "\""))
    }
}
