import Crypto
import Foundation

/// The normalised rows of a piece of evidence, and the way back from rows to content. Both stores use
/// it, so a row means the same on every engine, and `evidence verify` can check that the rows still
/// say what the evidence said when it was stored.
enum RecordRows {
    /// The evidence id rows are built with when only their digest is wanted (the id column is not digested).
    static let placeholderID = ContentHash(zeros: ())

    /// The SHA-256 of a description and rows: `drreport-records-v1`, the description, then per row
    /// its table and every value but the first (the evidence id), each tagged and length-prefixed.
    static func digest(covers: String, rows: [(TableSpec, [SQLValue])]) -> ContentHash {
        var digester = RecordDigester(covers: covers)
        // By position, with each text read where it lies: a bank's quarter digests millions of values,
        // and binding each row, value and text copies them and counts their references.
        for index in rows.indices {
            digester.row(of: rows[index].0)
            rows[index].1.withUnsafeBufferPointer { values in
                for value in values.dropFirst() {
                    switch value {
                    case .null: digester.null()
                    case .integer(let integer): digester.integer(integer)
                    case .text(let text):
                        if text.utf8.withContiguousStorageIfAvailable({ digester.text(UnsafeRawBufferPointer($0)) }) == nil {
                            var copy = text
                            copy.withUTF8 { digester.text(UnsafeRawBufferPointer($0)) }
                        }
                    case .blob(let data): data.withUnsafeBytes { digester.blob($0) }
                    }
                }
            }
        }
        return digester.finalize()
    }

    /// The ledger's row for an entry, in ``Schema/ledger``'s column order.
    static func ledgerRow(_ entry: LedgerEntry) -> [SQLValue] {
        var row = SQLRowBuilder()
        row.add(entry.seq)
        row.add(entry.evidence)
        row.add(entry.kind.rawValue)
        row.add(entry.source)
        row.add(entry.ingestedAt)
        row.add(entry.records)
        row.add(entry.prev)
        row.add(entry.hash)
        return row.values
    }

    /// The rows to insert for a piece of evidence. `instant` is the instant a bound state without
    /// `as_of` counts at (its ingestion).
    static func rows(for content: EvidenceContent, evidence id: ContentHash, ingestedAt: Instant) -> [(TableSpec, [SQLValue])] {
        var rows: [(TableSpec, [SQLValue])] = []
        // Every row starts with the evidence id: its text is made once, not once a row.
        let key = SQLValue.text(id.description)
        switch content {
        case .drill(let log):
            for (ordinal, event) in log.events.enumerated() {
                var row = SQLRowBuilder(Schema.drillEvent, key: key)
                row.add(ordinal)
                row.add(event.drill)
                row.add(event.attempt)
                row.add(event.time)
                row.add(event.event.rawValue)
                row.add(event.process)
                row.add(event.region)
                row.add(event.actor)
                row.add(event.clock)
                row.add(event.uncertaintySeconds)
                row.add(event.level?.rawValue)
                row.add(event.scenario?.rawValue)
                row.add(strings: event.processes)
                row.add(event.note)
                row.add(event.line)
                rows.append((Schema.drillEvent, row.values))
            }
        case .apply(let record):
            let run = record.run
            let apply = record.apply
            var row = SQLRowBuilder(Schema.applyRun, key: key)
            row.add(run.id)
            row.add(run.name)
            row.add(run.state)
            row.add(run.result)
            row.add(run.createdDate)
            row.add(run.finishedDate)
            row.add(run.pipelineID)
            row.add(run.pipelineName)
            row.add(run.branch)
            row.add(run.commit)
            row.add(run.workspace)
            row.add(run.region)
            row.add(run.environment)
            row.add(run.changeRequest)
            row.add(run.requestedBy)
            row.add(apply.terraformVersion)
            row.add(apply.firstTimestamp)
            row.add(apply.lastTimestamp)
            row.add(apply.outcome.rawValue)
            row.add(apply.added)
            row.add(apply.changed)
            row.add(apply.removed)
            row.add(strings: apply.errors)
            row.add(apply.messageCount)
            let instant = run.finishedDate ?? apply.lastTimestamp ?? run.createdDate
            row.add(instant.nanosecondsSinceEpoch)
            row.add(record.state != nil)
            rows.append((Schema.applyRun, row.values))
            if let state = record.state {
                rows += stateRows(
                    state, evidence: key, key: StateKey(workspace: run.workspace, region: run.region), asOf: nil,
                    instant: instant, runID: run.id)
            }
        case .state(let binding, let state):
            rows += stateRows(
                state, evidence: key, key: StateKey(workspace: binding.workspace, region: binding.region),
                asOf: binding.asOf, instant: binding.asOf ?? ingestedAt, runID: nil)
        case .change(let export):
            for (ordinal, change) in export.changes.enumerated() {
                var row = SQLRowBuilder(Schema.change, key: key)
                row.add(ordinal)
                row.add(change.number)
                row.add(change.sysID)
                row.add(change.type)
                row.add(change.state)
                row.add(change.approval)
                row.add(change.requestedBy?.value)
                row.add(change.requestedBy?.display)
                row.add(change.assignedTo?.value)
                row.add(change.assignedTo?.display)
                row.add(change.startDate)
                row.add(change.endDate)
                row.add(change.workStart)
                row.add(change.workEnd)
                row.add(change.cabRequired)
                row.add(change.cabDate)
                row.add(change.closeCode)
                row.add(change.approvalSet)
                row.add(change.updatedOn)
                rows.append((Schema.change, row.values))
            }
            for (ordinal, approval) in export.approvals.enumerated() {
                var row = SQLRowBuilder(Schema.approval, key: key)
                row.add(ordinal)
                row.add(approval.changeSysID)
                row.add(approval.sysID)
                row.add(approval.approver.value)
                row.add(approval.approver.display)
                row.add(approval.state)
                row.add(approval.updatedOn)
                row.add(approval.comments)
                rows.append((Schema.approval, row.values))
            }
        case .consistency(let report):
            for (runOrdinal, run) in report.runs.enumerated() {
                var row = SQLRowBuilder(Schema.consistencyRun, key: key)
                row.add(runOrdinal)
                row.add(run.checkRun)
                row.add(run.drill)
                row.add(run.region)
                row.add(run.checkedAt)
                row.add(run.referenceTime)
                rows.append((Schema.consistencyRun, row.values))
                for (ordinal, table) in run.tables.enumerated() {
                    var row = SQLRowBuilder(Schema.consistencyTable, key: key)
                    row.add(runOrdinal)
                    row.add(ordinal)
                    row.add(table.table)
                    row.add(table.location)
                    row.add(table.latestVersion)
                    row.add(table.latestVersionTime)
                    row.add(table.complete)
                    row.add(strings: table.missingFiles)
                    row.add(table.restoredVersion)
                    row.add(table.restoredVersionTime)
                    row.add(table.action.rawValue)
                    row.add(table.line)
                    rows.append((Schema.consistencyTable, row.values))
                }
            }
        }
        return rows
    }

    private static func stateRows(
        _ state: TerraformState, evidence id: SQLValue, key: StateKey, asOf: Instant?, instant: Instant, runID: Int?
    ) -> [(TableSpec, [SQLValue])] {
        var rows: [(TableSpec, [SQLValue])] = []
        rows.reserveCapacity(1 + state.resources.count)
        var row = SQLRowBuilder(Schema.state, key: id)
        row.add(key.workspace)
        row.add(key.region)
        row.add(asOf)
        row.add(instant.nanosecondsSinceEpoch)
        row.add(runID)
        row.add(state.formatVersion)
        row.add(state.terraformVersion)
        row.add(state.resources.count)
        rows.append((Schema.state, row.values))
        // By position: a state has thousands of resources, and binding each as a whole copies all of
        // its fields.
        let resources = state.resources
        for ordinal in resources.indices {
            var row = SQLRowBuilder(Schema.resource, key: id)
            row.add(ordinal)
            row.add(resources[ordinal].address)
            row.add(resources[ordinal].module)
            row.add(resources[ordinal].mode)
            row.add(resources[ordinal].type)
            row.add(resources[ordinal].name)
            row.add(json: resources[ordinal].index)
            row.add(resources[ordinal].providerName)
            row.add(resources[ordinal].valuesText)
            rows.append((Schema.resource, row.values))
        }
        return rows
    }

    // MARK: - Rows back to records

    static func drillEvent(_ row: SQLRow) throws(EvidenceError) -> DrillEvent {
        let name = try row.string("event")
        guard let event = DrillEventType(rawValue: name) else { throw row.corrupt("event", "a drill event") }
        var level: RestoreLevel?
        if let text = try row.optionalString("level") {
            guard let parsed = RestoreLevel(rawValue: text) else { throw row.corrupt("level", "a restore level") }
            level = parsed
        }
        var scenario: DrillScenario?
        if let text = try row.optionalString("scenario") {
            guard let parsed = DrillScenario(rawValue: text) else { throw row.corrupt("scenario", "a scenario") }
            scenario = parsed
        }
        return DrillEvent(
            drill: try row.string("drill"), attempt: Int(try row.int("attempt")), time: try row.instant("time"),
            event: event, process: try row.optionalString("process"), region: try row.optionalString("region"),
            actor: try row.optionalString("actor"), clock: try row.optionalString("clock"),
            uncertaintySeconds: try row.optionalInt("uncertainty_s").map { Int($0) }, level: level, scenario: scenario,
            processes: try row.stringArray("processes"), note: try row.optionalString("note"),
            line: Int(try row.int("line")))
    }

    static func applyRun(_ row: SQLRow) throws(EvidenceError) -> (PipelineRun, ApplyStream, Bool) {
        let run = PipelineRun(
            id: Int(try row.int("run_id")), name: try row.string("name"), state: try row.string("state"),
            result: try row.optionalString("result"), createdDate: try row.instant("created"),
            finishedDate: try row.optionalInstant("finished"), pipelineID: try row.optionalInt("pipeline_id").map { Int($0) },
            pipelineName: try row.optionalString("pipeline_name"), branch: try row.optionalString("branch"),
            commit: try row.optionalString("commit_id"), workspace: try row.string("workspace"),
            region: try row.string("region"), environment: try row.string("environment"),
            changeRequest: try row.optionalString("change_request"), requestedBy: try row.optionalString("requested_by"))
        guard let outcome = ApplyOutcome(rawValue: try row.string("outcome")) else {
            throw row.corrupt("outcome", "an apply outcome")
        }
        let apply = ApplyStream(
            terraformVersion: try row.optionalString("terraform_version"), firstTimestamp: try row.optionalInstant("first"),
            lastTimestamp: try row.optionalInstant("last"), outcome: outcome,
            added: try row.optionalInt("added").map { Int($0) }, changed: try row.optionalInt("changed").map { Int($0) },
            removed: try row.optionalInt("removed").map { Int($0) }, errors: try row.stringArray("errors") ?? [],
            messageCount: Int(try row.int("message_count")))
        return (run, apply, try row.optionalBool("has_state") ?? false)
    }

    /// A state's resources in order, their own columns only (what ``resource(_:)`` reads), for one
    /// evidence id.
    static let resourcesQuery: String = {
        let columns = Schema.resource.columns.filter { $0 != "evidence_id" && $0 != "ordinal" }
        return "SELECT \(columns.joined(separator: ", ")) FROM \(Schema.resource.name) WHERE evidence_id = ? ORDER BY ordinal"
    }()

    static func resource(_ row: SQLRow) throws(EvidenceError) -> TerraformResource {
        // The values stay text: parity reads them as text, and the digest covers them as stored.
        TerraformResource(
            address: try row.string("address"), module: try row.optionalString("module"), mode: try row.string("mode"),
            type: try row.string("type"), name: try row.string("name"), index: try row.json("index_json"),
            providerName: try row.optionalString("provider"), valuesText: try row.string("values_json"))
    }

    static func change(_ row: SQLRow) throws(EvidenceError) -> ChangeRequest {
        func reference(_ name: String) throws(EvidenceError) -> Reference? {
            let value = try row.optionalString(name)
            let display = try row.optionalString(name + "_display")
            guard value != nil || display != nil else { return nil }
            return Reference(value: value ?? "", display: display)
        }
        return ChangeRequest(
            number: try row.string("number"), sysID: try row.string("sys_id"), type: try row.string("type"),
            state: try row.string("state"), approval: try row.string("approval"),
            requestedBy: try reference("requested_by"), assignedTo: try reference("assigned_to"),
            startDate: try row.optionalInstant("start"), endDate: try row.optionalInstant("end"),
            workStart: try row.optionalInstant("work_start"), workEnd: try row.optionalInstant("work_end"),
            cabRequired: try row.optionalBool("cab_required"), cabDate: try row.optionalInstant("cab_date"),
            closeCode: try row.optionalString("close_code"), approvalSet: try row.optionalInstant("approval_set"),
            updatedOn: try row.optionalInstant("updated"))
    }

    static func approval(_ row: SQLRow) throws(EvidenceError) -> Approval {
        Approval(
            changeSysID: try row.string("change_sys_id"), sysID: try row.optionalString("sys_id"),
            approver: Reference(value: try row.string("approver"), display: try row.optionalString("approver_display")),
            state: try row.string("state"), updatedOn: try row.optionalInstant("updated"),
            comments: try row.optionalString("comments"))
    }

    static func consistencyRun(_ row: SQLRow, tables: [TableCheck]) throws(EvidenceError) -> ConsistencyRun {
        ConsistencyRun(
            checkRun: try row.string("check_run"), drill: try row.optionalString("drill"),
            region: try row.optionalString("region"), checkedAt: try row.instant("checked"),
            referenceTime: try row.optionalInstant("reference"), tables: tables)
    }

    static func tableCheck(_ row: SQLRow) throws(EvidenceError) -> TableCheck {
        guard let action = ConsistencyAction(rawValue: try row.string("action")) else {
            throw row.corrupt("action", "a consistency action")
        }
        return TableCheck(
            table: try row.string("table_name"), location: try row.optionalString("location"),
            latestVersion: try row.optionalInt("latest_version"), latestVersionTime: try row.optionalInstant("latest"),
            complete: try row.optionalBool("complete") ?? false, missingFiles: try row.stringArray("missing_files") ?? [],
            restoredVersion: try row.optionalInt("restored_version"), restoredVersionTime: try row.optionalInstant("restored"),
            action: action, line: Int(try row.int("line")))
    }
}

/// A piece of evidence with the rows a store writes for it, and their digest, worked out ahead: on
/// any core, before the store's one writer takes it (how the bundle verifier replays a quarter).
public struct PreparedEvidence: Sendable {
    /// The evidence.
    public let evidence: ParsedEvidence
    /// When it counts as ingested, to the microsecond the ledger records.
    public let ingestedAt: Instant
    /// The digest of its records, as its ledger entry states it.
    public let records: ContentHash
    /// The rows, table by table, in insertion order.
    let rows: [(TableSpec, [SQLValue])]
    /// How many rows storing it inserts.
    public var rowCount: Int { rows.count }

    public init(_ evidence: ParsedEvidence, ingestedAt: Instant) {
        self.evidence = evidence
        self.ingestedAt = Instant(nanosecondsSinceEpoch: ingestedAt.nanosecondsSinceEpoch / 1000 * 1000)
        rows = RecordRows.rows(for: evidence.content, evidence: evidence.id, ingestedAt: self.ingestedAt)
        records = RecordRows.digest(covers: evidence.content.covers, rows: rows)
    }
}

/// The records digest (``RecordRows/digest(covers:rows:)``) fed value by value, so a store can digest
/// rows straight from its engine's buffers without building them first.
struct RecordDigester {
    private var hasher = SHA256()
    /// Values are gathered here and hashed in large pieces: thousands of small updates cost more
    /// than the hashing itself.
    private var buffer: [UInt8] = []
    private static let piece = 1 << 16

    init(covers: String) {
        buffer.reserveCapacity(Self.piece + 64)
        buffer.append(contentsOf: "drreport-records-v1\n".utf8)
        var covers = covers
        covers.withUTF8 { text(UnsafeRawBufferPointer($0)) }
    }

    /// Starts a row of `table`; its values follow, all but the first (the evidence id).
    mutating func row(of table: TableSpec) {
        buffer.append(UInt8(ascii: "\n"))
        buffer.append(UInt8(ascii: "#"))
        buffer.append(contentsOf: table.name.utf8)
    }

    mutating func null() {
        buffer.append(UInt8(ascii: "N"))
    }

    mutating func integer(_ value: Int64) {
        tagged("I", value, ";")
    }

    mutating func text(_ bytes: UnsafeRawBufferPointer) {
        tagged("T", Int64(bytes.count), ":")
        append(bytes)
    }

    mutating func blob(_ bytes: UnsafeRawBufferPointer) {
        tagged("B", Int64(bytes.count), ":")
        append(bytes)
    }

    consuming func finalize() -> ContentHash {
        flush()
        return ContentHash(digest: hasher.finalize())
    }

    /// `tag`, the decimal digits of `value`, then `end`: what "\(tag)\(value)\(end)" gives, without
    /// making a string for each of a quarter's millions of values.
    private mutating func tagged(_ tag: Unicode.Scalar, _ value: Int64, _ end: Unicode.Scalar) {
        buffer.append(UInt8(ascii: tag))
        buffer.appendDecimal(value)
        buffer.append(UInt8(ascii: end))
    }

    /// A value's bytes: gathered when small, hashed where they lie when large (the digest is the
    /// same either way).
    private mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if bytes.count >= Self.piece {
            flush()
            hasher.update(bufferPointer: bytes)
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.piece { flush() }
    }

    private mutating func flush() {
        buffer.withUnsafeBytes { hasher.update(bufferPointer: $0) }
        buffer.removeAll(keepingCapacity: true)
    }
}
