/// ServiceNow Table API exports of `change_request` and `sysapproval_approver`, one pair per month:
/// July and September with plain values (`sysparm_exclude_reference_link=true`), August with
/// `sysparm_display_value=all` (`{"display_value","link","value"}` objects), plus one change exported
/// on its own as `{"result":{…}}`.
enum ServiceNowWriter {
    static let instance = "https://bancaesempio.service-now.com/api/now/table"

    /// A file of the export: its name under `servicenow/` and its bytes.
    struct File {
        var name: String
        var bytes: [UInt8]
        var changes: Int
        var approvals: Int
    }

    /// All export files.
    static func files(_ plan: QuarterPlan) -> [File] {
        let bank = plan.bank
        let months = Array(Set(plan.changes.map(\.start.yearMonth))).sorted()
        // The first August change a run names is exported on its own (a single-record export).
        let named = Set(plan.runs.map(\.change))
        let single = plan.changes.first { $0.start.yearMonth == "2026-08" && named.contains($0.number) }?.number
        var files: [File] = []
        for month in months {
            let displayAll = month == "2026-08"
            let changes = plan.changes.filter { $0.start.yearMonth == month && $0.number != single }
            let approvals = changes.flatMap { change in change.approvals.map { (change, $0) } }
            if !changes.isEmpty {
                let records = changes.map { record(change: $0, bank: bank, displayAll: displayAll) }
                files.append(File(
                    name: "change_request_\(month)\(displayAll ? "_display_all" : "").json", bytes: document(.array(records)),
                    changes: changes.count, approvals: 0))
            }
            if !approvals.isEmpty {
                let records = approvals.map { record(approval: $0.1, of: $0.0, displayAll: displayAll) }
                files.append(File(
                    name: "sysapproval_approver_\(month)\(displayAll ? "_display_all" : "").json", bytes: document(.array(records)),
                    changes: 0, approvals: approvals.count))
            }
        }
        if let single, let change = plan.changes.first(where: { $0.number == single }) {
            files.append(File(
                name: "change_request_\(single).json", bytes: document(record(change: change, bank: bank, displayAll: true)),
                changes: 1, approvals: 0))
            let records = change.approvals.map { record(approval: $0, of: change, displayAll: true) }
            files.append(File(
                name: "sysapproval_approver_\(single).json", bytes: document(.array(records)), changes: 0, approvals: records.count))
        }
        return files
    }

    private static func document(_ result: JSONText) -> [UInt8] {
        var writer = JSONWriter(capacity: 65_536)
        writer.pretty(.object([.init("result", result)]))
        writer.raw("\n")
        return writer.bytes
    }

    /// A field in either shape.
    private enum Field {
        case text(String, display: String? = nil)
        case reference(String, display: String, table: String)
    }

    private static func render(_ fields: [(String, Field)], displayAll: Bool) -> JSONText {
        .sorted(fields.map { key, field in
            switch field {
            case .text(let value, let display):
                guard displayAll else { return .init(key, .string(value)) }
                return .init(key, .object([.init("display_value", .string(display ?? value)), .init("value", .string(value))]))
            case .reference(let value, let display, let table):
                guard displayAll else { return .init(key, .string(value)) }
                guard !value.isEmpty else {
                    return .init(key, .object([.init("display_value", .string("")), .init("value", .string(""))]))
                }
                return .init(key, .object([
                    .init("display_value", .string(display)), .init("link", .string("\(instance)/\(table)/\(value)")),
                    .init("value", .string(value)),
                ]))
            }
        })
    }

    private static func date(_ moment: Moment?) -> Field {
        guard let moment else { return .text("", display: "") }
        return .text(moment.serviceNow, display: moment.serviceNowDisplay)
    }

    private static func record(change: QuarterPlan.Change, bank: Bank, displayAll: Bool) -> JSONText {
        let workspace = bank.workspaces[change.workspace]
        let process = bank.processes[workspace.process]
        let states = ["3": "Closed", "-3": "Authorize"]
        let closed = change.state == "3"
        let group = "4b6d8f0a2c4e4f6a8b0d2f4a6c8e0b13"
        let ci = String(StableHash.of(bank.seed, ["ci", process.short]), radix: 16).leftPadded(to: 16)
        return render([
            ("active", .text(closed ? "false" : "true")),
            ("approval", .text(change.approval)),
            ("approval_set", date(change.approvalSet)),
            ("assigned_to", .reference(change.assignedTo.sysID, display: change.assignedTo.name, table: "sys_user")),
            ("assignment_group", .reference(group, display: "Data Platform Engineering", table: "sys_user_group")),
            ("cab_date", date(change.cabDate)),
            ("cab_required", .text(change.cabRequired ? "true" : "false")),
            ("close_code", .text(change.closeCode, display: change.closeCode.isEmpty ? "" : "Successful")),
            ("close_notes", .text(change.closeNotes)),
            ("cmdb_ci", .reference(ci + ci, display: "dbx-\(process.short)", table: "cmdb_ci")),
            ("end_date", date(change.end)),
            ("impact", .text("2", display: "2 - Medium")),
            ("number", .text(change.number)),
            ("phase", .text(closed ? "completed" : "requested", display: closed ? "Completed" : "Requested")),
            ("priority", .text(change.type == "emergency" ? "1" : "3", display: change.type == "emergency" ? "1 - Critical" : "3 - Moderate")),
            ("requested_by", .reference(change.requestedBy.sysID, display: change.requestedBy.name, table: "sys_user")),
            ("risk", .text("3", display: "Moderate")),
            ("short_description", .text(change.shortDescription)),
            ("start_date", date(change.start)),
            ("state", .text(change.state, display: states[change.state] ?? change.state)),
            ("sys_class_name", .text("change_request")),
            ("sys_created_by", .text(change.requestedBy.id)),
            ("sys_created_on", date(change.created)),
            ("sys_id", .text(change.sysID)),
            ("sys_mod_count", .text(String(closed ? 7 + change.approvals.count : 3))),
            ("sys_updated_by", .text("system")),
            ("sys_updated_on", date(change.updated)),
            ("type", .text(change.type, display: change.type.capitalizedFirst)),
            ("work_end", date(change.workEnd)),
            ("work_start", date(change.workStart)),
        ], displayAll: displayAll)
    }

    private static func record(approval: QuarterPlan.Approval, of change: QuarterPlan.Change, displayAll: Bool) -> JSONText {
        render([
            ("approver", .reference(approval.approver.sysID, display: approval.approver.name, table: "sys_user")),
            ("comments", .text(approval.comments)),
            ("document_id", .reference(change.sysID, display: change.number, table: "change_request")),
            ("due_date", .text("")),
            ("source_table", .text("change_request")),
            ("state", .text(approval.state, display: approval.state.capitalizedFirst)),
            ("sys_created_on", date(approval.created)),
            ("sys_id", .text(approval.sysID)),
            ("sys_updated_on", date(approval.updated)),
            ("sysapproval", .reference(change.sysID, display: change.number, table: "task")),
        ], displayAll: displayAll)
    }
}
