import Testing

@testable import Evidence

@Suite("RFC 3339 and ServiceNow timestamps")
struct TimestampTests {
    @Test(arguments: [
        ("2026-09-12T08:03:11+02:00", Int64(1_789_192_991) * 1_000_000_000, Int32(7200)),
        ("2026-09-12T06:03:11Z", Int64(1_789_192_991) * 1_000_000_000, Int32(0)),
        ("2026-09-12T06:03:11.5Z", Int64(1_789_192_991) * 1_000_000_000 + 500_000_000, Int32(0)),
        ("2026-09-12T06:03:11.123456789Z", Int64(1_789_192_991) * 1_000_000_000 + 123_456_789, Int32(0)),
        ("2023-01-20T12:12:25.477403-05:00", Int64(1_674_234_745) * 1_000_000_000 + 477_403_000, Int32(-18000)),
        ("1970-01-01T00:00:00Z", Int64(0), Int32(0)),
        ("1969-12-31T23:59:59.5Z", Int64(-500_000_000), Int32(0)),
        ("2024-02-29T23:59:59+00:00", Int64(1_709_251_199) * 1_000_000_000, Int32(0)),
    ])
    func parsesExactly(text: String, nanos: Int64, offset: Int32) throws {
        let instant = try Timestamp.parseRFC3339(text).get()
        #expect(instant.nanosecondsSinceEpoch == nanos)
        #expect(instant.utcOffsetSeconds == offset)
    }

    @Test(arguments: ["2026-09-12T08:03:11", "2026-09-12T08:03:11.250", "2026-09-12 08:03:11"])
    func naiveIsRefused(text: String) {
        #expect(throws: Timestamp.Problem.naive) { try Timestamp.parseRFC3339(text).get() }
    }

    @Test(arguments: [
        "2026-13-01T00:00:00Z", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-09-12T24:00:00Z",
        "2026-09-12T08:03:11.1234567890Z", "2026-09-12", "12/09/2026 08:03", "2026-09-12T08:03:11+2:00", "",
        "2026-09-12T08:03:11.Z",
    ])
    func malformedIsRefused(text: String) {
        #expect(throws: (any Error).self) { try Timestamp.parseRFC3339(text).get() }
    }

    @Test func serviceNowIsUTC() throws {
        let instant = try Timestamp.parseServiceNow("2022-01-06 12:12:43").get()
        #expect(instant.rfc3339() == "2022-01-06T12:12:43Z")
        #expect(throws: (any Error).self) { try Timestamp.parseServiceNow("2022-01-06T12:12:43Z").get() }
    }

    @Test func roundTripKeepsOffsetAndFraction() throws {
        for text in ["2026-09-12T08:03:11+02:00", "2026-10-25T02:30:00.25-03:30", "2026-09-12T06:03:11.000000001Z"] {
            #expect(try Timestamp.parseRFC3339(text).get().rfc3339() == text)
        }
    }

    @Test func epochMillisecondsAsDeltaWritesThem() throws {
        let instant = try Timestamp.fromEpochMilliseconds(1_789_192_711_000).get()
        #expect(instant.rfc3339() == "2026-09-12T05:58:31Z")
        #expect(throws: (any Error).self) { try Timestamp.fromEpochMilliseconds(1_789_192_711_000_000).get() }
    }
}
