/// A JSON value with its members in a chosen order, and the writers that give it the exact byte
/// shapes of the tools whose output the generator imitates: Terraform's compact Go encoding (object
/// members of `values` sorted, the resource envelope in Terraform's field order, `<`, `>`, `&`
/// escaped as Go does), the two-space pretty printing of Azure DevOps and ServiceNow, and one object
/// per line for JSON Lines.
///
/// Foundation's `JSONEncoder`/`JSONSerialization` cannot be used for this: they either sort every
/// object or keep an order of their own, format numbers their own way, and their output has changed
/// between Foundation releases; the generator must be byte-identical for a seed. The values written
/// are read back by `drreport`'s strict reader and by Python's `json` in the benchmark baseline.
indirect enum JSONText {
    case null
    case bool(Bool)
    case int(Int64)
    /// A number already written out (e.g. `-1`, `0.5`).
    case number(String)
    case string(String)
    case array([JSONText])
    case object([Member])

    /// One object member.
    struct Member {
        var key: String
        var value: JSONText

        init(_ key: String, _ value: JSONText) {
            self.key = key
            self.value = value
        }
    }

    /// An object whose members are sorted by key (byte order), as Terraform writes maps and objects.
    static func sorted(_ members: [Member]) -> JSONText {
        .object(members.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) })
    }

    /// A string or `null`.
    static func optional(_ text: String?) -> JSONText {
        text.map(JSONText.string) ?? .null
    }

    /// An array of strings.
    static func strings(_ texts: [String]) -> JSONText {
        .array(texts.map(JSONText.string))
    }

    /// The member of an object with a key, if any.
    subscript(key: String) -> JSONText? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }
}

/// Writes `JSONText` into a byte buffer.
struct JSONWriter {
    /// The bytes written so far.
    private(set) var bytes: [UInt8] = []
    /// Whether to escape `<`, `>` and `&` as `\u003c`… (Go's `encoding/json`, hence Terraform).
    var escapeHTML = false

    init(escapeHTML: Bool = false, capacity: Int = 4096) {
        self.escapeHTML = escapeHTML
        bytes.reserveCapacity(capacity)
    }

    /// Appends raw text (a banner line, a newline).
    mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
    }

    /// Appends a value without any whitespace.
    mutating func compact(_ value: JSONText) {
        switch value {
        case .null: raw("null")
        case .bool(let flag): raw(flag ? "true" : "false")
        case .int(let number): raw(String(number))
        case .number(let text): raw(text)
        case .string(let text): string(text)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                compact(element)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, member) in members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                string(member.key)
                bytes.append(UInt8(ascii: ":"))
                compact(member.value)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Appends a value pretty-printed with two-space indentation and `"key": value`.
    mutating func pretty(_ value: JSONText, level: Int = 0) {
        switch value {
        case .array(let elements) where !elements.isEmpty:
            raw("[\n")
            for (index, element) in elements.enumerated() {
                indent(level + 1)
                pretty(element, level: level + 1)
                raw(index == elements.count - 1 ? "\n" : ",\n")
            }
            indent(level)
            raw("]")
        case .object(let members) where !members.isEmpty:
            raw("{\n")
            for (index, member) in members.enumerated() {
                indent(level + 1)
                string(member.key)
                raw(": ")
                pretty(member.value, level: level + 1)
                raw(index == members.count - 1 ? "\n" : ",\n")
            }
            indent(level)
            raw("}")
        default:
            compact(value)
        }
    }

    private mutating func indent(_ level: Int) {
        for _ in 0..<(level * 2) { bytes.append(0x20) }
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func string(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): raw("\\\"")
            case UInt8(ascii: "\\"): raw("\\\\")
            case 0x0A: raw("\\n")
            case 0x0D: raw("\\r")
            case 0x09: raw("\\t")
            case 0..<0x20: unicodeEscape(byte)
            case UInt8(ascii: "<"), UInt8(ascii: ">"), UInt8(ascii: "&"):
                if escapeHTML { unicodeEscape(byte) } else { bytes.append(byte) }
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func unicodeEscape(_ byte: UInt8) {
        raw("\\u00")
        bytes.append(Self.hex[Int(byte >> 4)])
        bytes.append(Self.hex[Int(byte & 0x0F)])
    }
}
