import Foundation
import Testing

@testable import Evidence

/// Valid inputs of every kind and shape parse to exactly the values written in them.
@Suite("Good inputs")
struct GoodInputTests {
    // MARK: Drill logs

    /// What `good/drill.jsonl` and `good/drill.csv` both say.
    static func expectDrillEvents(
        _ events: [DrillEvent], lines: [Int], sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        try #require(events.count == 5, sourceLocation: sourceLocation)
        #expect(events.map(\.drill) == Array(repeating: "DR-2026-Q3-01", count: 5), sourceLocation: sourceLocation)
        #expect(
            events.map(\.event) == [.drillStarted, .disruption, .crisisDeclared, .serviceRestored, .serviceRestored],
            sourceLocation: sourceLocation)
        #expect(events.map(\.attempt) == [1, 1, 1, 1, 2], sourceLocation: sourceLocation)
        #expect(events.map(\.line) == lines, sourceLocation: sourceLocation)
        #expect(
            events.map(\.time) == [
                try Fixtures.instant("2026-09-12T06:00:00Z"), try Fixtures.instant("2026-09-12T06:03:11Z"),
                try Fixtures.instant("2026-09-12T06:09:40Z"), try Fixtures.instant("2026-09-12T08:41:05Z"),
                try Fixtures.instant("2026-09-12T09:15:00Z"),
            ], sourceLocation: sourceLocation)
        #expect(events.allSatisfy { $0.time.utcOffsetSeconds == 7200 }, sourceLocation: sourceLocation)
        #expect(events[0].scenario == .regionalOutage, sourceLocation: sourceLocation)
        #expect(events[0].processes == ["loan-origination", "payments"], sourceLocation: sourceLocation)
        #expect(events[0].actor == "bcm.oncall@bank.example", sourceLocation: sourceLocation)
        #expect(events[1].region == "westeurope", sourceLocation: sourceLocation)
        #expect(events[1].clock == "ntp:time.windows.com", sourceLocation: sourceLocation)
        #expect(events[1].uncertaintySeconds == 2, sourceLocation: sourceLocation)
        #expect(
            events[2].uncertaintySeconds == nil, "absent means the configured default", sourceLocation: sourceLocation)
        #expect(events[3].process == "loan-origination", sourceLocation: sourceLocation)
        #expect(events[3].level == .minimum, sourceLocation: sourceLocation)
        #expect(events[4].level == .full, sourceLocation: sourceLocation)
        #expect(events[4].uncertaintySeconds == 0, sourceLocation: sourceLocation)
        #expect(
            events.map(\.process) == [nil, nil, nil, "loan-origination", "payments"], sourceLocation: sourceLocation)
    }

    @Test("a JSON Lines drill log (attempt, uncertainty_s, a blank line)")
    func drillJSONLines() throws {
        let evidence = try Fixtures.parseFixture("good/drill.jsonl").get()
        #expect(evidence.kind == .drill)
        let log = try #require(evidence.content.drillLog)
        try Self.expectDrillEvents(log.events, lines: [1, 2, 3, 5, 6])
        #expect(log.events[1].note == "customer-initiated storage failover requested")
        #expect(evidence.id == ContentHash.of(try Fixtures.data("good/drill.jsonl")))
    }

    @Test("a CSV drill log (quoted cells, empty cells absent)")
    func drillCSV() throws {
        let evidence = try Fixtures.parseFixture("good/drill.csv").get()
        #expect(evidence.kind == .drill)
        let log = try #require(evidence.content.drillLog)
        try Self.expectDrillEvents(log.events, lines: [2, 3, 4, 5, 6])
        #expect(log.events[4].note == "restored, \"full\" service")
        #expect(log.events[2].note == nil)
    }

    @Test(
        "a CSV drill log with CRLF line endings and a BOM reads the same",
        arguments: [
            (crlf: true, bom: false), (crlf: false, bom: true), (crlf: true, bom: true),
        ])
    func drillCSVVariants(crlf: Bool, bom: Bool) throws {
        let text = try #require(String(data: try Fixtures.data("good/drill.csv"), encoding: .utf8))
        var bytes = Data((crlf ? text.replacingOccurrences(of: "\n", with: "\r\n") : text).utf8)
        if bom { bytes = Data([0xEF, 0xBB, 0xBF]) + bytes }
        #expect(bytes != (try Fixtures.data("good/drill.csv")))
        let evidence = try Fixtures.parse(bytes, name: "drill.csv").get()
        let log = try #require(evidence.content.drillLog)
        try Self.expectDrillEvents(log.events, lines: [2, 3, 4, 5, 6])
        #expect(log.events[4].note == "restored, \"full\" service")
        #expect(log.events[0].drill == "DR-2026-Q3-01", "the BOM is not part of the first cell")
    }

    @Test("a JSON Lines drill log with CRLF line endings and a BOM")
    func drillJSONLinesCRLFAndBOM() throws {
        let text = try #require(String(data: try Fixtures.data("good/drill.jsonl"), encoding: .utf8))
        let bytes = Data([0xEF, 0xBB, 0xBF]) + Data(text.replacingOccurrences(of: "\n", with: "\r\n").utf8)
        let log = try #require(try Fixtures.parse(bytes, name: "drill.jsonl").get().content.drillLog)
        try Self.expectDrillEvents(log.events, lines: [1, 2, 3, 5, 6])
    }

    @Test("a CSV cell spanning lines keeps its newline, and later rows keep their real line numbers")
    func drillCSVMultilineCell() throws {
        let csv = #"""
            drill,time,event,process,note
            DR-1,2026-09-12T08:03:11Z,disruption,,"storage failover
            requested by ""chaos"""
            DR-1,2026-09-12T10:41:05Z,service_restored,loan-origination,

            """#
        let log = try #require(try Fixtures.parse(Data(csv.utf8), name: "drill.csv").get().content.drillLog)
        #expect(log.events.map(\.line) == [2, 4])
        #expect(log.events.first?.note == "storage failover\nrequested by \"chaos\"")
    }

    @Test("a CSV drill log with only the required columns is detected from its header")
    func drillCSVMinimal() throws {
        let csv = "time,event,drill\n2026-09-12T08:03:11Z,disruption,DR-1\n"
        let evidence = try Fixtures.parse(Data(csv.utf8), name: "drill-export.txt").get()
        let event = try #require(evidence.content.drillLog?.events.first)
        #expect(event.time == (try Fixtures.instant("2026-09-12T08:03:11Z")))
        #expect(event.drill == "DR-1")
        #expect(event.attempt == 1)
    }

    @Test("timestamps with 0, 3, 7 and 9 fraction digits and Z, +02:00, -05:00 are exact")
    func timestamps() throws {
        let log = try #require(try Fixtures.parseFixture("good/drill-timestamps.jsonl").get().content.drillLog)
        let times = log.events.map(\.time)
        // Seconds since the epoch computed with Python's datetime, independently of drreport.
        #expect(
            times.map(\.nanosecondsSinceEpoch) == [
                1_789_192_991_000_000_000, 1_789_193_380_123_000_000, 1_789_193_400_123_456_700,
                1_789_194_000_123_456_789,
            ])
        #expect(times.map(\.utcOffsetSeconds) == [7200, 0, -18000, 7200])
        #expect(
            times.map { $0.rfc3339() } == [
                "2026-09-12T08:03:11+02:00", "2026-09-12T06:09:40.123Z", "2026-09-12T01:10:00.1234567-05:00",
                "2026-09-12T08:20:00.123456789+02:00",
            ])
    }

    // MARK: Consistency

    @Test("a consistency output as one JSON document")
    func consistencyJSON() throws {
        let evidence = try Fixtures.parseFixture("good/consistency.json").get()
        #expect(evidence.kind == .consistency)
        let report = try #require(evidence.content.consistencyReport)
        let run = try #require(report.runs.first)
        #expect(report.runs.count == 1)
        #expect(run.checkRun == "cc-2026-09-12T0840")
        #expect(run.drill == "DR-2026-Q3-01")
        #expect(run.region == "northeurope")
        #expect(run.checkedAt == (try Fixtures.instant("2026-09-12T08:40:02Z")))
        #expect(run.referenceTime == (try Fixtures.instant("2026-09-12T06:03:11Z")))
        #expect(run.tables.map(\.table) == ["neprix.silver.contracts", "neprix.gold.exposures", "neprix.bronze.feeds"])
        #expect(run.tables.map(\.action) == [.restored, .none, .unrecoverable])
        #expect(run.tables.map(\.complete) == [false, true, false])
        #expect(run.tables.map(\.latestVersion) == [1842, 77, 5])
        let contracts = run.tables[0]
        #expect(contracts.latestVersionTime == (try Fixtures.instant("2026-09-12T05:58:31Z")), "epoch milliseconds")
        #expect(contracts.restoredVersion == 1841)
        #expect(contracts.restoredVersionTime == (try Fixtures.instant("2026-09-12T05:41:40Z")))
        #expect(contracts.missingFiles == ["part-00003-5b1f.c000.snappy.parquet"])
        #expect(contracts.location == "abfss://lake@bankdrne.dfs.core.windows.net/neprix/silver/contracts")
        #expect(contracts.versionInUseTime == contracts.restoredVersionTime)
        #expect(run.tables[1].versionInUseTime == (try Fixtures.instant("2026-09-12T05:31:02Z")))
        #expect(run.tables[2].versionInUseTime == nil)
        #expect(run.tables[2].missingFiles.count == 2)
    }

    @Test("a consistency output as JSON Lines, grouped into runs, with epoch-ms *_time integers")
    func consistencyJSONLines() throws {
        let evidence = try Fixtures.parseFixture("good/consistency.jsonl").get()
        #expect(evidence.kind == .consistency)
        let report = try #require(evidence.content.consistencyReport)
        #expect(report.runs.map(\.checkRun) == ["cc-2026-09-12T0840", "cc-2026-09-12T0900"])
        #expect(report.runs.map { $0.tables.count } == [2, 1])
        let first = report.runs[0]
        #expect(first.referenceTime == (try Fixtures.instant("2026-09-12T06:03:11Z")))
        #expect(first.tables.map(\.line) == [1, 2])
        #expect(first.tables[0].latestVersionTime == (try Fixtures.instant("2026-09-12T05:58:31Z")))
        #expect(first.tables[0].restoredVersionTime == (try Fixtures.instant("2026-09-12T05:41:40Z")))
        #expect(first.tables[1].latestVersionTime == (try Fixtures.instant("2026-09-12T05:31:02Z")))
        let second = report.runs[1]
        #expect(second.drill == nil)
        #expect(second.referenceTime == nil)
        #expect(second.checkedAt == (try Fixtures.instant("2026-09-12T07:00:00Z")))
        #expect(second.tables[0].latestVersionTime?.nanosecondsSinceEpoch == 1_789_195_500_500_000_000)
    }

    // MARK: ServiceNow

    @Test("a ServiceNow JSON export {\"result\":[…]} with a change and an approval (plain values)")
    func serviceNowArray() throws {
        let evidence = try Fixtures.parseFixture("good/servicenow-array.json").get()
        #expect(evidence.kind == .change)
        let export = try #require(evidence.content.changeExport)
        let change = try #require(export.changes.first)
        #expect(export.changes.count == 1)
        #expect(change.number == "CHG0040001")
        #expect(change.sysID == "3333aaaa3333aaaa3333aaaa3333aaa1")
        #expect(change.type == "normal")
        #expect(change.state == "3")
        #expect(change.approval == "approved")
        #expect(change.requestedBy == Reference(value: "3333aaaa3333aaaa3333aaaa3333aaaa"))
        #expect(change.assignedTo == nil)
        #expect(change.startDate == (try Fixtures.instant("2026-09-10T08:00:00Z")))
        #expect(change.endDate == (try Fixtures.instant("2026-09-10T18:00:00Z")))
        #expect(change.workStart == (try Fixtures.instant("2026-09-10T08:05:13Z")))
        #expect(change.workEnd == nil)
        #expect(change.cabRequired == true, "\"true\" as a string")
        #expect(change.cabDate == (try Fixtures.instant("2026-09-09T00:00:00Z")))
        #expect(change.closeCode == "successful")
        #expect(change.updatedOn == (try Fixtures.instant("2026-09-10T18:02:00Z")))
        let approval = try #require(export.approvals.first)
        #expect(export.approvals.count == 1)
        #expect(approval.changeSysID == change.sysID)
        #expect(approval.sysID == "4444bbbb4444bbbb4444bbbb4444bbb1")
        #expect(approval.approver == Reference(value: "5555cccc5555cccc5555cccc5555cccc"))
        #expect(approval.state == "approved")
        #expect(approval.updatedOn == (try Fixtures.instant("2026-09-09T16:30:00Z")))
        #expect(approval.comments == "CAB 2026-09-09: approved")
    }

    @Test("a ServiceNow JSON export {\"result\":{…}} with value/display_value pairs")
    func serviceNowObject() throws {
        let evidence = try Fixtures.parseFixture("good/servicenow-object.json").get()
        let export = try #require(evidence.content.changeExport)
        #expect(export.approvals.isEmpty)
        let change = try #require(export.changes.first)
        #expect(export.changes.count == 1)
        #expect(change.number == "CHG0040002")
        #expect(change.type == "emergency")
        #expect(change.state == "-1")
        #expect(change.approval == "requested")
        #expect(change.requestedBy == Reference(value: "3333aaaa3333aaaa3333aaaa3333aaaa", display: "Dev Two"))
        #expect(change.assignedTo == Reference(value: "6666dddd6666dddd6666dddd6666dddd", display: "Ops One"))
        #expect(change.startDate == (try Fixtures.instant("2026-09-12T08:00:00Z")), "the value, not the local display")
        #expect(change.endDate == (try Fixtures.instant("2026-09-12T12:00:00Z")))
        #expect(change.cabRequired == false)
        #expect(change.cabDate == nil)
        #expect(change.closeCode == nil)
        #expect(change.updatedOn == (try Fixtures.instant("2026-09-12T08:01:02Z")))
    }

    @Test("a ServiceNow XML unload export with a change and an approval")
    func serviceNowUnload() throws {
        let evidence = try Fixtures.parseFixture("good/servicenow-unload.xml").get()
        #expect(evidence.kind == .change)
        let export = try #require(evidence.content.changeExport)
        let change = try #require(export.changes.first)
        #expect(export.changes.count == 1)
        #expect(change.number == "CHG0040003")
        #expect(change.sysID == "3333aaaa3333aaaa3333aaaa3333aaa3")
        #expect(change.type == "standard")
        #expect(change.state == "0")
        #expect(change.requestedBy == Reference(value: "1111eeee1111eeee1111eeee1111eeee", display: "Dev One"))
        #expect(change.assignedTo == Reference(value: "6666dddd6666dddd6666dddd6666dddd", display: "Ops One"))
        #expect(change.startDate == (try Fixtures.instant("2026-09-11T06:00:00Z")))
        #expect(change.endDate == (try Fixtures.instant("2026-09-11T08:00:00Z")))
        #expect(change.cabRequired == false)
        #expect(change.cabDate == nil, "an empty element is absent")
        #expect(change.closeCode == "successful")
        #expect(change.updatedOn == (try Fixtures.instant("2026-09-11T08:30:00Z")))
        let approval = try #require(export.approvals.first)
        #expect(export.approvals.count == 1)
        #expect(approval.changeSysID == "3333aaaa3333aaaa3333aaaa3333aaa3")
        #expect(approval.approver == Reference(value: "7777ffff7777ffff7777ffff7777ffff", display: "Risk Officer"))
        #expect(approval.state == "approved")
        #expect(approval.comments == "ok <per> CAB", "CDATA is text")
        #expect(approval.updatedOn == (try Fixtures.instant("2026-09-10T17:45:00Z")))
    }

    @Test("a ServiceNow XML Table API export <response><result>")
    func serviceNowResponse() throws {
        let evidence = try Fixtures.parseFixture("good/servicenow-response.xml").get()
        let export = try #require(evidence.content.changeExport)
        let change = try #require(export.changes.first)
        #expect(export.changes.count == 1)
        #expect(change.number == "CHG0040004")
        #expect(change.state == "-2")
        #expect(change.requestedBy == Reference(value: "3333aaaa3333aaaa3333aaaa3333aaaa", display: "Dev Two"))
        #expect(change.startDate == (try Fixtures.instant("2026-09-14T06:00:00Z")))
        #expect(change.endDate == (try Fixtures.instant("2026-09-14T09:30:00Z")))
        #expect(change.cabRequired == true)
        let approval = try #require(export.approvals.first)
        #expect(export.approvals.count == 1)
        #expect(approval.approver == Reference(value: "7777ffff7777ffff7777ffff7777ffff", display: "Risk Officer"))
        #expect(approval.changeSysID == "3333aaaa3333aaaa3333aaaa3333aaa4")
        #expect(approval.sysID == nil)
    }

    @Test("a ServiceNow XML whose CDATA text mentions <!DOCTYPE and <!ENTITY is not a DTD")
    func serviceNowCDATAMentioningDoctype() throws {
        let result = try Fixtures.parseFixture("good/servicenow-cdata-mentions-doctype.xml")
        let change = try #require(try result.get().content.changeExport?.changes.first)
        #expect(change.number == "CHG0040005")
    

    }

    // MARK: Terraform state

    @Test("a state with nested child_modules and string and number index values")
    func nestedState() throws {
        let evidence = try Fixtures.parseFixture("good/state-nested-modules.json", options: Fixtures.stateOptions).get()
        let (binding, state) = try #require(evidence.content.stateValue)
        #expect(binding.workspace == "neprix-tech-prod")
        #expect(state.formatVersion == "1.0")
        #expect(state.terraformVersion == "1.9.8")
        #expect(
            state.resources.map(\.address) == [
                "databricks_cluster_policy.shared",
                "data.databricks_spark_version.lts",
                "module.jobs.databricks_job.etl[\"daily\"]",
                "module.jobs.databricks_job.etl[\"hourly\"]",
                "module.jobs.module.secrets.databricks_secret.key[0]",
                "module.jobs.module.secrets.databricks_secret.key[1]",
            ])
        #expect(
            state.resources.map(\.module) == [
                nil, nil, "module.jobs", "module.jobs", "module.jobs.module.secrets", "module.jobs.module.secrets",
            ])
        #expect(
            state.resources.map(\.index) == [nil, nil, .string("daily"), .string("hourly"), .number("0"), .number("1")])
        #expect(state.resources.map(\.mode) == ["managed", "data", "managed", "managed", "managed", "managed"])
        #expect(state.resources[0].values["max_clusters_per_user"] == .number("2"))
        #expect(state.resources[4].values["string_value"] == .string(TerraformResource.sensitiveMarker))
        #expect(state.resources[4].values["config_reference"] == .string("{{secrets/neprix/storage-key}}"))
        #expect(state.resources.allSatisfy { $0.providerName == "registry.terraform.io/databricks/databricks" })
    }

    @Test("any 1.x format version is accepted", arguments: ["1.0", "1.1", "1.2", "1.10"])
    func formatVersions(_ version: String) throws {
        let state = #"{"format_version":"\#(version)"}"#
        let evidence = try Fixtures.parse(Data(state.utf8), name: "state.json", options: Fixtures.stateOptions).get()
        #expect(evidence.content.stateValue?.1.formatVersion == version)
        #expect(evidence.content.stateValue?.1.resources == [])
    }

    @Test("a bound state's identity includes its binding")
    func stateBindingIdentity() throws {
        let bytes = try Fixtures.data("good/state-nested-modules.json")
        let west = try Fixtures.parse(bytes, name: "s.json", options: Fixtures.stateOptions).get()
        let north = try Fixtures.parse(
            bytes, name: "s.json",
            options: ParseOptions(kind: .state, workspace: "neprix-tech-prod", region: "northeurope")
        ).get()
        #expect(west.id != north.id)
        #expect(
            west.members.first { $0.name == "state.json" }?.hash
                == north.members.first { $0.name == "state.json" }?.hash)
    }
}
