import Evidence
import Foundation

extension HTMLView {
    /// One event of a drill's timeline table, numbered as in the chart.
    struct EventRow {
        var number: Int
        var time: Stamp
        var offset: String
        var event: String
        var process: String
        var hasProcess: Bool
        var region: String
        var actor: String
        var clock: String
        var hasClock: Bool
        var note: String
        var source: String
        var evidence: EvidenceLink
        var usedForRTO: Bool
    }

    /// A drill attempt: scenario, trigger, scope, the timeline chart and every event with its source.
    struct DrillView {
        var anchor: String
        var chartID: String
        var drill: String
        var attempt: Int
        var outcome: Status
        var scenario: String
        var trigger: String
        var processes: String
        var start: Stamp
        var end: Stamp
        var duration: String
        var chart: String
        var events: [EventRow]
    }

    /// Every drill attempt of the period.
    struct Drills {
        var hasDrills: Bool
        var count: String
        var items: [DrillView]

        init(_ model: ReportModel, zone: TimeZone) {
            items = model.drills.enumerated().map { index, drill in
                DrillView(drill, index: index + 1, model: model, zone: zone)
            }
            hasDrills = !items.isEmpty
            count = HTMLFormat.count(items.count, "drill attempt")
        }
    }

    /// Operation in the secondary region and failback, per drill attempt.
    struct SustainedRow {
        var drill: String
        var outcome: Status
        var failoverCompleted: String
        var secondaryOperation: String
        var failbackStarted: String
        var failback: String
        var failbackCompleted: String
        var failbackCSS: String
    }

    /// The sustained-operation section.
    struct Sustained {
        var hasRows: Bool
        var secondaryRegion: String
        var rows: [SustainedRow]

        init(_ model: ReportModel, zone: TimeZone) {
            secondaryRegion = HTMLFormat.text(model.scope.secondaryRegion)
            rows = model.drills.map { drill in
                func time(_ type: String) -> String {
                    drill.events.first { $0.event == type }.map { HTMLFormat.instant($0.time, in: zone) } ?? "not logged"
                }
                return SustainedRow(
                    drill: "\(HTMLFormat.text(drill.drill)) #\(drill.attempt)", outcome: DrillView.outcome(drill),
                    failoverCompleted: time("failover_completed"), secondaryOperation: HTMLFormat.duration(drill.secondaryOperationSeconds),
                    failbackStarted: time("failback_started"), failback: HTMLFormat.duration(drill.failbackSeconds),
                    failbackCompleted: drill.failbackCompleted ? "yes" : "no", failbackCSS: drill.failbackCompleted ? "yes" : "no")
            }
            hasRows = !rows.isEmpty
        }
    }
}

extension HTMLView.DrillView {
    init(_ drill: ReportModel.Drill, index: Int, model: ReportModel, zone: TimeZone) {
        anchor = "drill-\(index)"
        chartID = "timeline-\(index)"
        self.drill = HTMLFormat.text(drill.drill)
        attempt = drill.attempt
        outcome = Self.outcome(drill)
        scenario = drill.scenario.map { HTMLFormat.text($0) } ?? "not recorded"
        trigger = drill.trigger.map { HTMLFormat.text($0) } ?? "not recorded"
        processes = drill.processes.isEmpty ? "none" : drill.processes.map { HTMLFormat.text($0) }.joined(separator: ", ")
        start = HTMLView.Stamp(drill.start, in: zone)
        end = HTMLView.Stamp(drill.end, in: zone)
        duration = DurationText.format(drill.end.secondsSinceEpoch - drill.start.secondsSinceEpoch)

        let recoveries = model.recovery.filter { $0.drill == drill.drill && $0.attempt == drill.attempt }
        var laneIDs = drill.processes
        for event in drill.events {
            if let process = event.process, !laneIDs.contains(process) { laneIDs.append(process) }
        }
        let lanes = laneIDs.map { id -> TimelineChart.ProcessLane in
            let scope = model.scope.processes.first { $0.id == id }
            let rto = recoveries.first { $0.process == id }?.rto
            return TimelineChart.ProcessLane(
                id: id, name: scope?.name ?? id, rtoSeconds: scope?.rtoSeconds ?? 0,
                status: rto?.status, restore: rto?.details.recovery?.restore)
        }
        let numbered = drill.events.enumerated().map { TimelineChart.NumberedEvent(number: $0.offset + 1, event: $0.element) }
        chart = TimelineChart(
            id: chartID, drill: drill, events: numbered, processes: lanes,
            rtoClock: model.scope.rtoClock, secondaryRegion: HTMLFormat.text(model.scope.secondaryRegion), zone: zone
        ).svg()
        events = numbered.map { item in
            let event = item.event
            let lane = lanes.first { $0.id == event.process }
            return HTMLView.EventRow(
                number: item.number, time: HTMLView.Stamp(event.time, in: zone), offset: "+" + DurationText.format(event.offsetSeconds),
                event: HTMLFormat.eventName(event.event), process: HTMLFormat.text(event.process), hasProcess: event.process != nil, region: HTMLFormat.text(event.region),
                actor: HTMLFormat.text(event.actor), clock: HTMLFormat.text(event.clock), hasClock: event.clock != nil,
                note: HTMLFormat.text(event.note), source: "\(HTMLFormat.text(event.source)):\(event.line)",
                evidence: HTMLView.EvidenceLink(event.evidence), usedForRTO: lane?.usedForRTO(event) ?? false)
        }
    }

    /// `ABORTED` or `COMPLETED`, as a chip.
    static func outcome(_ drill: ReportModel.Drill) -> HTMLView.Status {
        drill.aborted ? HTMLView.Status(word: "ABORTED", css: "st-fail") : HTMLView.Status(word: "COMPLETED", css: "st-info")
    }
}
