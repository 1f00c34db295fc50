import Foundation

/// Reads ServiceNow exports of `change_request` and `sysapproval_approver` (DESIGN §3.3): Table API
/// JSON (`{"result":[…]}` or `{"result":{…}}`, values plain or `{"value","display_value"}`) and XML
/// (see ``ServiceNowXMLParser``). Date-times are `yyyy-MM-dd HH:mm:ss` in UTC; `""` is absent.
public enum ServiceNowParser {
    /// One exported field: the `value` and, when exported, the `display_value`.
    struct Field {
        var value: String
        var display: String?
    }

    /// One exported record: its fields, and where it is (for messages).
    struct Record {
        /// The table, when the export says it (XML unload); otherwise inferred from the fields.
        var table: String?
        var fields: [String: Field]
        var path: String
        var line: Int?
        /// The line of each field, when known.
        var lines: [String: Int] = [:]

        func line(of field: String) -> Int? {
            lines[field].flatMap { $0 > 0 ? $0 : nil } ?? line
        }
    }

    /// Reads a Table API JSON export.
    public static func parseJSON(_ bytes: Data, source: String) throws(EvidenceError) -> ChangeExport {
        let document: JSONValue
        do {
            document = try JSONReader.read(bytes)
        } catch {
            throw EvidenceError(syntax: error, source: source)
        }
        return try parseJSON(document, source: source)
    }

    /// Reads a Table API JSON export already parsed.
    public static func parseJSON(_ document: JSONValue, source: String) throws(EvidenceError) -> ChangeExport {
        let root = try JSONFields(document, source: source, line: 1)
        let result = try root.required("result", "a record or an array of records")
        let elements: [(JSONValue, String, Int?)]
        switch result {
        case .object:
            elements = [(result, "result", root.lineOf("result"))]
        case .array(let list):
            elements = list.enumerated().map { ($1, "result[\($0)]", root.lineOf("result")) }
        default:
            throw root.wrongType("result", "a record or an array of records", result)
        }
        var records: [Record] = []
        for (value, path, line) in elements {
            let fields = try JSONFields(value, path: path, source: source, line: line)
            var record = Record(table: nil, fields: [:], path: path, line: line)
            for member in fields.object.members {
                if let field = try self.field(member.value, path: fields.fieldPath(member.key), source: source,
                                              line: member.line > 0 ? Int(member.line) : line)
                {
                    record.fields[member.key] = field
                }
            }
            record.line = fields.line
            record.lines = Dictionary(fields.object.members.map { ($0.key, Int($0.line)) }, uniquingKeysWith: { first, _ in first })
            records.append(record)
        }
        return try export(records, source: source)
    }

    /// A field value: a scalar, or an object with `value` (and `display_value`); arrays and nested
    /// objects without `value` are not fields drreport reads and are skipped.
    private static func field(_ value: JSONValue, path: String, source: String, line: Int?) throws(EvidenceError) -> Field? {
        switch value {
        case .object(let object):
            guard let inner = object["value"] else { return nil }
            guard let text = scalarText(inner) else {
                throw EvidenceError(
                    .wrongType, source: source, line: line, field: path + ".value",
                    "expected a string, number or boolean, found \(JSONFields.article(inner.typeName))")
            }
            return Field(value: text, display: object["display_value"].flatMap(scalarText))
        default:
            return scalarText(value).map { Field(value: $0, display: nil) }
        }
    }

    /// Strings as they are, numbers without a redundant `.0`, booleans as `true`/`false`, null as `""`.
    static func scalarText(_ value: JSONValue) -> String? {
        switch value {
        case .string(let text): return text
        case .bool(let flag): return flag ? "true" : "false"
        case .null: return ""
        case .number(let text):
            if let integer = Int64(text) { return String(integer) }
            if let double = Double(text), double == double.rounded(), abs(double) < 1e15 { return String(Int64(double)) }
            return text
        default: return nil
        }
    }

    /// Builds change requests and approvals from records; the table is the record's own (XML unload) or
    /// inferred: `sysapproval` + `approver` is an approval, `number` + `sys_id` a change request.
    static func export(_ records: [Record], source: String) throws(EvidenceError) -> ChangeExport {
        var changes: [ChangeRequest] = []
        var approvals: [Approval] = []
        for record in records {
            switch record.table ?? inferredTable(record) {
            case "change_request":
                changes.append(try change(record, source: source))
            case "sysapproval_approver":
                approvals.append(try approval(record, source: source))
            default:
                let what = (record.fields["sys_class_name"]?.value).map { "a \($0) record" } ?? "a record"
                throw EvidenceError(
                    .notEvidence, source: source, line: record.line, field: record.path,
                    "\(what), not a change_request (CHG number, sys_id) or sysapproval_approver (sysapproval, approver)")
            }
        }
        guard !changes.isEmpty || !approvals.isEmpty else {
            throw EvidenceError(.missingField, source: source, "no records; expected change requests or approvals")
        }
        return ChangeExport(changes: changes, approvals: approvals)
    }

    /// The table of a Table API record: its `sys_class_name` when exported, else recognised by its
    /// fields (an approval's `sysapproval` and `approver`, a change's `CHG` number).
    static func inferredTable(_ record: Record) -> String? {
        if record.fields["sysapproval"] != nil, record.fields["approver"] != nil { return "sysapproval_approver" }
        if let type = record.fields["sys_class_name"]?.value, !type.isEmpty { return type }
        if let number = record.fields["number"]?.value, number.uppercased().hasPrefix("CHG") { return "change_request" }
        return nil
    }

    private static func change(_ record: Record, source: String) throws(EvidenceError) -> ChangeRequest {
        let reader = RecordReader(record: record, source: source)
        return ChangeRequest(
            number: try reader.required("number"), sysID: try reader.required("sys_id"),
            type: reader.text("type") ?? "", state: reader.text("state") ?? "",
            approval: reader.text("approval") ?? "", requestedBy: reader.reference("requested_by"),
            assignedTo: reader.reference("assigned_to"), startDate: try reader.instant("start_date"),
            endDate: try reader.instant("end_date"), workStart: try reader.instant("work_start"),
            workEnd: try reader.instant("work_end"), cabRequired: try reader.bool("cab_required"),
            cabDate: try reader.instant("cab_date"), closeCode: reader.text("close_code"),
            approvalSet: try reader.instant("approval_set"), updatedOn: try reader.instant("sys_updated_on"))
    }

    private static func approval(_ record: Record, source: String) throws(EvidenceError) -> Approval {
        let reader = RecordReader(record: record, source: source)
        guard let approver = reader.reference("approver") else {
            throw reader.missing("approver")
        }
        return Approval(
            changeSysID: try reader.required("sysapproval"), sysID: reader.text("sys_id"), approver: approver,
            state: try reader.required("state"), updatedOn: try reader.instant("sys_updated_on"),
            comments: reader.text("comments"))
    }

    private struct RecordReader {
        let record: Record
        let source: String

        func text(_ key: String) -> String? {
            guard let field = record.fields[key], !field.value.isEmpty else { return nil }
            return field.value
        }

        func missing(_ key: String) -> EvidenceError {
            EvidenceError(
                .missingField, source: source, line: record.line, field: record.path + "." + key,
                "missing or empty; a \(record.table ?? "ServiceNow") record needs it")
        }

        func required(_ key: String) throws(EvidenceError) -> String {
            guard let value = text(key) else { throw missing(key) }
            return value
        }

        func reference(_ key: String) -> Reference? {
            guard let field = record.fields[key] else { return nil }
            let display = field.display.flatMap { $0.isEmpty ? nil : $0 }
            if field.value.isEmpty && display == nil { return nil }
            return Reference(value: field.value, display: display)
        }

        func bool(_ key: String) throws(EvidenceError) -> Bool? {
            guard let value = text(key) else { return nil }
            switch value.lowercased() {
            case "true", "1", "yes": return true
            case "false", "0", "no": return false
            default:
                throw EvidenceError(
                    .invalidValue, source: source, line: record.line(of: key), field: record.path + "." + key,
                    "expected true or false")
            }
        }

        func instant(_ key: String) throws(EvidenceError) -> Instant? {
            guard let value = text(key) else { return nil }
            switch Timestamp.parseServiceNow(value) {
            case .success(let instant):
                return instant
            case .failure:
                // Some exports carry RFC 3339 with an offset; accept that, but nothing naive in another grammar.
                if case .success(let instant) = Timestamp.parseRFC3339(value) { return instant }
                throw EvidenceError(
                    .invalidTimestamp, source: source, line: record.line(of: key), field: record.path + "." + key,
                    "'\(value.prefix(40))' is not a ServiceNow date-time; expected yyyy-MM-dd HH:mm:ss (UTC)")
            }
        }
    }
}
