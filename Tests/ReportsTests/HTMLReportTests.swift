import Foundation
import Testing

@testable import Evidence
@testable import Reports

/// `report.html`: the sample quarter against its golden file, determinism, the empty period and
/// template errors.
@Suite("HTML report")
struct HTMLReportTests {
    @Test func sampleQuarterMatchesTheGoldenFile() async throws {
        let model = try await HTMLFixtures.sampleModel()
        let page = HTMLFixtures.normalised(try HTMLFixtures.render(model), model: model)
        let golden = HTMLFixtures.golden
        if ProcessInfo.processInfo.environment["DRREPORT_RECORD_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(page.utf8).write(to: golden)
            return
        }
        guard let expected = FileManager.default.contents(atPath: golden.path) else {
            Issue.record("no golden file at \(golden.path); run with DRREPORT_RECORD_GOLDEN=1 to record it")
            return
        }
        let text = String(decoding: expected, as: UTF8.self)
        if text != page {
            let difference = HTMLFixtures.firstDifference(expected: text, actual: page) ?? "the page differs in its bytes"
            Issue.record("\(golden.path): \(difference)\nre-record with DRREPORT_RECORD_GOLDEN=1 if the change is intended")
        }
    }

    @Test func theSameModelGivesTheSameBytes() async throws {
        let model = try await HTMLFixtures.sampleModel()
        let first = try HTMLReportRenderer.render(model, templates: HTMLFixtures.templates)
        let second = try HTMLReportRenderer.render(model, templates: HTMLFixtures.templates)
        #expect(first == second)
        #expect(first.count > 100_000)
    }

    @Test func thePageIsSelfContainedAndAccessible() async throws {
        let page = try HTMLFixtures.render(try await HTMLFixtures.sampleModel())
        #expect(page.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(page.components(separatedBy: "<h1").count == 2)
        for forbidden in ["<script", "<link", "<img", "<iframe", "@import", "url(", "http://", "https://"] {
            // The SVG namespace is the only URL in the page.
            let count = page.components(separatedBy: forbidden).count - 1
            let allowed = forbidden == "http://" ? page.components(separatedBy: "xmlns=\"http://www.w3.org/2000/svg\"").count - 1 : 0
            #expect(count == allowed, "\(forbidden) appears \(count) times")
        }
        // Every chart is an image with a title and a description; every table has a caption.
        let charts = page.components(separatedBy: "<svg ").count - 1
        #expect(charts == 5)  // three drill attempts, RTO and RPO
        #expect(page.components(separatedBy: "role=\"img\"").count - 1 == charts)
        #expect(page.components(separatedBy: "<title id=").count - 1 == charts)
        #expect(page.components(separatedBy: "<desc id=").count - 1 == charts)
        #expect(page.components(separatedBy: "<table").count == page.components(separatedBy: "<caption>").count
            + page.components(separatedBy: "<table class=\"losses\">").count - 1)
        #expect(page.contains("@page {\n  size: A4;"))
        #expect(page.contains("@media print"))
    }

    @Test func theSampleQuarterShowsWhatTheRegulatorAsksFor() async throws {
        let model = try await HTMLFixtures.sampleModel()
        let page = try HTMLFixtures.render(model)
        let summary = try #require(HTMLFixtures.section("summary", in: page))
        #expect(summary.contains("Objectives not demonstrated: 21 findings failed and 4 could not be determined"))
        #expect(summary.contains("<span class=\"chip st-fail\">FAIL</span>"))
        #expect(summary.contains("Core banking general ledger (corporate)"))
        #expect(!summary.contains("This period has no evidence"))
        let recovery = try #require(HTMLFixtures.section("recovery", in: page))
        #expect(recovery.contains("4h01m00s · FAIL"))  // core-banking-ledger's late restore
        #expect(recovery.contains("3h59m58s · INDETERMINATE"))  // payments within clock uncertainty
        #expect(recovery.contains("RTO target 4h00m00s"))
        let parity = try #require(HTMLFixtures.section("parity", in: page))
        #expect(parity.contains("Waiver W-2026-004 applied"))
        #expect(parity.contains("node_type_id"))
        let change = try #require(HTMLFixtures.section("change", in: page))
        #expect(change.contains("CHG0041312 is not in the evidence store"))
        #expect(change.contains("Waiver W-2026-011 refused"))
        let drills = try #require(HTMLFixtures.section("drills", in: page))
        #expect(drills.contains("Drill DR-2026-Q3-01, attempt 1<span class=\"chip st-fail\">ABORTED</span>"))
        #expect(drills.contains("<time datetime=\"2026-07-11T08:00:00+02:00\">2026-07-11 08:00:00 +02:00</time>"))
        let evidence = try #require(HTMLFixtures.section("evidence", in: page))
        for entry in model.evidenceIndex { #expect(evidence.contains("id=\"ev-\(entry.id.hex)\"")) }
        // Every evidence link resolves to a row of the index.
        for finding in model.findings {
            for hash in finding.evidence { #expect(evidence.contains("id=\"ev-\(hash.hex)\""), "\(hash) is linked but not indexed") }
        }
        #expect(model.remediation.count == 25)
        #expect(HTMLFixtures.section("remediation", in: page)?.components(separatedBy: "<td class=\"blank\"></td>").count == 1 + 25 * 3)
    }

    @Test func anEmptyPeriodSaysSoFirst() async throws {
        let folder = try HTMLFixtures.scratchFolder("empty")
        defer { try? FileManager.default.removeItem(at: folder) }
        let store = try SQLiteEvidenceStore(path: folder.appendingPathComponent("store.db").path, create: true)
        let policyBytes = try Data(contentsOf: SampleQuarter.samples.appendingPathComponent("drreport.yaml"))
        let policy = try Policy.load(yaml: String(decoding: policyBytes, as: UTF8.self), source: "samples/drreport.yaml")
        let period = try Period(parsing: "2026-Q3", timeZone: policy.timeZone)
        let model = try await ReportModel.build(
            store: store, policy: policy, policyBytes: policyBytes, period: period, generatedAt: SampleQuarter.generatedAt,
            toolVersion: "test")
        #expect(model.noEvidence)
        let page = try HTMLFixtures.render(model)
        let firstSection = try #require(page.range(of: "<section ").map { String(page[$0.lowerBound...]) })
        #expect(firstSection.hasPrefix("<section id=\"summary\""))
        let summary = try #require(HTMLFixtures.section("summary", in: page))
        #expect(summary.contains("<strong>This period has no evidence.</strong>"))
        #expect(summary.contains("No evidence was recorded for 2026-Q3"))
        #expect(page.contains("No drill was logged in this period."))
        #expect(page.contains("No process recovery was measured in this period"))
        #expect(page.contains("The evidence store holds no evidence for this period."))
        #expect(!page.contains("<svg "))
    }

    @Test func aTemplateThatDoesNotParseIsNamedWithItsLine() throws {
        let folder = try copyOfTemplates()
        defer { try? FileManager.default.removeItem(at: folder) }
        let broken = folder.appendingPathComponent("cadence.mustache")
        try Data("<section id=\"cadence\">\n{{#rows}}\n<p>{{process}}</p>\n{{/row}}\n</section>\n".utf8).write(to: broken)
        let error = try #require(throws: ReportsError.self) {
            try HTMLReportRenderer.render(try awaitModel(), templates: folder)
        }
        #expect(error.code == .invalidTemplate)
        #expect(error.source == broken.path)
        #expect(error.line == 4)
        #expect(error.message.contains("closed with a name other than"))
        #expect(error.message.contains("column"))
    }

    @Test func anUnclosedTagIsNamedWithItsLine() throws {
        let folder = try copyOfTemplates()
        defer { try? FileManager.default.removeItem(at: folder) }
        let broken = folder.appendingPathComponent("chip.mustache")
        try Data("<span class=\"chip\">\n{{word</span>\n".utf8).write(to: broken)
        let error = try #require(throws: ReportsError.self) {
            try HTMLReportRenderer.render(try awaitModel(), templates: folder)
        }
        #expect(error.code == .invalidTemplate)
        #expect(error.source.hasSuffix("/chip.mustache"))
        #expect(error.line == 2)
        #expect(error.description.contains("chip.mustache:2: column"))
    }

    @Test func aMissingFolderIsAnInvalidTemplate() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drreport-no-such-templates-\(UUID().uuidString)")
        let error = try #require(throws: ReportsError.self) {
            try HTMLReportRenderer.render(try awaitModel(), templates: folder)
        }
        #expect(error.code == .invalidTemplate)
        #expect(error.source == folder.path)
        #expect(error.message.contains("does not exist"))
    }

    @Test func aMissingRootTemplateIsNamed() throws {
        let folder = try copyOfTemplates()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("report.mustache"))
        let error = try #require(throws: ReportsError.self) {
            try HTMLReportRenderer.render(try awaitModel(), templates: folder)
        }
        #expect(error.code == .invalidTemplate)
        #expect(error.source == folder.appendingPathComponent("report.mustache").path)
    }

    @Test func aMissingPartialIsNamedWhereItIsIncluded() throws {
        let folder = try copyOfTemplates()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("ledger.mustache"))
        let error = try #require(throws: ReportsError.self) {
            try HTMLReportRenderer.render(try awaitModel(), templates: folder)
        }
        #expect(error.code == .invalidTemplate)
        #expect(error.source == folder.appendingPathComponent("report.mustache").path)
        let line = try #require(error.line)
        let report = try String(contentsOf: HTMLFixtures.templates.appendingPathComponent("report.mustache"), encoding: .utf8)
        #expect(report.split(separator: "\n", omittingEmptySubsequences: false)[line - 1].contains("{{> ledger}}"))
        #expect(error.message.contains("'ledger'"))
    }

    /// A copy of the repository's templates in a scratch folder.
    func copyOfTemplates() throws -> URL {
        let folder = try HTMLFixtures.scratchFolder("templates")
        for name in try FileManager.default.contentsOfDirectory(atPath: HTMLFixtures.templates.path) {
            try FileManager.default.copyItem(
                at: HTMLFixtures.templates.appendingPathComponent(name), to: folder.appendingPathComponent(name))
        }
        return folder
    }

    /// A small model for the error tests: the templates are checked before the model is used.
    func awaitModel() throws -> ReportModel {
        HTMLEscapingTests.minimalModel()
    }
}
