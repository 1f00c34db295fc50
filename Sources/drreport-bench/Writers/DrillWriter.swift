import Foundation

/// Drill logs (DESIGN §3.1): JSON Lines merged from several sources (the chaos pipeline, monitoring
/// and the runbook bot first, then the business-continuity log, so not in time order), and the last
/// drill as CSV with CRLF line ends. Times carry the Europe/Rome offset (+02:00 in summer).
enum DrillWriter {
    /// One event line.
    struct Event {
        var time: Moment
        var event: String
        var attempt: Int?
        var process: String?
        var region: String?
        var actor: String
        /// Machine clocks are NTP-synchronised (±2 s); people's entries take the policy's default.
        var machine: Bool
        var level: String?
        var scenario: String?
        var processes: [String]?
        var note: String?
    }

    /// The events of a drill.
    static func events(_ drill: QuarterPlan.Drill, bank: Bank, index: Int) -> [Event] {
        var random = SeededRandom(bank.seed, "drill-log", drill.id)
        let scope = bank.processes.filter(\.drilled).map(\.id)
        var events: [Event] = [
            Event(time: drill.started, event: "drill_started", attempt: 1, actor: "bcm.manager@bank.example", machine: false,
                  scenario: "regional-outage", processes: scope, note: "regional outage drill \(index + 1) of the quarter, all drilled processes"),
            Event(time: drill.disruption, event: "disruption", region: "westeurope", actor: "chaos-pipeline", machine: true,
                  note: "customer-initiated storage failover requested for stbesprodlake01"),
            Event(time: drill.detected, event: "detected", region: "westeurope", actor: "azure-monitor", machine: true,
                  note: "storage account availability alert; workspace health probes failing"),
            Event(time: drill.declared, event: "crisis_declared", actor: "bcm.oncall@bank.example", machine: false),
            Event(time: drill.planActivated, event: "plan_activated", actor: "bcm.oncall@bank.example", machine: false,
                  note: "DR runbook RB-DBX-01 v4.\(index + 1)"),
            Event(time: drill.failoverStarted, event: "failover_started", region: "northeurope", actor: "runbook-bot", machine: true),
            Event(time: drill.failoverCompleted, event: "failover_completed", region: "northeurope", actor: "runbook-bot", machine: true,
                  note: "stbesprodlake01 primary endpoint now in northeurope"),
        ]
        for (position, process) in bank.processes.enumerated() where process.drilled {
            let operator_ = "ops.\(["one", "two", "three", "four"][position % 4])@bank.example"
            if let restored = drill.restored[position] {
                events.append(Event(
                    time: restored.adding(-Int64(random.int(900...2400)) * Moment.second), event: "milestone", process: process.id,
                    region: "northeurope", actor: operator_, machine: false, note: "unity catalog, secret scopes and jobs of \(process.catalog) reachable"))
                events.append(Event(
                    time: restored, event: "service_restored", process: process.id, region: "northeurope", actor: "runbook-bot",
                    machine: true, level: "minimum"))
                events.append(Event(
                    time: restored.adding(Int64(random.int(600...1800)) * Moment.second), event: "integrity_verified", process: process.id,
                    actor: operator_, machine: false, note: "\(process.name) totals reconciled with the source systems: 0 breaks"))
                if random.chance(0.3) {
                    events.append(Event(
                        time: restored.adding(Int64(random.int(1800...3600)) * Moment.second), event: "service_restored", process: process.id,
                        region: "northeurope", actor: "runbook-bot", machine: true, level: "full"))
                }
            } else {
                events.append(Event(
                    time: drill.failoverCompleted.adding(Int64(random.int(1800...5400)) * Moment.second), event: "milestone",
                    process: process.id, region: "northeurope", actor: operator_, machine: false,
                    note: "\(process.catalog) jobs fail to start in northeurope: service principal lacks the secondary key vault policy"))
            }
        }
        events += [
            Event(time: drill.failbackStarted, event: "failback_started", region: "westeurope", actor: "runbook-bot", machine: true),
            Event(time: drill.failbackCompleted, event: "failback_completed", region: "westeurope", actor: "runbook-bot", machine: true),
            Event(time: drill.crisisClosed, event: "crisis_closed", actor: "bcm.oncall@bank.example", machine: false),
            Event(time: drill.closed, event: "drill_closed", actor: "bcm.manager@bank.example", machine: false),
        ]
        return events
    }

    /// A JSON Lines log: machine sources first, then people's entries, each in time order.
    static func jsonLines(_ drill: QuarterPlan.Drill, bank: Bank, index: Int) -> [UInt8] {
        let all = events(drill, bank: bank, index: index)
        let ordered = all.filter(\.machine).sorted { $0.time < $1.time } + all.filter { !$0.machine }.sorted { $0.time < $1.time }
        var writer = JSONWriter(capacity: 32_768)
        for event in ordered {
            var members: [JSONText.Member] = [.init("drill", .string(drill.id))]
            if let attempt = event.attempt { members.append(.init("attempt", .int(Int64(attempt)))) }
            members.append(.init("time", .string(event.time.rfc3339(offsetMinutes: 120))))
            members.append(.init("event", .string(event.event)))
            if let process = event.process { members.append(.init("process", .string(process))) }
            if let region = event.region { members.append(.init("region", .string(region))) }
            members.append(.init("actor", .string(event.actor)))
            if event.machine {
                members.append(.init("clock", .string("ntp:time.windows.com")))
                members.append(.init("uncertainty_s", .int(2)))
            }
            if let level = event.level { members.append(.init("level", .string(level))) }
            if let scenario = event.scenario { members.append(.init("scenario", .string(scenario))) }
            if let processes = event.processes { members.append(.init("processes", .strings(processes))) }
            if let note = event.note { members.append(.init("note", .string(note))) }
            writer.compact(.object(members))
            writer.raw("\n")
        }
        return writer.bytes
    }

    /// The same events as CSV (header, CRLF, `processes` separated by `;`, notes quoted).
    static func csv(_ drill: QuarterPlan.Drill, bank: Bank, index: Int) -> [UInt8] {
        let ordered = events(drill, bank: bank, index: index).sorted { $0.time < $1.time }
        var text = "drill,attempt,time,event,process,region,actor,clock,uncertainty_s,level,scenario,processes,note\r\n"
        for event in ordered {
            let cells = [
                drill.id, "1", event.time.rfc3339(offsetMinutes: 120), event.event, event.process ?? "", event.region ?? "",
                event.actor, event.machine ? "ntp:time.windows.com" : "", event.machine ? "2" : "", event.level ?? "",
                event.scenario ?? "", event.processes?.joined(separator: ";") ?? "", event.note ?? "",
            ]
            text += cells.map(quoted).joined(separator: ",") + "\r\n"
        }
        return Array(text.utf8)
    }

    private static func quoted(_ cell: String) -> String {
        guard cell.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return cell }
        return "\"" + cell.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
