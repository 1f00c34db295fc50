/// A small writer of inline SVG for the HTML report's charts. Every attribute value and every text
/// node it writes is XML-escaped (`& < > " '`) and stripped of control characters here, so the charts
/// can be inserted unescaped into the page even when their labels come from evidence.
struct SVGBuilder {
    private var output = ""
    private var open: [String] = []

    /// A drawing `width` × `height` user units wide, scaled to the page's width, announced to assistive
    /// technology as one image with a title and a description. `id` must be unique in the page.
    init(id: String, width: Int, height: Int, title: String, description: String) {
        output = "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" role=\"img\""
        output += " viewBox=\"0 0 \(width) \(height)\" width=\"100%\" preserveAspectRatio=\"xMinYMin meet\""
        output += " aria-labelledby=\"\(Self.escape(id))-title \(Self.escape(id))-desc\">"
        output += "<title id=\"\(Self.escape(id))-title\">\(Self.escape(title))</title>"
        output += "<desc id=\"\(Self.escape(id))-desc\">\(Self.escape(description))</desc>"
    }

    /// Opens a container element (`g`).
    mutating func start(_ name: String, _ attributes: [(String, String)] = []) {
        output += "<" + name + Self.attributes(attributes) + ">"
        open.append(name)
    }

    /// Closes the innermost open element.
    mutating func end() {
        guard let name = open.popLast() else { return }
        output += "</" + name + ">"
    }

    /// An empty element (`rect`, `line`, `path`, `circle`).
    mutating func element(_ name: String, _ attributes: [(String, String)]) {
        output += "<" + name + Self.attributes(attributes) + "/>"
    }

    /// A `text` element.
    mutating func text(_ content: String, x: Double, y: Double, _ attributes: [(String, String)] = []) {
        output += "<text" + Self.attributes([("x", Self.number(x)), ("y", Self.number(y))] + attributes) + ">"
        output += Self.escape(content) + "</text>"
    }

    /// A tooltip for the element being drawn (a `title` child).
    mutating func tooltip(_ content: String) {
        output += "<title>" + Self.escape(content) + "</title>"
    }

    /// The finished `<svg>` element.
    func finish() -> String {
        var text = output
        for name in open.reversed() { text += "</" + name + ">" }
        return text + "</svg>"
    }

    private static func attributes(_ attributes: [(String, String)]) -> String {
        attributes.map { " \($0.0)=\"\(escape($0.1))\"" }.joined()
    }

    /// XML-escaped text with control characters made visible (see ``HTMLFormat/text(_:)``).
    static func escape(_ value: String) -> String {
        var result = ""
        result.reserveCapacity(value.utf8.count)
        for character in HTMLFormat.text(value) {
            switch character {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.append(character)
            }
        }
        return result
    }

    /// A coordinate with at most one decimal, the same on every machine and in every locale.
    static func number(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let tenths = Int64((value * 10).rounded())
        let sign = tenths < 0 ? "-" : ""
        let magnitude = tenths.magnitude
        return magnitude % 10 == 0 ? "\(sign)\(magnitude / 10)" : "\(sign)\(magnitude / 10).\(magnitude % 10)"
    }
}
