import Testing

@testable import Evidence

@Suite("Decimal digits written into bytes")
struct DecimalDigitsTests {
    static let values: [Int64] = [
        0, 1, 9, 10, 11, 99, 100, 1_000_000, 2_147_483_648, -1, -9, -10, -123_456_789, Int64.max, Int64.min,
    ]

    @Test("give what String(value) gives, after what the bytes held", arguments: values)
    func matchesStringConversion(value: Int64) {
        var bytes = Array("prefix:".utf8)
        bytes.appendDecimal(value)
        #expect(String(decoding: bytes, as: UTF8.self) == "prefix:" + String(value))
    }

    @Test("are zero-padded to the width, the sign before the zeros, and never cut to it")
    func padsToWidth() {
        func written(_ value: Int64, width: Int) -> String {
            var bytes: [UInt8] = []
            bytes.appendDecimal(value, width: width)
            return String(decoding: bytes, as: UTF8.self)
        }
        #expect(written(7, width: 4) == "0007")
        #expect(written(0, width: 2) == "00")
        #expect(written(2026, width: 4) == "2026")
        #expect(written(123_456, width: 4) == "123456")
        #expect(written(-5, width: 3) == "-005")
    }
}
