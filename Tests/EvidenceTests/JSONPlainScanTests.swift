import Testing

@testable import Evidence

/// The cursor finds where a string stops being plain ASCII eight bytes at a time; a byte at a time is
/// the definition it must agree with.
@Suite("Scanning a string's plain bytes")
struct JSONPlainScanTests {
    /// The definition: the first byte at or after `start` that is a quote, a backslash, a control
    /// character or not ASCII.
    static func expectedEnd(_ bytes: [UInt8], from start: Int) -> Int {
        bytes[start...].firstIndex { $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 < 0x20 || $0 >= 0x80 }
            ?? bytes.count
    }

    static func scanned(_ bytes: [UInt8], from start: Int) -> Int {
        bytes.withUnsafeBytes { JSONCursor(buffer: $0, line: 1).plainEnd(from: start) }
    }

    @Test("agrees with a byte at a time for every byte value at every place in a word")
    func everyByteEverywhere() {
        for special in 0...255 {
            for place in 0..<20 {
                var bytes = Array(repeating: UInt8(ascii: "a"), count: 20)
                bytes[place] = UInt8(special)
                for start in 0...place {
                    #expect(Self.scanned(bytes, from: start) == Self.expectedEnd(bytes, from: start), "byte \(special) at \(place) from \(start)")
                }
            }
        }
    }

    @Test("agrees with a byte at a time on random text with quotes, escapes, controls and multi-byte characters")
    func randomText() {
        // A fixed xorshift sequence: the same cases on every run.
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 {
            state ^= state << 13
            state ^= state >> 7
            state ^= state << 17
            return state
        }
        let alphabet: [UInt8] = [0x61, 0x20, 0x21, 0x22, 0x5C, 0x0A, 0x1F, 0x00, 0x7F, 0x80, 0xC3, 0xA9, 0xE2, 0xFF, 0x1F, 0x23, 0x5B, 0x5D]
        for _ in 0..<5_000 {
            let count = Int(next() % 48)
            let bytes = (0..<count).map { _ in
                // Mostly plain letters, as in a state, with the awkward bytes among them.
                next() % 4 == 0 ? alphabet[Int(next() % UInt64(alphabet.count))] : UInt8(ascii: "a") + UInt8(next() % 26)
            }
            for start in stride(from: 0, through: count, by: 3) {
                #expect(Self.scanned(bytes, from: start) == Self.expectedEnd(bytes, from: start))
            }
        }
    }
}
