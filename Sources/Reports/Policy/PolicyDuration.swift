import Foundation

/// A policy duration: `4h`, `30m`, `72h`, `1d`, `12mo`, or sums such as `1h30m`. Months are calendar
/// months (only meaningful for look-backs such as drill cadence); the rest is exact seconds.
public struct PolicyDuration: Sendable, Hashable, Codable, CustomStringConvertible {
    /// Calendar months.
    public var months: Int
    /// Seconds.
    public var seconds: Int64

    /// A duration.
    public init(months: Int = 0, seconds: Int64 = 0) {
        self.months = months
        self.seconds = seconds
    }

    /// Parses `<number><unit>` terms, units `s m h d mo`; `nil` when it is not one.
    public init?(parsing text: String) {
        var months = 0
        var seconds: Int64 = 0
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard !rest.isEmpty else { return nil }
        while !rest.isEmpty {
            let digits = rest.prefix { $0.isASCII && $0.isNumber }
            guard !digits.isEmpty, digits.count <= 9, let number = Int64(digits) else { return nil }
            rest = rest.dropFirst(digits.count)
            if rest.hasPrefix("mo") {
                months += Int(number)
                rest = rest.dropFirst(2)
            } else if let unit = rest.first {
                switch unit {
                case "s": seconds += number
                case "m": seconds += number * 60
                case "h": seconds += number * 3600
                case "d": seconds += number * 86_400
                default: return nil
                }
                rest = rest.dropFirst()
            } else {
                return nil
            }
        }
        self.months = months
        self.seconds = seconds
    }

    /// As written back: `4h`, `12mo`, `1h30m`.
    public var description: String {
        var text = months > 0 ? "\(months)mo" : ""
        var remaining = seconds
        for (unit, size) in [("d", Int64(86_400)), ("h", 3600), ("m", 60), ("s", 1)] where remaining >= size {
            text += "\(remaining / size)\(unit)"
            remaining %= size
        }
        return text.isEmpty ? "0s" : text
    }
}

/// Durations for people, in the form the rules print: `4h01m00s`, `-2m05s`, `30h00m00s`.
public enum DurationText {
    /// Hours, minutes and seconds; hours are not folded into days, so windows read as written.
    public static func format(_ seconds: Int64) -> String {
        let sign = seconds < 0 ? "-" : ""
        let value = abs(seconds)
        let hours = value / 3600
        let minutes = value % 3600 / 60
        let secs = value % 60
        func two(_ number: Int64) -> String { number < 10 ? "0\(number)" : "\(number)" }
        if hours > 0 { return "\(sign)\(hours)h\(two(minutes))m\(two(secs))s" }
        if minutes > 0 { return "\(sign)\(minutes)m\(two(secs))s" }
        return "\(sign)\(secs)s"
    }
}
