/// The timestamp grammars drreport reads, each parsed exactly (integer arithmetic, no time zone
/// database) into an ``Instant``.
public enum Timestamp {
    /// Why a timestamp text was refused.
    public enum Problem: Error, Sendable, Equatable {
        /// Date and time but no `Z` or `±hh:mm`: the instant is ambiguous.
        case naive
        /// Not the expected grammar at all.
        case malformed
        /// A field out of range (month 13, 31 April, hour 24, ...): the field and its valid range.
        case outOfRange(String, expected: String)
        /// More than nine fraction digits (nanoseconds are the finest unit).
        case tooManyFractionDigits
    }

    /// RFC 3339: `yyyy-MM-ddTHH:mm:ss[.f{1,9}](Z|±hh:mm)`; `t`, `z` and a space separator are accepted.
    public static func parseRFC3339(_ text: String) -> Result<Instant, Problem> {
        var scanner = ByteScanner(Array(text.utf8))
        guard let year = scanner.digits(4), scanner.take(UInt8(ascii: "-")),
            let month = scanner.digits(2), scanner.take(UInt8(ascii: "-")),
            let day = scanner.digits(2)
        else { return .failure(.malformed) }
        guard let separator = scanner.next(),
            separator == UInt8(ascii: "T") || separator == UInt8(ascii: "t") || separator == UInt8(ascii: " ")
        else { return .failure(.malformed) }
        guard let hour = scanner.digits(2), scanner.take(UInt8(ascii: ":")),
            let minute = scanner.digits(2), scanner.take(UInt8(ascii: ":")),
            let second = scanner.digits(2)
        else { return .failure(.malformed) }
        var nanos: Int64 = 0
        if scanner.take(UInt8(ascii: ".")) {
            var count = 0
            while let digit = scanner.digit() {
                count += 1
                if count > 9 { return .failure(.tooManyFractionDigits) }
                nanos = nanos * 10 + digit
            }
            if count == 0 { return .failure(.malformed) }
            for _ in count..<9 { nanos *= 10 }
        }
        var offset: Int64 = 0
        guard let designator = scanner.next() else { return .failure(.naive) }
        switch designator {
        case UInt8(ascii: "Z"), UInt8(ascii: "z"):
            offset = 0
        case UInt8(ascii: "+"), UInt8(ascii: "-"):
            guard let offsetHour = scanner.digits(2), scanner.take(UInt8(ascii: ":")),
                let offsetMinute = scanner.digits(2)
            else { return .failure(.malformed) }
            guard offsetHour <= 23, offsetMinute <= 59 else { return .failure(.outOfRange("offset", expected: "±00:00 to ±23:59")) }
            offset = (offsetHour * 3600 + offsetMinute * 60) * (designator == UInt8(ascii: "-") ? -1 : 1)
        default:
            return .failure(.malformed)
        }
        guard scanner.atEnd else { return .failure(.malformed) }
        return make(year: year, month: month, day: day, hour: hour, minute: minute, second: second,
                    nanos: nanos, offset: offset)
    }

    /// ServiceNow's `yyyy-MM-dd HH:mm:ss`, which is UTC by definition.
    public static func parseServiceNow(_ text: String) -> Result<Instant, Problem> {
        var scanner = ByteScanner(Array(text.utf8))
        guard let year = scanner.digits(4), scanner.take(UInt8(ascii: "-")),
            let month = scanner.digits(2), scanner.take(UInt8(ascii: "-")),
            let day = scanner.digits(2), scanner.take(UInt8(ascii: " ")),
            let hour = scanner.digits(2), scanner.take(UInt8(ascii: ":")),
            let minute = scanner.digits(2), scanner.take(UInt8(ascii: ":")),
            let second = scanner.digits(2), scanner.atEnd
        else { return .failure(.malformed) }
        return make(year: year, month: month, day: day, hour: hour, minute: minute, second: second, nanos: 0, offset: 0)
    }

    /// Epoch milliseconds, as Delta Lake writes `modificationTime` and commit timestamps.
    public static func fromEpochMilliseconds(_ milliseconds: Int64) -> Result<Instant, Problem> {
        // Years 1900 to 2200 cover every plausible evidence; beyond that the number is not milliseconds.
        guard milliseconds > -2_208_988_800_000, milliseconds < 7_258_118_400_000 else {
            return .failure(.outOfRange("epoch milliseconds", expected: "years 1900 to 2200"))
        }
        return .success(Instant(nanosecondsSinceEpoch: milliseconds * 1_000_000))
    }

    private static func make(
        year: Int64, month: Int64, day: Int64, hour: Int64, minute: Int64, second: Int64, nanos: Int64, offset: Int64
    ) -> Result<Instant, Problem> {
        guard (1...12).contains(month) else { return .failure(.outOfRange("month", expected: "01 to 12")) }
        guard day >= 1, day <= CivilDate.daysInMonth(year: year, month: month) else {
            return .failure(.outOfRange("day", expected: "a day of that month"))
        }
        guard hour <= 23 else { return .failure(.outOfRange("hour", expected: "00 to 23")) }
        guard minute <= 59 else { return .failure(.outOfRange("minute", expected: "00 to 59")) }
        // RFC 3339 allows a leap second (60); it is counted as the first second of the next minute.
        guard second <= 60 else { return .failure(.outOfRange("second", expected: "00 to 60")) }
        let days = CivilDate.days(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return .success(Instant(nanosecondsSinceEpoch: seconds * 1_000_000_000 + nanos, utcOffsetSeconds: Int32(offset)))
    }
}

/// A cursor over ASCII bytes for the fixed-width grammars above.
struct ByteScanner {
    private let bytes: [UInt8]
    private var position = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { position == bytes.count }

    mutating func next() -> UInt8? {
        guard position < bytes.count else { return nil }
        defer { position += 1 }
        return bytes[position]
    }

    mutating func take(_ byte: UInt8) -> Bool {
        guard position < bytes.count, bytes[position] == byte else { return false }
        position += 1
        return true
    }

    mutating func digit() -> Int64? {
        guard position < bytes.count, bytes[position] >= 48, bytes[position] <= 57 else { return nil }
        defer { position += 1 }
        return Int64(bytes[position] - 48)
    }

    mutating func digits(_ count: Int) -> Int64? {
        var value: Int64 = 0
        for _ in 0..<count {
            guard let digit = digit() else { return nil }
            value = value * 10 + digit
        }
        return value
    }
}
