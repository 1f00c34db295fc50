import Foundation

/// A strict RFC 8259 reader from UTF-8 bytes to ``JSONValue``.
///
/// drreport reads its own JSON rather than through Foundation because evidence at bank scale is
/// ~100 MB of Terraform state per quarter: Foundation's `JSONSerialization` reads ~5 MB/s and
/// `JSONDecoder` ~11 MB/s on the 2-core machines the tool targets, and neither says where a syntax
/// error is. This reader is checked against Foundation as an oracle by the test suite.
///
/// Strict means: UTF-8 validated, no comments, no trailing commas, no `NaN`, duplicate keys refused,
/// nesting limited (``maximumDepth``), one value per document. A leading UTF-8 byte-order mark is
/// skipped.
public struct JSONReader {
    /// Where and why the bytes are not JSON.
    public struct SyntaxError: Error, Sendable, Equatable {
        /// 1-based line.
        public var line: Int
        /// 1-based column, counted in characters.
        public var column: Int
        /// What was found and what was expected.
        public var message: String
        /// Whether the input simply ended early.
        public var truncated: Bool
    }

    /// The deepest nesting of arrays and objects accepted; evidence never comes near it, and it keeps
    /// hostile input from exhausting the stack.
    public static let maximumDepth = 512

    /// Reads one JSON document. `firstLine` numbers the first line (for a line of a JSON Lines file).
    public static func read(_ bytes: some ContiguousBytes, firstLine: Int = 1) throws(SyntaxError) -> JSONValue {
        let outcome: Result<JSONValue, SyntaxError> = bytes.withUnsafeBytes { buffer in
            var reader = JSONCursor(buffer: buffer, line: firstLine)
            do throws(SyntaxError) {
                return .success(try reader.document())
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    /// Reads one JSON document from text.
    public static func read(_ text: String, firstLine: Int = 1) throws(SyntaxError) -> JSONValue {
        // A native string is read where its bytes lie; only a bridged one is copied first.
        var text = text
        let outcome: Result<JSONValue, SyntaxError> = text.withUTF8 { bytes in
            Result { () throws(SyntaxError) in try read(UnsafeRawBufferPointer(bytes), firstLine: firstLine) }
        }
        return try outcome.get()
    }
}

let quote = UInt8(ascii: "\"")
let backslash = UInt8(ascii: "\\")
let newline = UInt8(ascii: "\n")

/// The reader's position in the bytes, with the line it is on for messages. Besides building
/// ``JSONValue``s it can skip a value (validating it) and write a value's canonical form straight
/// from the bytes (`JSONCursor+Canonical.swift`), which is how large Terraform states are read.
struct JSONCursor {
    let buffer: UnsafeRawBufferPointer
    var position = 0
    var line: Int
    var lineStart = 0
    var depth = 0

    init(buffer: UnsafeRawBufferPointer, line: Int) {
        self.buffer = buffer
        self.line = line
        if buffer.count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF {
            position = 3
            lineStart = 3
        }
    }

    mutating func document() throws(JSONReader.SyntaxError) -> JSONValue {
        skipWhitespace()
        if position == buffer.count { throw error("empty document; expected a JSON value", truncated: true) }
        let value = try value()
        skipWhitespace()
        if position != buffer.count {
            throw error("unexpected \(describe(buffer[position])) after the JSON value; expected the end of the document")
        }
        return value
    }

    mutating func skipWhitespace() {
        while position < buffer.count {
            switch buffer[position] {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                position += 1
            case newline:
                position += 1
                line += 1
                lineStart = position
                skipIndentation()
            default:
                return
            }
        }
    }

    /// Skips spaces eight at a time: the indentation of a pretty-printed document (a Terraform state's
    /// lines start with two spaces per level, a dozen levels deep in a resource's values).
    private mutating func skipIndentation() {
        let spaces: UInt64 = 0x2020_2020_2020_2020
        while position + 8 <= buffer.count, buffer.loadUnaligned(fromByteOffset: position, as: UInt64.self) == spaces {
            position += 8
        }
    }

    mutating func value() throws(JSONReader.SyntaxError) -> JSONValue {
        guard position < buffer.count else { throw error("unexpected end of input; expected a value", truncated: true) }
        switch buffer[position] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case quote: return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
        default:
            throw error("unexpected \(describe(buffer[position])); expected a value (object, array, string, number, true, false or null)")
        }
    }

    mutating func enter() throws(JSONReader.SyntaxError) {
        depth += 1
        if depth > JSONReader.maximumDepth {
            throw error("nesting deeper than \(JSONReader.maximumDepth) levels")
        }
    }

    mutating func object() throws(JSONReader.SyntaxError) -> JSONValue {
        try enter()
        let objectLine = Int32(truncatingIfNeeded: line)
        position += 1
        var members: [JSONObject.Member] = []
        var keyPositions: [Int] = []
        var sorted = true
        skipWhitespace()
        if position < buffer.count, buffer[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return .object(JSONObject(sortedMembers: [], line: objectLine))
        }
        while true {
            skipWhitespace()
            keyPositions.append(position)
            let (key, keyLine) = try self.key()
            let member = JSONObject.Member(key: key, value: try value(), line: Int32(truncatingIfNeeded: keyLine))
            if sorted, let last = members.last, !JSONObject.precedes(last.key, key) { sorted = false }
            members.append(member)
            skipWhitespace()
            guard position < buffer.count else {
                throw error("unexpected end of input; expected ',' or '}'", truncated: true)
            }
            if buffer[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard buffer[position] == UInt8(ascii: "}") else {
                throw error("unexpected \(describe(buffer[position])) after a member; expected ',' or '}'")
            }
            position += 1
            break
        }
        depth -= 1
        if !sorted {
            var order = Array(members.indices)
            order.sort { JSONObject.precedes(members[$0].key, members[$1].key) || (members[$0].key == members[$1].key && $0 < $1) }
            for index in 1..<order.count where members[order[index - 1]].key == members[order[index]].key {
                // The later of the two is the duplicate; its column is computed only now, from its offset.
                let duplicate = order[index]
                throw location(of: keyPositions[duplicate], line: Int(members[duplicate].line),
                               message: "duplicate key \"\(members[duplicate].key)\" in an object")
            }
            members = order.map { members[$0] }
        }
        return .object(JSONObject(sortedMembers: members, line: objectLine))
    }

    mutating func array() throws(JSONReader.SyntaxError) -> JSONValue {
        try enter()
        position += 1
        var elements: [JSONValue] = []
        skipWhitespace()
        if position < buffer.count, buffer[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return .array([])
        }
        while true {
            skipWhitespace()
            elements.append(try value())
            skipWhitespace()
            guard position < buffer.count else {
                throw error("unexpected end of input; expected ',' or ']'", truncated: true)
            }
            if buffer[position] == UInt8(ascii: ",") {
                position += 1
                continue
            }
            guard buffer[position] == UInt8(ascii: "]") else {
                throw error("unexpected \(describe(buffer[position])) after an array element; expected ',' or ']'")
            }
            position += 1
            break
        }
        depth -= 1
        return .array(elements)
    }

    mutating func literal(_ word: StaticString) throws(JSONReader.SyntaxError) {
        let count = word.utf8CodeUnitCount
        let start = word.utf8Start
        for offset in 0..<count {
            guard position + offset < buffer.count else {
                throw error("unexpected end of input in '\(word)'", truncated: true)
            }
            guard buffer[position + offset] == start[offset] else {
                position += offset
                throw error("unexpected \(describe(buffer[position])); expected '\(word)'")
            }
        }
        position += count
    }

    mutating func number() throws(JSONReader.SyntaxError) -> String {
        let start = position
        if buffer[position] == UInt8(ascii: "-") { position += 1 }
        guard position < buffer.count else { throw error("unexpected end of input in a number", truncated: true) }
        if buffer[position] == UInt8(ascii: "0") {
            position += 1
        } else if isDigit(buffer[position]) {
            while position < buffer.count, isDigit(buffer[position]) { position += 1 }
        } else {
            throw error("unexpected \(describe(buffer[position])) in a number; expected a digit")
        }
        if position < buffer.count, buffer[position] == UInt8(ascii: ".") {
            position += 1
            guard position < buffer.count, isDigit(buffer[position]) else {
                throw error("a number's fraction needs at least one digit", truncated: position == buffer.count)
            }
            while position < buffer.count, isDigit(buffer[position]) { position += 1 }
        }
        if position < buffer.count, buffer[position] == UInt8(ascii: "e") || buffer[position] == UInt8(ascii: "E") {
            position += 1
            if position < buffer.count, buffer[position] == UInt8(ascii: "+") || buffer[position] == UInt8(ascii: "-") {
                position += 1
            }
            guard position < buffer.count, isDigit(buffer[position]) else {
                throw error("a number's exponent needs at least one digit", truncated: position == buffer.count)
            }
            while position < buffer.count, isDigit(buffer[position]) { position += 1 }
        }
        return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[start..<position]), as: UTF8.self)
    }

    func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    mutating func string() throws(JSONReader.SyntaxError) -> String {
        position += 1
        let start = position
        // Fast path: no escapes. Bytes are validated as UTF-8 as they are scanned.
        while position < buffer.count {
            position = plainEnd(from: position)
            guard position < buffer.count else { break }
            let byte = buffer[position]
            if byte == quote {
                let text = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[start..<position]), as: UTF8.self)
                position += 1
                return text
            }
            if byte == backslash { break }
            if byte < 0x20 { throw error("control character \(describe(byte)) in a string; it must be escaped") }
            if byte < 0x80 {
                position += 1
            } else {
                try skipMultibyte()
            }
        }
        guard position < buffer.count else { throw error("unexpected end of input in a string", truncated: true) }
        // Room for the plain part read so far and as much again: a string with escapes grows byte by byte.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(2 * (position - start) + 16)
        bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[start..<position]))
        try decodeString(into: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Decodes the rest of a string (escapes resolved, UTF-8 validated) onto `bytes`, through its
    /// closing quote.
    mutating func decodeString(into bytes: inout [UInt8]) throws(JSONReader.SyntaxError) {
        while position < buffer.count {
            let plain = plainEnd(from: position)
            if plain > position {
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[position..<plain]))
                position = plain
                guard position < buffer.count else { break }
            }
            let byte = buffer[position]
            if byte == quote {
                position += 1
                return
            }
            if byte == backslash {
                position += 1
                try escape(into: &bytes)
                continue
            }
            if byte < 0x20 { throw error("control character \(describe(byte)) in a string; it must be escaped") }
            if byte < 0x80 {
                bytes.append(byte)
                position += 1
            } else {
                let from = position
                try skipMultibyte()
                bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[from..<position]))
            }
        }
        throw error("unexpected end of input in a string", truncated: true)
    }

    mutating func escape(into bytes: inout [UInt8]) throws(JSONReader.SyntaxError) {
        guard position < buffer.count else { throw error("unexpected end of input in an escape", truncated: true) }
        let byte = buffer[position]
        position += 1
        switch byte {
        case quote: bytes.append(quote)
        case backslash: bytes.append(backslash)
        case UInt8(ascii: "/"): bytes.append(UInt8(ascii: "/"))
        case UInt8(ascii: "b"): bytes.append(0x08)
        case UInt8(ascii: "f"): bytes.append(0x0C)
        case UInt8(ascii: "n"): bytes.append(0x0A)
        case UInt8(ascii: "r"): bytes.append(0x0D)
        case UInt8(ascii: "t"): bytes.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try hex4()
            if (0xD800...0xDBFF).contains(scalar) {
                guard position + 1 < buffer.count, buffer[position] == backslash, buffer[position + 1] == UInt8(ascii: "u")
                else { throw error("a high surrogate \\u escape must be followed by a low surrogate") }
                position += 2
                let low = try hex4()
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw error("a high surrogate \\u escape must be followed by a low surrogate")
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalar) {
                throw error("a lone low surrogate \\u escape is not a character")
            }
            guard let unicode = Unicode.Scalar(scalar) else { throw error("\\u escape is not a character") }
            bytes.append(contentsOf: Array(String(Character(unicode)).utf8))
        default:
            position -= 1
            throw error("invalid escape '\\\(Character(Unicode.Scalar(byte)))' in a string")
        }
    }

    mutating func hex4() throws(JSONReader.SyntaxError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard position < buffer.count else { throw error("unexpected end of input in a \\u escape", truncated: true) }
            let byte = buffer[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A") + 10)
            default: throw error("unexpected \(describe(byte)) in a \\u escape; expected 4 hexadecimal digits")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }

    /// Validates one UTF-8 sequence of 2–4 bytes at `position` (RFC 3629: no overlongs, no surrogates).
    mutating func skipMultibyte() throws(JSONReader.SyntaxError) {
        let lead = buffer[position]
        let length: Int
        var lower: UInt8 = 0x80
        var upper: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; lower = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; upper = 0x9F
        case 0xF0: length = 4; lower = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; upper = 0x8F
        default: throw error("invalid UTF-8 byte 0x\(String(lead, radix: 16, uppercase: true))")
        }
        guard position + length <= buffer.count else { throw error("truncated UTF-8 sequence", truncated: true) }
        let second = buffer[position + 1]
        guard second >= lower, second <= upper else {
            throw error("invalid UTF-8 sequence at byte 0x\(String(lead, radix: 16, uppercase: true))")
        }
        for offset in 2..<length where buffer[position + offset] & 0xC0 != 0x80 {
            throw error("invalid UTF-8 sequence at byte 0x\(String(lead, radix: 16, uppercase: true))")
        }
        position += length
    }

    /// The first position at or after `start` whose byte a string scan must look at: a quote, a
    /// backslash, a control character or a byte of a multi-byte character (`buffer.count` when there
    /// is none). Eight bytes are looked at a time: most of a state's strings are plain ASCII, and a
    /// byte at a time was the parser's largest single cost.
    @inline(__always)
    func plainEnd(from start: Int) -> Int {
        let count = buffer.count
        var index = start
        while index + 8 <= count {
            let word = UInt64(littleEndian: buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            // Per byte, the high bit of (x - 1) & ~x is set where x is zero, and of (x - 0x20) & ~x where
            // x is below 0x20; borrows only reach the bytes above such a byte, so the lowest bit set is
            // exact.
            let ones: UInt64 = 0x0101_0101_0101_0101
            let highs: UInt64 = 0x8080_8080_8080_8080
            let quotes = word ^ (ones &* UInt64(quote))
            let backslashes = word ^ (ones &* UInt64(backslash))
            let found = ((quotes &- ones) & ~quotes) | ((backslashes &- ones) & ~backslashes)
                | ((word &- ones &* 0x20) & ~word) | word
            let special = found & highs
            if special != 0 { return index + special.trailingZeroBitCount / 8 }
            index += 8
        }
        while index < count {
            let byte = buffer[index]
            if byte == quote || byte == backslash || byte < 0x20 || byte >= 0x80 { return index }
            index += 1
        }
        return count
    }

    func describe(_ byte: UInt8) -> String {
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + (byte < 0x10 ? "0" : "") + String(byte, radix: 16, uppercase: true)
    }

    /// An error at an earlier byte offset whose line is known.
    func location(of offset: Int, line: Int, message: String) -> JSONReader.SyntaxError {
        var start = offset
        while start > 0, buffer[start - 1] != newline { start -= 1 }
        var column = 1
        for index in start..<offset where buffer[index] & 0xC0 != 0x80 { column += 1 }
        return JSONReader.SyntaxError(line: line, column: column, message: message, truncated: false)
    }

    func error(_ message: String, truncated: Bool = false) -> JSONReader.SyntaxError {
        var column = 1
        var index = lineStart
        let end = min(position, buffer.count)
        while index < end {
            if buffer[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return JSONReader.SyntaxError(line: line, column: column, message: message, truncated: truncated)
    }
}
