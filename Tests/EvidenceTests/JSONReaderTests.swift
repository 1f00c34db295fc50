import Foundation
import PropertyBased
import Testing

@testable import Evidence

/// drreport's own JSON reader against Foundation as an oracle (random documents serialised by
/// `JSONSerialization` read back to the same structure), and JSONTestSuite-style edge cases.
@Suite("JSONReader")
struct JSONReaderTests {
    // MARK: Property: JSONSerialization output reads back to the same value

    /// A JSON value generated for the property; objects have unique keys.
    indirect enum Value: Sendable, CustomStringConvertible {
        case null
        case bool(Bool)
        case integer(Int64)
        case double(Double)
        case string(String)
        case array([Value])
        case object([(key: String, value: Value)])

        var foundation: Any {
            switch self {
            case .null: NSNull()
            case .bool(let flag): flag
            case .integer(let number): number
            case .double(let number): number
            case .string(let text): text
            case .array(let elements): elements.map(\.foundation)
            case .object(let members): Dictionary(uniqueKeysWithValues: members.map { ($0.key, $0.value.foundation) })
            }
        }

        var description: String {
            switch self {
            case .null: "null"
            case .bool(let flag): "\(flag)"
            case .integer(let number): "\(number)"
            case .double(let number): "\(number)d"
            case .string(let text): text.debugDescription
            case .array(let elements): "[" + elements.map(\.description).joined(separator: ",") + "]"
            case .object(let members):
                "{" + members.map { "\($0.key.debugDescription):\($0.value)" }.joined(separator: ",") + "}"
            }
        }

        static func random(depth: Int, using rng: inout any SeededRandomNumberGenerator) -> Value {
            let choice = Int.random(in: 0..<(depth >= 4 ? 6 : 9), using: &rng)
            switch choice {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &rng))
            case 2: return .integer(randomInteger(using: &rng))
            case 3: return .double(randomDouble(using: &rng))
            case 4, 5: return .string(randomString(using: &rng))
            case 6:
                return .array(
                    (0..<Int.random(in: 0...5, using: &rng)).map { _ in random(depth: depth + 1, using: &rng) })
            default:
                var keys: Set<String> = []
                var members: [(key: String, value: Value)] = []
                for _ in 0..<Int.random(in: 0...5, using: &rng) {
                    let key = randomString(using: &rng)
                    if keys.insert(key).inserted { members.append((key, random(depth: depth + 1, using: &rng))) }
                }
                return .object(members)
            }
        }

        static func randomInteger(using rng: inout any SeededRandomNumberGenerator) -> Int64 {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: return Int64.random(in: -10...10, using: &rng)
            case 1: return [Int64.min, Int64.max, 0, -1, 1 << 53, -(1 << 53) - 1].randomElement(using: &rng) ?? 0
            default: return Int64.random(in: .min ... .max, using: &rng)
            }
        }

        static func randomDouble(using rng: inout any SeededRandomNumberGenerator) -> Double {
            switch Int.random(in: 0..<4, using: &rng) {
            case 0:
                return [
                    0.1, -0.5, 1e-300, Double.leastNonzeroMagnitude, Double.greatestFiniteMagnitude, 2.5e-8, 123456.789,
                    1e21,
                ].randomElement(using: &rng) ?? 0
            case 1: return Double.random(in: -1000...1000, using: &rng)
            default:
                // Any finite bit pattern.
                while true {
                    let double = Double(bitPattern: UInt64.random(in: .min ... .max, using: &rng))
                    if double.isFinite { return double }
                }
            }
        }

        static func randomString(using rng: inout any SeededRandomNumberGenerator) -> String {
            let pools: [ClosedRange<UInt32>] = [
                0x20...0x7E, 0x20...0x7E, 0x00...0x1F, 0x22...0x22, 0x5C...0x5C, 0x2F...0x2F, 0xA0...0x17F,
                0x4E00...0x4E40,
                0xE000...0xE010, 0xFFF0...0xFFFD, 0x1F600...0x1F64F, 0x10000...0x10FFF, 0x2028...0x2029,
            ]
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0...12, using: &rng) {
                let pool = pools[Int.random(in: 0..<pools.count, using: &rng)]
                if let scalar = Unicode.Scalar(UInt32.random(in: pool, using: &rng)) { scalars.append(scalar) }
            }
            return String(scalars)
        }
    }

    /// Whether `read` is the same structure as `expected`: numbers compared numerically, strings by
    /// Unicode scalars (not canonical equivalence), objects by key set.
    static func matches(_ read: JSONValue, _ expected: Value) -> Bool {
        switch (read, expected) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let text), .integer(let number)):
            if let integer = Int64(text) { return integer == number }
            return Double(text) == Double(number)
        case (.number(let text), .double(let number)): return Double(text) == number
        case (.string(let a), .string(let b)): return Array(a.unicodeScalars) == Array(b.unicodeScalars)
        case (.array(let a), .array(let b)): return a.count == b.count && zip(a, b).allSatisfy { matches($0, $1) }
        case (.object(let a), .object(let b)):
            guard a.count == b.count else { return false }
            return b.allSatisfy { member in
                a.members.contains {
                    Array($0.key.unicodeScalars) == Array(member.key.unicodeScalars) && matches($0.value, member.value)
                }
            }
        default: return false
        }
    }

    static let values = Generator<Value, Shrink.None<Value>>(run: { rng in Value.random(depth: 0, using: &rng) })

    @Test("a value serialised by JSONSerialization reads back to the same structure")
    func foundationRoundTrip() async {
        await propertyCheck(count: 400, input: Self.values, Gen.int(in: 0...3)) { value, style in
            let options: JSONSerialization.WritingOptions = [
                [.fragmentsAllowed], [.fragmentsAllowed, .prettyPrinted], [.fragmentsAllowed, .sortedKeys],
                [.fragmentsAllowed, .withoutEscapingSlashes, .prettyPrinted],
            ][style]
            guard let data = try? JSONSerialization.data(withJSONObject: value.foundation, options: options) else {
                Issue.record("JSONSerialization could not write \(value)")
                return
            }
            do {
                let read = try JSONReader.read(data)
                #expect(
                    Self.matches(read, value), "\(String(decoding: data, as: UTF8.self)) read as \(read.canonicalText)")
            } catch {
                Issue.record(
                    "JSONReader refused Foundation's output \(String(decoding: data, as: UTF8.self)): \(error)")
            }
        }
    }

    @Test("a value read by JSONReader matches Foundation's own reading of the same bytes")
    func agreesWithFoundationParser() async {
        await propertyCheck(count: 200, input: Self.values) { value in
            guard
                let data = try? JSONSerialization.data(withJSONObject: value.foundation, options: [.fragmentsAllowed]),
                let foundation = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
            else {
                Issue.record("Foundation cannot round-trip \(value)")
                return
            }
            let read = try? JSONReader.read(data)
            #expect(
                read.map { Self.sameAsFoundation($0, foundation) } == true, "\(String(decoding: data, as: UTF8.self))")
        }
    }

    static func sameAsFoundation(_ read: JSONValue, _ object: Any) -> Bool {
        switch read {
        case .null: return object is NSNull
        case .bool(let flag):
            if let number = object as? NSNumber {
                return number.boolValue == flag && (number == true || number == false)
            }
            return (object as? Bool) == flag
        case .number(let text):
            guard let number = object as? NSNumber, let double = Double(text) else { return false }
            if let integer = Int64(text), number.int64Value == integer { return true }
            // Foundation reads some numbers as NSDecimalNumber, whose doubleValue is not correctly rounded:
            // equal as decimals, or within a few ulps, is the same number.
            if number is NSDecimalNumber, let decimal = Decimal(string: text), decimal == number.decimalValue {
                return true
            }
            return number.doubleValue == double || abs(number.doubleValue - double) <= 4 * double.ulp
        case .string(let text):
            return (object as? String).map { Array($0.unicodeScalars) == Array(text.unicodeScalars) } ?? false
        case .array(let elements):
            guard let array = object as? [Any], array.count == elements.count else { return false }
            return zip(elements, array).allSatisfy { sameAsFoundation($0, $1) }
        case .object(let members):
            guard let dictionary = object as? [String: Any], dictionary.count == members.count else { return false }
            return members.members.allSatisfy { member in
                dictionary[member.key].map { sameAsFoundation(member.value, $0) } ?? false
            }
        }
    }

    @Test("mangled documents never crash: they read, or fail at a real line and column")
    func mangledNeverCrash() async {
        let mangle = Gen.int(in: 0...10_000).array(of: 1...6)
        await propertyCheck(count: 300, input: Self.values, mangle) { value, cuts in
            guard
                let data = try? JSONSerialization.data(
                    withJSONObject: value.foundation, options: [.fragmentsAllowed, .prettyPrinted])
            else { return }
            var bytes = [UInt8](data)
            for cut in cuts where !bytes.isEmpty {
                let index = cut % bytes.count
                switch cut % 4 {
                case 0: bytes.remove(at: index)
                case 1: bytes[index] = UInt8(truncatingIfNeeded: cut / 4)
                case 2: bytes.insert(Array("{[\"\\,:]}0e-".utf8)[cut % 11], at: index)
                default: bytes = Array(bytes.prefix(index))
                }
            }
            do throws(JSONReader.SyntaxError) {
                _ = try JSONReader.read(bytes)
            } catch {
                let lines = bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).count
                #expect(error.line >= 1 && error.line <= lines, "line \(error.line) of \(lines)")
                #expect(error.column >= 1 && error.column <= bytes.count + 1)
                #expect(!error.message.isEmpty)
            }
        }
    }

    // MARK: Edge cases

    struct Invalid: Sendable, CustomTestStringConvertible {
        var name: String
        var bytes: [UInt8]
        var line: Int
        var column: Int
        var truncated = false
        /// The column when the case is the value of a member followed by `}` (where that changes it).
        var embeddedColumn: Int
        var testDescription: String { name }

        init(
            _ name: String, _ text: String, line: Int = 1, column: Int, truncated: Bool = false,
            embeddedColumn: Int? = nil
        ) {
            self.init(
                name, Array(text.utf8), line: line, column: column, truncated: truncated, embeddedColumn: embeddedColumn
            )
        }

        init(
            _ name: String, _ bytes: [UInt8], line: Int = 1, column: Int, truncated: Bool = false,
            embeddedColumn: Int? = nil
        ) {
            self.name = name
            self.bytes = bytes
            self.line = line
            self.column = column
            self.truncated = truncated
            self.embeddedColumn = embeddedColumn ?? column
        }
    }

    static let invalid: [Invalid] = [
        Invalid("trailing comma in an array", "[1,]", column: 4),
        Invalid("trailing comma in an object", #"{"a":1,}"#, column: 8),
        Invalid("leading zero", "01", column: 2),
        Invalid("leading zero after minus", "[-01]", column: 4),
        Invalid("fraction without digits", "1.", column: 3, truncated: true),
        Invalid("fraction without digits in an array", "[1.]", column: 4),
        Invalid("lone minus", "-", column: 2, truncated: true),
        Invalid("plus sign", "[+1]", column: 2),
        Invalid("leading dot", "[.5]", column: 2),
        Invalid("hex number", "[0x10]", column: 3),
        Invalid("exponent without digits", "[1e]", column: 4),
        Invalid("exponent sign without digits", "[1.0e+]", column: 7),
        Invalid("raw NUL in a string", [0x22, 0x00, 0x22], column: 2),
        Invalid("raw tab in a string", [0x5B, 0x22, 0x61, 0x09, 0x62, 0x22, 0x5D], column: 4),
        Invalid("raw newline in a string", "[\"a\nb\"]", column: 4),
        Invalid("NaN", "NaN", column: 1),
        Invalid("Infinity", "[Infinity]", column: 2),
        Invalid("-Infinity", "[-Infinity]", column: 3),
        Invalid("text after the value", "[1] x", column: 5),
        Invalid("two values", "[1]]", column: 4),
        Invalid("line comment", "// c\n[1]", column: 1),
        Invalid("block comment", "[1 /* c */]", column: 4),
        Invalid("single quotes", "{'a':1}", column: 2),
        Invalid("missing colon", #"{"a" 1}"#, column: 6),
        Invalid("missing comma", #"{"a":1 "b":2}"#, column: 8),
        Invalid("unquoted key", "{a:1}", column: 2),
        Invalid("truncated literal", "[tru]", column: 5),
        Invalid("capitalised literal", "True", column: 1),
        Invalid("invalid escape", #"["\x"]"#, column: 4),
        Invalid("short unicode escape", #"["\u12"]"#, column: 7),
        Invalid("unterminated string", #""abc"#, column: 5, truncated: true, embeddedColumn: 6),
        Invalid("unterminated array", "[1, 2", column: 6, truncated: true),
        Invalid("empty document", "", column: 1, truncated: true),
        Invalid("only whitespace", " \n\t ", line: 2, column: 3, truncated: true),
        Invalid("two byte-order marks", [0xEF, 0xBB, 0xBF, 0xEF, 0xBB, 0xBF, 0x5B, 0x5D], column: 1),
        Invalid("error on a later line", "{\n  \"a\": 1,\n  \"b\": [1, 2,,]\n}", line: 3, column: 14),
        Invalid("invalid UTF-8 byte", [0x22, 0x61, 0xFF, 0x22], column: 3),
        Invalid("overlong UTF-8", [0x22, 0xC0, 0xAF, 0x22], column: 2),
        Invalid("UTF-8 encoded surrogate", [0x22, 0xED, 0xA0, 0x80, 0x22], column: 2),
        Invalid("truncated UTF-8 sequence", [0x22, 0xE2, 0x82], column: 2, truncated: true),
        Invalid("lone high surrogate escape", #"["\uD800"]"#, column: 9),
        Invalid("lone low surrogate escape", #"["\uDC00"]"#, column: 9),
        Invalid("high surrogate then a letter", #"["\uD800\u0041"]"#, column: 15),
        Invalid(
            "nesting past the limit", String(repeating: "[", count: 600) + String(repeating: "]", count: 600),
            column: 513, embeddedColumn: 512),
    ]

    @Test("invalid JSON is refused at its line and column", arguments: invalid)
    func refused(_ case_: Invalid) {
        do {
            let value = try JSONReader.read(case_.bytes)
            Issue.record("accepted as \(value.canonicalText)")
        } catch {
            #expect(error.line == case_.line, "\(error)")
            #expect(error.column == case_.column, "\(error)")
            #expect(error.truncated == case_.truncated, "\(error)")
            #expect(!error.message.isEmpty)
        }
    }

    /// The cases that are text (UTF-8 without NUL): the others are judged binary before JSON is read.
    static let textual = invalid.filter { !$0.bytes.contains(0) && String(validating: $0.bytes, as: UTF8.self) != nil }

    @Test("invalid JSON inside evidence is invalidJSON at the same place", arguments: textual)
    func refusedAsEvidence(_ case_: Invalid) {
        // As the value of a member of an object, starting at line 2, column 1.
        let bytes = Data(Array("{\"check_run\":\n".utf8) + case_.bytes + Array("}".utf8))
        Fixtures.parse(bytes, name: "check.json")
            .expectError(
                ExpectedError(.invalidJSON, line: case_.line + 1, column: case_.embeddedColumn), source: "check.json")
        if let error = Fixtures.parse(bytes, name: "check.json").error {
            #expect(
                error.message.hasPrefix("invalid JSON: ") || error.message.hasPrefix("truncated JSON: "), "\(error)")
        }
    }

    struct Valid: Sendable, CustomTestStringConvertible {
        var text: String
        var canonical: String
        var testDescription: String { text.debugDescription }
    }

    static let valid: [Valid] = [
        Valid(text: "[]", canonical: "[]"),
        Valid(text: " {} ", canonical: "{}"),
        Valid(text: "\u{FEFF}[1]", canonical: "[1]"),
        Valid(text: #""\u0000""#, canonical: #""\u0000""#),
        Valid(text: #""\/\b\f\n\r\t\"\\""#, canonical: #""/\b\f\n\r\t\"\\""#),
        Valid(text: #""\uD834\uDD1E""#, canonical: "\"\u{1D11E}\""),
        Valid(text: #""\u00e9""#, canonical: "\"é\""),
        Valid(text: "-0", canonical: "-0"),
        Valid(text: "1E400", canonical: "1E400"),
        Valid(text: "[1e-999, 0.0, -1.5e+3]", canonical: "[1e-999,0.0,-1.5e+3]"),
        Valid(text: #"{"b":1,"a":{"c":[true,false,null]}}"#, canonical: #"{"a":{"c":[true,false,null]},"b":1}"#),
        Valid(text: "[\r\n1\t,\n2 ]", canonical: "[1,2]"),
        Valid(text: #"{"":0,"a":1}"#, canonical: #"{"":0,"a":1}"#),
        Valid(text: #"{"é":1,"e":2,"z":3}"#, canonical: #"{"e":2,"z":3,"é":1}"#),
        Valid(
            text: String(repeating: "[", count: 512) + String(repeating: "]", count: 512),
            canonical: String(repeating: "[", count: 512) + String(repeating: "]", count: 512)),
    ]

    @Test("valid edge cases are read exactly", arguments: valid)
    func accepted(_ case_: Valid) throws {
        let value = try JSONReader.read(case_.text)
        #expect(value.canonicalText == case_.canonical)
    }

    @Test("the streamed canonical form equals the canonical text of the value read", arguments: valid)
    func streamedCanonical(_ case_: Valid) throws {
        #expect(try JSONReader.canonicalText(Data(case_.text.utf8)) == case_.canonical)
    }

    @Test("the streamed canonical form of random documents equals the value's canonical text")
    func streamedCanonicalProperty() async {
        await propertyCheck(count: 300, input: Self.values, Gen.int(in: 0...1)) { value, style in
            let options: JSONSerialization.WritingOptions = style == 0 ? [.fragmentsAllowed, .prettyPrinted] : [.fragmentsAllowed]
            guard let data = try? JSONSerialization.data(withJSONObject: value.foundation, options: options) else { return }
            do {
                #expect(try JSONReader.canonicalText(data) == JSONReader.read(data).canonicalText)
            } catch {
                Issue.record("refused \(String(decoding: data, as: UTF8.self)): \(error)")
            }
        }
    }

    @Test("the streamed canonical form refuses invalid JSON at the reader's line and column", arguments: invalid)
    func streamedCanonicalRefuses(_ case_: Invalid) {
        do {
            let text = try JSONReader.canonicalText(case_.bytes)
            Issue.record("accepted as \(text)")
        } catch {
            #expect(error.line == case_.line, "\(error)")
            #expect(error.column == case_.column, "\(error)")
            #expect(error.truncated == case_.truncated, "\(error)")
        }
    }

    @Test("a duplicate key is refused by the streamed canonical form where the reader refuses it")
    func streamedCanonicalDuplicate() throws {
        for text in [#"{"b":1,"a":2,"b":3}"#, #"{"a":1,"a":2}"#, "{\"x\":{\"z\":1,\n\"y\":2,\"z\":3}}"] {
            var reader: JSONReader.SyntaxError?
            var streamed: JSONReader.SyntaxError?
            do { _ = try JSONReader.read(text) } catch { reader = error }
            do { _ = try JSONReader.canonicalText(Data(text.utf8)) } catch { streamed = error }
            let expected = try #require(reader, "the reader accepted \(text)")
            let actual = try #require(streamed, "the streamed form accepted \(text)")
            #expect(actual.line == expected.line && actual.column == expected.column, "\(text): \(actual) vs \(expected)")
            #expect(actual.message.contains("duplicate key"))
        }
    }

    @Test("member ranges refuse invalid values where the reader does, at the same line and column", arguments: textual)
    func memberRangesRefuse(_ case_: Invalid) throws {
        let text = Data(#"{"k":"#.utf8) + case_.bytes + Data("}".utf8)
        var reader: JSONReader.SyntaxError?
        do { _ = try JSONReader.read(text) } catch { reader = error }
        let expected = try #require(reader, "the reader accepted the value wrapped in an object")
        let outcome = text.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            Result { () throws(JSONReader.SyntaxError) in try JSONReader.memberRanges(of: bytes) }
        }
        switch outcome {
        case .success(let members):
            Issue.record("accepted as \(members.map { $0.map(\.key) } ?? [])")
        case .failure(let error):
            #expect(error.line == expected.line && error.column == expected.column, "\(error) vs \(expected)")
        }
    }

    /// Member ranges are taken of text drreport wrote, whose keys were checked when it was read: a key
    /// repeated inside a value is not looked for, and each value's range is exact.
    @Test("member ranges skip values without building their keys")
    func memberRangesOfNestedObjects() throws {
        let text = Data(#"{"a":{"x":1,"x":[2,{"y":"\u0041"}]},"b":[],"c":"\"}"}"#.utf8)
        let members = try text.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in try JSONReader.memberRanges(of: bytes) }
        let found = try #require(members)
        #expect(found.map(\.key) == ["a", "b", "c"])
        #expect(found.map { String(decoding: text[$0.range], as: UTF8.self) } == [#"{"x":1,"x":[2,{"y":"\u0041"}]}"#, "[]", #""\"}""#])
    }

    @Test("canonical member ranges are the validating reader's on canonical text, and nothing on other shapes")
    func canonicalMemberRanges() throws {
        let canonical = [
            #"{"a":{"x":1,"y":[2,{"y":"\u0041}]"}]},"b":[],"c":"\"}","d":-1.5e3,"e":null,"é":true}"#,
            #"{"k":"[{\\"}"#, "{}", #"{"only":{}}"#,
        ]
        for text in canonical {
            let data = Data(text.utf8)
            let (fast, checked) = try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
                (JSONReader.canonicalMemberRanges(of: bytes), try JSONReader.memberRanges(of: bytes))
            }
            let found = try #require(fast, "refused \(text)")
            let expected = try #require(checked)
            #expect(found.map { String(decoding: data[$0.key], as: UTF8.self) } == expected.map(\.key), "\(text)")
            #expect(found.map(\.value) == expected.map(\.range), "\(text)")
        }
        // Whitespace, an escaped key, a truncated or trailing text, not an object: left to the reader.
        for text in [#"{ "a":1}"#, #"{"a": 1}"#, #"{"a":[1, 2]}"#, #"{"\u0061":1}"#, #"{"a":1"#, #"{"a":"x}"#, #"{"a":1}x"#, "[1]", "", "{", #"{"a":}"#, #"{"a"1}"#] {
            let fast = Data(text.utf8).withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in JSONReader.canonicalMemberRanges(of: bytes) }
            #expect(fast == nil, "accepted \(text)")
        }
    }

    @Test("canonical element ranges are each element's text, and nothing on other shapes")
    func canonicalElementRanges() throws {
        let cases: [(String, [String])] = [
            (#"[{"x":1,"y":[2,"]"]},[],"\"]",-1.5e3,null,true]"#, [#"{"x":1,"y":[2,"]"]}"#, "[]", #""\"]""#, "-1.5e3", "null", "true"]),
            ("[]", []), ("[[]]", ["[]"]), (#"["a"]"#, [#""a""#]),
        ]
        for (text, elements) in cases {
            let data = Data(text.utf8)
            let found = try #require(data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in JSONReader.canonicalElementRanges(of: bytes) }, "refused \(text)")
            #expect(found.map { String(decoding: data[$0], as: UTF8.self) } == elements, "\(text)")
        }
        for text in ["[1, 2]", "[ 1]", "[1", "[1]x", "{}", "", "[", "[,]", #"["a]"#] {
            let fast = Data(text.utf8).withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in JSONReader.canonicalElementRanges(of: bytes) }
            #expect(fast == nil, "accepted \(text)")
        }
    }

    @Test("firstLine numbers a JSON Lines line")
    func firstLine() {
        do {
            let value = try JSONReader.read("{\"a\"\n:1]", firstLine: 40)
            Issue.record("accepted as \(value.canonicalText)")
        } catch {
            #expect(error.line == 41)
            #expect(error.column == 3)
        }
    }
}
