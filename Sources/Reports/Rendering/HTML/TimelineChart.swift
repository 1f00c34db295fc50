import Evidence
import Foundation

/// The timeline of one drill attempt as an SVG swim-lane chart: a lane for the drill, one for the
/// crisis (disruption, detection, declaration), one for the regions (failover, operation in the
/// secondary, failback) and one per process (milestones, restores, integrity checks, and the RTO
/// deadline). Each event is a numbered marker; the table under the chart lists the same numbers with
/// every detail and its source evidence. Shapes differ by event kind, so colour is never the only cue.
struct TimelineChart {
    /// An event with the number it carries in the chart and the table.
    struct NumberedEvent {
        var number: Int
        var event: ReportModel.TimelineEvent
    }

    /// A process's lane: its id, RTO target and verdict in this attempt.
    struct ProcessLane {
        var id: String
        var name: String
        var rtoSeconds: Int64
        var status: FindingStatus?
        /// The restore the RTO verdict used (the first at level minimum), when any.
        var restore: EventReference?

        /// Whether an event is the restore the verdict used.
        func usedForRTO(_ event: ReportModel.TimelineEvent) -> Bool {
            guard let restore else { return false }
            return event.evidence == restore.evidence && event.line == restore.line
        }
    }

    var id: String
    var drill: ReportModel.Drill
    var events: [NumberedEvent]
    var processes: [ProcessLane]
    var rtoClock: String
    var secondaryRegion: String
    var zone: TimeZone

    private static let width = 960.0
    private static let plotLeft = 176.0
    private static let plotRight = 936.0
    private static let laneHeight = 46.0
    private static let top = 34.0

    private enum Lane: Hashable {
        case drill, crisis, regions
        case process(String)
    }

    /// The SVG element.
    func svg() -> String {
        var lanes: [(Lane, String, String)] = [
            (.drill, "Drill", "drill started, closed or aborted"),
            (.crisis, "Crisis", "disruption, detection, declaration, plan activation, closure"),
            (.regions, "Regions", "failover, operation in \(secondaryRegion), failback"),
        ]
        for process in processes { lanes.append((.process(process.id), process.id, process.name)) }
        let laneIndex = Dictionary(lanes.enumerated().map { ($0.element.0, $0.offset) }, uniquingKeysWith: { first, _ in first })
        let plotTop = Self.top
        let plotBottom = plotTop + Double(lanes.count) * Self.laneHeight
        let height = plotBottom + 96

        // Time axis: every event, and every RTO deadline, fits.
        let clockStart = firstTime(rtoClock)
        var lowest = events.map { $0.event.time.secondsSinceEpoch }.min() ?? drill.start.secondsSinceEpoch
        var highest = events.map { $0.event.time.secondsSinceEpoch }.max() ?? drill.end.secondsSinceEpoch
        if let clockStart {
            for process in processes { highest = max(highest, clockStart.secondsSinceEpoch + process.rtoSeconds) }
        }
        let span = max(highest - lowest, 600)
        lowest -= span / 40
        highest += span / 40
        func x(_ instant: Instant) -> Double {
            Self.plotLeft + (Self.plotRight - Self.plotLeft) * Double(instant.secondsSinceEpoch - lowest) / Double(highest - lowest)
        }
        func laneY(_ lane: Lane) -> Double {
            plotTop + Double(laneIndex[lane] ?? 0) * Self.laneHeight + Self.laneHeight / 2
        }

        var svg = SVGBuilder(id: id, width: Int(Self.width), height: Int(height), title: title, description: description)

        // Lanes and their labels.
        svg.start("g", [("class", "lanes")])
        for (index, lane) in lanes.enumerated() {
            let y = plotTop + Double(index) * Self.laneHeight
            svg.element("rect", [
                ("class", index % 2 == 0 ? "lane" : "lane alt"), ("x", SVGBuilder.number(Self.plotLeft - 168)), ("y", SVGBuilder.number(y)),
                ("width", SVGBuilder.number(Self.plotRight - Self.plotLeft + 176)), ("height", SVGBuilder.number(Self.laneHeight)),
            ])
            svg.start("g", [("class", "lane-head")])
            svg.tooltip(lane.2)
            svg.text(Self.clipped(lane.1, to: 24), x: Self.plotLeft - 160, y: y + Self.laneHeight / 2 + 4, [("class", "lane-label")])
            svg.end()
        }
        svg.end()

        // Ticks on the wall clock of the policy's time zone.
        svg.start("g", [("class", "axis")])
        let step = Self.tickStep(span: highest - lowest)
        let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(lowest))))
        var tick = ((lowest + offset) / step + 1) * step - offset
        let firstDay = HTMLFormat.day(Instant(secondsSinceEpoch: lowest), in: zone)
        while tick < highest {
            let instant = Instant(secondsSinceEpoch: tick)
            let tx = x(instant)
            svg.element("line", [("class", "grid"), ("x1", SVGBuilder.number(tx)), ("x2", SVGBuilder.number(tx)),
                                 ("y1", SVGBuilder.number(plotTop)), ("y2", SVGBuilder.number(plotBottom + 4))])
            let day = HTMLFormat.day(instant, in: zone)
            let label = (day == firstDay ? "" : String(day.dropFirst(5)) + " ") + HTMLFormat.clock(instant, in: zone)
            svg.text(label, x: tx, y: plotBottom + 18, [("class", "tick"), ("text-anchor", "middle")])
            tick += step
        }
        svg.text("time in \(zone.identifier) (UTC\(Self.offsetText(offset)))", x: Self.plotRight, y: plotBottom + 36,
                 [("class", "axis-title"), ("text-anchor", "end")])
        svg.end()

        // Phases in the regions lane.
        svg.start("g", [("class", "phases")])
        let regionsY = laneY(.regions)
        let failoverStart = firstTime("failover_started")
        let failoverDone = firstTime("failover_completed")
        let failbackStart = firstTime("failback_started")
        let failbackDone = firstTime("failback_completed")
        let lastTime = events.last?.event.time ?? drill.end
        func phase(_ from: Instant?, _ to: Instant?, _ css: String, _ label: String) {
            guard let from, let to, to >= from else { return }
            let x1 = x(from)
            let w = max(x(to) - x1, 2)
            svg.element("rect", [("class", "phase " + css), ("x", SVGBuilder.number(x1)), ("y", SVGBuilder.number(regionsY - 9)),
                                 ("width", SVGBuilder.number(w)), ("height", "18"), ("rx", "3")])
            if Double(label.count) * 6.2 + 8 < w {
                svg.text(label, x: x1 + w / 2, y: regionsY + 4, [("class", "phase-label " + css), ("text-anchor", "middle")])
            }
        }
        phase(failoverStart, failoverDone, "failover", "failover")
        phase(failoverDone, failbackStart ?? (failoverDone.map { _ in lastTime }), "secondary", "operating in \(secondaryRegion)")
        phase(failbackStart, failbackDone, "failback", "failback")
        svg.end()

        // Per process: the RTO clock span and the deadline.
        svg.start("g", [("class", "deadlines")])
        for process in processes {
            guard let clockStart else { continue }
            let y = laneY(.process(process.id))
            let deadline = clockStart.adding(seconds: process.rtoSeconds)
            let restore = events.first { process.usedForRTO($0.event) }?.event.time
            svg.element("line", [("class", "span"), ("x1", SVGBuilder.number(x(clockStart))), ("x2", SVGBuilder.number(x(restore ?? deadline))),
                                 ("y1", SVGBuilder.number(y)), ("y2", SVGBuilder.number(y))])
            let dx = x(deadline)
            svg.element("line", [("class", "deadline"), ("x1", SVGBuilder.number(dx)), ("x2", SVGBuilder.number(dx)),
                                 ("y1", SVGBuilder.number(y - 17)), ("y2", SVGBuilder.number(y + 17))])
            let label = "RTO " + DurationText.format(process.rtoSeconds)
            let fitsRight = dx + 4 + Double(label.count) * 6 < Self.width
            svg.text(label, x: fitsRight ? dx + 4 : dx - 4, y: y + 19,
                     [("class", "deadline-label"), ("text-anchor", fitsRight ? "start" : "end")])
        }
        svg.end()

        // Markers, with their numbers placed so they do not overlap within a lane.
        svg.start("g", [("class", "markers")])
        var placed: [Lane: [[ClosedRange<Double>]]] = [:]
        for numbered in events {
            let event = numbered.event
            let lane = self.lane(of: event)
            let cx = x(event.time)
            let cy = laneY(lane)
            svg.start("g", [("class", "marker")])
            svg.tooltip("\(numbered.number). \(HTMLFormat.eventName(event.event)) \(HTMLFormat.instant(event.time, in: zone))")
            marker(&svg, event: event, x: cx, y: cy)
            svg.end()
            let label = String(numbered.number)
            let half = Double(label.count) * 3.6 + 2
            let range = (cx - half)...(cx + half)
            var rows = placed[lane] ?? [[], [], []]
            let row = rows.firstIndex { taken in !taken.contains { $0.overlaps(range) } } ?? 0
            rows[row].append(range)
            placed[lane] = rows
            let dy = [-12.0, 21.0, -22.0][row]
            svg.text(label, x: cx, y: cy + dy, [("class", "num"), ("text-anchor", "middle")])
        }
        svg.end()

        legend(&svg, y: plotBottom + 62)
        return svg.finish()
    }

    private func firstTime(_ type: String) -> Instant? {
        events.first { $0.event.event == type }?.event.time
    }

    private func lane(of event: ReportModel.TimelineEvent) -> Lane {
        switch event.event {
        case "disruption", "detected", "crisis_declared", "plan_activated", "crisis_closed": return .crisis
        case "failover_started", "failover_completed", "failback_started", "failback_completed": return .regions
        default:
            if let process = event.process, processes.contains(where: { $0.id == process }) { return .process(process) }
            return .drill
        }
    }

    private func marker(_ svg: inout SVGBuilder, event: ReportModel.TimelineEvent, x: Double, y: Double) {
        let n = SVGBuilder.number
        switch event.event {
        case "disruption":
            svg.element("path", [("class", "m m-disruption"), ("d", "M\(n(x)) \(n(y - 7))L\(n(x + 7)) \(n(y + 6))L\(n(x - 7)) \(n(y + 6))Z")])
        case "crisis_declared":
            svg.element("circle", [("class", "m m-declared"), ("cx", n(x)), ("cy", n(y)), ("r", "6")])
        case "aborted":
            svg.element("path", [("class", "m m-aborted"), ("d", "M\(n(x - 6)) \(n(y - 6))L\(n(x + 6)) \(n(y + 6))M\(n(x + 6)) \(n(y - 6))L\(n(x - 6)) \(n(y + 6))")])
        case "service_restored":
            let lane = processes.first { $0.id == event.process }
            let css = lane?.usedForRTO(event) == true ? "m m-restored st-" + (lane?.status?.rawValue ?? "none") : "m m-full"
            svg.element("path", [("class", css), ("d", "M\(n(x)) \(n(y - 7))L\(n(x + 7)) \(n(y))L\(n(x)) \(n(y + 7))L\(n(x - 7)) \(n(y))Z")])
        case "integrity_verified":
            svg.element("rect", [("class", "m m-integrity"), ("x", n(x - 5)), ("y", n(y - 5)), ("width", "10"), ("height", "10")])
        default:
            svg.element("circle", [("class", "m m-event"), ("cx", n(x)), ("cy", n(y)), ("r", "4")])
        }
    }

    private func legend(_ svg: inout SVGBuilder, y: Double) {
        svg.start("g", [("class", "legend")])
        var x = Self.plotLeft - 160
        let n = SVGBuilder.number
        let items: [(String, String)] = [
            ("disruption", "disruption"), ("declared", "crisis declared"), ("restored", "service restored (RTO)"),
            ("full", "later restore"), ("integrity", "integrity verified"), ("event", "other event"), ("aborted", "aborted"),
            ("deadline", "RTO deadline"),
        ]
        for (kind, label) in items {
            switch kind {
            case "disruption":
                svg.element("path", [("class", "m m-disruption"), ("d", "M\(n(x + 6)) \(n(y - 7))L\(n(x + 13)) \(n(y + 6))L\(n(x - 1)) \(n(y + 6))Z")])
            case "declared":
                svg.element("circle", [("class", "m m-declared"), ("cx", n(x + 6)), ("cy", n(y)), ("r", "6")])
            case "restored":
                svg.element("path", [("class", "m m-restored st-none"), ("d", "M\(n(x + 6)) \(n(y - 7))L\(n(x + 13)) \(n(y))L\(n(x + 6)) \(n(y + 7))L\(n(x - 1)) \(n(y))Z")])
            case "full":
                svg.element("path", [("class", "m m-full"), ("d", "M\(n(x + 6)) \(n(y - 7))L\(n(x + 13)) \(n(y))L\(n(x + 6)) \(n(y + 7))L\(n(x - 1)) \(n(y))Z")])
            case "integrity":
                svg.element("rect", [("class", "m m-integrity"), ("x", n(x + 1)), ("y", n(y - 5)), ("width", "10"), ("height", "10")])
            case "aborted":
                svg.element("path", [("class", "m m-aborted"), ("d", "M\(n(x)) \(n(y - 6))L\(n(x + 12)) \(n(y + 6))M\(n(x + 12)) \(n(y - 6))L\(n(x)) \(n(y + 6))")])
            case "deadline":
                svg.element("line", [("class", "deadline"), ("x1", n(x + 6)), ("x2", n(x + 6)), ("y1", n(y - 8)), ("y2", n(y + 8))])
            default:
                svg.element("circle", [("class", "m m-event"), ("cx", n(x + 6)), ("cy", n(y)), ("r", "4")])
            }
            svg.text(label, x: x + 18, y: y + 4, [("class", "legend-label")])
            x += 18 + Double(label.count) * 6.3 + 16
        }
        svg.end()
    }

    private var title: String {
        "Timeline of drill \(drill.drill), attempt \(drill.attempt)"
    }

    /// What the chart shows, in words, for readers who cannot see it.
    private var description: String {
        var parts: [String] = []
        let first = events.first?.event.time ?? drill.start
        let last = events.last?.event.time ?? drill.end
        parts.append("From \(HTMLFormat.instant(first, in: zone)) to \(HTMLFormat.instant(last, in: zone)), \(events.count) events.")
        for type in ["disruption", "crisis_declared", "failover_started", "failover_completed", "aborted", "failback_started", "failback_completed"] {
            if let time = firstTime(type) { parts.append("\(HTMLFormat.eventName(type).capitalizedFirst) at \(HTMLFormat.clock(time, in: zone)).") }
        }
        for process in processes {
            let restore = events.first { process.usedForRTO($0.event) }
            let verdict = process.status.map { " RTO \(HTMLFormat.word($0))." } ?? ""
            if let restore {
                parts.append("\(process.id) restored at \(HTMLFormat.clock(restore.event.time, in: zone)).\(verdict)")
            } else {
                parts.append("\(process.id) not restored.\(verdict)")
            }
        }
        parts.append("The table below lists every numbered event with its source.")
        return parts.joined(separator: " ")
    }

    /// A label cut to `length` characters (with `…`) so it stays in its gutter; the table has it whole.
    static func clipped(_ label: String, to length: Int) -> String {
        label.count > length ? String(label.prefix(length - 1)) + "…" : label
    }

    /// A tick interval giving at most about ten ticks.
    static func tickStep(span: Int64) -> Int64 {
        let steps: [Int64] = [300, 600, 900, 1800, 3600, 7200, 10_800, 21_600, 43_200, 86_400, 172_800, 604_800]
        return steps.first { span / $0 <= 10 } ?? 604_800
    }

    /// `+02:00`.
    static func offsetText(_ seconds: Int64) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let magnitude = abs(seconds)
        let hours = magnitude / 3600
        let minutes = magnitude % 3600 / 60
        return sign + (hours < 10 ? "0" : "") + "\(hours):" + (minutes < 10 ? "0" : "") + "\(minutes)"
    }
}

extension String {
    /// The string with its first letter upper-cased.
    fileprivate var capitalizedFirst: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}
