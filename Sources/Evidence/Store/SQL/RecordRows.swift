import Crypto
import Foundation

/// The normalised rows of a piece of evidence, and the way back from rows to content. Both stores use
/// it, so a row means the same on every engine, and `evidence verify` can check that the rows still
/// say what the evidence said when it was stored.
enum RecordRows {
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
    static func ledgerRow(_ entry: LedgerEntry, into row: inout some RowValues) {
        row.add(entry.seq)
        row.add(entry.evidence)
        row.add(entry.kind.rawValue)
        row.add(entry.source)
        row.add(entry.ingestedAt)
        row.add(entry.records)
        row.add(entry.prev)
        row.add(entry.hash)
    }

    /// The evidence table's row for a piece of evidence, after its id, in ``Schema/evidence``'s column
    /// order. `ingestedAt` is the instant its ledger entry records, to the microsecond.
    static func evidenceRow(_ evidence: ParsedEvidence, covers: String, entry: LedgerEntry, ingestedAt: Instant, into row: inout some RowValues) {
        row.add(evidence.kind.rawValue)
        row.add(evidence.source)
        row.add(covers)
        row.add(entry.ingestedAt)
        row.add(ingestedAt.nanosecondsSinceEpoch)
        row.add(entry.records)
    }

    /// A member's row, after the evidence id, in ``Schema/member``'s column order.
    static func memberRow(_ member: EvidenceMember, into row: inout some RowValues) {
        row.add(member.name)
        row.add(member.hash)
        row.add(member.bytes.count)
    }

    /// The rows to insert for a piece of evidence, each starting with the evidence id. `ingestedAt` is
    /// the instant a bound state without `as_of` counts at (its ingestion).
    static func rows(for content: EvidenceContent, evidence id: ContentHash, ingestedAt: Instant) -> [(TableSpec, [SQLValue])] {
        var rows = SQLValueRows(key: .text(id.description))
        records(of: content, ingestedAt: ingestedAt, into: &rows)
        return rows.rows
    }

    /// The rows of a piece of evidence in the records encoding, without the evidence id column.
    static func encodedRows(for content: EvidenceContent, ingestedAt: Instant) -> EncodedRows {
        var rows = EncodedRows()
        records(of: content, ingestedAt: ingestedAt, into: &rows)
        return rows
    }

    /// Writes a piece of evidence's rows, table by table in insertion order, each without the evidence
    /// id: the one description of the records, whatever form the rows take.
    private static func records(of content: EvidenceContent, ingestedAt: Instant, into rows: inout some RowSink) {
        switch content {
        case .drill(let log):
            for (ordinal, event) in log.events.enumerated() {
                rows.begin(Schema.drillEvent)
                rows.add(ordinal)
                rows.add(event.drill)
                rows.add(event.attempt)
                rows.add(event.time)
                rows.add(event.event.rawValue)
                rows.add(event.process)
                rows.add(event.region)
                rows.add(event.actor)
                rows.add(event.clock)
                rows.add(event.uncertaintySeconds)
                rows.add(event.level?.rawValue)
                rows.add(event.scenario?.rawValue)
                rows.add(strings: event.processes)
                rows.add(event.note)
                rows.add(event.line)
            }
        case .apply(let record):
            let run = record.run
            let apply = record.apply
            rows.begin(Schema.applyRun)
            rows.add(run.id)
            rows.add(run.name)
            rows.add(run.state)
            rows.add(run.result)
            rows.add(run.createdDate)
            rows.add(run.finishedDate)
            rows.add(run.pipelineID)
            rows.add(run.pipelineName)
            rows.add(run.branch)
            rows.add(run.commit)
            rows.add(run.workspace)
            rows.add(run.region)
            rows.add(run.environment)
            rows.add(run.changeRequest)
            rows.add(run.requestedBy)
            rows.add(apply.terraformVersion)
            rows.add(apply.firstTimestamp)
            rows.add(apply.lastTimestamp)
            rows.add(apply.outcome.rawValue)
            rows.add(apply.added)
            rows.add(apply.changed)
            rows.add(apply.removed)
            rows.add(strings: apply.errors)
            rows.add(apply.messageCount)
            let instant = run.finishedDate ?? apply.lastTimestamp ?? run.createdDate
            rows.add(instant.nanosecondsSinceEpoch)
            rows.add(record.state != nil)
            if let state = record.state {
                stateRows(
                    state, key: StateKey(workspace: run.workspace, region: run.region), asOf: nil, instant: instant,
                    runID: run.id, into: &rows)
            }
        case .state(let binding, let state):
            stateRows(
                state, key: StateKey(workspace: binding.workspace, region: binding.region), asOf: binding.asOf,
                instant: binding.asOf ?? ingestedAt, runID: nil, into: &rows)
        case .change(let export):
            for (ordinal, change) in export.changes.enumerated() {
                rows.begin(Schema.change)
                rows.add(ordinal)
                rows.add(change.number)
                rows.add(change.sysID)
                rows.add(change.type)
                rows.add(change.state)
                rows.add(change.approval)
                rows.add(change.requestedBy?.value)
                rows.add(change.requestedBy?.display)
                rows.add(change.assignedTo?.value)
                rows.add(change.assignedTo?.display)
                rows.add(change.startDate)
                rows.add(change.endDate)
                rows.add(change.workStart)
                rows.add(change.workEnd)
                rows.add(change.cabRequired)
                rows.add(change.cabDate)
                rows.add(change.closeCode)
                rows.add(change.approvalSet)
                rows.add(change.updatedOn)
            }
            for (ordinal, approval) in export.approvals.enumerated() {
                rows.begin(Schema.approval)
                rows.add(ordinal)
                rows.add(approval.changeSysID)
                rows.add(approval.sysID)
                rows.add(approval.approver.value)
                rows.add(approval.approver.display)
                rows.add(approval.state)
                rows.add(approval.updatedOn)
                rows.add(approval.comments)
            }
        case .consistency(let report):
            for (runOrdinal, run) in report.runs.enumerated() {
                rows.begin(Schema.consistencyRun)
                rows.add(runOrdinal)
                rows.add(run.checkRun)
                rows.add(run.drill)
                rows.add(run.region)
                rows.add(run.checkedAt)
                rows.add(run.referenceTime)
                for (ordinal, table) in run.tables.enumerated() {
                    rows.begin(Schema.consistencyTable)
                    rows.add(runOrdinal)
                    rows.add(ordinal)
                    rows.add(table.table)
                    rows.add(table.location)
                    rows.add(table.latestVersion)
                    rows.add(table.latestVersionTime)
                    rows.add(table.complete)
                    rows.add(strings: table.missingFiles)
                    rows.add(table.restoredVersion)
                    rows.add(table.restoredVersionTime)
                    rows.add(table.action.rawValue)
                    rows.add(table.line)
                }
            }
        }
    }

    private static func stateRows(
        _ state: TerraformState, key: StateKey, asOf: Instant?, instant: Instant, runID: Int?, into rows: inout some RowSink
    ) {
        rows.begin(Schema.state)
        rows.add(key.workspace)
        rows.add(key.region)
        rows.add(asOf)
        rows.add(instant.nanosecondsSinceEpoch)
        rows.add(runID)
        rows.add(state.formatVersion)
        rows.add(state.terraformVersion)
        rows.add(state.resources.count)
        // By position: a state has thousands of resources, and binding each as a whole copies all of
        // its fields.
        let resources = state.resources
        for ordinal in resources.indices {
            rows.begin(Schema.resource)
            rows.add(ordinal)
            rows.add(resources[ordinal].address)
            rows.add(resources[ordinal].module)
            rows.add(resources[ordinal].mode)
            rows.add(resources[ordinal].type)
            rows.add(resources[ordinal].name)
            rows.add(json: resources[ordinal].index)
            rows.add(resources[ordinal].providerName)
            rows.add(resources[ordinal].valuesText)
        }
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

    /// The columns of ``resourcesQuery``, in its order: a resource's own, without the evidence id and
    /// the ordinal, the same or implied for all of a state's thousands of rows.
    enum ResourceColumn: Int, CaseIterable {
        case address, module, mode, type, name, index, provider, values

        var name: String {
            switch self {
            case .address: "address"
            case .module: "module"
            case .mode: "mode"
            case .type: "type"
            case .name: "name"
            case .index: "index_json"
            case .provider: "provider"
            case .values: "values_json"
            }
        }
    }

    /// A state's resources in order, their own columns only (what ``resource(_:)`` reads), for one
    /// evidence id.
    static let resourcesQuery =
        "SELECT \(ResourceColumn.allCases.map(\.name).joined(separator: ", ")) FROM \(Schema.resource.name) WHERE evidence_id = ? ORDER BY ordinal"

    /// A row of ``resourcesQuery``, read by position: a lookup by name for each of a bank's ~180,000
    /// resources' eight columns was a tenth of a parity check.
    static func resource(_ row: SQLRow) throws(EvidenceError) -> TerraformResource {
        typealias Column = ResourceColumn
        // The values stay text: parity reads them as text, and the digest covers them as stored.
        return TerraformResource(
            address: try row.string(at: Column.address.rawValue, Column.address.name),
            module: try row.optionalString(at: Column.module.rawValue, Column.module.name),
            mode: try row.string(at: Column.mode.rawValue, Column.mode.name),
            type: try row.string(at: Column.type.rawValue, Column.type.name),
            name: try row.string(at: Column.name.rawValue, Column.name.name),
            index: try row.json(at: Column.index.rawValue, Column.index.name),
            providerName: try row.optionalString(at: Column.provider.rawValue, Column.provider.name),
            valuesText: try row.string(at: Column.values.rawValue, Column.values.name))
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
    /// The rows, table by table, in insertion order, without the evidence id column.
    let rows: EncodedRows
    /// How many rows storing it inserts.
    public var rowCount: Int { rows.count }

    public init(_ evidence: ParsedEvidence, ingestedAt: Instant) {
        self.evidence = evidence
        self.ingestedAt = Instant(nanosecondsSinceEpoch: ingestedAt.nanosecondsSinceEpoch / 1000 * 1000)
        rows = RecordRows.encodedRows(for: evidence.content, ingestedAt: self.ingestedAt)
        records = rows.digest(covers: evidence.content.covers)
    }
}

/// How the records digest writes rows: per row `\n#` and its table, then per value but the evidence
/// id `N` (null), `I` digits `;` (integer), `T` length `:` bytes (text) or `B` length `:` bytes (blob).
enum RecordEncoding {
    static let preamble = Array("drreport-records-v1\n".utf8)

    static func row(of table: TableSpec, into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\n"))
        buffer.append(UInt8(ascii: "#"))
        buffer.append(contentsOf: table.name.utf8)
    }

    static func null(into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "N"))
    }

    static func integer(_ value: Int64, into buffer: inout [UInt8]) {
        tagged("I", value, ";", into: &buffer)
    }

    /// The header of a text (`T`) or blob (`B`) of `count` bytes; the bytes follow it.
    static func bytesHeader(_ tag: Unicode.Scalar, count: Int, into buffer: inout [UInt8]) {
        tagged(tag, Int64(count), ":", into: &buffer)
    }

    /// `tag`, the decimal digits of `value`, then `end`: what "\(tag)\(value)\(end)" gives, without
    /// making a string for each of a quarter's millions of values.
    private static func tagged(_ tag: Unicode.Scalar, _ value: Int64, _ end: Unicode.Scalar, into buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: tag))
        buffer.appendDecimal(value)
        buffer.append(UInt8(ascii: end))
    }
}

/// A piece of evidence's rows written once, in the records encoding, with where each value lies in
/// it: ingest digests the encoding as it is and binds each text where it lies, instead of building a
/// value per column of a quarter's ~300,000 rows, then copying and counting references to each one
/// to digest it and again to insert it. The evidence id column is not part of a piece's records; the
/// SQLite store writes its evidence, member and ledger rows the same way (those are not digested).
struct EncodedRows: Sendable, RowSink {
    /// A value: a number, or the place of its bytes in ``encoding``.
    enum Value: Sendable {
        case null
        case integer(Int64)
        case text(Range<Int>)
        case blob(Range<Int>)
    }

    /// A row: its table (in ``tables``) and its values (in ``values``).
    struct Row: Sendable {
        var table: Int
        var values: Range<Int>
    }

    /// The rows in the records encoding.
    private(set) var encoding: [UInt8] = []
    /// The tables the rows belong to, each once.
    private(set) var tables: [TableSpec] = []
    private(set) var rows: [Row] = []
    private(set) var values: [Value] = []

    /// How many rows there are.
    var count: Int { rows.count }

    /// Starts a row of `table`; its values follow in the table's column order, the evidence id left out.
    mutating func begin(_ table: TableSpec) {
        let index = tables.lastIndex { $0.name == table.name } ?? {
            tables.append(table)
            return tables.count - 1
        }()
        rows.append(Row(table: index, values: values.count..<values.count))
        RecordEncoding.row(of: table, into: &encoding)
    }

    mutating func addNull() {
        RecordEncoding.null(into: &encoding)
        append(.null)
    }

    mutating func add(integer value: Int64) {
        RecordEncoding.integer(value, into: &encoding)
        append(.integer(value))
    }

    mutating func add(text: String) {
        if text.utf8.withContiguousStorageIfAvailable({ add(text: UnsafeRawBufferPointer($0)) }) == nil {
            var copy = text
            copy.withUTF8 { add(text: UnsafeRawBufferPointer($0)) }
        }
    }

    mutating func add(blob: Data) {
        blob.withUnsafeBytes { bytes in
            RecordEncoding.bytesHeader("B", count: bytes.count, into: &encoding)
            append(.blob(encoding.count..<encoding.count + bytes.count))
            encoding.append(contentsOf: bytes)
        }
    }

    private mutating func add(text bytes: UnsafeRawBufferPointer) {
        RecordEncoding.bytesHeader("T", count: bytes.count, into: &encoding)
        append(.text(encoding.count..<encoding.count + bytes.count))
        encoding.append(contentsOf: bytes)
    }

    private mutating func append(_ value: Value) {
        values.append(value)
        rows[rows.count - 1].values = rows[rows.count - 1].values.lowerBound..<values.count
    }

    /// The records digest of these rows (``RecordRows/digest(covers:rows:)``).
    func digest(covers: String) -> ContentHash {
        var digester = RecordDigester(covers: covers)
        encoding.withUnsafeBytes { digester.encoded($0) }
        return digester.finalize()
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
        buffer.append(contentsOf: RecordEncoding.preamble)
        var covers = covers
        covers.withUTF8 { text(UnsafeRawBufferPointer($0)) }
    }

    /// Starts a row of `table`; its values follow, all but the first (the evidence id).
    mutating func row(of table: TableSpec) {
        RecordEncoding.row(of: table, into: &buffer)
    }

    mutating func null() {
        RecordEncoding.null(into: &buffer)
    }

    mutating func integer(_ value: Int64) {
        RecordEncoding.integer(value, into: &buffer)
    }

    mutating func text(_ bytes: UnsafeRawBufferPointer) {
        RecordEncoding.bytesHeader("T", count: bytes.count, into: &buffer)
        append(bytes)
    }

    mutating func blob(_ bytes: UnsafeRawBufferPointer) {
        RecordEncoding.bytesHeader("B", count: bytes.count, into: &buffer)
        append(bytes)
    }

    /// Rows already in the records encoding (``EncodedRows``).
    mutating func encoded(_ bytes: UnsafeRawBufferPointer) {
        append(bytes)
    }

    consuming func finalize() -> ContentHash {
        flush()
        return ContentHash(digest: hasher.finalize())
    }

    /// Bytes of the encoding: gathered when small, hashed where they lie when large (the digest is
    /// the same either way).
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
