import Evidence
import Foundation

/// A reporting period: a calendar quarter (`2026-Q3`) bounded in the policy's time zone, as the
/// half-open interval `[start, end)`.
public struct Period: Sendable, Hashable, CustomStringConvertible {
    /// The year.
    public var year: Int
    /// The quarter, 1–4.
    public var quarter: Int
    /// The first instant.
    public var start: Instant
    /// The first instant after the period.
    public var end: Instant
    /// The time zone it is bounded in.
    public var timeZone: TimeZone

    /// `2026-Q3`.
    public var description: String { "\(year)-Q\(quarter)" }

    /// Parses `YYYY-Qn` and bounds it in `timeZone`.
    public init(parsing text: String, timeZone: TimeZone) throws(ReportsError) {
        let parts = text.uppercased().split(separator: "-")
        guard parts.count == 2, parts[0].count == 4, let year = Int(parts[0]), year >= 1970, year < 2200,
            parts[1].count == 2, parts[1].hasPrefix("Q"), let quarter = Int(parts[1].dropFirst()), (1...4).contains(quarter)
        else {
            throw ReportsError(.invalidPeriod, source: "--period", "'\(text)' is not a quarter; expected YYYY-Qn, e.g. 2026-Q3")
        }
        self.init(year: year, quarter: quarter, timeZone: timeZone)
    }

    /// The quarter of a year.
    public init(year: Int, quarter: Int, timeZone: TimeZone) {
        self.year = year
        self.quarter = quarter
        self.timeZone = timeZone
        start = Period.instant(year: year, month: (quarter - 1) * 3 + 1, timeZone: timeZone)
        end = quarter == 4
            ? Period.instant(year: year + 1, month: 1, timeZone: timeZone)
            : Period.instant(year: year, month: quarter * 3 + 1, timeZone: timeZone)
    }

    /// The quarter containing an instant.
    public static func containing(_ instant: Instant, timeZone: TimeZone) -> Period {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let date = Date(timeIntervalSince1970: TimeInterval(instant.secondsSinceEpoch))
        let components = calendar.dateComponents([.year, .month], from: date)
        return Period(year: components.year ?? 1970, quarter: ((components.month ?? 1) - 1) / 3 + 1, timeZone: timeZone)
    }

    /// Whether an instant is in the period.
    public func contains(_ instant: Instant) -> Bool { instant >= start && instant < end }

    /// The instant `duration` before `instant` in this period's calendar (months are calendar months).
    public func instant(_ duration: PolicyDuration, before instant: Instant) -> Instant {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let date = Date(timeIntervalSince1970: TimeInterval(instant.secondsSinceEpoch))
        let shifted = calendar.date(byAdding: .month, value: -duration.months, to: date) ?? date
        return Instant(secondsSinceEpoch: Int64(shifted.timeIntervalSince1970) - duration.seconds)
    }

    /// The instant shown at the offset its time zone had at that moment (daylight saving included).
    public static func local(_ instant: Instant, in timeZone: TimeZone) -> Instant {
        let date = Date(timeIntervalSince1970: TimeInterval(instant.secondsSinceEpoch))
        return instant.withOffset(Int32(timeZone.secondsFromGMT(for: date)))
    }

    static func instant(year: Int, month: Int, timeZone: TimeZone) -> Instant {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let date = calendar.date(from: DateComponents(year: year, month: month, day: 1)) ?? Date(timeIntervalSince1970: 0)
        return Instant(secondsSinceEpoch: Int64(date.timeIntervalSince1970))
    }
}
