import Foundation
import Testing

@testable import Evidence

/// Every real file in `../shared/reference` (Terraform, Azure DevOps, ServiceNow, OSCAL) gives exactly
/// the outcome written here. Outside CI a missing folder skips the suite; with `CI` set it fails.
@Suite(
    "Reference files (../shared/reference)",
    .enabled(
        if: Fixtures.runReferenceTests,
        "../shared/reference is missing next to the package root; skipped because CI is not set (with CI set this fails)"
    )
)
struct ReferenceFilesTests {
    @Test("the reference folder is present")
    func folderIsPresent() {
        #expect(
            Fixtures.referenceDirectory != nil,
            "../shared/reference is missing next to the package root \(Fixtures.packageRoot?.path ?? "?"); CI is set, so the reference conformance tests cannot run"
        )
    }

    // MARK: Terraform states

    struct ResourceExpectation: Sendable {
        var address: String
        var module: String?
        var mode = "managed"
        var type: String
        var name: String
        var index: JSONValue?
        var provider: String?
    }

    struct StateCase: Sendable, CustomTestStringConvertible {
        var file: String
        var formatVersion: String
        var terraformVersion: String?
        var resources: [ResourceExpectation]
        var testDescription: String { file }
    }

    static let states: [StateCase] = [
        StateCase(
            file: "terraform/show-json-state_basic_output.json", formatVersion: "1.0", terraformVersion: "0.12.0",
            resources: [
                ResourceExpectation(
                    address: "test_instance.example[0]", type: "test_instance", name: "example", index: .number("0"),
                    provider: "registry.terraform.io/hashicorp/test"),
                ResourceExpectation(
                    address: "test_instance.example[1]", type: "test_instance", name: "example", index: .number("1"),
                    provider: "registry.terraform.io/hashicorp/test"),
            ]),
        StateCase(file: "terraform/show-json-state_empty_output.json", formatVersion: "1.0", resources: []),
        StateCase(
            file: "terraform/show-json-state_modules_output.json", formatVersion: "1.0", terraformVersion: "0.12.0",
            resources: [
                ResourceExpectation(
                    address: "module.module_test_bar.test_instance.example", module: "module.module_test_bar",
                    type: "test_instance", name: "example", provider: "registry.terraform.io/hashicorp/test"),
                ResourceExpectation(
                    address: "module.module_test_foo.test_instance.example[0]", module: "module.module_test_foo",
                    type: "test_instance", name: "example", index: .number("0"),
                    provider: "registry.terraform.io/hashicorp/test"),
            ]),
        StateCase(
            file: "terraform/equivalence_local_provider_update_state.json", formatVersion: "1.0",
            resources: [
                ResourceExpectation(
                    address: "local_file.local_file", type: "local_file", name: "local_file",
                    provider: "registry.terraform.io/hashicorp/local")
            ]),
    ]

    @Test("a terraform show -json state parses as --kind state", arguments: states)
    func state(_ expected: StateCase) throws {
        let bytes = try Fixtures.reference(expected.file)
        let evidence = try Fixtures.parse(bytes, name: expected.file, options: Fixtures.stateOptions).get()
        #expect(evidence.kind == .state)
        let (binding, state) = try #require(evidence.content.stateValue)
        #expect(binding == StateBinding(workspace: "neprix-tech-prod", region: "westeurope"))
        #expect(state.formatVersion == expected.formatVersion)
        #expect(state.terraformVersion == expected.terraformVersion)
        #expect(state.resources.count == expected.resources.count)
        for (resource, want) in zip(state.resources, expected.resources) {
            #expect(resource.address == want.address)
            #expect(resource.module == want.module)
            #expect(resource.mode == want.mode)
            #expect(resource.type == want.type)
            #expect(resource.name == want.name)
            #expect(resource.index == want.index)
            #expect(resource.providerName == want.provider)
        }
        // A state on its own is stored with its binding: two members, identified by the tree hash.
        #expect(evidence.members.map(\.name).sorted() == ["binding.json", "state.json"])
        #expect(evidence.members.first { $0.name == "state.json" }?.bytes == bytes)
        #expect(evidence.id != ContentHash.of(bytes))
    }

    @Test("a state without --workspace/--region is refused, naming the options", arguments: states.map(\.file))
    func stateNeedsBinding(_ file: String) throws {
        Fixtures.parse(try Fixtures.reference(file), name: file)
            .expectError(ExpectedError(.invalidOptions, mentions: ["--workspace", "--region"]), source: file)
    }

    @Test("the basic state keeps attribute values; null stays null")
    func basicStateValues() throws {
        let file = "terraform/show-json-state_basic_output.json"
        let evidence = try Fixtures.parse(try Fixtures.reference(file), name: file, options: Fixtures.stateOptions)
            .get()
        let state = try #require(evidence.content.stateValue?.1)
        #expect(
            state.resources.map { $0.values["id"] } == [.string("621124146446964903"), .string("4330206298367988603")])
        #expect(state.resources.map { $0.values["ami"] } == [.null, .null])
    }

    @Test("sensitive_content is masked, other values are kept")
    func sensitiveContentMasked() throws {
        let file = "terraform/equivalence_local_provider_update_state.json"
        let bytes = try Fixtures.reference(file)
        let state = try #require(
            try Fixtures.parse(bytes, name: file, options: Fixtures.stateOptions).get().content.stateValue?.1)
        let values = try #require(state.resources.first?.values)
        #expect(values["content"] == .string("{\"goodbye\":\"world\"}"))
        #expect(values["filename"] == .string("output.json"))
        // In the real file the sensitive value is null: nothing to hide, and it stays null.
        #expect(values["sensitive_content"] == .null)

        // The same real document with a value in the sensitive attribute: it must never come out.
        let secret = "REFERENCE-SECRET-7f3a9c"
        let text = try #require(String(data: bytes, encoding: .utf8))
        let withSecret = text.replacingOccurrences(
            of: "\"sensitive_content\": null", with: "\"sensitive_content\": \"\(secret)\"")
        #expect(withSecret != text, "the reference file changed shape; update this test")
        let evidence = try Fixtures.parse(Data(withSecret.utf8), name: file, options: Fixtures.stateOptions).get()
        let masked = try #require(evidence.content.stateValue?.1.resources.first?.values)
        #expect(masked["sensitive_content"] == .string(TerraformResource.sensitiveMarker))
        #expect(masked["content"] == .string("{\"goodbye\":\"world\"}"))
        let encoded = try JSONEncoder().encode(evidence.content)
        #expect(
            !String(decoding: encoded, as: UTF8.self).contains(secret), "the secret leaked into the normalised records")
    }

    @Test("a raw terraform.tfstate is refused as unsupportedFormat", arguments: [nil, EvidenceKind.state])
    func rawStateFile(_ kind: EvidenceKind?) throws {
        let file = "terraform/show-json-state_modules_terraform.tfstate"
        let options = kind == nil ? ParseOptions() : Fixtures.stateOptions
        Fixtures.parse(try Fixtures.reference(file), name: file, options: options)
            .expectError(
                ExpectedError(
                    .unsupportedFormat, line: 1, mentions: ["terraform.tfstate", "expected", "terraform show -json"]),
                source: file)
    }

    static let plans = [
        "terraform/show-json_basic-delete_output.json",
        "terraform/show-json_modules_output.json",
        "terraform/show-json_nested-modules_output.json",
        "terraform/equivalence_local_provider_update_plan.json",
    ]

    @Test("a Terraform plan is not evidence", arguments: plans, [nil, EvidenceKind.state])
    func plan(_ file: String, kind: EvidenceKind?) throws {
        let options = kind == nil ? ParseOptions() : Fixtures.stateOptions
        Fixtures.parse(try Fixtures.reference(file), name: file, options: options)
            .expectError(ExpectedError(.notEvidence, line: 1, mentions: ["plan", "expected a state"]), source: file)
    }

    @Test("the equivalence apply output (a JSON array of UI messages) is not evidence")
    func applyJSONArray() throws {
        let file = "terraform/equivalence_local_provider_update_apply.json"
        Fixtures.parse(try Fixtures.reference(file), name: file)
            .expectError(ExpectedError(.notEvidence, line: 1, mentions: ["array", "expected"]), source: file)
    }

    // MARK: Terraform apply streams, each wrapped in an apply record folder

    struct StreamCase: Sendable, CustomTestStringConvertible {
        var file: String
        var outcome: ApplyOutcome
        var errors: [String] = []
        var first: String
        var last: String
        var added: Int?
        var changed: Int?
        var removed: Int?
        var messages: Int
        var terraform: String?
        var testDescription: String { file }
    }

    static let streams: [StreamCase] = [
        StreamCase(
            file: "terraform/apply-json_apply.log", outcome: .succeeded, first: "2023-01-20T15:50:04.623068-05:00",
            last: "2023-01-20T15:50:04.887259-05:00", added: 1, changed: 0, removed: 0, messages: 5, terraform: "1.3.7"),
        StreamCase(
            file: "terraform/apply-json_plan.log", outcome: .incomplete, first: "2023-01-20T15:50:04.623068-05:00",
            last: "2023-01-20T15:50:04.822787-05:00", messages: 3, terraform: "1.3.7"),
        StreamCase(
            file: "terraform/apply-json-with-outputs_apply.log", outcome: .succeeded,
            first: "2023-01-20T21:13:14.916732Z", last: "2023-01-20T21:13:16.992183Z", added: 1, changed: 0,
            removed: 0, messages: 5, terraform: "1.3.7"),
        StreamCase(
            file: "terraform/apply-json-with-provisioner_apply.log", outcome: .succeeded,
            first: "2023-02-16T10:15:39.614616-05:00", last: "2023-02-16T10:15:39.631112-05:00", added: 1, changed: 0,
            removed: 1, messages: 10, terraform: nil),
        StreamCase(
            file: "terraform/apply-json-with-provisioner-error_apply.log", outcome: .failed,
            errors: ["null_resource.foo: Creation errored after 0s", "local-exec provisioner error"],
            first: "2023-01-20T15:50:04.623068-05:00", last: "2023-02-16T10:13:14.761681-05:00", messages: 9,
            terraform: "1.3.7"),
        StreamCase(
            file: "terraform/apply-json-with-error_plan.log", outcome: .failed, errors: ["Unsupported block type"],
            first: "2023-01-20T12:12:25.477403-05:00", last: "2023-01-20T12:12:25.615995-05:00", messages: 2,
            terraform: "1.3.7"),
        StreamCase(
            file: "terraform/plan-json-full_plan.log", outcome: .incomplete, first: "2023-01-19T13:28:29.004160-05:00",
            last: "2023-01-19T13:28:29.289330-05:00", messages: 6, terraform: "1.3.7"),
    ]

    static let syntheticRun = """
        {"id": 9001, "name": "20230120.1", "state": "completed", "result": "succeeded",
         "createdDate": "2023-01-20T20:49:58.1234567Z", "finishedDate": "2023-01-20T20:51:00Z",
         "pipeline": {"id": 42, "name": "databricks-terraform-apply"},
         "resources": {"repositories": {"self": {"refName": "refs/heads/main", "version": "0123456789abcdef0123456789abcdef01234567"}}},
         "templateParameters": {"workspace": "neprix-tech-prod", "region": "westeurope", "environment": "prod",
                                "changeRequest": "CHG0031889", "requestedBy": "dev.two@bank.example"}}
        """

    @Test("a Terraform -json stream in an apply record folder gives the right outcome", arguments: streams)
    func applyStream(_ expected: StreamCase) throws {
        let log = try Fixtures.reference(expected.file)
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data(Self.syntheticRun.utf8).write(to: folder.appendingPathComponent("run.json"))
        try log.write(to: folder.appendingPathComponent("apply.jsonl"))

        let evidence = try Fixtures.load(.recordFolder(folder.path)).get()
        #expect(evidence.kind == .apply)
        let record = try #require(evidence.content.applyRecord)
        let stream = record.apply
        #expect(stream.outcome == expected.outcome)
        #expect(stream.errors == expected.errors)
        #expect(stream.firstTimestamp == (try Fixtures.instant(expected.first)))
        #expect(stream.lastTimestamp == (try Fixtures.instant(expected.last)))
        #expect(
            stream.firstTimestamp?.rfc3339(fractionDigits: 6) == expected.first, "the source offset is kept for display"
        )
        #expect(stream.lastTimestamp?.rfc3339(fractionDigits: 6) == expected.last)
        #expect(stream.added == expected.added)
        #expect(stream.changed == expected.changed)
        #expect(stream.removed == expected.removed)
        #expect(stream.messageCount == expected.messages)
        #expect(stream.terraformVersion == expected.terraform)
        #expect(record.succeeded == (expected.outcome == .succeeded))
        #expect(record.state == nil)

        // The synthetic run.json is read field by field.
        #expect(record.run.id == 9001)
        #expect(record.run.workspace == "neprix-tech-prod")
        #expect(record.run.changeRequest == "CHG0031889")
        #expect(record.run.createdDate == (try Fixtures.instant("2023-01-20T20:49:58.1234567Z")))
        #expect(evidence.members.map(\.name).sorted() == ["apply.jsonl", "run.json"])
        // apply-json-with-outputs_apply.log carries a sensitive output ("my-secret"): it stays in the raw file only.
        let encoded = String(decoding: try JSONEncoder().encode(evidence.content), as: UTF8.self)
        #expect(!encoded.contains("my-secret"))
    }

    @Test("a Terraform -json stream on its own is not evidence", arguments: streams.map(\.file))
    func streamAlone(_ file: String) throws {
        Fixtures.parse(try Fixtures.reference(file), name: file)
            .expectError(ExpectedError(.notEvidence, mentions: ["apply stream on its own", "run.json"]), source: file)
    }

    // MARK: ServiceNow

    @Test("the ServiceNow change_request CHG0031889 (display_value=all) parses exactly")
    func serviceNowChange() throws {
        let file = "servicenow/demisto_sn_chg_rest_create_co_from_template_result.json"
        let evidence = try Fixtures.parse(try Fixtures.reference(file), name: file).get()
        #expect(evidence.kind == .change)
        let export = try #require(evidence.content.changeExport)
        #expect(export.approvals.isEmpty)
        #expect(export.changes.count == 1)
        let change = try #require(export.changes.first)
        #expect(change.number == "CHG0031889")
        #expect(change.sysID == "11ab5ccfdb784d505da401a3ca96190a")
        #expect(change.type == "standard")
        #expect(change.approval == "approved")
        #expect(change.state == "-5", "the numeric value -5.0 is read as -5")
        #expect(
            change.requestedBy == Reference(value: "46428af1db202c1026fca015ca961994", display: "Content Test admin "))
        #expect(change.assignedTo == nil, "an empty reference is absent")
        #expect(change.updatedOn == (try Fixtures.instant("2022-01-06T12:12:43Z")))
        #expect(change.updatedOn?.utcOffsetSeconds == 0)
        #expect(change.approvalSet == (try Fixtures.instant("2022-01-06T12:12:43Z")))
        #expect(change.startDate == nil)
        #expect(change.endDate == nil)
        #expect(change.workStart == nil)
        #expect(change.workEnd == nil)
        #expect(change.cabDate == nil)
        #expect(change.cabRequired == false)
        #expect(change.closeCode == nil)
        #expect(evidence.id == ContentHash.of(try Fixtures.reference(file)))
    }

    // MARK: Files that are not evidence

    static let azureDevOps = [
        "azure-devops/approvals_GET__Approval.json",
        "azure-devops/approvals_GET__QueryApproval.json",
        "azure-devops/approvals_PATCH__UpdateApproval.json",
        "azure-devops/checks_runs_GET__CheckSuite.json",
    ]

    @Test("Azure DevOps REST examples are not evidence", arguments: azureDevOps)
    func azureDevOpsExample(_ file: String) throws {
        Fixtures.parse(try Fixtures.reference(file), name: file)
            .expectError(ExpectedError(.notEvidence, line: 1, mentions: ["unknown kind", "expected"]), source: file)
    }

    static let oscal: [(file: String, root: String, line: Int)] = [
        ("oscal/ifa_assessment-results-example.xml", "assessment-results", 2),
        ("oscal/oscal_assessment-results_schema_v1.0.6.xsd", "schema", 2),
        ("oscal/oscal_assessment-results_schema_v1.2.2.xsd", "schema", 1),
    ]

    @Test("OSCAL XML is not a ServiceNow export", arguments: oscal)
    func oscalIsNotServiceNow(_ file: String, root: String, line: Int) throws {
        for kind in [nil, EvidenceKind.change] {
            let result = Fixtures.parse(try Fixtures.reference(file), name: file, options: ParseOptions(kind: kind))
            result.expectError(
                ExpectedError(.notEvidence, field: root, mentions: ["<unload>", "<response>"]), source: file)
            #expect(result.error?.line == line, "the root element starts on line \(line)")
        

        }
    }

    @Test("every reference file has an expectation here")
    func everyFileCovered() throws {
        let folder = try #require(Fixtures.referenceDirectory, "../shared/reference is missing")
        let covered = Set(
            Self.states.map(\.file) + Self.plans + Self.streams.map(\.file) + Self.azureDevOps + Self.oscal.map(\.file)
                + [
                    "terraform/show-json-state_modules_terraform.tfstate",
                    "terraform/equivalence_local_provider_update_apply.json",
                    "servicenow/demisto_sn_chg_rest_create_co_from_template_result.json",
                ])
        var found: [String] = []
        for sub in ["terraform", "azure-devops", "servicenow", "oscal"] {
            let names = try FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent(sub).path)
            found += names.filter { !$0.hasPrefix(".") }.map { "\(sub)/\($0)" }
        }
        #expect(found.count >= covered.count)
        #expect(Set(found).subtracting(covered).sorted() == [], "reference files without an expected outcome")
        #expect(covered.subtracting(found).sorted() == [], "expected reference files that are missing")
    }
}
