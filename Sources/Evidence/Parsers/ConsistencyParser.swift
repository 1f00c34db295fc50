import Foundation

/// Reads the output of the post-failover consistency script (DESIGN §3.4): one JSON document with a
/// `tables` array, or JSON Lines of table objects that each carry their run's fields.
public enum ConsistencyParser {
    static let runFields: Set<String> = ["check_run", "drill", "region", "checked_at", "reference_time"]
    static let tableFields: Set<String> = [
        "table", "location", "latest_version", "latest_version_time", "complete", "missing_files", "restored_version",
        "restored_version_time", "action",
    ]

    /// Reads a single JSON document.
    public static func parseJSON(_ bytes: Data, source: String) throws(EvidenceError) -> ConsistencyReport {
        let document: JSONValue
        do {
            document = try JSONReader.read(bytes)
        } catch {
            throw EvidenceError(syntax: error, source: source)
        }
        return try parseDocument(document, source: source)
    }

    /// Reads a document already parsed.
    public static func parseDocument(_ document: JSONValue, source: String) throws(EvidenceError) -> ConsistencyReport {
        let root = try JSONFields(document, source: source, line: 1)
        try root.rejectUnknown(allowing: runFields.union(["tables"]), what: "a consistency check run")
        guard let list = try root.optionalArray("tables") else {
            throw root.error(.missingField, "tables", "missing; expected the array of checked tables")
        }
        guard !list.isEmpty else { throw root.error(.invalidValue, "tables", "is empty; expected at least one table") }
        var tables: [TableCheck] = []
        for (index, element) in list.enumerated() {
            let fields = try JSONFields(element, path: "tables[\(index)]", source: source, line: root.lineOf("tables"))
            try fields.rejectUnknown(allowing: tableFields, what: "a table result")
            tables.append(try table(fields, line: fields.line ?? 1))
        }
        let run = try self.run(root, tables: tables)
        try rejectDuplicateTables(run, source: source)
        return ConsistencyReport(runs: [run])
    }

    /// Reads JSON Lines, one table per line, grouped into runs by `check_run`. Lines of one run must
    /// agree on the run's fields.
    public static func parseJSONLines(_ bytes: Data, source: String) throws(EvidenceError) -> ConsistencyReport {
        var runs: [ConsistencyRun] = []
        var positions: [String: Int] = [:]
        for line in JSONLines.split(bytes) {
            let value: JSONValue
            do {
                value = try JSONReader.read(line.bytes, firstLine: line.number)
            } catch {
                throw EvidenceError(syntax: error, source: source)
            }
            let fields = try JSONFields(value, source: source, line: line.number)
            try fields.rejectUnknown(allowing: runFields.union(tableFields), what: "a consistency line")
            let table = try self.table(fields, line: line.number)
            let run = try self.run(fields, tables: [table])
            if let position = positions[run.checkRun] {
                let existing = runs[position]
                guard existing.drill == run.drill, existing.region == run.region, existing.checkedAt == run.checkedAt,
                    existing.referenceTime == run.referenceTime
                else {
                    throw EvidenceError(
                        .invalidValue, source: source, line: line.number, field: "check_run",
                        "run fields (drill, region, checked_at, reference_time) differ from the run's earlier lines")
                }
                // Appended in place: a copy of the run would copy its tables on every line.
                runs[position].tables.append(table)
            } else {
                positions[run.checkRun] = runs.count
                runs.append(run)
            }
        }
        guard !runs.isEmpty else {
            throw EvidenceError(.missingField, source: source, "no table lines; expected consistency results")
        }
        for run in runs { try rejectDuplicateTables(run, source: source) }
        return ConsistencyReport(runs: runs)
    }

    private static func run(_ fields: JSONFields, tables: [TableCheck]) throws(EvidenceError) -> ConsistencyRun {
        ConsistencyRun(
            checkRun: try fields.string("check_run"), drill: try fields.optionalString("drill"),
            region: try fields.optionalString("region"), checkedAt: try fields.instant("checked_at"),
            referenceTime: try fields.optionalInstantOrEpochMilliseconds("reference_time"), tables: tables)
    }

    private static func table(_ fields: JSONFields, line: Int) throws(EvidenceError) -> TableCheck {
        let name = try fields.string("table")
        let actionText = try fields.string("action")
        guard let action = ConsistencyAction(rawValue: actionText) else {
            throw fields.error(.invalidValue, "action", "expected none, restored or unrecoverable")
        }
        let complete = try fields.bool("complete")
        let check = TableCheck(
            table: name, location: try fields.optionalString("location"),
            latestVersion: try fields.optionalInt("latest_version"),
            latestVersionTime: try fields.optionalInstantOrEpochMilliseconds("latest_version_time"), complete: complete,
            missingFiles: try fields.optionalStringArray("missing_files") ?? [],
            restoredVersion: try fields.optionalInt("restored_version"),
            restoredVersionTime: try fields.optionalInstantOrEpochMilliseconds("restored_version_time"), action: action,
            line: line)
        switch action {
        case .none:
            guard complete else {
                throw fields.error(.invalidValue, "action", "is none but the table is not complete; expected restored or unrecoverable")
            }
            guard check.latestVersionTime != nil else {
                throw fields.error(.missingField, "latest_version_time", "missing; a complete table needs its version's time")
            }
        case .restored:
            guard check.restoredVersion != nil else {
                throw fields.error(.missingField, "restored_version", "missing; a restored table needs the version restored to")
            }
            guard check.restoredVersionTime != nil else {
                throw fields.error(.missingField, "restored_version_time", "missing; a restored table needs that version's time")
            }
        case .unrecoverable:
            break
        }
        return check
    }

    private static func rejectDuplicateTables(_ run: ConsistencyRun, source: String) throws(EvidenceError) {
        var seen: [String: Int] = [:]
        for table in run.tables {
            if let first = seen[table.table] {
                throw EvidenceError(
                    .duplicateRecord, source: source, line: table.line, field: "table",
                    "table '\(table.table.prefix(120))' appears twice in check run \(run.checkRun.prefix(60)) (first at line \(first))")
            }
            seen[table.table] = table.line
        }
    }
}
