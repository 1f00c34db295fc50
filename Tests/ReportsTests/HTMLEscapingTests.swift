import Foundation
import Testing

@testable import Evidence
@testable import Reports

/// Evidence text is untrusted: every string of it that reaches the page is escaped, control
/// characters never reach the page raw, and sensitive Terraform values never appear at all.
@Suite("HTML report: hostile evidence")
struct HTMLEscapingTests {
    /// What a hostile evidence string carries: markup, an attribute break-out, a CDATA end, an
    /// entity that must not be decoded, and control characters.
    static let payload = "<script>alert(1)</script>\"><img src=x onerror=alert(1)>]]>&amp;\u{0}\u{1B}\u{7}"

    static func hostile(_ text: String) -> String { text + payload }
    static func hostile(_ text: String?) -> String? { text.map { hostile($0) } }

    @Test func everyEvidenceStringIsEscapedAndNoControlCharacterIsRaw() async throws {
        let model = Self.hostileModel(try await HTMLFixtures.sampleModel())
        let page = try HTMLFixtures.render(model)

        #expect(!page.lowercased().contains("<script"))
        #expect(!page.contains("<img"))
        for tag in Self.tags(in: page) {
            #expect(!tag.lowercased().contains("onerror"), "a tag carries an event handler: \(tag.prefix(120))")
        }
        let raw = page.unicodeScalars.filter { scalar in
            (scalar.value < 0x20 && scalar != "\n") || (0x7F...0x9F).contains(scalar.value)
        }
        #expect(raw.isEmpty, "raw control characters: \(raw.map { String(format: "U+%04X", $0.value) })")

        // The escaped forms are there, in the HTML and in the SVG charts.
        let escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&gt;&lt;img src=x onerror=alert(1)&gt;]]&gt;&amp;amp;\u{2400}\u{241B}\u{2407}"
        let occurrences = page.components(separatedBy: escaped).count - 1
        #expect(occurrences > 500)
        for id in ["summary", "scope", "drills", "recovery", "sustained", "integrity", "parity", "change", "cadence", "findings", "remediation", "signoff", "evidence", "ledger"] {
            let section = try #require(HTMLFixtures.section(id, in: page), "no section \(id)")
            #expect(section.contains(escaped), "section \(id) shows no hostile text: is a field missing from the test or the page?")
        }
        let charts = page.components(separatedBy: "<svg ").dropFirst().map { $0.components(separatedBy: "</svg>")[0] }
        #expect(charts.count == 5)
        for chart in charts { #expect(chart.contains(escaped)) }
        // Entity and header fields too.
        #expect(page.contains("<title>DR test report 2026-Q3 — Banca Esempio S.p.A." + escaped))
    }

    @Test func aSecretInAStateNeverReachesThePage() async throws {
        // A secret in a state, masked by the parser, and a difference around it the page must show.
        func state(_ secret: String, container: String, extra: Bool) throws -> TerraformState {
            let extraResource = extra
                ? #",{"address":"databricks_secret.extra","mode":"managed","type":"databricks_secret","name":"extra","values":{"key":"extra","scope":"etl","string_value":"\#(secret)-extra"},"sensitive_values":{"string_value":true}}"#
                : ""
            // The primary mounts two containers, the secondary one: the difference is the whole block list,
            // secrets included, and must show them masked.
            let mounts = extra ? #",{"client_secret":"\#(secret)","container_name":"archive"}"# : ""
            let masks = extra ? #",{"client_secret":true}"# : ""
            let json = #"{"format_version":"1.0","values":{"root_module":{"resources":[{"address":"databricks_mount.landing","mode":"managed","type":"databricks_mount","name":"landing","values":{"name":"landing","abfs":[{"client_secret":"\#(secret)","container_name":"\#(container)"}\#(mounts)]},"sensitive_values":{"abfs":[{"client_secret":true}\#(masks)]}},{"address":"databricks_secret.token","mode":"managed","type":"databricks_secret","name":"token","values":{"key":"token","scope":"etl","string_value":"\#(secret)"},"sensitive_values":{"string_value":true}}\#(extraResource)]}}}"#
            return try TerraformStateParser.parse(Data(json.utf8), source: "state.json")
        }
        let primarySecret = "s3cr3t-PRIMARY-value-9d1f"
        let secondarySecret = "s3cr3t-SECONDARY-value-4c2e"
        let primary = try state(primarySecret, container: "landing", extra: true)
        let secondary = try state(secondarySecret, container: "landing-ne", extra: false)
        let quarter = try await HTMLFixtures.sampleModel()
        let policy = try Policy.load(
            yaml: String(decoding: try Data(contentsOf: SampleQuarter.samples.appendingPathComponent("drreport.yaml")), as: UTF8.self),
            source: "drreport.yaml")
        let workspace = try #require(policy.workspace("neprix-tech-prod"))
        func stored(_ region: String, _ state: TerraformState) -> StoredState {
            StoredState(
                evidence: ContentHash.of(region), key: StateKey(workspace: workspace.id, region: region),
                instant: Instant(secondsSinceEpoch: 1_790_000_000), runID: 1, state: state)
        }
        let finding = ParityRule.evaluate(
            workspace, primary: stored("westeurope", primary), secondary: stored("northeurope", secondary), policy: policy)
        #expect(finding.status == .fail)
        var model = quarter
        model.parity = model.parity.map { $0.subject == workspace.id ? finding : $0 }
        model.findings = model.findings.map { $0.rule == .parity && $0.subject == workspace.id ? finding : $0 }
        let page = try HTMLFixtures.render(model)

        let parity = try #require(HTMLFixtures.section("parity", in: page))
        #expect(parity.contains("databricks_mount.landing"))
        #expect(parity.contains("databricks_secret.extra"))
        #expect(parity.contains("(sensitive)"))
        #expect(!page.contains("s3cr3t"))

        // The sample states' own secrets (raw in the stored files) never show either.
        let runs = SampleQuarter.samples.appendingPathComponent("evidence/runs")
        var secrets: [String] = []
        for run in try FileManager.default.contentsOfDirectory(atPath: runs.path) {
            guard let data = FileManager.default.contents(atPath: runs.appendingPathComponent(run).appendingPathComponent("state.json").path) else { continue }
            let text = String(decoding: data, as: UTF8.self)
            for part in text.components(separatedBy: "\"string_value\":\"").dropFirst() {
                if let end = part.firstIndex(of: "\"") { secrets.append(String(part[..<end])) }
            }
        }
        #expect(secrets.count > 10)
        let samplePage = try HTMLFixtures.render(quarter)
        for secret in secrets { #expect(!samplePage.contains(secret), "a secret of the sample states is in the page") }
    }

    /// The start tags and end tags of a page (`<…>`), outside of text.
    static func tags(in page: String) -> [Substring] {
        var tags: [Substring] = []
        var rest = page[...]
        while let open = rest.firstIndex(of: "<") {
            guard let close = rest[open...].firstIndex(of: ">") else { break }
            tags.append(rest[open...close])
            rest = rest[rest.index(after: close)...]
        }
        return tags
    }

    /// The sample model with every evidence-derived string (and every policy string) made hostile.
    static func hostileModel(_ base: ReportModel) -> ReportModel {
        var model = base
        model.header.entity = hostile(model.header.entity)
        model.header.lei = hostile(model.header.lei)
        model.header.reportID = hostile(model.header.reportID)
        model.header.toolVersion = hostile(model.header.toolVersion)
        model.regulatoryBasis = model.regulatoryBasis.map { reference in
            var copy = reference
            copy.reference = hostile(copy.reference)
            copy.requirement = hostile(copy.requirement)
            copy.section = hostile(copy.section)
            return copy
        }
        model.scope.primaryRegion = hostile(model.scope.primaryRegion)
        model.scope.secondaryRegion = hostile(model.scope.secondaryRegion)
        model.scope.exclusions = model.scope.exclusions.map { hostile($0) }
        model.scope.processes = model.scope.processes.map { process in
            var copy = process
            copy.id = hostile(copy.id)
            copy.name = hostile(copy.name)
            copy.criticality = hostile(copy.criticality)
            copy.workspaces = copy.workspaces.map { hostile($0) }
            copy.tables = copy.tables.map { hostile($0) }
            return copy
        }
        model.scope.workspaces = model.scope.workspaces.map { workspace in
            var copy = workspace
            copy.id = hostile(copy.id)
            copy.division = hostile(copy.division)
            copy.environment = hostile(copy.environment)
            copy.kind = hostile(copy.kind)
            return copy
        }
        model.drills = model.drills.map { drill in
            var copy = drill
            copy.drill = hostile(copy.drill)
            copy.scenario = hostile(copy.scenario)
            copy.trigger = hostile(copy.trigger)
            copy.processes = copy.processes.map { hostile($0) }
            copy.events = copy.events.map(hostile)
            return copy
        }
        model.recovery = model.recovery.map { recovery in
            var copy = recovery
            copy.process = hostile(copy.process)
            copy.processName = hostile(copy.processName)
            copy.drill = hostile(copy.drill)
            copy.rto = copy.rto.map(hostile)
            copy.rpo = copy.rpo.map(hostile)
            return copy
        }
        model.dataIntegrity = model.dataIntegrity.map(hostile)
        model.integrityChecks = model.integrityChecks.map(hostile)
        model.parity = model.parity.map(hostile)
        model.changeManagement.approvalRequired = model.changeManagement.approvalRequired.map { hostile($0) }
        model.changeManagement.findings = model.changeManagement.findings.map(hostile)
        model.changeManagement.applyParity = model.changeManagement.applyParity.map(hostile)
        model.cadence = model.cadence.map(hostile)
        model.evidenceIntegrity = model.evidenceIntegrity.map(hostile)
        model.findings = model.findings.map(hostile)
        model.remediation = model.remediation.map { item in
            var copy = item
            copy.id = hostile(copy.id)
            copy.rule = hostile(copy.rule)
            copy.subject = hostile(copy.subject)
            copy.severity = hostile(copy.severity)
            copy.owner = hostile(copy.owner)
            copy.dueDate = hostile(copy.dueDate)
            return copy
        }
        model.signOff = model.signOff.map { line in
            var copy = line
            copy.role = hostile(copy.role)
            copy.name = hostile(copy.name)
            copy.date = hostile(copy.date)
            return copy
        }
        model.evidenceIndex = model.evidenceIndex.map { entry in
            var copy = entry
            copy.kind = hostile(copy.kind)
            copy.source = hostile(copy.source)
            copy.covers = hostile(copy.covers)
            return copy
        }
        model.byProcess = model.byProcess.map(hostile)
        model.byRule = model.byRule.map(hostile)
        model.warnings = model.warnings.map { hostile($0) } + [hostile("evidence naming an unknown process")]
        return model
    }

    static func hostile(_ event: ReportModel.TimelineEvent) -> ReportModel.TimelineEvent {
        var copy = event
        copy.event = hostile(copy.event)
        copy.process = hostile(copy.process)
        copy.region = hostile(copy.region)
        copy.actor = hostile(copy.actor)
        copy.clock = hostile(copy.clock)
        copy.note = hostile(copy.note)
        copy.source = hostile(copy.source)
        return copy
    }

    static func hostile(_ verdict: ReportModel.Verdict) -> ReportModel.Verdict {
        var copy = verdict
        copy.subject = hostile(copy.subject)
        copy.title = hostile(copy.title)
        return copy
    }

    static func hostile(_ finding: Finding) -> Finding {
        var copy = finding
        copy.subject = hostile(copy.subject)
        copy.message = hostile(copy.message)
        if var waiver = copy.waiver {
            waiver.id = hostile(waiver.id)
            waiver.reason = hostile(waiver.reason)
            waiver.expires = hostile(waiver.expires)
            waiver.approvedBy = hostile(waiver.approvedBy)
            copy.waiver = waiver
        }
        var details = copy.details
        if var recovery = details.recovery {
            recovery.clock = hostile(recovery.clock)
            details.recovery = recovery
        }
        if var loss = details.dataLoss {
            loss.referenceSource = hostile(loss.referenceSource)
            loss.tables = loss.tables.map { table in
                var row = table
                row.table = hostile(row.table)
                row.checkRun = hostile(row.checkRun)
                row.action = hostile(row.action)
                return row
            }
            details.dataLoss = loss
        }
        if var parity = details.parity {
            parity.differences = parity.differences.map { difference in
                var row = difference
                row.address = hostile(row.address)
                row.type = hostile(row.type)
                row.path = hostile(row.path)
                row.primary = hostile(row.primary)
                row.secondary = hostile(row.secondary)
                return row
            }
            details.parity = parity
        }
        if var apply = details.applyParity {
            apply.region = hostile(apply.region)
            apply.commit = hostile(apply.commit)
            apply.counterpartRegion = hostile(apply.counterpartRegion)
            details.applyParity = apply
        }
        details.checks = details.checks?.map { check in
            var row = check
            row.check = hostile(row.check)
            row.detail = hostile(row.detail)
            return row
        }
        if var cadence = details.cadence {
            cadence.attempts = cadence.attempts.map { hostile($0) }
            cadence.lastPassingDrill = hostile(cadence.lastPassingDrill)
            details.cadence = cadence
        }
        if var integrity = details.integrity {
            integrity.problems = integrity.problems.map { hostile($0) } + [hostile("blob missing")]
            details.integrity = integrity
        }
        details.requesters = details.requesters?.map { hostile($0) }
        details.notes = details.notes?.map { hostile($0) }
        copy.details = details
        return copy
    }

    /// A model with nothing in it, for tests that fail before the model is used.
    static func minimalModel() -> ReportModel {
        let start = Instant(secondsSinceEpoch: 1_782_856_800)
        return ReportModel(
            header: .init(
                entity: "Entity", lei: "LEI", reportID: "DRR-2026-Q3-0", period: "2026-Q3", periodStart: start,
                periodEnd: start.adding(seconds: 92 * 86_400), timeZone: "Europe/Rome", generatedAt: SampleQuarter.generatedAt,
                toolVersion: "test", ledgerHead: nil, policyHash: ContentHash.of("policy")),
            regulatoryBasis: ReportModel.regulatoryBasis,
            scope: .init(primaryRegion: "westeurope", secondaryRegion: "northeurope", rtoClock: "crisis_declared", clockUncertaintySeconds: 5,
                         processes: [], workspaces: [], exclusions: []),
            drills: [], recovery: [], dataIntegrity: [], integrityChecks: [], parity: [],
            changeManagement: .init(approvalRequired: ["prod"], population: 0, exceptions: 0, findings: [], applyParity: []),
            cadence: [], evidenceIntegrity: nil, findings: [], remediation: [], signOff: [], evidenceIndex: [],
            totals: .init([]), byProcess: [], byRule: [], warnings: [])
    }
}
