import Foundation

/// Reading JSON without building ``JSONValue``s: skipping a value while validating it, writing a
/// value's canonical form (the bytes ``JSONValue/canonicalText`` gives) straight from the input, and
/// walking objects and arrays member by member. Validation is exactly the reader's: the same
/// grammar, UTF-8 and nesting checks, and the same errors at the same places.
extension JSONCursor {
    // MARK: - Walking objects and arrays

    /// Expects `{`; returns whether the object has members (`{}` is consumed whole).
    mutating func beginObject() throws(JSONReader.SyntaxError) -> Bool {
        try begin(UInt8(ascii: "{"), closing: UInt8(ascii: "}"), what: "an object")
    }

    /// Reads a member's key and its `:`; the cursor is then at the member's value.
    mutating func key() throws(JSONReader.SyntaxError) -> (name: String, line: Int) {
        try keyOpening()
        let keyLine = line
        let name = try string()
        try keyColon(after: "key \"\(name)\"")
        return (name, keyLine)
    }

    /// Reads a member's key and its `:` as ``key()`` does, without building the key: returns the
    /// range of its bytes in the input. A key with an escape is not read: nil, with the cursor back
    /// at its opening quote, for ``key()``.
    mutating func plainKey() throws(JSONReader.SyntaxError) -> (range: Range<Int>, line: Int)? {
        try keyOpening()
        let keyLine = line
        guard let range = try plainString() else { return nil }
        let buffer = buffer
        try keyColon(after: "key \"\(String(decoding: UnsafeRawBufferPointer(rebasing: buffer[range]), as: UTF8.self))\"")
        return (range, keyLine)
    }

    /// Validates an object key and the `:` after it without building the key.
    mutating func skipKey() throws(JSONReader.SyntaxError) {
        try keyOpening()
        try skipString()
        try keyColon(after: "an object key")
    }

    /// Expects the opening quote of an object key, after any whitespace.
    private mutating func keyOpening() throws(JSONReader.SyntaxError) {
        skipWhitespace()
        guard position < buffer.count else { throw error("unexpected end of input; expected an object key", truncated: true) }
        guard buffer[position] == quote else {
            throw error("unexpected \(describe(buffer[position])); expected an object key in double quotes")
        }
    }

    /// Expects the `:` after a key (named in the message as `key`) and skips the whitespace after it.
    private mutating func keyColon(after key: @autoclosure () -> String) throws(JSONReader.SyntaxError) {
        skipWhitespace()
        guard position < buffer.count else { throw error("unexpected end of input; expected ':'", truncated: true) }
        guard buffer[position] == UInt8(ascii: ":") else {
            throw error("unexpected \(describe(buffer[position])) after \(key()); expected ':'")
        }
        position += 1
        skipWhitespace()
    }

    /// After a member's value: `,` (another member follows, true) or `}` (the object ends, false).
    mutating func nextMember() throws(JSONReader.SyntaxError) -> Bool {
        try next(closing: UInt8(ascii: "}"), what: "a member")
    }

    /// Expects `[`; returns whether the array has elements (`[]` is consumed whole).
    mutating func beginArray() throws(JSONReader.SyntaxError) -> Bool {
        try begin(UInt8(ascii: "["), closing: UInt8(ascii: "]"), what: "an array")
    }

    private mutating func begin(_ opening: UInt8, closing: UInt8, what: String) throws(JSONReader.SyntaxError) -> Bool {
        skipWhitespace()
        guard position < buffer.count else { throw error("unexpected end of input; expected \(what)", truncated: true) }
        guard buffer[position] == opening else {
            throw error("unexpected \(describe(buffer[position])); expected \(what)")
        }
        try enter()
        position += 1
        skipWhitespace()
        if position < buffer.count, buffer[position] == closing {
            position += 1
            depth -= 1
            return false
        }
        return true
    }

    /// After an element: `,` (another follows, true) or `]` (the array ends, false).
    mutating func nextElement() throws(JSONReader.SyntaxError) -> Bool {
        try next(closing: UInt8(ascii: "]"), what: "an array element")
    }

    private mutating func next(closing: UInt8, what: String) throws(JSONReader.SyntaxError) -> Bool {
        skipWhitespace()
        let expected = closing == UInt8(ascii: "}") ? "',' or '}'" : "',' or ']'"
        guard position < buffer.count else { throw error("unexpected end of input; expected \(expected)", truncated: true) }
        if buffer[position] == UInt8(ascii: ",") {
            position += 1
            skipWhitespace()
            return true
        }
        guard buffer[position] == closing else {
            throw error("unexpected \(describe(buffer[position])) after \(what); expected \(expected)")
        }
        position += 1
        depth -= 1
        return false
    }

    /// Whether the value at the cursor is `null` (which is then consumed).
    mutating func takeNull() throws(JSONReader.SyntaxError) -> Bool {
        skipWhitespace()
        guard position < buffer.count, buffer[position] == UInt8(ascii: "n") else { return false }
        try literal("null")
        return true
    }

    /// Checks that nothing but whitespace follows the document's value.
    mutating func end() throws(JSONReader.SyntaxError) {
        skipWhitespace()
        if position != buffer.count {
            throw error("unexpected \(describe(buffer[position])) after the JSON value; expected the end of the document")
        }
    }

    // MARK: - Skipping

    /// Skips the value at the cursor, validating it; returns the byte range it occupied.
    @discardableResult
    ///
    /// With `distinctKeys` off, a key repeated within an object is not looked for, and keys are
    /// validated without being built: for text drreport wrote itself, whose keys were checked when
    /// it was read from the evidence.
    mutating func skipValue(distinctKeys: Bool = true) throws(JSONReader.SyntaxError) -> Range<Int> {
        skipWhitespace()
        let start = position
        guard position < buffer.count else { throw error("unexpected end of input; expected a value", truncated: true) }
        switch buffer[position] {
        case UInt8(ascii: "{") where !distinctKeys:
            if try beginObject() {
                repeat {
                    try skipKey()
                    try skipValue(distinctKeys: false)
                } while try nextMember()
            }
        case UInt8(ascii: "[") where !distinctKeys:
            if try beginArray() {
                repeat { try skipValue(distinctKeys: false) } while try nextElement()
            }
        case UInt8(ascii: "{"):
            if try beginObject() {
                var keys: Set<String> = []
                repeat {
                    skipWhitespace()
                    let keyPosition = position
                    let (name, keyLine) = try key()
                    if !keys.insert(name).inserted {
                        throw location(of: keyPosition, line: keyLine, message: "duplicate key \"\(name)\" in an object")
                    }
                    try skipValue()
                } while try nextMember()
            }
        case UInt8(ascii: "["):
            if try beginArray() {
                repeat { try skipValue() } while try nextElement()
            }
        case quote: try skipString()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try numberRange()
        default:
            throw error("unexpected \(describe(buffer[position])); expected a value (object, array, string, number, true, false or null)")
        }
        return start..<position
    }

    /// Validates a string without building it.
    mutating func skipString() throws(JSONReader.SyntaxError) {
        position += 1
        while position < buffer.count {
            position = plainEnd(from: position)
            guard position < buffer.count else { break }
            let byte = buffer[position]
            if byte == quote {
                position += 1
                return
            }
            if byte == backslash {
                position += 1
                try skipEscape()
            } else if byte < 0x20 {
                throw error("control character \(describe(byte)) in a string; it must be escaped")
            } else if byte < 0x80 {
                position += 1
            } else {
                try skipMultibyte()
            }
        }
        throw error("unexpected end of input in a string", truncated: true)
    }

    private mutating func skipEscape() throws(JSONReader.SyntaxError) {
        guard position < buffer.count else { throw error("unexpected end of input in an escape", truncated: true) }
        switch buffer[position] {
        case quote, backslash, UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"),
            UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 1
        case UInt8(ascii: "u"):
            var scratch: [UInt8] = []
            try escape(into: &scratch)
        default:
            throw error("invalid escape '\\\(Character(Unicode.Scalar(buffer[position])))' in a string")
        }
    }

    /// Validates a number and returns its byte range.
    mutating func numberRange() throws(JSONReader.SyntaxError) -> Range<Int> {
        let start = position
        _ = try number()
        return start..<position
    }

    // MARK: - Canonical form

    /// Writes the canonical form of the value at the cursor: keys in UTF-8 byte order, no whitespace,
    /// only JSON's required escapes, numbers as written. Where `mask` (Terraform's `sensitive_values`
    /// shape: objects by key, arrays by position, `true` for sensitive) marks a value, the marker
    /// string takes its place (a sensitive null stays null).
    mutating func canonical(into out: inout [UInt8], mask: JSONValue? = nil) throws(JSONReader.SyntaxError) {
        skipWhitespace()
        guard position < buffer.count else { throw error("unexpected end of input; expected a value", truncated: true) }
        if mask == .bool(true) {
            if try takeNull() {
                out.append(contentsOf: Self.nullBytes)
            } else {
                try skipValue()
                out.append(contentsOf: Self.markerBytes)
            }
            return
        }
        switch buffer[position] {
        case UInt8(ascii: "{"): try canonicalObject(into: &out, mask: mask?.objectValue)
        case UInt8(ascii: "["): try canonicalArray(into: &out, mask: mask?.arrayValue)
        case quote:
            if let content = try plainString() {
                // No escapes: the bytes as written are the canonical form.
                out.append(quote)
                out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[content]))
                out.append(quote)
            } else {
                var bytes: [UInt8] = []
                try stringBytes(into: &bytes)
                Self.writeCanonical(string: bytes, into: &out)
            }
        case UInt8(ascii: "t"): try literal("true"); out.append(contentsOf: Self.trueBytes)
        case UInt8(ascii: "f"): try literal("false"); out.append(contentsOf: Self.falseBytes)
        case UInt8(ascii: "n"): try literal("null"); out.append(contentsOf: Self.nullBytes)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            let range = try numberRange()
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[range]))
        default:
            throw error("unexpected \(describe(buffer[position])); expected a value (object, array, string, number, true, false or null)")
        }
    }

    static let nullBytes = Array("null".utf8)
    static let trueBytes = Array("true".utf8)
    static let falseBytes = Array("false".utf8)
    static let markerBytes = Array("\"\(TerraformResource.sensitiveMarker)\"".utf8)

    private mutating func canonicalArray(into out: inout [UInt8], mask: [JSONValue]?) throws(JSONReader.SyntaxError) {
        out.append(UInt8(ascii: "["))
        if try beginArray() {
            var index = 0
            repeat {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                try canonical(into: &out, mask: mask.flatMap { index < $0.count ? $0[index] : nil })
                index += 1
            } while try nextElement()
        }
        out.append(UInt8(ascii: "]"))
    }

    /// A member written into `out`: its decoded key (in `keys`), where its `"key":value` starts and
    /// ends in `out` (after the comma), and where the key was for messages.
    private struct Span {
        var key: Range<Int>
        var start: Int
        var end: Int
        var keyPosition: Int
        var keyLine: Int
    }

    /// Scans the string at the cursor (its opening quote). Without escapes its content bytes are its
    /// decoded UTF-8: their range is returned and the cursor is past the string. With an escape, nil,
    /// and the cursor is back at the opening quote. Errors are those of reading the string.
    mutating func plainString() throws(JSONReader.SyntaxError) -> Range<Int>? {
        let open = position
        position += 1
        let start = position
        while position < buffer.count {
            position = plainEnd(from: position)
            guard position < buffer.count else { break }
            let byte = buffer[position]
            if byte == quote {
                position += 1
                return start..<(position - 1)
            }
            if byte == backslash {
                position = open
                return nil
            }
            if byte < 0x20 { throw error("control character \(describe(byte)) in a string; it must be escaped") }
            if byte < 0x80 {
                position += 1
            } else {
                try skipMultibyte()
            }
        }
        throw error("unexpected end of input in a string", truncated: true)
    }

    /// Whether the input bytes in `a` precede those in `b` in byte order.
    private func precedes(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        buffer.compareBytes(a, with: b) < 0
    }

    /// An object written in canonical form. Objects almost always come with plain keys in order
    /// (Terraform writes them sorted), and are then copied through member by member with nothing
    /// kept; at the first escaped or out-of-order key the object is read again from its start and
    /// its members sorted.
    private mutating func canonicalObject(into out: inout [UInt8], mask: JSONObject?) throws(JSONReader.SyntaxError) {
        let start = self
        let open = out.count
        out.append(UInt8(ascii: "{"))
        guard try beginObject() else {
            out.append(UInt8(ascii: "}"))
            return
        }
        var previous: Range<Int>?
        repeat {
            skipWhitespace()
            guard position < buffer.count else { throw error("unexpected end of input; expected an object key", truncated: true) }
            guard buffer[position] == quote else {
                throw error("unexpected \(describe(buffer[position])); expected an object key in double quotes")
            }
            guard let key = try plainString(), previous.map({ precedes($0, key) }) ?? true else {
                self = start
                out.removeSubrange(open...)
                try canonicalObjectSorting(into: &out, mask: mask)
                return
            }
            skipWhitespace()
            guard position < buffer.count else { throw error("unexpected end of input; expected ':'", truncated: true) }
            guard buffer[position] == UInt8(ascii: ":") else {
                throw error("unexpected \(describe(buffer[position])) after a key; expected ':'")
            }
            position += 1
            if previous != nil { out.append(UInt8(ascii: ",")) }
            out.append(quote)
            out.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[key]))
            out.append(quote)
            out.append(UInt8(ascii: ":"))
            let memberMask = mask.flatMap { $0[String(decoding: UnsafeRawBufferPointer(rebasing: buffer[key]), as: UTF8.self)] }
            try canonical(into: &out, mask: memberMask)
            previous = key
        } while try nextMember()
        out.append(UInt8(ascii: "}"))
    }

    /// An object written in canonical form with its members sorted by their decoded keys.
    private mutating func canonicalObjectSorting(into out: inout [UInt8], mask: JSONObject?) throws(JSONReader.SyntaxError) {
        let open = out.count
        out.append(UInt8(ascii: "{"))
        guard try beginObject() else {
            out.append(UInt8(ascii: "}"))
            return
        }
        var keys: [UInt8] = []
        var spans: [Span] = []
        var sorted = true
        repeat {
            skipWhitespace()
            guard position < buffer.count else { throw error("unexpected end of input; expected an object key", truncated: true) }
            guard buffer[position] == quote else {
                throw error("unexpected \(describe(buffer[position])); expected an object key in double quotes")
            }
            if !spans.isEmpty { out.append(UInt8(ascii: ",")) }
            let keyPosition = position
            let keyLine = line
            let keyStart = keys.count
            try stringBytes(into: &keys)
            let keyRange = keyStart..<keys.count
            skipWhitespace()
            guard position < buffer.count else { throw error("unexpected end of input; expected ':'", truncated: true) }
            guard buffer[position] == UInt8(ascii: ":") else {
                throw error("unexpected \(describe(buffer[position])) after a key; expected ':'")
            }
            position += 1
            let start = out.count
            Self.writeCanonical(string: keys[keyRange], into: &out)
            out.append(UInt8(ascii: ":"))
            let memberMask = mask.flatMap { $0[String(decoding: keys[keyRange], as: UTF8.self)] }
            try canonical(into: &out, mask: memberMask)
            if let last = spans.last, sorted, !keys[last.key].lexicographicallyPrecedes(keys[keyRange]) { sorted = false }
            spans.append(Span(key: keyRange, start: start, end: out.count, keyPosition: keyPosition, keyLine: keyLine))
        } while try nextMember()

        if !sorted {
            let order = spans.indices.sorted { left, right in
                let a = keys[spans[left].key]
                let b = keys[spans[right].key]
                return a.lexicographicallyPrecedes(b) || (a.elementsEqual(b) && left < right)
            }
            for index in 1..<order.count where keys[spans[order[index - 1]].key].elementsEqual(keys[spans[order[index]].key]) {
                let duplicate = spans[order[index]]
                throw location(
                    of: duplicate.keyPosition, line: duplicate.keyLine,
                    message: "duplicate key \"\(String(decoding: keys[duplicate.key], as: UTF8.self))\" in an object")
            }
            var rebuilt: [UInt8] = []
            rebuilt.reserveCapacity(out.count - open)
            for (position, index) in order.enumerated() {
                if position > 0 { rebuilt.append(UInt8(ascii: ",")) }
                rebuilt.append(contentsOf: out[spans[index].start..<spans[index].end])
            }
            out.removeSubrange((open + 1)...)
            out.append(contentsOf: rebuilt)
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Decodes the string at the cursor (escapes resolved, UTF-8 validated) onto `bytes`.
    mutating func stringBytes(into bytes: inout [UInt8]) throws(JSONReader.SyntaxError) {
        position += 1
        try decodeString(into: &bytes)
    }

    /// Writes decoded string bytes with the canonical escapes (the same as ``JSONValue/canonicalText``).
    static func writeCanonical(string bytes: some Collection<UInt8>, into out: inout [UInt8]) {
        out.append(quote)
        for byte in bytes {
            switch byte {
            case quote: out.append(backslash); out.append(quote)
            case backslash: out.append(backslash); out.append(backslash)
            case 0x0A: out.append(backslash); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(backslash); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(backslash); out.append(UInt8(ascii: "t"))
            case 0x08: out.append(backslash); out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(backslash); out.append(UInt8(ascii: "f"))
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [backslash, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"), hex[Int(byte >> 4)], hex[Int(byte & 0xF)]])
            default: out.append(byte)
            }
        }
        out.append(quote)
    }
}

extension JSONReader {
    /// The canonical form of a whole document, validated as ``read(_:firstLine:)`` would.
    public static func canonicalText(_ bytes: some ContiguousBytes) throws(SyntaxError) -> String {
        let outcome: Result<[UInt8], SyntaxError> = bytes.withUnsafeBytes { buffer in
            var cursor = JSONCursor(buffer: buffer, line: 1)
            var out: [UInt8] = []
            do throws(SyntaxError) {
                cursor.skipWhitespace()
                if cursor.position == buffer.count { throw cursor.error("empty document; expected a JSON value", truncated: true) }
                try cursor.canonical(into: &out)
                try cursor.end()
                return .success(out)
            } catch {
                return .failure(error)
            }
        }
        return String(decoding: try outcome.get(), as: UTF8.self)
    }
}

extension JSONReader {
    /// The members of a JSON object, each key with the byte range of its value, in the order
    /// written; `nil` when the bytes are not an object. Values are validated and skipped, not built,
    /// so two objects can be compared member by member and only the members that differ read as values.
    /// Keys repeated inside the values are not looked for: the objects are resources' values as the
    /// state parser wrote them, having refused repeated keys in the evidence.
    public static func memberRanges(of buffer: UnsafeRawBufferPointer) throws(SyntaxError) -> [(key: String, range: Range<Int>)]? {
        var cursor = JSONCursor(buffer: buffer, line: 1)
        cursor.skipWhitespace()
        guard cursor.position < buffer.count, buffer[cursor.position] == UInt8(ascii: "{") else { return nil }
        var members: [(key: String, range: Range<Int>)] = []
        if try cursor.beginObject() {
            repeat {
                let (key, _) = try cursor.key()
                members.append((key, try cursor.skipValue(distinctKeys: false)))
            } while try cursor.nextMember()
        }
        try cursor.end()
        return members
    }
}

extension JSONReader {
    /// The members of an object in drreport's canonical text (no whitespace, as the state parser writes
    /// a resource's values), each as the byte ranges of its key (between the quotes) and its value;
    /// `nil` when the bytes do not have that shape. Nothing is built nor checked beyond the shape:
    /// values are found by their brackets and quotes, so two resources' values can be paired member
    /// by member at the speed of reading them. Callers compare bytes, and read as JSON only the
    /// values that differ; on `nil` (also for a key with an escape) they use the validating
    /// ``memberRanges(of:)``.
    public static func canonicalMemberRanges(of buffer: UnsafeRawBufferPointer) -> [(key: Range<Int>, value: Range<Int>)]? {
        let shape = CanonicalShape(buffer: buffer)
        let count = buffer.count
        guard count >= 2, buffer[0] == UInt8(ascii: "{") else { return nil }
        if buffer[1] == UInt8(ascii: "}") { return count == 2 ? [] : nil }
        var members: [(key: Range<Int>, value: Range<Int>)] = []
        // Room for a resource's usual few dozen attributes at once, not grown member by member.
        members.reserveCapacity(32)
        var index = 1
        while true {
            guard index < count, buffer[index] == quote, let keyEnd = shape.stringEnd(index),
                keyEnd + 1 < count, buffer[keyEnd + 1] == UInt8(ascii: ":"), let end = shape.valueEnd(keyEnd + 2), end < count
            else { return nil }
            // A key with an escape is not its bytes: left to the validating reader.
            if buffer[index + 1..<keyEnd].contains(UInt8(ascii: "\\")) { return nil }
            members.append((index + 1..<keyEnd, keyEnd + 2..<end))
            index = end + 1
            switch buffer[end] {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "}"): return index == count ? members : nil
            default: return nil
            }
        }
    }

    /// The elements of an array in drreport's canonical text, as byte ranges; `nil` when the bytes do
    /// not have that shape. Found as ``canonicalMemberRanges(of:)`` finds members: by brackets and
    /// quotes, nothing built nor checked beyond the shape.
    public static func canonicalElementRanges(of buffer: UnsafeRawBufferPointer) -> [Range<Int>]? {
        let shape = CanonicalShape(buffer: buffer)
        let count = buffer.count
        guard count >= 2, buffer[0] == UInt8(ascii: "[") else { return nil }
        if buffer[1] == UInt8(ascii: "]") { return count == 2 ? [] : nil }
        var elements: [Range<Int>] = []
        var index = 1
        while true {
            guard let end = shape.valueEnd(index), end < count else { return nil }
            elements.append(index..<end)
            index = end + 1
            switch buffer[end] {
            case UInt8(ascii: ","): continue
            case UInt8(ascii: "]"): return index == count ? elements : nil
            default: return nil
            }
        }
    }
}

/// Where strings and values end in canonical JSON text, found by brackets and quotes alone.
private struct CanonicalShape {
    let buffer: UnsafeRawBufferPointer

    /// The position of the quote that closes the string opening at `start`.
    func stringEnd(_ start: Int) -> Int? {
        var index = start + 1
        while index < buffer.count {
            switch buffer[index] {
            case quote: return index
            case UInt8(ascii: "\\"): index += 2
            default: index += 1
            }
        }
        return nil
    }

    /// The position after the value starting at `start`.
    func valueEnd(_ start: Int) -> Int? {
        let count = buffer.count
        guard start < count else { return nil }
        switch buffer[start] {
        case quote:
            return stringEnd(start).map { $0 + 1 }
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            var depth = 0
            var index = start
            while index < count {
                switch buffer[index] {
                case quote:
                    guard let end = stringEnd(index) else { return nil }
                    index = end
                case UInt8(ascii: "{"), UInt8(ascii: "["):
                    depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    depth -= 1
                    if depth == 0 { return index + 1 }
                case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"):
                    return nil
                default:
                    break
                }
                index += 1
            }
            return nil
        default:
            // A number or a literal runs to the next separator; whitespace is not canonical.
            var index = start
            while index < count {
                switch buffer[index] {
                case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"): return index > start ? index : nil
                case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): return nil
                default: index += 1
                }
            }
            return nil
        }
    }
}
