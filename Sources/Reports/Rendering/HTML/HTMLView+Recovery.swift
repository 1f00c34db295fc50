import Evidence
import Foundation

extension HTMLView {
    /// A process's RTO in one drill attempt, both clocks.
    struct RTORow {
        var process: String
        var processName: String
        var drill: String
        var status: Status
        var clock: String
        var fromDeclaration: String
        var fromDisruption: String
        var latency: String
        var interval: String
        var target: String
        var message: String
        var waivers: [Waiver]
    }

    /// One table's data loss within an RPO verdict.
    struct LossRow {
        var table: String
        var checkRun: String
        var action: String
        var version: String
        var versionTime: String
        var loss: String
    }

    /// A process's RPO in one drill attempt.
    struct RPORow {
        var process: String
        var processName: String
        var drill: String
        var status: Status
        var loss: String
        var target: String
        var reference: String
        var referenceSource: String
        var tables: [LossRow]
        var hasTables: Bool
        var hasMoreTables: Bool
        var moreTables: String
        var message: String
        var waivers: [Waiver]
    }

    /// Recovery results: the RTO and RPO charts and their tables.
    struct Recovery {
        var hasRows: Bool
        var rtoClock: String
        var otherClock: String
        var rtoChart: String
        var rpoChart: String
        var rto: [RTORow]
        var rpo: [RPORow]

        init(_ model: ReportModel, zone: TimeZone) {
            let clock = model.scope.rtoClock
            rtoClock = HTMLFormat.eventName(clock)
            otherClock = clock == "disruption" ? "crisis declared" : "disruption"
            let noFinding = Status(word: "NO FINDING", css: "st-indeterminate")
            rto = model.recovery.map { recovery in
                let finding = recovery.rto
                let details = finding?.details.recovery
                let interval = pair(details?.lowerBoundSeconds, details?.upperBoundSeconds).map {
                    "[\(DurationText.format($0.0)), \(DurationText.format($0.1))]"
                }
                return RTORow(
                    process: HTMLFormat.text(recovery.process), processName: HTMLFormat.text(recovery.processName),
                    drill: "\(HTMLFormat.text(recovery.drill)) #\(recovery.attempt)", status: finding.map { Status($0.status) } ?? noFinding,
                    clock: HTMLFormat.eventName(details?.clock ?? clock), fromDeclaration: HTMLFormat.duration(details?.fromDeclarationSeconds),
                    fromDisruption: HTMLFormat.duration(details?.fromDisruptionSeconds), latency: HTMLFormat.duration(details?.declarationLatencySeconds),
                    interval: interval ?? "—", target: HTMLFormat.duration(finding?.targetSeconds),
                    message: HTMLFormat.text(finding?.message), waivers: Waiver.list(finding?.waiver))
            }
            rpo = model.recovery.map { recovery in
                let finding = recovery.rpo
                let details = finding?.details.dataLoss
                let losses = details?.tables ?? []
                let tables = losses.prefix(HTMLView.lossRowsLimit).map { loss in
                    LossRow(
                        table: HTMLFormat.text(loss.table), checkRun: HTMLFormat.text(loss.checkRun), action: HTMLFormat.text(loss.action),
                        version: loss.version.map(String.init) ?? "—",
                        versionTime: loss.versionTime.map { HTMLFormat.instant($0, in: zone) } ?? "—",
                        loss: loss.lossSeconds.map(DurationText.format) ?? "unrecoverable")
                }
                return RPORow(
                    process: HTMLFormat.text(recovery.process), processName: HTMLFormat.text(recovery.processName),
                    drill: "\(HTMLFormat.text(recovery.drill)) #\(recovery.attempt)", status: finding.map { Status($0.status) } ?? noFinding,
                    loss: HTMLFormat.duration(finding?.measuredSeconds), target: HTMLFormat.duration(finding?.targetSeconds),
                    reference: details?.referenceTime.map { HTMLFormat.instant($0, in: zone) } ?? "—",
                    referenceSource: HTMLFormat.text(details?.referenceSource), tables: tables, hasTables: !tables.isEmpty,
                    hasMoreTables: losses.count > tables.count,
                    moreTables: "and \(HTMLFormat.grouped(losses.count - tables.count)) more of the process's tables, none losing more than those above; report.xml lists every table",
                    message: HTMLFormat.text(finding?.message), waivers: Waiver.list(finding?.waiver))
            }
            hasRows = !model.recovery.isEmpty
            rtoChart = hasRows ? Self.rtoChart(model) : ""
            rpoChart = hasRows ? Self.rpoChart(model) : ""
        }

        static func rtoChart(_ model: ReportModel) -> String {
            let clock = model.scope.rtoClock
            let otherClock = clock == "disruption" ? "crisis declared" : "disruption"
            var summary: [String] = []
            let rows = model.recovery.map { recovery -> BarChart.Row in
                let finding = recovery.rto
                let details = finding?.details.recovery
                let status = finding?.status ?? .indeterminate
                let word = HTMLFormat.word(status)
                var bars: [BarChart.Bar] = []
                if let measured = finding?.measuredSeconds {
                    bars.append(.init(seconds: measured, css: "st-" + status.rawValue,
                                      label: "\(DurationText.format(measured)) · \(word)" + (details?.aborted == true ? " (attempt aborted)" : "")))
                }
                let other = clock == "disruption" ? details?.fromDeclarationSeconds : details?.fromDisruptionSeconds
                if let other, !bars.isEmpty {
                    bars.append(.init(seconds: other, css: "other", label: "\(DurationText.format(other)) from \(otherClock)"))
                }
                let reason = details?.aborted == true ? "attempt aborted before a restore" : "no restore logged"
                summary.append("\(recovery.process) in \(recovery.drill) attempt \(recovery.attempt): "
                    + (finding?.measuredSeconds.map { "\(DurationText.format($0)) from \(HTMLFormat.eventName(clock))" } ?? reason)
                    + ", \(word).")
                return BarChart.Row(
                    label: recovery.process, sublabel: "\(recovery.drill) #\(recovery.attempt)", bars: bars,
                    target: finding?.targetSeconds ?? 0, note: "\(reason) — \(word)", noteCSS: "st-" + status.rawValue)
            }
            return BarChart(
                id: "chart-rto", title: "Recovery time per process and drill attempt against the RTO",
                description: "Horizontal bars: time to minimum service from \(HTMLFormat.eventName(clock)) (the verdict's clock) and from \(otherClock), with the RTO target as a vertical line. " + summary.joined(separator: " "),
                targetName: "RTO target", rows: rows,
                legend: [("st-none", "from \(HTMLFormat.eventName(clock)) (verdict; colour = status)"), ("other", "from \(otherClock)"), ("target-line", "RTO target")]
            ).svg()
        }

        static func rpoChart(_ model: ReportModel) -> String {
            var summary: [String] = []
            let rows = model.recovery.map { recovery -> BarChart.Row in
                let finding = recovery.rpo
                let status = finding?.status ?? .indeterminate
                let word = HTMLFormat.word(status)
                let tables = finding?.details.dataLoss?.tables
                var bars: [BarChart.Bar] = []
                if let measured = finding?.measuredSeconds {
                    bars.append(.init(seconds: measured, css: "st-" + status.rawValue, label: "\(DurationText.format(measured)) · \(word)"))
                }
                let reason = tables == nil || tables?.isEmpty == true ? "no consistency evidence"
                    : tables?.contains { $0.lossSeconds == nil } == true ? "a table is unrecoverable" : "no loss measured"
                summary.append("\(recovery.process) in \(recovery.drill) attempt \(recovery.attempt): "
                    + (finding?.measuredSeconds.map { "data loss \(DurationText.format($0))" } ?? reason) + ", \(word).")
                return BarChart.Row(
                    label: recovery.process, sublabel: "\(recovery.drill) #\(recovery.attempt)", bars: bars,
                    target: finding?.targetSeconds ?? 0, note: "\(reason) — \(word)", noteCSS: "st-" + status.rawValue)
            }
            return BarChart(
                id: "chart-rpo", title: "Data loss per process and drill attempt against the RPO",
                description: "Horizontal bars: the largest data loss over the process's tables, with the RPO target as a vertical line. " + summary.joined(separator: " "),
                targetName: "RPO target", rows: rows,
                legend: [("st-none", "largest data loss (colour = status)"), ("target-line", "RPO target")]
            ).svg()
        }
    }
}

private func pair<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
