/// An instant in nanoseconds since the Unix epoch, with the formats the generated inputs use. The
/// calendar arithmetic is done here (proleptic Gregorian, civil-from-days) rather than through
/// Foundation, so the generator's bytes cannot change with a Foundation or ICU update.
struct Moment: Comparable, Hashable {
    /// Nanoseconds since 1970-01-01T00:00:00Z.
    var nanoseconds: Int64

    static let second: Int64 = 1_000_000_000
    static let minute: Int64 = 60 * second
    static let hour: Int64 = 60 * minute
    static let day: Int64 = 24 * hour

    init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// A UTC date and time.
    init(_ year: Int, _ month: Int, _ day: Int, _ hour: Int = 0, _ minute: Int = 0, _ second: Int = 0) {
        let days = Int64(Self.days(year: year, month: month, day: day))
        nanoseconds = days * Self.day + Int64(hour) * Self.hour + Int64(minute) * Self.minute + Int64(second) * Self.second
    }

    static func < (lhs: Moment, rhs: Moment) -> Bool { lhs.nanoseconds < rhs.nanoseconds }

    /// This instant moved by a number of nanoseconds.
    func adding(_ nanoseconds: Int64) -> Moment { Moment(nanoseconds: self.nanoseconds + nanoseconds) }

    /// Whole seconds since the epoch (floor).
    var epochSeconds: Int64 { nanoseconds >= 0 ? nanoseconds / Self.second : (nanoseconds - Self.second + 1) / Self.second }

    /// Milliseconds since the epoch, as Delta writes version times.
    var epochMilliseconds: Int64 { nanoseconds / 1_000_000 }

    /// This instant truncated to whole seconds.
    var wholeSecond: Moment { Moment(nanoseconds: epochSeconds * Self.second) }

    /// `2026-07-07T07:02:11.4471093Z` (`fractionDigits` 0–9; `offsetMinutes` 0 writes `Z`).
    func rfc3339(fractionDigits: Int = 0, offsetMinutes: Int = 0) -> String {
        let local = nanoseconds + Int64(offsetMinutes) * Self.minute
        let parts = Self.civil(local)
        var text = "\(Self.pad(parts.year, 4))-\(Self.pad(parts.month, 2))-\(Self.pad(parts.day, 2))T"
            + "\(Self.pad(parts.hour, 2)):\(Self.pad(parts.minute, 2)):\(Self.pad(parts.second, 2))"
        if fractionDigits > 0 {
            let fraction = String(Self.pad(Int(parts.nanosecond), 9).prefix(fractionDigits))
            text += "." + fraction
        }
        if offsetMinutes == 0 { return text + "Z" }
        let sign = offsetMinutes < 0 ? "-" : "+"
        let magnitude = abs(offsetMinutes)
        return text + "\(sign)\(Self.pad(magnitude / 60, 2)):\(Self.pad(magnitude % 60, 2))"
    }

    /// `2026-07-07 07:02:11`, the ServiceNow `value` form (UTC).
    var serviceNow: String {
        let parts = Self.civil(nanoseconds)
        return "\(Self.pad(parts.year, 4))-\(Self.pad(parts.month, 2))-\(Self.pad(parts.day, 2)) "
            + "\(Self.pad(parts.hour, 2)):\(Self.pad(parts.minute, 2)):\(Self.pad(parts.second, 2))"
    }

    /// `07/07/2026 09:02:11`, the ServiceNow `display_value` form of a user in Europe/Rome (the quarter
    /// lies in summer time, UTC+2).
    var serviceNowDisplay: String {
        let parts = Self.civil(nanoseconds + 2 * Self.hour)
        return "\(Self.pad(parts.day, 2))/\(Self.pad(parts.month, 2))/\(Self.pad(parts.year, 4)) "
            + "\(Self.pad(parts.hour, 2)):\(Self.pad(parts.minute, 2)):\(Self.pad(parts.second, 2))"
    }

    /// `20260707`, for run names.
    var compactDate: String {
        let parts = Self.civil(nanoseconds)
        return "\(Self.pad(parts.year, 4))\(Self.pad(parts.month, 2))\(Self.pad(parts.day, 2))"
    }

    /// `2026-07`, for export file names.
    var yearMonth: String {
        let parts = Self.civil(nanoseconds)
        return "\(Self.pad(parts.year, 4))-\(Self.pad(parts.month, 2))"
    }

    /// `0707-091502`, the date-time prefix of a Databricks cluster id.
    var clusterStamp: String {
        let parts = Self.civil(nanoseconds)
        return "\(Self.pad(parts.month, 2))\(Self.pad(parts.day, 2))-\(Self.pad(parts.hour, 2))\(Self.pad(parts.minute, 2))\(Self.pad(parts.second, 2))"
    }

    /// `T0925`-style suffix for check-run ids (UTC+2 wall clock).
    var checkRunStamp: String {
        let parts = Self.civil(nanoseconds + 2 * Self.hour)
        return "\(Self.pad(parts.year, 4))-\(Self.pad(parts.month, 2))-\(Self.pad(parts.day, 2))T\(Self.pad(parts.hour, 2))\(Self.pad(parts.minute, 2))"
    }

    private struct Civil {
        var year: Int
        var month: Int
        var day: Int
        var hour: Int
        var minute: Int
        var second: Int
        var nanosecond: Int64
    }

    private static func civil(_ nanoseconds: Int64) -> Civil {
        var days = nanoseconds / day
        var rest = nanoseconds % day
        if rest < 0 {
            rest += day
            days -= 1
        }
        let (year, month, dayOfMonth) = civil(days: Int(days))
        let secondsOfDay = Int(rest / second)
        return Civil(
            year: year, month: month, day: dayOfMonth, hour: secondsOfDay / 3600, minute: secondsOfDay / 60 % 60,
            second: secondsOfDay % 60, nanosecond: rest % second)
    }

    /// Days since the epoch of a civil date (H. Hinnant's algorithm).
    static func days(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    private static func civil(days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return text.count >= width ? text : String(repeating: "0", count: width - text.count) + text
    }

    private static func pad(_ value: Int64, _ width: Int) -> String { pad(Int(value), width) }
}
