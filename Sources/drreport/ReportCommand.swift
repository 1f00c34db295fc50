import ArgumentParser
import Evidence
import Foundation
import Reports

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write the quarterly DR report: report.html, report.xml (validated against its XSD) and oscal-ar.xml.",
        discussion: """
            The same store, policy, period and --generated-at give byte-identical files. Files are written \
            to temporary names and renamed only when all three are ready, so a failure never leaves a \
            half-written report. Exits 0 when the report is written, whatever its findings say.
            """)

    @OptionGroup var storeOptions: StoreOptions

    @OptionGroup var inputs: ReportInputs

    @Option(help: ArgumentHelp("The folder to write the reports to (created if missing).", valueName: "dir"))
    var output: String

    func run() async throws {
        // Its report.xml is sealed and validated on two threads while the model is held: with their
        // arenas shared, the peak stays well under 512 MiB at bank scale (HeapTrim.shareArenas).
        HeapTrim.shareArenas()
        try await reportingErrors {
            let (policy, policyBytes, period, instant, templatesURL) = try inputs.load()
            let store = try await storeOptions.open().snapshot()
            let model = try await ReportModel.build(
                store: store, policy: policy, policyBytes: policyBytes, period: period, generatedAt: instant,
                toolVersion: DRReportVersion.current)
            HeapTrim.now()
            let folder = URL(fileURLWithPath: output)
            let names = try OutputFile.writeReports(model, templates: templatesURL, into: folder)
            for name in names { Terminal.out("\(name.padding(toLength: 13, withPad: " ", startingAt: 0))\(folder.appendingPathComponent(name).path)") }
            let totals = model.totals
            Terminal.out("\(model.header.period): \(model.findings.count) findings — \(totals.pass) pass, \(totals.fail) fail, \(totals.indeterminate) indeterminate, \(totals.waived) waived (report \(model.header.reportID))")
        }
    }
}

/// Reading the policy file once: the typed policy and its exact bytes (hashed into reports and bundles).
enum PolicyFile {
    static func read(_ path: String) throws(ReportsError) -> (Policy, Data) {
        guard let bytes = FileManager.default.contents(atPath: path) else {
            throw ReportsError(.invalidPolicy, source: path, "cannot read the policy file")
        }
        guard let text = String(data: bytes, encoding: .utf8) else {
            throw ReportsError(.invalidPolicy, source: path, "not UTF-8 text")
        }
        return (try Policy.load(yaml: text, source: path), bytes)
    }
}

/// The templates folder.
enum TemplateFolder {
    static func locate(_ flag: String?) throws(ReportsError) -> URL {
        guard let url = ProjectFiles.locate("templates", flag: flag, environment: "DRREPORT_TEMPLATES") else {
            throw ReportsError(.invalidTemplate, source: flag ?? "templates", "no templates folder found; pass --templates or set DRREPORT_TEMPLATES")
        }
        return url
    }
}
