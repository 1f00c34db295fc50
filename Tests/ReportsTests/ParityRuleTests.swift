import Foundation
import Testing

@testable import Evidence
@testable import Reports

@Suite("parity: latest primary vs latest secondary state")
struct ParityRuleTests {
    let policy: Policy
    init() throws { policy = try Support.policy() }

    func json(_ text: String) throws -> JSONValue { try JSONReader.read(text) }

    func resource(_ address: String, type: String, module: String? = nil, _ values: String) throws -> TerraformResource {
        TerraformResource(address: address, module: module, type: type, name: address.split(separator: ".").last.map(String.init) ?? address, values: try json(values))
    }

    func stored(_ region: String, _ resources: [TerraformResource], evidence: String = "e") -> StoredState {
        StoredState(
            evidence: ContentHash.of(region + evidence), key: StateKey(workspace: "neprix-tech-prod", region: region),
            instant: Support.instant("2026-09-20T10:00:00Z"), runID: 1, state: TerraformState(formatVersion: "1.0", resources: resources))
    }

    func workspace() throws -> Policy.Workspace { try #require(policy.workspace("neprix-tech-prod")) }

    func compare(_ primary: [TerraformResource], _ secondary: [TerraformResource]) throws -> Finding {
        ParityRule.evaluate(try workspace(), primary: stored("westeurope", primary), secondary: stored("northeurope", secondary), policy: policy)
    }

    @Test func onlyIgnoredAttributesDifferSoThePairPasses() throws {
        let result = try compare(
            [try resource("databricks_cluster.etl", type: "databricks_cluster", #"{"id":"0912-a","cluster_id":"0912-a","url":"https://adb-1.azuredatabricks.net/#c/0912-a","state":"RUNNING","spark_version":"15.4.x-scala2.12","node_type_id":"Standard_D8ds_v5","provider_config":[{"workspace_id":"111"}],"autoscale":[{"min_workers":2,"max_workers":8}]}"#)],
            [try resource("databricks_cluster.etl", type: "databricks_cluster", #"{"id":"0913-b","cluster_id":"0913-b","url":"https://adb-2.azuredatabricks.net/#c/0913-b","state":"TERMINATED","spark_version":"15.4.x-scala2.12","node_type_id":"Standard_D8ds_v5","provider_config":[{"workspace_id":"222"}],"autoscale":[{"min_workers":2,"max_workers":8}]}"#)])
        #expect(result.status == .pass)
        #expect(result.details.parity?.compared == 1)
        #expect(result.details.parity?.differences == [])
    }

    @Test func permissionsInAnotherOrderAreEqual() throws {
        let left = #"{"id":"/jobs/1","job_id":"1","access_control":[{"group_name":"data-eng","permission_level":"CAN_MANAGE"},{"group_name":"analysts","permission_level":"CAN_VIEW"},{"service_principal_name":"sp-etl","permission_level":"IS_OWNER"}]}"#
        let right = #"{"id":"/jobs/9","job_id":"9","access_control":[{"service_principal_name":"sp-etl","permission_level":"IS_OWNER"},{"group_name":"analysts","permission_level":"CAN_VIEW"},{"group_name":"data-eng","permission_level":"CAN_MANAGE"}]}"#
        let result = try compare(
            [try resource("databricks_permissions.job_etl", type: "databricks_permissions", left)],
            [try resource("databricks_permissions.job_etl", type: "databricks_permissions", right)])
        #expect(result.status == .pass)
    }

    @Test func differentPermissionLevelIsReportedAtItsPath() throws {
        let left = #"{"access_control":[{"group_name":"analysts","permission_level":"CAN_VIEW"},{"group_name":"ops","permission_level":"CAN_MANAGE"}]}"#
        let right = #"{"access_control":[{"group_name":"ops","permission_level":"CAN_MANAGE"},{"group_name":"analysts","permission_level":"CAN_MANAGE"}]}"#
        let result = try compare(
            [try resource("databricks_permissions.job_etl", type: "databricks_permissions", left)],
            [try resource("databricks_permissions.job_etl", type: "databricks_permissions", right)])
        #expect(result.status == .fail)
        #expect(result.details.parity?.differences == [
            ParityDifference(kind: .changed, address: "databricks_permissions.job_etl", type: "databricks_permissions", path: "access_control[*].permission_level", primary: "\"CAN_VIEW\"", secondary: "\"CAN_MANAGE\""),
        ])
    }

    @Test func differingSensitiveValueIsIgnoredAndNeverPrinted() throws {
        let primary = try TerraformStateParser.parse(Data(#"{"format_version":"1.0","values":{"root_module":{"resources":[{"address":"databricks_secret.token","mode":"managed","type":"databricks_secret","name":"token","values":{"key":"token","scope":"etl","string_value":"s3cr3t-PRIMARY"},"sensitive_values":{"string_value":true}}]}}}"#.utf8), source: "p")
        let secondary = try TerraformStateParser.parse(Data(#"{"format_version":"1.0","values":{"root_module":{"resources":[{"address":"databricks_secret.token","mode":"managed","type":"databricks_secret","name":"token","values":{"key":"token","scope":"etl","string_value":"s3cr3t-SECONDARY"},"sensitive_values":{"string_value":true}}]}}}"#.utf8), source: "s")
        let result = try compare(primary.resources, secondary.resources)
        #expect(result.status == .pass)
        let rendered = String(decoding: try JSONEncoder().encode(result), as: UTF8.self)
        #expect(!rendered.contains("s3cr3t"))
    }

    @Test func resourceInNestedModuleMissingInTheSecondaryFails() throws {
        let job = try resource("module.jobs.module.nightly.databricks_job.reconcile", type: "databricks_job", module: "module.jobs.module.nightly", #"{"name":"reconcile"}"#)
        let cluster = try resource("databricks_cluster.etl", type: "databricks_cluster", #"{"spark_version":"15.4.x-scala2.12"}"#)
        let result = try compare([cluster, job], [cluster])
        #expect(result.status == .fail)
        #expect(result.details.parity?.differences == [
            ParityDifference(kind: .missingInSecondary, address: "module.jobs.module.nightly.databricks_job.reconcile", type: "databricks_job", path: "", primary: "present", secondary: nil),
        ])
        #expect(result.message.contains("1 resource missing in northeurope"))
    }

    @Test func differentNodeTypeIsARealFinding() throws {
        let result = try compare(
            [try resource("databricks_cluster.gpu", type: "databricks_cluster", #"{"node_type_id":"Standard_NC6s_v3","num_workers":2}"#)],
            [try resource("databricks_cluster.gpu", type: "databricks_cluster", #"{"node_type_id":"Standard_D8ds_v5","num_workers":2.0}"#)])
        #expect(result.status == .fail)
        #expect(result.details.parity?.differences.map(\.path) == ["node_type_id"])
    }

    @Test func nullEmptyAndAbsentAreTheSame() throws {
        let result = try compare(
            [try resource("databricks_job.a", type: "databricks_job", #"{"tags":{},"library":[],"description":null}"#)],
            [try resource("databricks_job.a", type: "databricks_job", #"{}"#)])
        #expect(result.status == .pass)
    }

    @Test func stateInOneRegionOnlyOrNoneIsIndeterminate() throws {
        let only = ParityRule.evaluate(try workspace(), primary: stored("westeurope", []), secondary: nil, policy: policy)
        #expect(only.status == .indeterminate)
        #expect(only.message.contains("no state in the secondary region northeurope"))
        let none = ParityRule.evaluate(try workspace(), primary: nil, secondary: nil, policy: policy)
        #expect(none.status == .indeterminate)
    }

    @Test func dataSourcesAreNotCompared() throws {
        var data = try resource("data.databricks_spark_version.latest", type: "databricks_spark_version", #"{"id":"15.4"}"#)
        data.mode = "data"
        let result = try compare([data], [])
        #expect(result.status == .pass)
    }

    @Test func resourcesOutOfAddressOrderPairByAddressAndTheFirstOfARepeatedAddressCounts() throws {
        // Terraform orders `[2]` before `[10]`, which byte order does not; a hand-edited state may repeat an address.
        let node = { (type: String) in #"{"node_type_id":"\#(type)"}"# }
        let primary = [
            try resource("databricks_cluster.c[2]", type: "databricks_cluster", node("A")),
            try resource("databricks_cluster.c[10]", type: "databricks_cluster", node("A")),
            try resource("databricks_cluster.b", type: "databricks_cluster", node("A")),
            try resource("databricks_cluster.b", type: "databricks_cluster", node("B")),
            try resource("databricks_cluster.a", type: "databricks_cluster", node("A")),
        ]
        let secondary = [
            try resource("databricks_cluster.d", type: "databricks_cluster", node("A")),
            try resource("databricks_cluster.c[2]", type: "databricks_cluster", node("B")),
            try resource("databricks_cluster.b", type: "databricks_cluster", node("A")),
            try resource("databricks_cluster.a", type: "databricks_cluster", node("A")),
        ]
        let result = try compare(primary, secondary)
        #expect(result.details.parity?.differences.map { "\($0.kind) \($0.address) \($0.path)" } == [
            "missingInSecondary databricks_cluster.c[10] ", "changed databricks_cluster.c[2] node_type_id",
            "missingInPrimary databricks_cluster.d ",
        ])
        #expect(result.details.parity?.compared == 3)
        #expect(result.details.parity?.primary?.resources == 5)
        #expect(result.details.parity?.secondary?.resources == 4)
        // The same resources in byte order give the same findings.
        let sorted = try compare(primary.sorted { $0.address.utf8Precedes($1.address) }, secondary.sorted { $0.address.utf8Precedes($1.address) })
        #expect(sorted.details.parity?.differences == result.details.parity?.differences)
    }

    @Test(arguments: [
        // A workspace id inside the provider block, which the path removes: the same without reading.
        (#"[{"workspace_id":"1"}]"#, #"[{"workspace_id":"2"}]"#, ["*.workspace_id"], true),
        (#"[{"a":1,"workspace_id":"1"}]"#, #"[{"a":2,"workspace_id":"2"}]"#, ["*.workspace_id"], false),
        // A name applies to every element of a block list; `*` alone empties an array.
        (#"[{"n":1,"x":1},{"n":1,"x":2}]"#, #"[{"n":1,"x":3},{"n":1,"x":4}]"#, ["x"], true),
        (#"[1,2]"#, #"[3]"#, ["*"], true),
        // Undecided, left to reading: a position, other shapes, other keys.
        (#"[{"x":1},{"x":2}]"#, #"[{"x":1},{"x":3}]"#, ["1.x"], false),
        (#"{"a":{"b":1,"c":1}}"#, #"{"a":{"b":2,"c":1}}"#, ["a.b"], true),
        (#"{"a":{"b":1}}"#, #"{"a":{"b":1,"c":null}}"#, ["a.b"], false),
        (#"{"a":1}"#, #"{"b":1}"#, ["a"], false),
    ])
    func membersTheSameOutsideThePathsNeedNoReading(left: String, right: String, paths: [String], same: Bool) {
        let slices = paths.map { IgnorePath($0).segments[...] }
        let result = Data(left.utf8).withUnsafeBytes { a in
            Data(right.utf8).withUnsafeBytes { b in ParityComparator.sameOutside(slices, a, b) }
        }
        #expect(result == same)
    }
}

@Suite("apply-parity: each apply matched in the other region")
struct ApplyParityRuleTests {
    let policy: Policy
    init() throws { policy = try Support.policy() }

    @Test func matchedWithinTheWindowPasses() throws {
        let primary = Support.applyRun(id: 101, created: "2026-08-04T09:00:00Z", finished: "2026-08-04T09:20:00Z")
        let secondary = Support.applyRun(id: 102, region: "northeurope", created: "2026-08-04T11:00:00Z", finished: "2026-08-04T11:25:00Z")
        let context = Support.context(policy: policy, applyRuns: [primary, secondary])
        let findings = ApplyParityRule.evaluate(context)
        #expect(findings.map(\.subject) == ["neprix-tech-prod@101", "neprix-tech-prod@102"])
        #expect(findings.map(\.status) == [.pass, .pass])
        #expect(findings[0].measuredSeconds == Int64(2 * 3600 + 5 * 60))
    }

    @Test func thirtyHoursApartFails() throws {
        let primary = Support.applyRun(id: 201, created: "2026-08-04T09:00:00Z", finished: "2026-08-04T09:20:00Z")
        let late = Support.applyRun(id: 202, region: "northeurope", created: "2026-08-05T15:00:00Z", finished: "2026-08-05T15:20:00Z")
        let result = try #require(ApplyParityRule.evaluate(Support.context(policy: policy, applyRuns: [primary, late])).first)
        #expect(result.status == .fail)
        #expect(result.measuredSeconds == Int64(30 * 3600))
        #expect(result.comparisonText == "30h00m00s > 24h00m00s")
    }

    @Test func failedApplyAndMissingCounterpartFail() throws {
        let primary = Support.applyRun(id: 301, created: "2026-08-04T09:00:00Z", finished: "2026-08-04T09:20:00Z")
        let broken = Support.applyRun(id: 302, region: "northeurope", result: "failed", outcome: .failed, created: "2026-08-04T10:00:00Z", finished: "2026-08-04T10:05:00Z")
        let findings = ApplyParityRule.evaluate(Support.context(policy: policy, applyRuns: [primary, broken]))
        #expect(findings.map(\.status) == [.fail, .fail])
        #expect(findings[0].message.contains("did not succeed"))
        #expect(findings[1].message.contains("did not apply"))
    }

    /// Counterparts are looked up by workspace, region and commit: another workspace's or commit's
    /// run never matches, of two the closest wins, and runs added to a context are found.
    @Test func theCounterpartSharesWorkspaceAndCommit() throws {
        let primary = Support.applyRun(id: 501, created: "2026-08-04T09:00:00Z", finished: "2026-08-04T09:20:00Z")
        let otherCommit = Support.applyRun(id: 502, region: "northeurope", commit: "0000000000000000000000000000000000000000", created: "2026-08-04T09:00:00Z", finished: "2026-08-04T09:25:00Z")
        let otherWorkspace = Support.applyRun(id: 503, workspace: "retail-prod", region: "northeurope", created: "2026-08-04T09:00:00Z", finished: "2026-08-04T09:30:00Z")
        var context = Support.context(policy: policy, applyRuns: [primary, otherCommit, otherWorkspace])
        #expect(ApplyParityRule.evaluate(context).first?.status == .fail)
        let far = Support.applyRun(id: 504, region: "northeurope", created: "2026-08-04T18:00:00Z", finished: "2026-08-04T18:20:00Z")
        let near = Support.applyRun(id: 505, region: "northeurope", created: "2026-08-04T10:00:00Z", finished: "2026-08-04T10:20:00Z")
        context.applyRuns += [far, near]
        let matched = try #require(ApplyParityRule.evaluate(context).first)
        #expect(matched.status == .pass)
        #expect(matched.details.applyParity?.counterpartRunID == 505)
    }

    @Test func parityEnvironmentsRestrictTheSubjects() throws {
        let uat = Support.applyRun(id: 401, workspace: "retail-uat", environment: "uat", created: "2026-08-04T09:00:00Z", finished: "2026-08-04T09:20:00Z")
        #expect(ApplyParityRule.evaluate(Support.context(policy: policy, applyRuns: [uat])).map(\.subject) == ["retail-uat@401"])
        let prodOnly = try Support.policy(Support.policyYAML.replacingOccurrences(of: "  apply_window: 24h", with: "  apply_window: 24h\n  environments: [prod]"))
        #expect(ApplyParityRule.evaluate(Support.context(policy: prodOnly, applyRuns: [uat])).isEmpty)
    }
}

@Suite("change-approval: approved, in time, in window, independent")
struct ChangeApprovalRuleTests {
    let policy: Policy
    init() throws { policy = try Support.policy() }

    let changeID = "1111aaaa1111aaaa1111aaaa1111aaaa"

    func change(type: String = "normal", approval: String = "approved", requestedBy: Reference = Reference(value: "2222bbbb2222bbbb2222bbbb2222bbbb", display: "Dev One")) -> Stored<ChangeRequest> {
        Stored(evidence: Support.evidenceB, value: ChangeRequest(
            number: "CHG0041234", sysID: changeID, type: type, state: "-1", approval: approval, requestedBy: requestedBy,
            startDate: Support.instant("2026-08-04T08:00:00Z"), endDate: Support.instant("2026-08-04T12:00:00Z"),
            updatedOn: Support.instant("2026-08-03T16:00:00Z")))
    }

    func approval(_ approver: Reference, at time: String, state: String = "approved") -> Stored<Approval> {
        Stored(evidence: Support.evidenceB, value: Approval(changeSysID: changeID, approver: approver, state: state, updatedOn: Support.instant(time)))
    }

    let run = Support.applyRun(
        id: 501, created: "2026-08-04T09:00:00Z", applyStart: "2026-08-04T09:02:00Z", applyEnd: "2026-08-04T09:15:00Z",
        finished: "2026-08-04T09:20:00Z", change: "CHG0041234")

    let cab = Reference(value: "4444cccc4444cccc4444cccc4444cccc", display: "CAB Chair")

    func evaluate(_ changes: [Stored<ChangeRequest>], _ approvals: [Stored<Approval>], run: StoredApplyRun? = nil) throws -> Finding {
        try #require(ChangeApprovalRule.evaluate(Support.context(policy: policy, applyRuns: [run ?? self.run], changes: changes, approvals: approvals)).first)
    }

    @Test func approvedBeforeInsideWindowIndependentPasses() throws {
        let result = try evaluate([change()], [approval(cab, at: "2026-08-03T15:00:00Z")])
        #expect(result.subject == "501")
        #expect(result.status == .pass)
        #expect(result.details.checks?.allSatisfy { $0.passed == true } == true)
    }

    @Test func approvalOneMinuteAfterTheApplyStartedFails() throws {
        let result = try evaluate([change()], [approval(cab, at: "2026-08-04T09:03:00Z")])
        #expect(result.status == .fail)
        #expect(result.details.checks?.first { $0.check == "approved before apply" }?.passed == false)
        #expect(result.message.contains("approved 1m00s after the apply started"))
    }

    @Test func approverWhoIsTheRequesterUnderAnotherIdentityFails() throws {
        // The change was requested by sys_id 3333…, the approver signed as "dev.two@bank.example": one person per `people`.
        let requester = Reference(value: "3333aaaa3333aaaa3333aaaa3333aaaa", display: "D. Two")
        let result = try evaluate([change(requestedBy: requester)], [approval(Reference(value: "dev.two@bank.example"), at: "2026-08-03T15:00:00Z")])
        #expect(result.status == .fail)
        #expect(result.message.contains("segregation of duties broken"))
    }

    @Test func approverWhoImplementedTheRunFails() throws {
        let implementer = Support.applyRun(
            id: 502, created: "2026-08-04T09:00:00Z", applyStart: "2026-08-04T09:02:00Z", finished: "2026-08-04T09:20:00Z",
            change: "CHG0041234", requestedBy: "Dev.Two@bank.example")
        let result = try evaluate([change()], [approval(Reference(value: "3333aaaa3333aaaa3333aaaa3333aaaa", display: "Dev Two"), at: "2026-08-03T15:00:00Z")], run: implementer)
        #expect(result.status == .fail)
        #expect(result.message.contains("implementer"))
    }

    @Test func missingChangeFails() throws {
        let result = try evaluate([], [])
        #expect(result.status == .fail)
        #expect(result.message.contains("CHG0041234 is not in the evidence store"))
    }

    @Test func emergencyChangeApprovedWithinGraceAfterwardsPasses() throws {
        let result = try evaluate([change(type: "emergency")], [approval(cab, at: "2026-08-05T09:00:00Z")])
        #expect(result.status == .pass)
    }

    @Test func appliedOutsideThePlannedWindowFails() throws {
        let late = Support.applyRun(
            id: 503, created: "2026-08-04T11:50:00Z", applyStart: "2026-08-04T11:55:00Z", applyEnd: "2026-08-04T12:10:00Z",
            finished: "2026-08-04T12:15:00Z", change: "CHG0041234")
        let result = try evaluate([change()], [approval(cab, at: "2026-08-03T15:00:00Z")], run: late)
        #expect(result.status == .fail)
        #expect(result.message.contains("outside the planned window"))
    }

    @Test func notApprovedFails() throws {
        let result = try evaluate([change(approval: "requested")], [approval(cab, at: "2026-08-03T15:00:00Z", state: "requested")])
        #expect(result.status == .fail)
        #expect(result.message.contains("not approved"))
    }

    @Test func runWithoutChangeInProdFails() throws {
        let bare = Support.applyRun(id: 504, created: "2026-08-04T09:00:00Z", finished: "2026-08-04T09:20:00Z")
        let result = try evaluate([], [], run: bare)
        #expect(result.status == .fail)
        #expect(result.message.contains("names no change request"))
    }
}

@Suite("waivers: matching, expiry, self-approval")
struct WaiverTests {
    @Test func validWaiverWaivesAFailingParityFinding() throws {
        let policy = try Support.policy()
        let failing = Finding(rule: .parity, subject: "retail-prod", status: .fail, severity: .high, message: "node_type_id differs")
        let result = Waivers.apply([failing], policy: policy, asOf: Support.q3.end.adding(seconds: -1))
        #expect(result.findings.first?.status == .waived)
        #expect(result.findings.first?.waiver?.id == "W-2026-004")
        #expect(result.findings.first?.waiver?.originalStatus == .fail)
    }

    @Test func expiredWaiverIsAFail() throws {
        let policy = try Support.policy()
        let indeterminate = Finding(rule: .rto, subject: "payments@DR-2026-Q3-01#1", status: .indeterminate, severity: .high, message: "no restore")
        let result = Waivers.apply([indeterminate], policy: policy, asOf: Support.q3.end.adding(seconds: -1))
        #expect(result.findings.first?.status == .fail)
        #expect(result.findings.first?.message.hasPrefix("waiver W-2026-001 expired on 2026-06-30") == true)
        #expect(result.findings.first?.waiver?.applied == false)
    }

    @Test func waiverApprovedByTheChangesRequesterIsAFail() throws {
        let yaml = Support.policyYAML + "\n  - {id: W-2026-009, rule: change-approval, subject: \"7*\", reason: \"hotfix\", approved_by: \"dev.two@bank.example\", approved_on: 2026-08-01, expires: 2026-12-31}\n"
        let policy = try Support.policy(yaml)
        var failing = Finding(rule: .changeApproval, subject: "777", status: .fail, severity: .high, message: "approved late")
        failing.details.requesters = ["3333aaaa3333aaaa3333aaaa3333aaaa", "Dev Two"]
        let result = Waivers.apply([failing], policy: policy, asOf: Support.q3.end.adding(seconds: -1))
        #expect(result.findings.first?.status == .fail)
        #expect(result.findings.first?.message.contains("who requested the waived change") == true)
    }

    @Test func passingFindingsAreUntouchedAndUnusedWaiversReported() throws {
        let policy = try Support.policy()
        let passing = Finding(rule: .parity, subject: "retail-prod", status: .pass, severity: .high, message: "identical")
        let result = Waivers.apply([passing], policy: policy, asOf: Support.q3.end.adding(seconds: -1))
        #expect(result.findings.first?.status == .pass)
        #expect(result.unused.map(\.id).sorted() == ["W-2026-001", "W-2026-004"])
    }
}
