import CSV
import Foundation

/// Reads drill logs (DESIGN §3.1): JSON Lines, or CSV with the same columns and a header row.
public enum DrillLogParser {
    /// The columns (JSON fields) of a drill log.
    public static let fields: Set<String> = [
        "drill", "attempt", "time", "event", "process", "region", "actor", "clock", "uncertainty_s", "level", "scenario",
        "processes", "note",
    ]

    /// Reads a JSON Lines drill log. Blank lines are skipped; every other line must be one event.
    public static func parseJSONLines(_ bytes: Data, source: String) throws(EvidenceError) -> DrillLog {
        var events: [DrillEvent] = []
        for line in JSONLines.split(bytes) {
            let value: JSONValue
            do {
                value = try JSONReader.read(line.bytes, firstLine: line.number)
            } catch {
                throw EvidenceError(syntax: error, source: source)
            }
            let fields = try JSONFields(value, path: "", source: source, line: line.number)
            events.append(try event(fields, line: line.number))
        }
        return try log(events, source: source)
    }

    /// Reads a CSV drill log: a header naming at least `drill`, `time` and `event`; empty cells are absent
    /// fields; `processes` lists process ids separated by `;`.
    public static func parseCSV(_ bytes: Data, source: String) throws(EvidenceError) -> DrillLog {
        guard let text = String(data: bytes, encoding: .utf8) else {
            throw EvidenceError(.binary, source: source, "not UTF-8 text; expected a CSV drill log")
        }
        let table = try CSVTable(text: text, source: source)
        let header = table.header
        let missing = ["drill", "time", "event"].filter { !header.contains($0) }
        if !missing.isEmpty {
            throw EvidenceError(
                .missingField, source: source, line: 1, field: missing.joined(separator: ", "),
                "missing column\(missing.count > 1 ? "s" : "") in the CSV header; expected at least drill, time, event")
        }
        for (index, name) in header.enumerated() where !fields.contains(name) {
            throw EvidenceError(
                .invalidValue, source: source, line: 1, column: index + 1, field: name,
                "unknown column; expected columns among \(fields.sorted().joined(separator: ", "))")
        }
        var events: [DrillEvent] = []
        for row in table.rows {
            var members: [JSONObject.Member] = []
            for (name, cell) in zip(header, row.cells) where !cell.isEmpty {
                let value: JSONValue
                switch name {
                case "attempt", "uncertainty_s":
                    guard Int64(cell) != nil else {
                        throw EvidenceError(
                            .wrongType, source: source, line: row.line, field: name, "expected an integer")
                    }
                    value = .number(cell)
                case "processes":
                    value = .array(cell.split(separator: ";").map { .string($0.trimmingCharacters(in: .whitespaces)) })
                default:
                    value = .string(cell)
                }
                members.append(JSONObject.Member(key: name, value: value, line: Int32(row.line)))
            }
            let fields = JSONFields(JSONObject(members), source: source, line: row.line)
            events.append(try event(fields, line: row.line))
        }
        return try log(events, source: source)
    }

    private static func log(_ events: [DrillEvent], source: String) throws(EvidenceError) -> DrillLog {
        guard !events.isEmpty else {
            throw EvidenceError(.missingField, source: source, "no events; expected at least one drill event")
        }
        var seen: [DrillEvent: Int] = [:]
        for event in events {
            var key = event
            key.line = 0
            if let first = seen[key] {
                throw EvidenceError(
                    .duplicateRecord, source: source, line: event.line,
                    "duplicate of line \(first); each event must be logged once")
            }
            seen[key] = event.line
        }
        return DrillLog(events: events)
    }

    private static func event(_ fields: JSONFields, line: Int) throws(EvidenceError) -> DrillEvent {
        try fields.rejectUnknown(allowing: Self.fields, what: "a drill event")
        let drill = try fields.string("drill")
        let time = try fields.instant("time")
        let name = try fields.string("event")
        guard let type = DrillEventType(rawValue: name) else {
            throw fields.error(
                .unknownEvent, "event",
                "unknown event '\(name.prefix(40))'; expected one of "
                    + DrillEventType.allCases.map(\.rawValue).joined(separator: ", "))
        }
        let attempt = try fields.optionalInt("attempt") ?? 1
        guard attempt >= 1, attempt <= 1000 else {
            throw fields.error(.invalidValue, "attempt", "expected an attempt number from 1")
        }
        let process = try fields.optionalString("process")
        if type.requiresProcess, process == nil {
            throw EvidenceError(
                .missingField, source: fields.source, line: line, field: "process",
                "missing; a \(type.rawValue) event must name the process (an id from drreport.yaml)")
        }
        let uncertainty = try fields.optionalInt("uncertainty_s")
        if let uncertainty, uncertainty < 0 || uncertainty > 86_400 {
            throw fields.error(.invalidValue, "uncertainty_s", "expected whole seconds from 0 to 86400")
        }
        var level: RestoreLevel?
        if let text = try fields.optionalString("level") {
            guard let parsed = RestoreLevel(rawValue: text) else {
                throw fields.error(.invalidValue, "level", "expected minimum or full")
            }
            guard type == .serviceRestored else {
                throw fields.error(.invalidValue, "level", "only a service_restored event has a level")
            }
            level = parsed
        } else if type == .serviceRestored {
            level = .minimum
        }
        var scenario: DrillScenario?
        if let text = try fields.optionalString("scenario") {
            guard let parsed = DrillScenario(rawValue: text) else {
                throw fields.error(
                    .invalidValue, "scenario",
                    "expected one of " + DrillScenario.allCases.map(\.rawValue).joined(separator: ", "))
            }
            guard type == .drillStarted else {
                throw fields.error(.invalidValue, "scenario", "only a drill_started event names the scenario")
            }
            scenario = parsed
        }
        let processes = try fields.optionalStringArray("processes")
        if processes != nil, type != .drillStarted {
            throw fields.error(.invalidValue, "processes", "only a drill_started event lists the processes in scope")
        }
        if let processes, processes.isEmpty || processes.contains(where: \.isEmpty) {
            throw fields.error(.invalidValue, "processes", "expected a non-empty list of process ids")
        }
        return DrillEvent(
            drill: drill, attempt: Int(attempt), time: time, event: type, process: process,
            region: try fields.optionalString("region"), actor: try fields.optionalString("actor"),
            clock: try fields.optionalString("clock"), uncertaintySeconds: uncertainty.map { Int($0) }, level: level,
            scenario: scenario, processes: processes, note: try fields.optionalString("note"), line: line)
    }
}

/// The non-blank lines of a JSON Lines file, with their 1-based numbers.
enum JSONLines {
    struct Line {
        var number: Int
        var bytes: Data
    }

    /// Splits on `\n` (a `\r` before it dropped); each line is a slice of `bytes`, not a copy.
    static func split(_ bytes: Data) -> [Line] {
        // Line boundaries are found over raw bytes: indexing `Data` byte by byte costs far more.
        let ranges: [(number: Int, range: Range<Int>)] = bytes.withUnsafeBytes { buffer in
            var ranges: [(number: Int, range: Range<Int>)] = []
            var number = 1
            var start = 0
            func emit(_ end: Int) {
                var end = end
                if end > start, buffer[end - 1] == UInt8(ascii: "\r") { end -= 1 }
                if buffer[start..<end].contains(where: { $0 != 0x20 && $0 != 0x09 }) {
                    ranges.append((number, start..<end))
                }
            }
            while start <= buffer.count {
                let rest = buffer.count - start
                guard rest > 0, let base = buffer.baseAddress,
                    let found = memchr(base + start, Int32(UInt8(ascii: "\n")), rest)
                else {
                    emit(buffer.count)
                    break
                }
                let end = base.distance(to: UnsafeRawPointer(found))
                emit(end)
                number += 1
                start = end + 1
            }
            return ranges
        }
        let origin = bytes.startIndex
        return ranges.map { Line(number: $0.number, bytes: bytes[(origin + $0.range.lowerBound)..<(origin + $0.range.upperBound)]) }
    }
}

/// A CSV table read with CSV.swift, every row checked against the header's width, with the line each
/// row starts on.
struct CSVTable {
    struct Row {
        var line: Int
        var cells: [String]
    }

    var header: [String]
    var rows: [Row]

    init(text: String, source: String) throws(EvidenceError) {
        let reader: CSVReader
        do {
            reader = try CSVReader(string: text, hasHeaderRow: true, trimFields: true)
        } catch {
            throw EvidenceError(.invalidCSV, source: source, line: 1, "no header row; expected a CSV header")
        }
        header = (reader.headerRow ?? []).map { $0.trimmingCharacters(in: .whitespaces) }
        if let first = header.first, first.hasPrefix("\u{FEFF}") {
            header[0] = String(first.dropFirst())
        }
        rows = []
        var line = 2 + header.reduce(0) { $0 + $1.filter { $0 == "\n" }.count }
        while let cells = reader.next() {
            if reader.error != nil { break }
            let start = line
            line += 1 + cells.reduce(0) { $0 + $1.filter { $0 == "\n" }.count }
            if cells.count == 1, cells[0].isEmpty { continue }
            guard cells.count == header.count else {
                throw EvidenceError(
                    .invalidCSV, source: source, line: start,
                    "row has \(cells.count) field\(cells.count == 1 ? "" : "s"); the header has \(header.count)")
            }
            rows.append(Row(line: start, cells: cells))
        }
        if reader.error != nil {
            throw EvidenceError(.invalidCSV, source: source, line: line, "unreadable CSV (bad encoding or quoting)")
        }
    }
}
