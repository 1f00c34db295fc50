import Foundation
import GRDB
import Testing

@testable import Evidence

/// A fresh SQLite store in its own temporary folder.
struct TemporaryStore {
    let folder: URL
    let store: SQLiteEvidenceStore

    init() throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("drreport-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        path = folder.appendingPathComponent("evidence.db").path
        store = try SQLiteEvidenceStore(path: path, create: true)
    }

    let path: String

    /// Another connection pool on the same file, as a second process would open it.
    func reopen() throws -> SQLiteEvidenceStore { try SQLiteEvidenceStore(path: path, create: false) }

    func remove() { try? FileManager.default.removeItem(at: folder) }

    /// Parses bytes as drreport ingest would and stores them; fails unless they are new.
    @discardableResult
    func ingest(_ source: String, _ text: String, options: ParseOptions = ParseOptions()) async throws -> ParsedEvidence
    {
        let parsed = try EvidenceParser.parse(
            EvidenceInput(source: source, name: (source as NSString).lastPathComponent, bytes: Data(text.utf8)),
            options: options)
        guard case .stored = try await store.store(parsed) else { throw StoreTestError("\(source) was a duplicate") }
        return parsed
    }

    /// Parses an apply record's files and stores them.
    @discardableResult
    func ingestRecord(_ source: String, _ files: [String: String]) async throws -> ParsedEvidence {
        let parsed = try EvidenceParser.parse(EvidenceInput(source: source, files: files.mapValues { Data($0.utf8) }))
        guard case .stored = try await store.store(parsed) else { throw StoreTestError("\(source) was a duplicate") }
        return parsed
    }
}

struct StoreTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// Evidence text in the shapes of DESIGN §3, small and exact.
enum StoreSamples {
    static func drill(_ drill: String, _ lines: [(time: String, event: String, extra: String)]) -> String {
        lines.map { line in
            #"{"drill":"\#(drill)","time":"\#(line.time)","event":"\#(line.event)"\#(line.extra.isEmpty ? "" : "," + line.extra)}"#
        }.joined(separator: "\n") + "\n"
    }

    static let richDrill = drill(
        "DR-2026-Q3-01",
        [
            (
                "2026-09-12T08:00:00+02:00", "drill_started",
                #""scenario":"regional-outage","processes":["loan-origination","payments"],"actor":"bcm","clock":"ntp:time.windows.com","uncertainty_s":3"#
            ),
            (
                "2026-09-12T08:03:11.123456789+02:00", "disruption",
                #""attempt":1,"region":"westeurope","note":"storage failover \"requested\" — Zürich ☃""#
            ),
            ("2026-09-12T06:09:40Z", "crisis_declared", #""actor":"bcm.oncall@bank.example""#),
            (
                "2026-09-12T10:41:05+02:00", "service_restored",
                #""process":"loan-origination","level":"full","region":"northeurope""#
            ),
            ("2026-09-12T05:41:05-03:30", "service_restored", #""process":"payments","attempt":2"#),
        ])

    static let drillCSV = """
        drill,attempt,time,event,process,level,processes,note
        DR-CSV-01,1,2026-09-12T08:00:00Z,drill_started,,,loan-origination;payments,"quoted, with comma"
        DR-CSV-01,1,2026-09-12T09:00:00+01:00,service_restored,payments,minimum,,

        """

    static func run(
        id: Int, workspace: String = "neprix-tech-prod", region: String = "westeurope", result: String? = "succeeded",
        created: String = "2026-09-01T09:00:00.1234567Z", finished: String? = "2026-09-01T09:12:30.7654321Z",
        state: String = "completed", changeRequest: String = "CHG0031889"
    ) -> String {
        """
        {"id": \(id), "name": "20260901.\(id)", "state": "\(state)", \(result.map { #""result": "\#($0)","# } ?? "")
         "createdDate": "\(created)", \(finished.map { #""finishedDate": "\#($0)","# } ?? "")
         "pipeline": {"id": 42, "name": "databricks-workspace-apply"},
         "resources": {"repositories": {"self": {"refName": "refs/heads/main", "version": "4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a3f"}}},
         "templateParameters": {"workspace": "\(workspace)", "region": "\(region)", "environment": "PROD",
                                "changeRequest": "\(changeRequest)", "requestedBy": "dev.one@bank.example"}}
        """
    }

    static func applyStream(
        from: String = "2026-09-01T09:05:00.1Z", to: String = "2026-09-01T09:05:02.4Z", failed: Bool = false
    ) -> String {
        var lines = [
            #"CI banner: starting terraform"#,
            #"{"@level":"info","@message":"Terraform 1.9.8","@timestamp":"\#(from)","terraform":"1.9.8","type":"version","ui":"1.2"}"#,
            #"{"@level":"info","@message":"databricks_job.etl: Modifying...","@timestamp":"\#(from)","type":"apply_start"}"#,
        ]
        if failed {
            lines.append(
                #"{"@level":"error","@message":"Error: cannot update job","@timestamp":"\#(to)","diagnostic":{"severity":"error","summary":"cannot update job: PERMISSION_DENIED"},"type":"diagnostic"}"#
            )
        } else {
            lines.append(
                #"{"@level":"info","@message":"Apply complete!","@timestamp":"\#(to)","changes":{"add":1,"change":2,"import":0,"remove":3,"operation":"apply"},"type":"change_summary"}"#
            )
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A state whose values exercise JSON exactly: numbers as written, unicode, escapes, nesting,
    /// sensitive values, count and for_each indexes, and a child module.
    static func state(tag: String = "a") -> String {
        #"""
        {"format_version":"1.0","terraform_version":"1.9.8","values":{"root_module":{"resources":[
          {"address":"databricks_cluster.shared","mode":"managed","type":"databricks_cluster","name":"shared",
           "provider_name":"registry.terraform.io/databricks/databricks","schema_version":1,
           "values":{"cluster_name":"shared-\#(tag)","spark_version":"15.4.x-scala2.12","node_type_id":"Standard_DS3_v2",
                     "autotermination_minutes":20,"num_workers":2.0,"ratio":1e-3,"big":123456789012345678,"neg":-0.5,
                     "spark_conf":{"spark.databricks.delta.preview.enabled":"true"},"custom_tags":{"owner":"Zürich ☃ \"team\"\n\ttab"},
                     "token":"dapi-secret","empty":{},"list":[1,[2,[3]],null,true,false],"missing":null},
           "sensitive_values":{"token":true,"custom_tags":{}}},
          {"address":"databricks_group.team[0]","mode":"managed","type":"databricks_group","name":"team","index":0,
           "provider_name":"registry.terraform.io/databricks/databricks","values":{"display_name":"neprix-\#(tag)"}},
          {"address":"data.databricks_spark_version.lts","mode":"data","type":"databricks_spark_version","name":"lts",
           "values":{"long_term_support":true}}],
         "child_modules":[{"address":"module.jobs","resources":[
          {"address":"module.jobs.databricks_job.etl[\"daily\"]","mode":"managed","type":"databricks_job","name":"etl","index":"daily",
           "provider_name":"registry.terraform.io/databricks/databricks","values":{"name":"etl daily","max_concurrent_runs":1}}]}]}}}
        """#
    }

    static let consistencyLines = """
        {"check_run":"cc-2","drill":"DR-B","region":"northeurope","checked_at":"2026-09-12T10:00:00Z","table":"t.one","latest_version":3,"latest_version_time":1789192711000,"complete":true,"action":"none"}
        {"check_run":"cc-1","drill":"DR-A","region":"northeurope","checked_at":"2026-09-12T09:00:00+01:00","reference_time":"2026-09-12T06:03:11Z","table":"t.two","latest_version":9,"complete":false,"missing_files":["a.parquet","b.parquet"],"restored_version":8,"restored_version_time":"2026-09-12T05:58:40Z","action":"restored"}
        {"check_run":"cc-2","drill":"DR-B","region":"northeurope","checked_at":"2026-09-12T10:00:00Z","table":"t.three","complete":false,"action":"unrecoverable"}

        """

    static let changeExport = """
        {"result":[
          {"number":"CHG0031889","sys_id":"c0ffee00000000000000000000000001","type":"normal","state":{"value":"-1","display_value":"Implement"},
           "approval":"approved","requested_by":{"value":"3333aaaa3333aaaa3333aaaa3333aaaa","display_value":"Dev Two"},
           "assigned_to":{"value":"","display_value":"Ops Person"},"start_date":"2026-09-01 08:00:00","end_date":"2026-09-01 12:00:00",
           "work_start":"2026-09-01 09:00:00","work_end":"","cab_required":"true","cab_date":"2026-08-28 14:00:00",
           "close_code":"","sys_updated_on":"2026-08-30 10:00:00"},
          {"sysapproval":{"value":"c0ffee00000000000000000000000001","display_value":"CHG0031889"},
           "approver":{"value":"4444bbbb4444bbbb4444bbbb4444bbbb","display_value":"CAB Chair"},"state":"approved",
           "sys_updated_on":"2026-08-29 09:00:00","comments":"ok, see minutes"},
          {"sysapproval":"c0ffee00000000000000000000000001","approver":"5555cccc5555cccc5555cccc5555cccc","state":"requested"}]}
        """
}

@Suite("SQLite evidence store")
struct StoreTests {
    // MARK: - Round trip

    enum Sample: String, CaseIterable, Sendable {
        case drillJSONLines, drillCSV, applyWithState, applyWithoutState, failedApply, stateBound, stateBoundAsOf,
            change,
            consistencyDocument, consistencyLines
    }

    static func ingest(_ sample: Sample, into store: TemporaryStore) async throws -> ParsedEvidence {
        switch sample {
        case .drillJSONLines: return try await store.ingest("logs/drill.jsonl", StoreSamples.richDrill)
        case .drillCSV: return try await store.ingest("logs/drill.csv", StoreSamples.drillCSV)
        case .applyWithState:
            return try await store.ingestRecord(
                "runs/1",
                [
                    "run.json": StoreSamples.run(id: 1), "apply.jsonl": StoreSamples.applyStream(),
                    "state.json": StoreSamples.state(),
                ])
        case .applyWithoutState:
            return try await store.ingestRecord(
                "runs/2", ["run.json": StoreSamples.run(id: 2), "apply.jsonl": StoreSamples.applyStream()])
        case .failedApply:
            return try await store.ingestRecord(
                "runs/3",
                [
                    "run.json": StoreSamples.run(id: 3, result: "failed"),
                    "apply.jsonl": StoreSamples.applyStream(failed: true),
                ])
        case .stateBound:
            return try await store.ingest(
                "state.json", StoreSamples.state(), options: ParseOptions(kind: .state, workspace: "w", region: "r"))
        case .stateBoundAsOf:
            return try await store.ingest(
                "state.json", StoreSamples.state(),
                options: ParseOptions(
                    kind: .state, workspace: "w", region: "r",
                    asOf: try Timestamp.parseRFC3339("2026-09-30T23:59:59.5+02:00").get()))
        case .change: return try await store.ingest("chg.json", StoreSamples.changeExport)
        case .consistencyDocument:
            return try await store.ingest(
                "cc.json",
                #"{"check_run":"cc-doc","drill":"DR-A","region":"northeurope","checked_at":"2026-09-12T08:40:02Z","tables":[{"table":"t","latest_version":1,"latest_version_time":"2026-09-12T05:31:02.5-01:00","complete":true,"action":"none"}]}"#
            )
        case .consistencyLines: return try await store.ingest("cc.jsonl", StoreSamples.consistencyLines)
        }
    }

    @Test("every kind comes back from the store equal, with an equal records digest", arguments: Sample.allCases)
    func roundTrip(sample: Sample) async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let store = temporary.store
        let parsed = try await Self.ingest(sample, into: temporary)

        let content = try #require(try await store.content(of: parsed.id))
        #expect(content == parsed.content)
        #expect(content.recordsDigest == parsed.recordsDigest, "offsets, lines and JSON text survive the store too")
        let members = try await store.members(of: parsed.id)
        #expect(members == parsed.members.sorted { $0.name < $1.name })

        let summary = try #require(try await store.evidenceList().first)
        #expect(summary.id == parsed.id)
        #expect(summary.kind == parsed.kind)
        #expect(summary.source == parsed.source)
        #expect(summary.covers == parsed.content.covers)
        #expect(summary.seq == 1)
        #expect(summary.members.map(\.name) == parsed.members.map(\.name).sorted())
        #expect(summary.members.map(\.size) == parsed.members.sorted { $0.name < $1.name }.map(\.bytes.count))

        let ledger = try await store.ledgerEntries()
        #expect(ledger.count == 1)
        // The records digest covers the rows as stored; a bound state without as_of counts from its ingestion.
        let ingested = try #require(ledger.first?.ingestedInstant)
        #expect(ledger.first?.records == parsed.content.recordsDigest(ingestedAt: ingested))
        #expect(ledger.first?.evidence == parsed.id)
        #expect(ledger.first?.prev == LedgerEntry.genesis)
        #expect(ledger.first?.hash == ledger.first?.computedHash)

        // A second connection (another process) reads the same, and verification passes.
        let other = try temporary.reopen()
        #expect(try await other.content(of: parsed.id) == parsed.content)
        let report = try await other.verify()
        #expect(report.intact, "\(report.problems)")
        #expect(report.entries == 1 && report.evidence == 1 && report.blobs == parsed.members.count)
    }

    @Test(
        "evidence prepared ahead is stored as the evidence itself would be; a scratch store keeps all but the files' bytes",
        arguments: [Sample.applyWithState, .stateBound, .consistencyLines])
    func preparedIntoScratch(sample: Sample) async throws {
        let kept = try TemporaryStore()
        defer { kept.remove() }
        let parsed = try await Self.ingest(sample, into: kept)
        let ledger = try #require(try await kept.store.ledgerEntries().first)
        let ingestedAt = try #require(ledger.ingestedInstant)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drreport-scratch-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let scratch = try SQLiteEvidenceStore(path: folder.appendingPathComponent("scratch.db").path, create: true, scratch: true)
        let prepared = PreparedEvidence(parsed, ingestedAt: ingestedAt)
        #expect(prepared.records == ledger.records)
        #expect(prepared.records == parsed.content.recordsDigest(ingestedAt: ingestedAt))
        guard case .stored(let entry) = try await scratch.store(prepared) else {
            Issue.record("expected the prepared evidence to be stored")
            return
        }
        #expect(entry == ledger, "the same ledger entry: evidence, kind, source, ingestion time, records, chain")
        #expect(try await scratch.content(of: parsed.id) == parsed.content)
        let listed = try await kept.store.evidenceList()
        #expect(try await scratch.evidenceList() == listed)
        // The files are named, with their hashes and sizes, but their bytes stay in the bundle.
        let members = try await scratch.members(of: parsed.id)
        #expect(members.map(\.name) == parsed.members.map(\.name).sorted())
        #expect(members.allSatisfy { $0.bytes.isEmpty })
        let keptMembers = try await kept.store.members(of: parsed.id)
        #expect(keptMembers.allSatisfy { !$0.bytes.isEmpty })
    }

    @Test("a batch is stored in order as its pieces one by one would be; a repeat within it is a duplicate")
    func batchAsOneByOne() async throws {
        let kept = try TemporaryStore()
        defer { kept.remove() }
        var parsed: [ParsedEvidence] = []
        for sample in Sample.allCases { parsed.append(try await Self.ingest(sample, into: kept)) }
        let ledger = try await kept.store.ledgerEntries()
        let prepared = try zip(parsed, ledger).map { evidence, entry in
            PreparedEvidence(evidence, ingestedAt: try #require(entry.ingestedInstant))
        }

        let batched = try TemporaryStore()
        defer { batched.remove() }
        let outcomes = try await batched.store.store(batch: prepared + [prepared[0]])
        #expect(outcomes.dropLast() == ledger.map { StoreOutcome.stored($0) }, "the same entries, chained in batch order")
        guard case .duplicate(let existing)? = outcomes.last else {
            Issue.record("the repeated piece should be a duplicate, got \(String(describing: outcomes.last))")
            return
        }
        #expect(existing.seq == 1)
        #expect(try await batched.store.ledgerEntries() == ledger)
        #expect(try await batched.store.evidenceList() == kept.store.evidenceList())
        for evidence in parsed {
            #expect(try await batched.store.content(of: evidence.id) == evidence.content)
        }
        #expect(try await batched.store.verify().intact)
    }

    @Test("a batch with a piece that cannot be stored stores none of them, and names that piece")
    func batchAllOrNothing() async throws {
        let source = try TemporaryStore()
        defer { source.remove() }
        var prepared: [PreparedEvidence] = []
        for sample in [Sample.drillJSONLines, .applyWithState, .change, .consistencyLines] {
            let parsed = try await Self.ingest(sample, into: source)
            prepared.append(PreparedEvidence(parsed, ingestedAt: try Self.instant("2026-10-01T00:00:00Z")))
        }

        let target = try TemporaryStore()
        defer { target.remove() }
        // The third piece's ledger row (copied from the source store, at another place in the chain), with
        // no evidence row: the piece is not a duplicate, and its own ledger row then breaks the ledger's
        // one-entry-per-evidence constraint.
        let row = try #require(try await source.store.ledgerEntries().first { $0.evidence == prepared[2].evidence.id })
        let queue = try DatabaseQueue(path: target.path)
        try await queue.write { db in
            try db.execute(
                sql: "INSERT INTO ledger (seq, evidence_id, kind, source, ingested_at, records, prev, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                arguments: [
                    7, row.evidence.description, row.kind.rawValue, row.source, row.ingestedAt, row.records.description,
                    row.prev.description, row.hash.description,
                ])
        }
        try queue.close()
        do {
            _ = try await target.store.store(batch: prepared)
            Issue.record("the batch should fail")
        } catch {
            #expect(error.index == 2)
            #expect(error.error.message.contains("UNIQUE") || error.error.message.contains("unique"), "\(error.error.message)")
        }
        #expect(try await target.store.evidenceList().isEmpty, "the pieces before it are not stored either")
        #expect(try await target.store.ledgerEntries().map(\.seq) == [7])
        #expect(try await target.store.drillIDs().isEmpty)
        // Without the obstacle, the same batch goes in whole.
        let clean = try TemporaryStore()
        defer { clean.remove() }
        #expect(try await clean.store.store(batch: prepared).count == 4)
        #expect(try await clean.store.evidenceList().count == 4)
    }

    @Test("storing the same evidence twice is a duplicate that writes nothing")
    func duplicate() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let parsed = try await temporary.ingest("a.jsonl", StoreSamples.richDrill)
        let again = try EvidenceParser.parse(
            EvidenceInput(source: "b.jsonl", name: "b.jsonl", bytes: Data(StoreSamples.richDrill.utf8)))
        guard case .duplicate(let existing) = try await temporary.store.store(again) else {
            Issue.record("expected a duplicate")
            return
        }
        #expect(existing.id == parsed.id)
        #expect(existing.source == "a.jsonl")
        #expect(existing.seq == 1)
        #expect(try await temporary.store.ledgerEntries().count == 1)
        #expect(try await temporary.store.drillEvents(drill: "DR-2026-Q3-01").count == 5)
    }

    @Test("the ledger chains every entry to the one before it")
    func ledgerChain() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        for sample in Sample.allCases {
            _ = try await Self.ingest(sample, into: temporary)
        }
        let entries = try await temporary.store.ledgerEntries()
        #expect(entries.map(\.seq) == Array(1...Int64(entries.count)))
        #expect(entries.first?.prev == LedgerEntry.genesis)
        for (previous, entry) in zip(entries, entries.dropFirst()) {
            #expect(entry.prev == previous.hash)
            #expect(entry.hash == entry.computedHash)
            #expect(entry.ingestedAt >= previous.ingestedAt)
        }
        #expect(LedgerChain.problems(in: entries).isEmpty)
        let report = try await temporary.store.verify()
        #expect(report.intact, "\(report.problems)")
        #expect(report.head == entries.last?.hash)
    }

    // MARK: - Queries

    /// An apply record whose run finished at `finished`, with a state of `tag`.
    static func record(
        _ temporary: TemporaryStore, id: Int, region: String = "westeurope", finished: String?, tag: String = "a",
        created: String = "2026-09-01T09:00:00Z", state: Bool = true
    ) async throws -> ParsedEvidence {
        let run =
            finished == nil
            ? StoreSamples.run(
                id: id, region: region, result: nil, created: created, finished: nil, state: "inProgress")
            : StoreSamples.run(id: id, region: region, created: created, finished: finished)
        var files = ["run.json": run, "apply.jsonl": StoreSamples.applyStream()]
        if state { files["state.json"] = StoreSamples.state(tag: tag) }
        return try await temporary.ingestRecord("runs/\(id)", files)
    }

    static func instant(_ text: String) throws -> Instant { try Timestamp.parseRFC3339(text).get() }

    @Test("latestState picks the latest state at or before as-of, per workspace and region")
    func latestState() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let store = temporary.store
        let early = try await Self.record(temporary, id: 10, finished: "2026-09-01T10:00:00Z", tag: "early")
        let late = try await Self.record(temporary, id: 11, finished: "2026-09-20T10:00:00Z", tag: "late")
        // Other region and a bound state in another workspace must not interfere.
        let secondary = try await Self.record(
            temporary, id: 12, region: "northeurope", finished: "2026-09-25T10:00:00Z", tag: "ne")
        let bound = try await temporary.ingest(
            "bound.json", StoreSamples.state(tag: "bound"),
            options: ParseOptions(
                kind: .state, workspace: "neprix-tech-prod", region: "westeurope",
                asOf: try Self.instant("2026-09-10T12:00:00+02:00")))
        _ = try await temporary.ingest(
            "other.json", StoreSamples.state(tag: "other"),
            options: ParseOptions(
                kind: .state, workspace: "other-ws", region: "westeurope",
                asOf: try Self.instant("2026-09-30T00:00:00Z")))

        func latest(_ asOf: String, region: String = "westeurope") async throws -> StoredState? {
            try await store.latestState(workspace: "neprix-tech-prod", region: region, asOf: try Self.instant(asOf))
        }
        #expect(try await latest("2026-09-01T09:59:59.999999999Z") == nil, "nothing before the first state")
        #expect(try await latest("2026-09-01T10:00:00Z")?.evidence == early.id, "as-of is inclusive")
        #expect(try await latest("2026-09-10T09:59:59.999999999Z")?.evidence == early.id)
        #expect(
            try await latest("2026-09-10T10:00:00Z")?.evidence == bound.id,
            "a bound state counts at its as-of (12:00+02:00)")
        #expect(try await latest("2026-09-20T09:59:59Z")?.evidence == bound.id)
        #expect(try await latest("2026-09-20T12:00:00+02:00")?.evidence == late.id)
        #expect(try await latest("2027-01-01T00:00:00Z")?.evidence == late.id)
        #expect(try await latest("2026-09-24T00:00:00Z", region: "northeurope") == nil)
        #expect(try await latest("2026-12-31T00:00:00Z", region: "northeurope")?.evidence == secondary.id)

        let found = try #require(try await latest("2026-12-31T00:00:00Z"))
        #expect(found.key == StateKey(workspace: "neprix-tech-prod", region: "westeurope"))
        #expect(found.runID == 11)
        #expect(found.instant == (try Self.instant("2026-09-20T10:00:00Z")))
        guard case .apply(let lateRecord) = late.content else { throw StoreTestError("not an apply") }
        #expect(found.state == lateRecord.state)
        #expect(
            try await store.stateKeys() == [
                StateKey(workspace: "neprix-tech-prod", region: "northeurope"),
                StateKey(workspace: "neprix-tech-prod", region: "westeurope"),
                StateKey(workspace: "other-ws", region: "westeurope"),
            ])
    }

    @Test(
        "latestState breaks ties the same way whatever the ingest order: the higher run id, then a run over a bound state"
    )
    func latestStateTies() async throws {
        for order in [[0, 1, 2], [2, 1, 0], [1, 2, 0]] {
            let temporary = try TemporaryStore()
            defer { temporary.remove() }
            var ids: [Int: ContentHash] = [:]
            for item in order {
                switch item {
                case 0:
                    ids[0] = try await Self.record(temporary, id: 20, finished: "2026-09-15T10:00:00Z", tag: "run20").id
                case 1:
                    ids[1] = try await Self.record(
                        temporary, id: 21, finished: "2026-09-15T12:00:00+02:00", tag: "run21"
                    ).id
                default:
                    ids[2] = try await temporary.ingest(
                        "bound.json", StoreSamples.state(tag: "bound"),
                        options: ParseOptions(
                            kind: .state, workspace: "neprix-tech-prod", region: "westeurope",
                            asOf: try Self.instant("2026-09-15T10:00:00Z"))
                    ).id
                }
            }
            let found = try await temporary.store.latestState(
                workspace: "neprix-tech-prod", region: "westeurope", asOf: try Self.instant("2026-09-15T10:00:00Z"))
            #expect(found?.evidence == ids[1], "order \(order)")
            #expect(found?.runID == 21)
        }
    }

    @Test("a bound state without as-of counts from its ingestion")
    func boundStateWithoutAsOf() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let before = Instant.now
        let bound = try await temporary.ingest(
            "bound.json", StoreSamples.state(), options: ParseOptions(kind: .state, workspace: "w", region: "r"))
        let after = Instant.now
        let found = try #require(try await temporary.store.latestState(workspace: "w", region: "r", asOf: after))
        #expect(found.evidence == bound.id)
        #expect(found.instant >= before && found.instant <= after)
        #expect(try await temporary.store.latestState(workspace: "w", region: "r", asOf: before) == nil)
    }

    @Test("applyRuns is half-open: a run finishing exactly at `from` is in, exactly at `to` is out")
    func applyRunsBoundaries() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let store = temporary.store
        let atFrom = try await Self.record(temporary, id: 30, finished: "2026-07-01T00:00:00+02:00", state: false)
        let inside = try await Self.record(temporary, id: 31, finished: "2026-08-15T10:00:00Z", state: false)
        let lastNano = try await Self.record(
            temporary, id: 32, finished: "2026-09-30T23:59:59.999999999+02:00", state: false)
        let atTo = try await Self.record(temporary, id: 33, finished: "2026-10-01T00:00:00+02:00", state: false)
        let beforeFrom = try await Self.record(temporary, id: 34, finished: "2026-06-30T23:59:59.9+02:00", state: false)
        let unfinished = try await Self.record(
            temporary, id: 35, finished: nil, created: "2026-09-01T09:00:00Z", state: false)

        let from = try Self.instant("2026-07-01T00:00:00+02:00")
        let to = try Self.instant("2026-10-01T00:00:00+02:00")
        let runs = try await store.applyRuns(from: from, to: to)
        #expect(runs.map(\.run.id) == [30, 31, 35, 32], "ordered by instant")
        #expect(runs.map(\.evidence) == [atFrom.id, inside.id, unfinished.id, lastNano.id])
        #expect(!runs.contains { $0.evidence == atTo.id || $0.evidence == beforeFrom.id })
        // An unfinished run counts at StoredApplyRun.instant: its apply's last message here.
        let open = try #require(runs.first { $0.run.id == 35 })
        #expect(open.run.finishedDate == nil)
        #expect(open.instant == (try Self.instant("2026-09-01T09:05:02.4Z")))
        #expect(open.hasState == false)
        #expect(open.succeeded == false, "no result yet")
        #expect(runs.first { $0.run.id == 31 }?.succeeded == true)
        // Adjacent periods partition the runs.
        let next = try await store.applyRuns(from: to, to: try Self.instant("2027-01-01T00:00:00+01:00"))
        #expect(next.map(\.run.id) == [33])
        let previous = try await store.applyRuns(from: try Self.instant("2026-04-01T00:00:00+02:00"), to: from)
        #expect(previous.map(\.run.id) == [34])
        #expect(try await store.applyRuns(from: to, to: to).isEmpty)
    }

    @Test("drillEvents are ordered by instant whatever the file order and offsets")
    func drillEventsOrder() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let store = temporary.store
        // Two logs of one drill, each out of order, with offsets that reverse the local-time order.
        let first = try await temporary.ingest(
            "b-ops.jsonl",
            StoreSamples.drill(
                "DR-X",
                [
                    ("2026-09-12T10:41:05+02:00", "service_restored", #""process":"p1""#),  // 08:41:05Z
                    ("2026-09-12T07:00:00+01:00", "disruption", ""),  // 06:00:00Z
                    ("2026-09-12T08:30:00Z", "failover_completed", ""),  // 08:30:00Z
                ]))
        let second = try await temporary.ingest(
            "a-bcm.jsonl",
            StoreSamples.drill(
                "DR-X",
                [
                    ("2026-09-12T04:09:40-02:00", "crisis_declared", ""),  // 06:09:40Z
                    ("2026-09-12T06:00:00Z", "detected", ""),  // 06:00:00Z, same instant as the disruption
                    ("2026-09-12T08:00:00.000000001+02:00", "failover_started", ""),  // 06:00:00.000000001Z
                ]))
        _ = try await temporary.ingest(
            "other.jsonl", StoreSamples.drill("DR-Y", [("2026-09-12T05:00:00Z", "disruption", "")]))

        let events = try await store.drillEvents(drill: "DR-X")
        #expect(
            events.map(\.value.event.rawValue) == [
                first.id < second.id ? "disruption" : "detected", first.id < second.id ? "detected" : "disruption",
                "failover_started", "crisis_declared", "failover_completed", "service_restored",
            ])
        #expect(events.map(\.value.time) == events.map(\.value.time).sorted())
        #expect(events.first { $0.value.event == .serviceRestored }?.evidence == first.id)
        #expect(events.first { $0.value.event == .serviceRestored }?.value.line == 1)
        #expect(
            events.first { $0.value.event == .crisisDeclared }?.value.time.utcOffsetSeconds == -7200,
            "the offset is kept for display")
        #expect(try await store.drillIDs() == ["DR-X", "DR-Y"])
        #expect(try await store.drillEvents(drill: "DR-Z").isEmpty)
    }

    @Test("changeRequests and approvals are looked up by number and by the change's sys_id")
    func changeLookups() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let store = temporary.store
        let export = try await temporary.ingest("chg.json", StoreSamples.changeExport)
        // A later export of the same change, approved later; and another change.
        let later = try await temporary.ingest(
            "chg-later.json",
            StoreSamples.changeExport
                .replacingOccurrences(of: "2026-08-30 10:00:00", with: "2026-09-02 08:00:00")
                .replacingOccurrences(of: #""close_code":"""#, with: #""close_code":"successful""#))
        let other = try await temporary.ingest(
            "chg-other.json",
            #"{"result":{"number":"CHG0040000","sys_id":"d00d","type":"emergency","state":"3","approval":"requested"}}"#
        )

        let found = try await store.changeRequests(numbers: ["CHG0031889", "CHG0031889", "CHG9999999"])
        #expect(found.map(\.evidence) == [export.id, later.id], "every version, oldest update first")
        #expect(found.map(\.value.closeCode) == [nil, "successful"])
        #expect(
            found.first?.value.requestedBy == Reference(value: "3333aaaa3333aaaa3333aaaa3333aaaa", display: "Dev Two"))
        #expect(found.first?.value.assignedTo == Reference(value: "", display: "Ops Person"))
        #expect(found.first?.value.state == "-1")
        #expect(found.first?.value.cabRequired == true)
        #expect(found.first?.value.workEnd == nil)
        #expect(try await store.changeRequests(numbers: ["CHG0040000"]).map(\.evidence) == [other.id])
        #expect(try await store.changeRequests(numbers: []).isEmpty)

        let approvals = try await store.approvals(changeSysIDs: ["c0ffee00000000000000000000000001"])
        #expect(approvals.count == 4, "two approvals in each of the two exports")
        #expect(
            approvals.map(\.value.state) == ["requested", "requested", "approved", "approved"],
            "undated first, then by update")
        #expect(
            approvals.last?.value.approver == Reference(value: "4444bbbb4444bbbb4444bbbb4444bbbb", display: "CAB Chair")
        )
        #expect(approvals.last?.value.comments == "ok, see minutes")
        #expect(try await store.approvals(changeSysIDs: ["d00d"]).isEmpty)
    }

    @Test("changeRequests finds every number of a lookup larger than one SQL statement's chunk")
    func manyChangeNumbers() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let records = (0..<1_200).map { index in
            #"{"number":"CHG\#(String(format: "%07d", index))","sys_id":"sys\#(index)","type":"standard","state":"3","approval":"approved"}"#
        }
        _ = try await temporary.ingest("many.json", #"{"result":["# + records.joined(separator: ",") + "]}")
        let wanted = (0..<1_500).map { "CHG" + String(format: "%07d", $0) }
        let found = try await temporary.store.changeRequests(numbers: wanted.shuffled())
        #expect(found.count == 1_200)
        #expect(found.map(\.value.number) == Array(wanted.prefix(1_200)))
    }

    @Test("consistencyRuns(drill:) returns that drill's runs only, in check order")
    func consistencyByDrill() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let store = temporary.store
        let lines = try await temporary.ingest("cc.jsonl", StoreSamples.consistencyLines)
        let document = try await temporary.ingest(
            "cc.json",
            #"{"check_run":"cc-0","drill":"DR-B","checked_at":"2026-09-12T07:00:00Z","tables":[{"table":"t.zero","latest_version_time":"2026-09-12T05:00:00Z","complete":true,"action":"none"}]}"#
        )

        let forB = try await store.consistencyRuns(drill: "DR-B")
        #expect(forB.map(\.value.checkRun) == ["cc-0", "cc-2"])
        #expect(forB.map(\.evidence) == [document.id, lines.id])
        #expect(forB.last?.value.tables.map(\.table) == ["t.one", "t.three"])
        #expect(forB.last?.value.tables.map(\.action) == [ConsistencyAction.none, .unrecoverable])
        let forA = try await store.consistencyRuns(drill: "DR-A")
        #expect(forA.map(\.value.checkRun) == ["cc-1"])
        #expect(forA.first?.value.tables.first?.missingFiles == ["a.parquet", "b.parquet"])
        #expect(forA.first?.value.referenceTime == (try Self.instant("2026-09-12T06:03:11Z")))
        #expect(try await store.consistencyRuns(drill: "DR-C").isEmpty)

        // By time, half-open: cc-1 ran 08:00Z, cc-2 10:00Z.
        let window = try await store.consistencyRuns(
            from: try Self.instant("2026-09-12T08:00:00Z"), to: try Self.instant("2026-09-12T10:00:00Z"))
        #expect(window.map(\.value.checkRun) == ["cc-1"])
    }

    // MARK: - Writers

    @Test("concurrent writers, in one process and through two connections, keep one gap-free chain")
    func concurrentWriters() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let second = try temporary.reopen()
        let stores: [SQLiteEvidenceStore] = [temporary.store, second]
        let logs = (0..<40).map { index in
            StoreSamples.drill(
                "DR-C\(index)",
                [("2026-09-12T08:00:00Z", "disruption", ""), ("2026-09-12T09:00:00Z", "crisis_declared", "")])
        }
        // Every log is stored by two tasks at once: one must win, the other see a duplicate.
        let outcomes = try await withThrowingTaskGroup(of: Bool.self) { group in
            for (index, log) in logs.enumerated() {
                for copy in 0..<2 {
                    let store = stores[(index + copy) % 2]
                    group.addTask {
                        let parsed = try EvidenceParser.parse(
                            EvidenceInput(source: "d\(index)-\(copy).jsonl", name: "d.jsonl", bytes: Data(log.utf8)))
                        if case .stored = try await store.store(parsed) { return true }
                        return false
                    }
                }
            }
            var stored = 0
            for try await isNew in group where isNew { stored += 1 }
            return stored
        }
        #expect(outcomes == logs.count)
        let entries = try await temporary.store.ledgerEntries()
        #expect(entries.map(\.seq) == Array(1...Int64(logs.count)))
        let report = try await second.verify()
        #expect(report.intact, "\(report.problems)")
        #expect(report.evidence == logs.count)
    }
}

/// How the store's file is laid out and kept: its page size, and its write-ahead log copied into the
/// database while an ingest is still writing.
@Suite("Store file")
struct StoreFileTests {
    static func pageSize(_ path: String) throws -> Int {
        let queue = try DatabaseQueue(path: path, configuration: { var c = Configuration(); c.readonly = true; return c }())
        return try queue.read { db in try Int.fetchOne(db, sql: "PRAGMA page_size") ?? 0 }
    }

    static func fileSize(_ path: String) -> Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int) ?? 0
    }

    @Test("a new store has 8 KiB pages; a store made with other pages keeps them and works")
    func pageSizes() async throws {
        let fresh = try TemporaryStore()
        defer { fresh.remove() }
        try await fresh.ingest("drill.jsonl", StoreSamples.richDrill)
        #expect(try Self.pageSize(fresh.path) == SQLiteEvidenceStore.pageSize)
        #expect(SQLiteEvidenceStore.pageSize == 8192)

        // A database file whose pages were fixed at 4 KiB before drreport set up its tables.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drreport-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("evidence.db").path
        try await DatabaseQueue(path: path).writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA page_size = 4096; PRAGMA user_version = 1")
        }
        #expect(try Self.pageSize(path) == 4096)
        let store = try SQLiteEvidenceStore(path: path, create: true)
        let parsed = try EvidenceParser.parse(
            EvidenceInput(source: "drill.jsonl", name: "drill.jsonl", bytes: Data(StoreSamples.richDrill.utf8)))
        guard case .stored = try await store.store(parsed) else { throw StoreTestError("the drill was a duplicate") }
        #expect(try Self.pageSize(path) == 4096)
        let report = try await SQLiteEvidenceStore(path: path, create: false).verify()
        #expect(report.intact, "\(report.problems)")
        #expect(report.evidence == 1)
    }

    @Test("the write-ahead log is copied into the database while the store is still open and writing")
    func logCheckpointedBehindTheWriter() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drreport-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("evidence.db").path
        // A step of 64 KiB of log: a few files take the log past it.
        let store = try SQLiteEvidenceStore(path: path, create: true, scratch: false, logStep: 64 << 10)
        let empty = Self.fileSize(path)
        for index in 0..<20 {
            let log = StoreSamples.drill(
                "DR-W\(index)",
                (0..<50).map { minute in ("2026-09-12T08:\(String(format: "%02d", minute)):00Z", minute == 0 ? "disruption" : "milestone", minute == 0 ? "" : #""process":"payments","note":"\#(String(repeating: "x", count: 200))""#) })
            let parsed = try EvidenceParser.parse(EvidenceInput(source: "d\(index).jsonl", name: "d.jsonl", bytes: Data(log.utf8)))
            guard case .stored = try await store.store(parsed) else { throw StoreTestError("d\(index) was a duplicate") }
        }
        // The checkpoint runs on its own thread: wait for the database file to grow, for at most 20 s.
        var grown = Self.fileSize(path)
        for _ in 0..<200 where grown < empty + (256 << 10) {
            try await Task.sleep(for: .milliseconds(100))
            grown = Self.fileSize(path)
        }
        #expect(grown >= empty + (256 << 10), "the database file stayed at \(grown) bytes (from \(empty)) while the store was open")
        let report = try await store.verify()
        #expect(report.intact, "\(report.problems)")
        #expect(report.evidence == 20)
    }

    @Test("a connection waiting for a lock retries in short steps, and gives up once it has waited its limit")
    func lockWaitSteps() {
        let clock = ContinuousClock()
        let start = clock.now
        var tries = 0
        while LockWait.retry(after: tries, upTo: .milliseconds(50)) { tries += 1 }
        let waited = clock.now - start
        // 100 waits of a tenth of a millisecond, then 40 of a millisecond.
        #expect(tries == 140)
        #expect(waited >= .milliseconds(50))
        // Two minutes, as the store's connections wait: a second in short steps, then steps of 10 ms.
        #expect(LockWait.retry(after: 12_999, upTo: .seconds(120)) == false)
        #expect(LockWait.retry(after: 0, upTo: .zero) == false)
    }
}
