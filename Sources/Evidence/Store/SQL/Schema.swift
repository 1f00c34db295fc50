/// The SQL engines drreport stores evidence in.
public enum SQLDialect: Sendable {
    case sqlite
    case postgres
}

/// A table of the store: its name and its columns in insert order.
struct TableSpec: Sendable {
    let name: String
    let columns: [String]
    /// `INSERT INTO name (c1, c2) VALUES (?, ?)`, built once: it is the key of the prepared statement
    /// every row of the table reuses.
    let insertSQL: String

    init(name: String, columns: [String]) {
        self.name = name
        self.columns = columns
        insertSQL = "INSERT INTO \(name) (\(columns.joined(separator: ", "))) VALUES ("
            + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
    }

    /// `SELECT c1, c2 FROM name`.
    var selectSQL: String { "SELECT \(columns.joined(separator: ", ")) FROM \(name)" }
}

/// The store's schema: the same tables on every engine, created by numbered migrations.
enum Schema {
    static let blob = TableSpec(name: "blob", columns: ["hash", "size", "content"])
    static let evidence = TableSpec(
        name: "evidence", columns: ["id", "kind", "source", "covers", "ingested_at", "ingested_ns", "records"])
    static let member = TableSpec(name: "evidence_member", columns: ["evidence_id", "name", "blob_hash", "size"])
    static let ledger = TableSpec(
        name: "ledger", columns: ["seq", "evidence_id", "kind", "source", "ingested_at", "records", "prev", "hash"])
    static let drillEvent = TableSpec(
        name: "drill_event",
        columns: [
            "evidence_id", "ordinal", "drill", "attempt", "time_ns", "time_off", "event", "process", "region", "actor",
            "clock", "uncertainty_s", "level", "scenario", "processes", "note", "line",
        ])
    static let applyRun = TableSpec(
        name: "apply_run",
        columns: [
            "evidence_id", "run_id", "name", "state", "result", "created_ns", "created_off", "finished_ns",
            "finished_off", "pipeline_id", "pipeline_name", "branch", "commit_id", "workspace", "region", "environment",
            "change_request", "requested_by", "terraform_version", "first_ns", "first_off", "last_ns", "last_off",
            "outcome", "added", "changed", "removed", "errors", "message_count", "instant_ns", "has_state",
        ])
    static let state = TableSpec(
        name: "tf_state",
        columns: [
            "evidence_id", "workspace", "region", "as_of_ns", "as_of_off", "instant_ns", "run_id", "format_version",
            "terraform_version", "resource_count",
        ])
    static let resource = TableSpec(
        name: "tf_resource",
        columns: [
            "evidence_id", "ordinal", "address", "module", "mode", "type", "name", "index_json", "provider",
            "values_json",
        ])
    static let change = TableSpec(
        name: "change_request",
        columns: [
            "evidence_id", "ordinal", "number", "sys_id", "type", "state", "approval", "requested_by",
            "requested_by_display", "assigned_to", "assigned_to_display", "start_ns", "start_off", "end_ns", "end_off",
            "work_start_ns", "work_start_off", "work_end_ns", "work_end_off", "cab_required", "cab_date_ns",
            "cab_date_off", "close_code", "approval_set_ns", "approval_set_off", "updated_ns", "updated_off",
        ])
    static let approval = TableSpec(
        name: "approval",
        columns: [
            "evidence_id", "ordinal", "change_sys_id", "sys_id", "approver", "approver_display", "state", "updated_ns",
            "updated_off", "comments",
        ])
    static let consistencyRun = TableSpec(
        name: "consistency_run",
        columns: [
            "evidence_id", "ordinal", "check_run", "drill", "region", "checked_ns", "checked_off", "reference_ns",
            "reference_off",
        ])
    static let consistencyTable = TableSpec(
        name: "consistency_table",
        columns: [
            "evidence_id", "run_ordinal", "ordinal", "table_name", "location", "latest_version", "latest_ns",
            "latest_off", "complete", "missing_files", "restored_version", "restored_ns", "restored_off", "action",
            "line",
        ])

    /// The schema version this drreport writes; a store at a higher version is refused.
    static let version = 1

    /// The statements of each migration, by version, for an engine.
    static func migrations(_ dialect: SQLDialect) -> [[String]] {
        let integer = dialect == .sqlite ? "INTEGER" : "BIGINT"
        let bytes = dialect == .sqlite ? "BLOB" : "BYTEA"
        let withoutRowID = dialect == .sqlite ? " WITHOUT ROWID" : ""
        var first = [
            """
            CREATE TABLE blob (hash TEXT PRIMARY KEY NOT NULL, size \(integer) NOT NULL, content \(bytes) NOT NULL)
            """,
            """
            CREATE TABLE evidence (id TEXT PRIMARY KEY NOT NULL, kind TEXT NOT NULL, source TEXT NOT NULL,
              covers TEXT NOT NULL, ingested_at TEXT NOT NULL, ingested_ns \(integer) NOT NULL, records TEXT NOT NULL)
            """,
            """
            CREATE TABLE evidence_member (evidence_id TEXT NOT NULL REFERENCES evidence(id), name TEXT NOT NULL,
              blob_hash TEXT NOT NULL REFERENCES blob(hash), size \(integer) NOT NULL,
              PRIMARY KEY (evidence_id, name))\(withoutRowID)
            """,
            "CREATE INDEX evidence_member_blob ON evidence_member(blob_hash)",
            """
            CREATE TABLE ledger (seq \(integer) PRIMARY KEY NOT NULL, evidence_id TEXT NOT NULL UNIQUE,
              kind TEXT NOT NULL, source TEXT NOT NULL, ingested_at TEXT NOT NULL, records TEXT NOT NULL,
              prev TEXT NOT NULL, hash TEXT NOT NULL UNIQUE)
            """,
            """
            CREATE TABLE drill_event (evidence_id TEXT NOT NULL REFERENCES evidence(id), ordinal \(integer) NOT NULL,
              drill TEXT NOT NULL, attempt \(integer) NOT NULL, time_ns \(integer) NOT NULL, time_off \(integer) NOT NULL,
              event TEXT NOT NULL, process TEXT, region TEXT, actor TEXT, clock TEXT, uncertainty_s \(integer),
              level TEXT, scenario TEXT, processes TEXT, note TEXT, line \(integer) NOT NULL,
              PRIMARY KEY (evidence_id, ordinal))\(withoutRowID)
            """,
            "CREATE INDEX drill_event_drill ON drill_event(drill, time_ns)",
            """
            CREATE TABLE apply_run (evidence_id TEXT PRIMARY KEY NOT NULL REFERENCES evidence(id),
              run_id \(integer) NOT NULL, name TEXT NOT NULL, state TEXT NOT NULL, result TEXT,
              created_ns \(integer) NOT NULL, created_off \(integer) NOT NULL, finished_ns \(integer), finished_off \(integer),
              pipeline_id \(integer), pipeline_name TEXT, branch TEXT, commit_id TEXT, workspace TEXT NOT NULL,
              region TEXT NOT NULL, environment TEXT NOT NULL, change_request TEXT, requested_by TEXT,
              terraform_version TEXT, first_ns \(integer), first_off \(integer), last_ns \(integer), last_off \(integer),
              outcome TEXT NOT NULL, added \(integer), changed \(integer), removed \(integer), errors TEXT NOT NULL,
              message_count \(integer) NOT NULL, instant_ns \(integer) NOT NULL, has_state \(integer) NOT NULL)
            """,
            "CREATE INDEX apply_run_instant ON apply_run(instant_ns)",
            """
            CREATE TABLE tf_state (evidence_id TEXT PRIMARY KEY NOT NULL REFERENCES evidence(id),
              workspace TEXT NOT NULL, region TEXT NOT NULL, as_of_ns \(integer), as_of_off \(integer),
              instant_ns \(integer) NOT NULL, run_id \(integer), format_version TEXT NOT NULL, terraform_version TEXT,
              resource_count \(integer) NOT NULL)
            """,
            "CREATE INDEX tf_state_lookup ON tf_state(workspace, region, instant_ns)",
            """
            CREATE TABLE tf_resource (evidence_id TEXT NOT NULL REFERENCES evidence(id), ordinal \(integer) NOT NULL,
              address TEXT NOT NULL, module TEXT, mode TEXT NOT NULL, type TEXT NOT NULL, name TEXT NOT NULL,
              index_json TEXT, provider TEXT, values_json TEXT NOT NULL,
              PRIMARY KEY (evidence_id, ordinal))\(withoutRowID)
            """,
            """
            CREATE TABLE change_request (evidence_id TEXT NOT NULL REFERENCES evidence(id), ordinal \(integer) NOT NULL,
              number TEXT NOT NULL, sys_id TEXT NOT NULL, type TEXT NOT NULL, state TEXT NOT NULL, approval TEXT NOT NULL,
              requested_by TEXT, requested_by_display TEXT, assigned_to TEXT, assigned_to_display TEXT,
              start_ns \(integer), start_off \(integer), end_ns \(integer), end_off \(integer),
              work_start_ns \(integer), work_start_off \(integer), work_end_ns \(integer), work_end_off \(integer),
              cab_required \(integer), cab_date_ns \(integer), cab_date_off \(integer), close_code TEXT,
              approval_set_ns \(integer), approval_set_off \(integer), updated_ns \(integer), updated_off \(integer),
              PRIMARY KEY (evidence_id, ordinal))\(withoutRowID)
            """,
            "CREATE INDEX change_request_number ON change_request(number)",
            """
            CREATE TABLE approval (evidence_id TEXT NOT NULL REFERENCES evidence(id), ordinal \(integer) NOT NULL,
              change_sys_id TEXT NOT NULL, sys_id TEXT, approver TEXT NOT NULL, approver_display TEXT,
              state TEXT NOT NULL, updated_ns \(integer), updated_off \(integer), comments TEXT,
              PRIMARY KEY (evidence_id, ordinal))\(withoutRowID)
            """,
            "CREATE INDEX approval_change ON approval(change_sys_id)",
            """
            CREATE TABLE consistency_run (evidence_id TEXT NOT NULL REFERENCES evidence(id), ordinal \(integer) NOT NULL,
              check_run TEXT NOT NULL, drill TEXT, region TEXT, checked_ns \(integer) NOT NULL,
              checked_off \(integer) NOT NULL, reference_ns \(integer), reference_off \(integer),
              PRIMARY KEY (evidence_id, ordinal))\(withoutRowID)
            """,
            "CREATE INDEX consistency_run_drill ON consistency_run(drill)",
            """
            CREATE TABLE consistency_table (evidence_id TEXT NOT NULL REFERENCES evidence(id),
              run_ordinal \(integer) NOT NULL, ordinal \(integer) NOT NULL, table_name TEXT NOT NULL, location TEXT,
              latest_version \(integer), latest_ns \(integer), latest_off \(integer), complete \(integer) NOT NULL,
              missing_files TEXT NOT NULL, restored_version \(integer), restored_ns \(integer),
              restored_off \(integer), action TEXT NOT NULL, line \(integer) NOT NULL,
              PRIMARY KEY (evidence_id, run_ordinal, ordinal))\(withoutRowID)
            """,
        ]
        // The ledger is append-only in the database itself, not only by convention.
        switch dialect {
        case .sqlite:
            first += [
                "CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END",
                "CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN SELECT RAISE(ABORT, 'the ledger is append-only'); END",
            ]
        case .postgres:
            first += [
                """
                CREATE FUNCTION drreport_ledger_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN RAISE EXCEPTION 'the ledger is append-only'; END $$
                """,
                """
                CREATE TRIGGER ledger_append_only BEFORE UPDATE OR DELETE ON ledger
                FOR EACH ROW EXECUTE FUNCTION drreport_ledger_append_only()
                """,
            ]
        }
        return [first]
    }
}
