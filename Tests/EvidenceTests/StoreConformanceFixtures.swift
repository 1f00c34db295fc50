import Foundation
import GRDB
import Testing

@testable import Evidence

/// Small valid inputs of every evidence kind (DESIGN §3), parsed as `drreport ingest` would. A `tag`
/// makes the bytes (and so the identity) unique where a test needs many distinct pieces of evidence.
enum ConformanceSamples {
    static func parse(_ input: EvidenceInput, options: ParseOptions = ParseOptions()) throws -> ParsedEvidence {
        try EvidenceParser.parse(input, options: options)
    }

    static func file(_ name: String, _ text: String, options: ParseOptions = ParseOptions()) throws -> ParsedEvidence {
        try parse(EvidenceInput(source: "samples/" + name, name: name, bytes: Data(text.utf8)), options: options)
    }

    /// Drill-log lines, deliberately out of time order (logs are merged from several sources).
    static func drillText(drill: String = "DR-2026-Q3-01", tag: String = "") -> String {
        """
        {"drill":"\(drill)","time":"2026-09-12T10:41:05+02:00","event":"service_restored","process":"loan-origination","level":"minimum","region":"northeurope"}
        {"drill":"\(drill)","attempt":1,"time":"2026-09-12T08:03:11+02:00","event":"disruption","region":"westeurope","actor":"chaos-pipeline","clock":"ntp:time.windows.com","uncertainty_s":2,"note":"customer-initiated storage failover requested\(tag)"}
        {"drill":"\(drill)","time":"2026-09-12T08:09:40+02:00","event":"crisis_declared","actor":"bcm.oncall@bank.example"}

        """
    }

    static func drill(drill: String = "DR-2026-Q3-01", tag: String = "") throws -> ParsedEvidence {
        try file("drill\(tag).jsonl", drillText(drill: drill, tag: tag))
    }

    /// More events of the same drill, one of them at the same instant as an event of `drill()`.
    static func drillSupplement(drill: String = "DR-2026-Q3-01") throws -> ParsedEvidence {
        try file(
            "drill-ops.jsonl",
            """
            {"drill":"\(drill)","time":"2026-09-12T06:09:40Z","event":"plan_activated","actor":"ops"}
            {"drill":"\(drill)","time":"2026-09-12T06:05:00Z","event":"detected","actor":"monitoring"}

            """)
    }

    static func resource(_ name: String, _ index: Int = 0) -> String {
        """
        {"address":"databricks_cluster.\(name)","mode":"managed","type":"databricks_cluster","name":"\(name)","provider_name":"registry.terraform.io/databricks/databricks","schema_version":0,"values":{"cluster_name":"\(name)","spark_version":"15.4.x-scala2.12","node_type_id":"Standard_DS3_v2","autotermination_minutes":\(20 + index % 40),"custom_tags":{"team":"neprix","n":"\(index)"}},"sensitive_values":{"custom_tags":{}}}
        """
    }

    static func stateText(resources: Int = 2, tag: String = "") -> String {
        let list = (0..<resources).map { resource("c\($0)\(tag)", $0) }.joined(separator: ",\n")
        return """
            {"format_version":"1.0","terraform_version":"1.9.5","values":{"root_module":{"resources":[
            \(list)
            ]}}}
            """
    }

    /// An apply record folder: run.json, apply.jsonl and (optionally) state.json.
    static func apply(
        run: Int, workspace: String = "neprix-tech-prod", region: String = "westeurope",
        created: String = "2026-09-12T09:00:00.1234567Z", finished: String? = "2026-09-12T09:10:00Z",
        result: String = "succeeded", commit: String = "0f3c9a1", change: String = "CHG0031889",
        stateResources: Int? = 2
    ) throws -> ParsedEvidence {
        let finishedField = finished.map { #""finishedDate":"\#($0)","# } ?? ""
        let runJSON = """
            {"id":\(run),"name":"20260912.\(run)","state":"completed","result":"\(result)",
             "createdDate":"\(created)",\(finishedField)
             "pipeline":{"id":12,"name":"neprix-infra"},
             "resources":{"repositories":{"self":{"refName":"refs/heads/main","version":"\(commit)"}}},
             "templateParameters":{"workspace":"\(workspace)","region":"\(region)","environment":"prod",
               "changeRequest":"\(change)","requestedBy":"dev.one@bank.example"}}
            """
        let applyJSONL = """
            ##[section]Starting: terraform apply
            {"@level":"info","@message":"Terraform 1.9.5","@module":"terraform.ui","@timestamp":"2026-09-12T09:01:00.000000Z","terraform":"1.9.5","type":"version","ui":"1.2"}
            {"@level":"info","@message":"databricks_cluster.c0: Creating...","@module":"terraform.ui","@timestamp":"2026-09-12T09:01:05.000000Z","type":"apply_start"}
            {"@level":"info","@message":"Apply complete! Resources: 1 added, 0 changed, 0 destroyed.","@module":"terraform.ui","@timestamp":"2026-09-12T09:02:00.000000Z","changes":{"add":1,"change":0,"import":0,"remove":0,"operation":"apply"},"type":"change_summary"}

            """
        var files = ["run.json": Data(runJSON.utf8), "apply.jsonl": Data(applyJSONL.utf8)]
        if let stateResources { files["state.json"] = Data(stateText(resources: stateResources, tag: "r\(run)").utf8) }
        return try parse(EvidenceInput(source: "samples/run-\(run)", files: files))
    }

    /// A state ingested alone, bound to a workspace and region.
    static func boundState(
        workspace: String = "neprix-tech-prod", region: String = "northeurope", asOf: String? = "2026-09-12T09:30:00Z",
        resources: Int = 2, tag: String = ""
    ) throws -> ParsedEvidence {
        let instant = try asOf.map { try Timestamp.parseRFC3339($0).get() }
        return try file(
            "state\(tag).json", stateText(resources: resources, tag: tag),
            options: ParseOptions(kind: .state, workspace: workspace, region: region, asOf: instant))
    }

    static func changes() throws -> ParsedEvidence {
        try file(
            "change_request.json",
            """
            {"result":[
             {"number":"CHG0031889","sys_id":"aaaa1111aaaa1111aaaa1111aaaa1111","type":"normal","state":"-1",
              "approval":"approved","requested_by":{"value":"3333aaaa3333aaaa3333aaaa3333aaaa","display_value":"Dev Two"},
              "assigned_to":{"value":"4444bbbb4444bbbb4444bbbb4444bbbb","display_value":"Dev One"},
              "start_date":"2026-09-12 08:00:00","end_date":"2026-09-12 12:00:00","work_start":"","work_end":"",
              "cab_required":"true","cab_date":"2026-09-10 00:00:00","close_code":"","sys_updated_on":"2026-09-11 10:00:00"},
             {"number":"CHG0031890","sys_id":"bbbb2222bbbb2222bbbb2222bbbb2222","type":"emergency","state":"3",
              "approval":"requested","requested_by":"Dev Three","start_date":"2026-09-13 08:00:00",
              "end_date":"2026-09-13 09:00:00","cab_required":false,"sys_updated_on":"2026-09-12 10:00:00"}
            ]}
            """)
    }

    /// A later export of CHG0031889 (a second version of the same change) with its approvals.
    static func changeUpdateWithApprovals() throws -> ParsedEvidence {
        try file(
            "change_update.json",
            """
            {"result":[
             {"number":"CHG0031889","sys_id":"aaaa1111aaaa1111aaaa1111aaaa1111","type":"normal","state":"3",
              "approval":"approved","start_date":"2026-09-12 08:00:00","end_date":"2026-09-12 12:00:00",
              "close_code":"successful","sys_updated_on":"2026-09-12 13:00:00"},
             {"sysapproval":"aaaa1111aaaa1111aaaa1111aaaa1111","approver":{"value":"5555cccc5555cccc5555cccc5555cccc","display_value":"CAB Chair"},
              "state":"approved","sys_updated_on":"2026-09-11 09:00:00","comments":"ok"},
             {"sysapproval":"aaaa1111aaaa1111aaaa1111aaaa1111","approver":"Risk Officer","state":"approved",
              "sys_updated_on":"2026-09-11 08:00:00"},
             {"sysapproval":"bbbb2222bbbb2222bbbb2222bbbb2222","approver":"CAB Chair","state":"requested",
              "sys_updated_on":"2026-09-12 10:05:00"}
            ]}
            """)
    }

    static func consistency(
        checkRun: String = "cc-2026-09-12T0840", drill: String = "DR-2026-Q3-01",
        checkedAt: String = "2026-09-12T08:40:02Z"
    ) throws -> ParsedEvidence {
        try file(
            "consistency-\(checkRun).json",
            """
            {"check_run":"\(checkRun)","drill":"\(drill)","region":"northeurope",
             "checked_at":"\(checkedAt)","reference_time":"2026-09-12T06:03:11Z",
             "tables":[
              {"table":"neprix.silver.contracts","location":"abfss://lake@bankdrne.dfs.core.windows.net/neprix/silver/contracts",
               "latest_version":1842,"latest_version_time":1789192711000,"complete":false,
               "missing_files":["part-00003-1b2c.snappy.parquet"],
               "restored_version":1841,"restored_version_time":"2026-09-12T05:58:40Z","action":"restored"},
              {"table":"neprix.gold.exposures","latest_version":77,"latest_version_time":"2026-09-12T05:31:02Z",
               "complete":true,"action":"none"}]}
            """)
    }

    /// One of each kind, in a fixed order.
    static func everyKind() throws -> [ParsedEvidence] {
        [
            try drill(), try apply(run: 4711), try boundState(), try changes(), try consistency(),
        ]
    }
}

/// The evidence store implementations the shared conformance suite runs against.
enum StoreBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    var testDescription: String { rawValue }

    /// SQLite always; PostgreSQL when a test server is named, or in CI (where a missing server fails).
    static var enabled: [StoreBackend] {
        PostgresTestServer.shouldRun ? allCases : [.sqlite]
    }

    /// A fresh, empty store of this kind, with a way to run raw SQL on it (to tamper) and to throw it away.
    func makeHarness() async throws -> StoreHarness {
        switch self {
        case .sqlite:
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "drreport-conformance-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let path = folder.appendingPathComponent("store.db").path
            let store = try SQLiteEvidenceStore(path: path, create: true)
            return StoreHarness(
                store: store,
                reopen: { try SQLiteEvidenceStore(path: path, create: false) },
                execute: { sql in
                    let queue = try DatabaseQueue(path: path)
                    try await queue.write { try $0.execute(sql: sql) }
                    try queue.close()
                },
                tearDown: { try? FileManager.default.removeItem(at: folder) })
        case .postgres:
            let database = try await PostgresTestServer.createDatabase()
            let store = try await PostgresEvidenceStore.open(url: database.url, create: true)
            return StoreHarness(
                store: store,
                reopen: { try await PostgresEvidenceStore.open(url: database.url, create: false) },
                execute: { sql in try await database.execute(sql) },
                tearDown: {
                    await store.close()
                    await database.drop()
                })
        }
    }
}

/// A store under test, and what a test may do behind its back.
struct StoreHarness: Sendable {
    let store: any EvidenceStore
    /// The same store opened again (a second process would see this).
    let reopen: @Sendable () async throws -> any EvidenceStore
    /// Runs one SQL statement directly on the database.
    let execute: @Sendable (String) async throws -> Void
    let tearDown: @Sendable () async -> Void

    /// Runs `body` with a fresh harness of `backend`, throwing it away afterwards whatever happens.
    static func with(_ backend: StoreBackend, _ body: (StoreHarness) async throws -> Void) async throws {
        let harness = try await backend.makeHarness()
        do {
            try await body(harness)
        } catch {
            await harness.tearDown()
            throw error
        }
        await harness.tearDown()
    }

    /// Stores evidence that must be new, returning its ledger entry.
    @discardableResult
    func storeNew(_ evidence: ParsedEvidence) async throws -> LedgerEntry {
        let outcome = try await store.store(evidence)
        guard case .stored(let entry) = outcome else {
            Issue.record("\(evidence.source) was reported as a duplicate")
            throw StoreTestFailure("unexpected duplicate")
        }
        return entry
    }
}

struct StoreTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
