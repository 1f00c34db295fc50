import Foundation

/// A point in time, held exactly as nanoseconds since 1970-01-01T00:00:00Z, with the UTC offset the
/// source wrote it in (kept for display only; it takes no part in comparisons).
public struct Instant: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Nanoseconds since the Unix epoch, UTC.
    public let nanosecondsSinceEpoch: Int64
    /// The offset from UTC, in seconds, that the source wrote the instant with.
    public let utcOffsetSeconds: Int32

    /// An instant from nanoseconds since the epoch and the offset to display it with.
    public init(nanosecondsSinceEpoch: Int64, utcOffsetSeconds: Int32 = 0) {
        self.nanosecondsSinceEpoch = nanosecondsSinceEpoch
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// An instant from whole seconds since the epoch.
    public init(secondsSinceEpoch: Int64, utcOffsetSeconds: Int32 = 0) {
        self.init(nanosecondsSinceEpoch: secondsSinceEpoch * 1_000_000_000, utcOffsetSeconds: utcOffsetSeconds)
    }

    /// The current time.
    public static var now: Instant {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Instant(nanosecondsSinceEpoch: Int64(spec.tv_sec) * 1_000_000_000 + Int64(spec.tv_nsec))
    }

    /// Whole seconds since the epoch, rounded down: the unit every rule compares in.
    public var secondsSinceEpoch: Int64 {
        let (quotient, remainder) = nanosecondsSinceEpoch.quotientAndRemainder(dividingBy: 1_000_000_000)
        return remainder < 0 ? quotient - 1 : quotient
    }

    /// The nanoseconds past the whole second.
    public var nanosecondOfSecond: Int64 {
        nanosecondsSinceEpoch - secondsSinceEpoch * 1_000_000_000
    }

    /// The same instant shown at another offset.
    public func withOffset(_ seconds: Int32) -> Instant {
        Instant(nanosecondsSinceEpoch: nanosecondsSinceEpoch, utcOffsetSeconds: seconds)
    }

    /// The instant `seconds` later.
    public func adding(seconds: Int64) -> Instant {
        Instant(nanosecondsSinceEpoch: nanosecondsSinceEpoch + seconds * 1_000_000_000, utcOffsetSeconds: utcOffsetSeconds)
    }

    public static func == (lhs: Instant, rhs: Instant) -> Bool {
        lhs.nanosecondsSinceEpoch == rhs.nanosecondsSinceEpoch
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(nanosecondsSinceEpoch)
    }

    public static func < (lhs: Instant, rhs: Instant) -> Bool {
        lhs.nanosecondsSinceEpoch < rhs.nanosecondsSinceEpoch
    }

    /// RFC 3339 in the offset it was written with, with as many fraction digits as needed.
    public var description: String { rfc3339() }

    /// RFC 3339 text: in the original offset unless `utc` is set, and with the fraction trimmed of
    /// trailing zeros unless `fractionDigits` fixes its length.
    ///
    /// Written as ASCII bytes into one buffer: a bank's quarter writes several hundred thousand
    /// instants into its findings and reports.
    public func rfc3339(utc: Bool = false, fractionDigits: Int? = nil) -> String {
        let offset = utc ? 0 : Int64(utcOffsetSeconds)
        let local = secondsSinceEpoch + offset
        let (days, secondOfDay) = Self.floorDivide(local, 86_400)
        let (year, month, day) = CivilDate.fromDays(days)
        var text: [UInt8] = []
        text.reserveCapacity(40)
        text.appendDecimal(year, width: 4)
        text.append(UInt8(ascii: "-"))
        text.appendDecimal(month, width: 2)
        text.append(UInt8(ascii: "-"))
        text.appendDecimal(day, width: 2)
        text.append(UInt8(ascii: "T"))
        text.appendDecimal(secondOfDay / 3600, width: 2)
        text.append(UInt8(ascii: ":"))
        text.appendDecimal(secondOfDay % 3600 / 60, width: 2)
        text.append(UInt8(ascii: ":"))
        text.appendDecimal(secondOfDay % 60, width: 2)
        let nanos = nanosecondOfSecond
        if fractionDigits.map({ $0 > 0 }) ?? (nanos != 0) {
            text.append(UInt8(ascii: "."))
            let start = text.count
            text.appendDecimal(nanos, width: 9)
            if let digits = fractionDigits {
                text.removeLast(9 - min(digits, 9))
            } else {
                while text.count > start + 1, text.last == UInt8(ascii: "0") { text.removeLast() }
            }
        }
        if offset == 0 {
            text.append(UInt8(ascii: "Z"))
        } else {
            text.append(UInt8(ascii: offset < 0 ? "-" : "+"))
            let magnitude = abs(offset)
            text.appendDecimal(magnitude / 3600, width: 2)
            text.append(UInt8(ascii: ":"))
            text.appendDecimal(magnitude % 3600 / 60, width: 2)
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func floorDivide(_ value: Int64, _ divisor: Int64) -> (Int64, Int64) {
        let (quotient, remainder) = value.quotientAndRemainder(dividingBy: divisor)
        return remainder < 0 ? (quotient - 1, remainder + divisor) : (quotient, remainder)
    }
}

/// Proleptic Gregorian calendar arithmetic on whole days since 1970-01-01, exact and free of time zones.
enum CivilDate {
    /// Days since 1970-01-01 of a calendar date.
    static func days(year: Int64, month: Int64, day: Int64) -> Int64 {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The calendar date of a day count since 1970-01-01.
    static func fromDays(_ days: Int64) -> (year: Int64, month: Int64, day: Int64) {
        let shifted = days + 719_468
        let era = (shifted >= 0 ? shifted : shifted - 146_096) / 146_097
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysInMonth(year: Int64, month: Int64) -> Int64 {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
