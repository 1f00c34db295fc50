/// What a SQL engine must offer for the shared read side of the store: run a query with `?`
/// placeholders and return its rows. Everything a rule or `evidence verify` reads is written once,
/// here, for every engine; text is ordered in Swift (byte order) because engines collate differently.
protocol SQLEvidenceReader: EvidenceStore {
    /// Runs a query; `table` names the source in messages about corrupt rows.
    func rows(_ sql: String, _ arguments: [SQLValue], table: String) async throws(EvidenceError) -> [SQLRow]
    /// Runs several queries, in one visit to the database where the engine allows it: verification
    /// asks tens of thousands of small questions, and each visit costs more than its answer.
    func rows(batch queries: [SQLQuery]) async throws(EvidenceError) -> [[SQLRow]]
    /// The records digest (``RecordRows/digest(covers:rows:)``) of one evidence's rows as stored in
    /// `tables` (each with its `ORDER BY`, in ``SQLEvidenceReader/rowTables`` order). An engine may
    /// digest the rows as it reads them; by default they are read, then digested.
    func recordsDigest(of evidence: String, covers: String, tables: [(TableSpec, String)]) async throws(EvidenceError) -> ContentHash
}

/// One query of a batch.
struct SQLQuery: Sendable {
    var sql: String
    var arguments: [SQLValue]
    /// Names the source in messages about corrupt rows.
    var table: String
}

extension SQLEvidenceReader {
    func recordsDigest(of evidence: String, covers: String, tables: [(TableSpec, String)]) async throws(EvidenceError) -> ContentHash {
        try await readRecordsDigest(of: evidence, covers: covers, tables: tables)
    }

    /// The query for one evidence's rows of a table, in the order they are digested.
    static func recordsQuery(_ table: TableSpec, order: String) -> String {
        table.selectSQL + " WHERE evidence_id = ? ORDER BY \(order)"
    }

    /// ``recordsDigest(of:covers:tables:)`` from rows read whole: a consistency run's tables follow
    /// the run (``ordered(_:)``).
    func readRecordsDigest(of evidence: String, covers: String, tables: [(TableSpec, String)]) async throws(EvidenceError) -> ContentHash {
        let key: [SQLValue] = [.text(evidence)]
        let results = try await rows(batch: tables.map { table, order in
            SQLQuery(sql: Self.recordsQuery(table, order: order), arguments: key, table: table.name)
        })
        var rows: [(TableSpec, [SQLValue])] = []
        for ((table, _), result) in zip(tables, results) {
            for row in result { rows.append((table, row.values)) }
        }
        return RecordRows.digest(covers: covers, rows: Self.ordered(rows))
    }

    func rows(batch queries: [SQLQuery]) async throws(EvidenceError) -> [[SQLRow]] {
        var results: [[SQLRow]] = []
        for query in queries { results.append(try await rows(query.sql, query.arguments, table: query.table)) }
        return results
    }

    func rows(_ sql: String, _ arguments: [SQLValue] = []) async throws(EvidenceError) -> [SQLRow] {
        try await rows(sql, arguments, table: "query")
    }

    public func evidenceList() async throws(EvidenceError) -> [EvidenceSummary] {
        try await summaries(where: "", [])
    }

    public func evidence(matching prefix: String) async throws(EvidenceError) -> [EvidenceSummary] {
        let bare = prefix.hasPrefix("sha256:") ? String(prefix.dropFirst(7)) : prefix
        guard !bare.isEmpty, bare.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) })
        else { return [] }
        return try await summaries(where: "WHERE e.id LIKE ?", [.text("sha256:" + bare.lowercased() + "%")])
    }

    private func summaries(where clause: String, _ arguments: [SQLValue]) async throws(EvidenceError) -> [EvidenceSummary] {
        let evidence = try await rows(
            """
            SELECT e.id, e.kind, e.source, e.covers, e.ingested_ns, l.seq FROM evidence e
            JOIN ledger l ON l.evidence_id = e.id \(clause) ORDER BY l.seq
            """, arguments, table: "evidence")
        let members = try await rows(
            "SELECT m.evidence_id, m.name, m.blob_hash, m.size FROM evidence_member m "
                + (clause.isEmpty ? "" : "JOIN evidence e ON e.id = m.evidence_id " + clause),
            arguments, table: "evidence_member")
        var byEvidence: [String: [MemberSummary]] = [:]
        for row in members {
            byEvidence[try row.string("evidence_id"), default: []].append(
                MemberSummary(name: try row.string("name"), hash: try row.hash("blob_hash"), size: Int(try row.int("size"))))
        }
        var summaries: [EvidenceSummary] = []
        for row in evidence {
            guard let kind = EvidenceKind(rawValue: try row.string("kind")) else { throw row.corrupt("kind", "an evidence kind") }
            let id = try row.string("id")
            guard let hash = ContentHash(parsing: id) else { throw row.corrupt("id", "a sha256 hash") }
            summaries.append(EvidenceSummary(
                id: hash, kind: kind, source: try row.string("source"), covers: try row.string("covers"),
                ingestedAt: Instant(nanosecondsSinceEpoch: try row.int("ingested_ns")), seq: try row.int("seq"),
                members: (byEvidence[id] ?? []).sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }))
        }
        return summaries
    }

    public func members(of id: ContentHash) async throws(EvidenceError) -> [EvidenceMember] {
        let found = try await rows(
            "SELECT m.name, b.content FROM evidence_member m JOIN blob b ON b.hash = m.blob_hash WHERE m.evidence_id = ?",
            [.text(id.description)], table: "blob")
        var members: [EvidenceMember] = []
        for row in found {
            members.append(EvidenceMember(name: try row.string("name"), bytes: try row.blob("content")))
        }
        return members.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }
    }

    public func ledgerEntries() async throws(EvidenceError) -> [LedgerEntry] {
        var entries: [LedgerEntry] = []
        for row in try await rows(Schema.ledger.selectSQL + " ORDER BY seq", [], table: "ledger") {
            guard let kind = EvidenceKind(rawValue: try row.string("kind")) else { throw row.corrupt("kind", "an evidence kind") }
            entries.append(LedgerEntry(
                seq: try row.int("seq"), evidence: try row.hash("evidence_id"), kind: kind, source: try row.string("source"),
                ingestedAt: try row.string("ingested_at"), records: try row.hash("records"), prev: try row.hash("prev"),
                hash: try row.hash("hash")))
        }
        return entries
    }

    public func content(of id: ContentHash) async throws(EvidenceError) -> EvidenceContent? {
        let key: [SQLValue] = [.text(id.description)]
        guard let row = try await rows("SELECT kind FROM evidence WHERE id = ?", key, table: "evidence").first else { return nil }
        guard let kind = EvidenceKind(rawValue: try row.string("kind")) else { throw row.corrupt("kind", "an evidence kind") }
        switch kind {
        case .drill:
            var events: [DrillEvent] = []
            for row in try await rows(Schema.drillEvent.selectSQL + " WHERE evidence_id = ? ORDER BY ordinal", key, table: "drill_event") {
                events.append(try RecordRows.drillEvent(row))
            }
            return .drill(DrillLog(events: events))
        case .apply:
            guard let runRow = try await rows(Schema.applyRun.selectSQL + " WHERE evidence_id = ?", key, table: "apply_run").first
            else { throw EvidenceError(.store, source: location, field: id.description, "corrupt store: an apply record without its run row") }
            let (run, apply, hasState) = try RecordRows.applyRun(runRow)
            let state = hasState ? try await stateContent(id)?.state : nil
            return .apply(ApplyRecord(run: run, apply: apply, state: state))
        case .state:
            guard let stored = try await stateContent(id) else {
                throw EvidenceError(.store, source: location, field: id.description, "corrupt store: a state without its state row")
            }
            return .state(StateBinding(workspace: stored.key.workspace, region: stored.key.region, asOf: stored.asOf), stored.state)
        case .change:
            var changes: [ChangeRequest] = []
            for row in try await rows(Schema.change.selectSQL + " WHERE evidence_id = ? ORDER BY ordinal", key, table: "change_request") {
                changes.append(try RecordRows.change(row))
            }
            var approvals: [Approval] = []
            for row in try await rows(Schema.approval.selectSQL + " WHERE evidence_id = ? ORDER BY ordinal", key, table: "approval") {
                approvals.append(try RecordRows.approval(row))
            }
            return .change(ChangeExport(changes: changes, approvals: approvals))
        case .consistency:
            return .consistency(ConsistencyReport(runs: try await consistencyRuns(evidence: id)))
        }
    }

    private func stateContent(_ id: ContentHash) async throws(EvidenceError) -> (key: StateKey, asOf: Instant?, state: TerraformState, instant: Instant, runID: Int?)? {
        let key: [SQLValue] = [.text(id.description)]
        guard let row = try await rows(Schema.state.selectSQL + " WHERE evidence_id = ?", key, table: "tf_state").first else {
            return nil
        }
        var resources: [TerraformResource] = []
        // The resource's own columns only: the evidence id and the ordinal, the same or implied for all of
        // a state's thousands of rows, would be read into a new text and integer for each.
        for row in try await rows(RecordRows.resourcesQuery, key, table: "tf_resource") {
            resources.append(try RecordRows.resource(row))
        }
        let state = TerraformState(
            formatVersion: try row.string("format_version"), terraformVersion: try row.optionalString("terraform_version"),
            resources: resources)
        return (
            StateKey(workspace: try row.string("workspace"), region: try row.string("region")), try row.optionalInstant("as_of"),
            state, Instant(nanosecondsSinceEpoch: try row.int("instant_ns")), try row.optionalInt("run_id").map { Int($0) }
        )
    }

    private func consistencyRuns(evidence id: ContentHash) async throws(EvidenceError) -> [ConsistencyRun] {
        let key: [SQLValue] = [.text(id.description)]
        var tables: [Int64: [TableCheck]] = [:]
        for row in try await rows(
            Schema.consistencyTable.selectSQL + " WHERE evidence_id = ? ORDER BY run_ordinal, ordinal", key,
            table: "consistency_table")
        {
            tables[try row.int("run_ordinal"), default: []].append(try RecordRows.tableCheck(row))
        }
        var runs: [ConsistencyRun] = []
        for row in try await rows(
            Schema.consistencyRun.selectSQL + " WHERE evidence_id = ? ORDER BY ordinal", key, table: "consistency_run")
        {
            runs.append(try RecordRows.consistencyRun(row, tables: tables[try row.int("ordinal")] ?? []))
        }
        return runs
    }

    public func drillIDs() async throws(EvidenceError) -> [String] {
        var ids: [String] = []
        for row in try await rows("SELECT DISTINCT drill FROM drill_event", [], table: "drill_event") {
            ids.append(try row.string("drill"))
        }
        return ids.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
    }

    public func drillEvents(drill: String) async throws(EvidenceError) -> [Stored<DrillEvent>] {
        var events: [Stored<DrillEvent>] = []
        for row in try await rows(
            Schema.drillEvent.selectSQL + " WHERE drill = ? ORDER BY time_ns, line", [.text(drill)], table: "drill_event")
        {
            events.append(Stored(evidence: try row.hash("evidence_id"), value: try RecordRows.drillEvent(row)))
        }
        return events.sorted {
            ($0.value.time, $0.evidence, $0.value.line) < ($1.value.time, $1.evidence, $1.value.line)
        }
    }

    public func applyRuns(from: Instant, to: Instant) async throws(EvidenceError) -> [StoredApplyRun] {
        var runs: [StoredApplyRun] = []
        for row in try await rows(
            Schema.applyRun.selectSQL + " WHERE instant_ns >= ? AND instant_ns < ? ORDER BY instant_ns, run_id",
            [.integer(from.nanosecondsSinceEpoch), .integer(to.nanosecondsSinceEpoch)], table: "apply_run")
        {
            let (run, apply, hasState) = try RecordRows.applyRun(row)
            runs.append(StoredApplyRun(evidence: try row.hash("evidence_id"), run: run, apply: apply, hasState: hasState))
        }
        return runs.sorted { ($0.instant, $0.run.id, $0.evidence) < ($1.instant, $1.run.id, $1.evidence) }
    }

    public func stateKeys() async throws(EvidenceError) -> [StateKey] {
        var keys: [StateKey] = []
        for row in try await rows("SELECT DISTINCT workspace, region FROM tf_state", [], table: "tf_state") {
            keys.append(StateKey(workspace: try row.string("workspace"), region: try row.string("region")))
        }
        return keys.sorted()
    }

    public func latestState(workspace: String, region: String, asOf: Instant) async throws(EvidenceError) -> StoredState? {
        guard let row = try await rows(
            """
            SELECT evidence_id FROM tf_state WHERE workspace = ? AND region = ? AND instant_ns <= ?
            ORDER BY instant_ns DESC, COALESCE(run_id, -1) DESC, evidence_id DESC LIMIT 1
            """, [.text(workspace), .text(region), .integer(asOf.nanosecondsSinceEpoch)], table: "tf_state"
        ).first else { return nil }
        let id = try row.hash("evidence_id")
        guard let stored = try await stateContent(id) else { return nil }
        return StoredState(evidence: id, key: stored.key, instant: stored.instant, runID: stored.runID, state: stored.state)
    }

    public func changeRequests(numbers: [String]) async throws(EvidenceError) -> [Stored<ChangeRequest>] {
        var changes: [Stored<ChangeRequest>] = []
        for chunk in Self.chunks(Array(Set(numbers)).sorted()) {
            for row in try await rows(
                Schema.change.selectSQL + " WHERE number IN (" + Self.placeholders(chunk.count) + ")",
                chunk.map(SQLValue.text), table: "change_request")
            {
                changes.append(Stored(evidence: try row.hash("evidence_id"), value: try RecordRows.change(row)))
            }
        }
        return changes.sorted {
            ($0.value.number, $0.value.updatedOn?.nanosecondsSinceEpoch ?? .min, $0.evidence)
                < ($1.value.number, $1.value.updatedOn?.nanosecondsSinceEpoch ?? .min, $1.evidence)
        }
    }

    public func approvals(changeSysIDs: [String]) async throws(EvidenceError) -> [Stored<Approval>] {
        var approvals: [Stored<Approval>] = []
        for chunk in Self.chunks(Array(Set(changeSysIDs)).sorted()) {
            for row in try await rows(
                Schema.approval.selectSQL + " WHERE change_sys_id IN (" + Self.placeholders(chunk.count) + ")",
                chunk.map(SQLValue.text), table: "approval")
            {
                approvals.append(Stored(evidence: try row.hash("evidence_id"), value: try RecordRows.approval(row)))
            }
        }
        return approvals.sorted {
            ($0.value.changeSysID, $0.value.updatedOn?.nanosecondsSinceEpoch ?? .min, $0.value.approver.value, $0.evidence)
                < ($1.value.changeSysID, $1.value.updatedOn?.nanosecondsSinceEpoch ?? .min, $1.value.approver.value, $1.evidence)
        }
    }

    /// Reads each piece of evidence that has a run of the drills or of the range whole, once, and keeps
    /// those runs (a file may hold runs of several drills and days).
    public func consistencyRuns(drills: [String], from: Instant, to: Instant) async throws(EvidenceError) -> [Stored<ConsistencyRun>] {
        let names = Array(Set(drills)).sorted()
        let range = "(checked_ns >= ? AND checked_ns < ?)"
        let clause = names.isEmpty ? range : "drill IN (" + Self.placeholders(names.count) + ") OR " + range
        var evidence: [ContentHash] = []
        for row in try await rows(
            "SELECT DISTINCT evidence_id FROM consistency_run WHERE " + clause,
            names.map(SQLValue.text) + [.integer(from.nanosecondsSinceEpoch), .integer(to.nanosecondsSinceEpoch)],
            table: "consistency_run")
        {
            evidence.append(try row.hash("evidence_id"))
        }
        var runs: [Stored<ConsistencyRun>] = []
        for id in evidence.sorted() {
            for run in try await consistencyRuns(evidence: id)
            where run.drill.map(names.contains) == true || (run.checkedAt >= from && run.checkedAt < to) {
                runs.append(Stored(evidence: id, value: run))
            }
        }
        return runs.sorted {
            ($0.value.checkedAt, $0.value.checkRun, $0.evidence) < ($1.value.checkedAt, $1.value.checkRun, $1.evidence)
        }
    }

    static func chunks(_ values: [String], size: Int = 500) -> [[String]] {
        stride(from: 0, to: values.count, by: size).map { Array(values[$0..<min($0 + size, values.count)]) }
    }

    static func placeholders(_ count: Int) -> String {
        Array(repeating: "?", count: count).joined(separator: ", ")
    }
}
