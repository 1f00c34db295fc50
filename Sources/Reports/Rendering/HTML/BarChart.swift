import Evidence

/// Horizontal duration bars against a target line, as SVG: one row per process and drill attempt,
/// each with one bar per clock (the verdict's clock coloured by status, another in grey), the measured
/// value and the status written after the bar, and the target as a vertical line (one line when every
/// row has the same target, a mark per row otherwise). Rows without a measurement say why in words.
struct BarChart {
    /// One bar of a row.
    struct Bar {
        /// The measured duration.
        var seconds: Int64
        /// `st-pass`, `st-fail`, … for the verdict clock; `other` for a second clock.
        var css: String
        /// The text after the bar (`2h30m00s · PASS`).
        var label: String
    }

    /// One row.
    struct Row {
        var label: String
        var sublabel: String
        var bars: [Bar]
        var target: Int64
        /// Shown instead of bars when there is nothing measured.
        var note: String
        var noteCSS: String
    }

    var id: String
    var title: String
    var description: String
    var targetName: String
    var rows: [Row]
    /// The legend: CSS class and text.
    var legend: [(String, String)]

    private static let width = 960.0
    private static let plotLeft = 236.0
    private static let plotRight = 800.0
    private static let top = 30.0

    /// The SVG element.
    func svg() -> String {
        let barsPerRow = max(1, rows.map(\.bars.count).max() ?? 1)
        let rowHeight = barsPerRow == 1 ? 30.0 : 44.0
        let plotBottom = Self.top + rowHeight * Double(max(rows.count, 1))
        let height = plotBottom + 64
        let largest = max(rows.flatMap { $0.bars.map(\.seconds) }.max() ?? 0, rows.map(\.target).max() ?? 3600)
        let step: Int64 = [900, 1800, 3600, 7200, 14_400, 21_600, 43_200, 86_400].first { (largest * 6 / 5) / $0 <= 10 } ?? 86_400
        let domain = max(((largest * 21 / 20) / step + 1) * step, step)
        func x(_ seconds: Int64) -> Double {
            Self.plotLeft + (Self.plotRight - Self.plotLeft) * Double(max(0, seconds)) / Double(domain)
        }
        let n = SVGBuilder.number
        var svg = SVGBuilder(id: id, width: Int(Self.width), height: Int(height), title: title, description: description)

        svg.start("g", [("class", "axis")])
        var tick: Int64 = 0
        while tick <= domain {
            let tx = x(tick)
            svg.element("line", [("class", "grid"), ("x1", n(tx)), ("x2", n(tx)), ("y1", n(Self.top)), ("y2", n(plotBottom + 4))])
            svg.text(Self.hours(tick), x: tx, y: plotBottom + 18, [("class", "tick"), ("text-anchor", "middle")])
            tick += step
        }
        svg.end()

        svg.start("g", [("class", "rows")])
        for (index, row) in rows.enumerated() {
            let y = Self.top + Double(index) * rowHeight
            if index % 2 == 1 {
                svg.element("rect", [("class", "lane alt"), ("x", "8"), ("y", n(y)), ("width", n(Self.width - 16)), ("height", n(rowHeight))])
            }
            svg.text(TimelineChart.clipped(row.label, to: 32), x: 16, y: y + rowHeight / 2 - 2, [("class", "row-label")])
            svg.text(row.sublabel, x: 16, y: y + rowHeight / 2 + 11, [("class", "row-sublabel")])
            if row.bars.isEmpty {
                svg.text(row.note, x: Self.plotLeft + 6, y: y + rowHeight / 2 + 4, [("class", "bar-note " + row.noteCSS)])
            }
            let barHeight = barsPerRow == 1 ? 14.0 : 13.0
            let firstBar = y + (rowHeight - Double(barsPerRow) * barHeight - Double(barsPerRow - 1) * 4) / 2
            for (position, bar) in row.bars.enumerated() {
                let by = firstBar + Double(position) * (barHeight + 4)
                let end = x(bar.seconds)
                svg.element("rect", [("class", "bar " + bar.css), ("x", n(Self.plotLeft)), ("y", n(by)),
                                     ("width", n(max(end - Self.plotLeft, 1.5))), ("height", n(barHeight)), ("rx", "2")])
                svg.text(bar.label, x: end + 6, y: by + barHeight - 3, [("class", "bar-label")])
            }
        }
        svg.end()

        // The target: one line when all rows share it, otherwise a mark on each row.
        svg.start("g", [("class", "target")])
        let targets = Set(rows.map(\.target))
        if targets.count <= 1 {
            let target = targets.first ?? 0
            let tx = x(target)
            svg.element("line", [("class", "target-line"), ("x1", n(tx)), ("x2", n(tx)), ("y1", n(Self.top - 8)), ("y2", n(plotBottom + 2))])
            svg.text("\(targetName) \(DurationText.format(target))", x: tx, y: Self.top - 12, [("class", "target-label"), ("text-anchor", "middle")])
        } else {
            for (index, row) in rows.enumerated() {
                let y = Self.top + Double(index) * rowHeight
                let tx = x(row.target)
                svg.element("line", [("class", "target-line"), ("x1", n(tx)), ("x2", n(tx)), ("y1", n(y + 3)), ("y2", n(y + rowHeight - 3))])
            }
            svg.text("\(targetName): vertical mark on each row", x: Self.plotLeft, y: Self.top - 12, [("class", "target-label")])
        }
        svg.end()

        svg.start("g", [("class", "legend")])
        var lx = 16.0
        let ly = plotBottom + 44
        for (css, label) in legend {
            if css == "target-line" {
                svg.element("line", [("class", "target-line"), ("x1", n(lx + 6)), ("x2", n(lx + 6)), ("y1", n(ly - 8)), ("y2", n(ly + 6))])
            } else {
                svg.element("rect", [("class", "bar " + css), ("x", n(lx)), ("y", n(ly - 8)), ("width", "14"), ("height", "12"), ("rx", "2")])
            }
            svg.text(label, x: lx + 20, y: ly + 2, [("class", "legend-label")])
            lx += 20 + Double(label.count) * 6.3 + 18
        }
        svg.end()
        return svg.finish()
    }

    /// `0h`, `4h`, `30m`, `4h30m`.
    static func hours(_ seconds: Int64) -> String {
        let hours = seconds / 3600
        let minutes = seconds % 3600 / 60
        if minutes == 0 { return "\(hours)h" }
        return hours == 0 ? "\(minutes)m" : "\(hours)h\(minutes)m"
    }
}
