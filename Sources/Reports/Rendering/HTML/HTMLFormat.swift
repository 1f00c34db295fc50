import Evidence
import Foundation

/// How the HTML report writes values for people: durations, instants in the policy's time zone,
/// statuses as words, and evidence text made safe to show. Escaping for HTML is not done here;
/// Mustache's default `{{ }}` does it, and the SVG builder does it for SVG.
enum HTMLFormat {
    /// `4h01m00s`; `—` when there is no value.
    static func duration(_ seconds: Int64?) -> String {
        seconds.map(DurationText.format) ?? "—"
    }

    /// `2026-07-11 08:00:00 +02:00`: the instant at the offset the policy's time zone had then.
    static func instant(_ instant: Instant, in zone: TimeZone) -> String {
        let text = Period.local(instant, in: zone).rfc3339(fractionDigits: 0)
        // 2026-07-11T08:00:00+02:00 → 2026-07-11 08:00:00 +02:00 (and …Z → … +00:00)
        let date = text.prefix(10)
        let time = text.dropFirst(11).prefix(8)
        let offset = text.dropFirst(19)
        return "\(date) \(time) \(offset == "Z" ? "+00:00" : offset)"
    }

    /// The RFC 3339 form for a `<time datetime>` attribute.
    static func machineInstant(_ instant: Instant, in zone: TimeZone) -> String {
        Period.local(instant, in: zone).rfc3339(fractionDigits: 0)
    }

    /// `2026-07-11`: the calendar day in the policy's time zone.
    static func day(_ instant: Instant, in zone: TimeZone) -> String {
        String(Period.local(instant, in: zone).rfc3339(fractionDigits: 0).prefix(10))
    }

    /// `08:00`: the wall-clock time in the policy's time zone.
    static func clock(_ instant: Instant, in zone: TimeZone) -> String {
        String(Period.local(instant, in: zone).rfc3339(fractionDigits: 0).dropFirst(11).prefix(5))
    }

    /// `PASS`, `FAIL`, `INDETERMINATE`, `WAIVED`: the status is always written, never shown by colour alone.
    static func word(_ status: FindingStatus) -> String {
        status.rawValue.uppercased()
    }

    /// `crisis_declared` → `crisis declared`.
    static func eventName(_ event: String) -> String {
        text(event).replacingOccurrences(of: "_", with: " ")
    }

    /// A count with thousands separators, the same in every locale: `80,000`.
    static func grouped(_ number: Int) -> String {
        number.formatted(groupedStyle)
    }

    private static let groupedStyle = IntegerFormatStyle<Int>(locale: Locale(identifier: "en_US")).grouping(.automatic)

    /// `1 finding`, `3 findings`.
    static func count(_ number: Int, _ noun: String, plural: String? = nil) -> String {
        "\(grouped(number)) \(number == 1 ? noun : plural ?? noun + "s")"
    }

    /// Evidence text, shown as it is except for what a page must not carry raw: control characters
    /// become their visible Unicode control pictures (U+0000 → ␀, ESC → ␛, DEL → ␡), C1 controls and
    /// the bidirectional overrides that could reorder what a reader sees become U+FFFD. Line breaks and
    /// tabs become spaces. HTML-significant characters are left for the template's escaping.
    static func text(_ value: String) -> String {
        var scalars = String.UnicodeScalarView()
        var changed = false
        for scalar in value.unicodeScalars {
            switch scalar.value {
            case 0x09, 0x0A, 0x0D:
                scalars.append(" ")
                changed = true
            case 0x00...0x1F:
                scalars.append(Unicode.Scalar(0x2400 + scalar.value) ?? "\u{FFFD}")
                changed = true
            case 0x7F:
                scalars.append("\u{2421}")
                changed = true
            case 0x80...0x9F, 0x202A...0x202E, 0x2066...0x2069, 0xFFFE, 0xFFFF:
                scalars.append("\u{FFFD}")
                changed = true
            default:
                scalars.append(scalar)
            }
        }
        return changed ? String(scalars) : value
    }

    /// Optional evidence text; empty when absent.
    static func text(_ value: String?) -> String {
        value.map { text($0) } ?? ""
    }
}
