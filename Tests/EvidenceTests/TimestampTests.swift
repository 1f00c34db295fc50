import Foundation
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

    /// The text agrees with Foundation's Gregorian calendar on instants across four centuries (before
    /// and after the epoch, with fractions and offsets), and with the fraction length asked for.
    @Test func writesWhatTheCalendarReads() {
        var calendar = Calendar(identifier: .gregorian)
        var generator = SystemRandomNumberGenerator()
        for step in 0..<2_000 {
            let seconds = Int64.random(in: -6_000_000_000...9_000_000_000, using: &generator)
            let nanos = step % 3 == 0 ? 0 : Int64.random(in: 0..<1_000_000_000, using: &generator)
            let offset = Int32([0, 7200, -18000, 19800, -34200][step % 5])
            let instant = Instant(nanosecondsSinceEpoch: seconds * 1_000_000_000 + nanos, utcOffsetSeconds: offset)
            calendar.timeZone = TimeZone(secondsFromGMT: Int(offset))!
            let parts = calendar.dateComponents(
                [.year, .month, .day, .hour, .minute, .second], from: Date(timeIntervalSince1970: TimeInterval(seconds)))
            var fraction = String(format: "%09lld", nanos)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            let zone = offset == 0 ? "Z" : String(format: "%@%02d:%02d", offset < 0 ? "-" : "+", abs(offset) / 3600, abs(offset) % 3600 / 60)
            let expected = String(
                format: "%04d-%02d-%02dT%02d:%02d:%02d", parts.year!, parts.month!, parts.day!, parts.hour!, parts.minute!,
                parts.second!) + (fraction.isEmpty ? "" : "." + fraction) + zone
            #expect(instant.rfc3339() == expected, "\(seconds) s + \(nanos) ns at \(offset)")
            #expect(Timestamp.parseRFC3339(expected).map(\.nanosecondsSinceEpoch) == .success(instant.nanosecondsSinceEpoch))
        }
    }

    @Test func fractionDigitsAreFixedAndUTCIsZ() {
        let instant = Instant(nanosecondsSinceEpoch: 1_789_192_991_120_000_000, utcOffsetSeconds: -9000)
        #expect(instant.rfc3339() == "2026-09-12T03:33:11.12-02:30")
        #expect(instant.rfc3339(fractionDigits: 3) == "2026-09-12T03:33:11.120-02:30")
        #expect(instant.rfc3339(fractionDigits: 0) == "2026-09-12T03:33:11-02:30")
        #expect(instant.rfc3339(utc: true, fractionDigits: 12) == "2026-09-12T06:03:11.120000000Z")
        #expect(Instant(secondsSinceEpoch: -8_000_000_000).rfc3339() == "1716-06-28T09:46:40Z")
        #expect(Instant(secondsSinceEpoch: 9_000_000_000, utcOffsetSeconds: 3600).rfc3339() == "2255-03-14T17:00:00+01:00")
    }
}
