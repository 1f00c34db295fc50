import ArgumentParser
import Evidence
import Foundation
import Reports

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the sample quarter end to end: ingest samples/ into a fresh store, check, and write the report.",
        discussion: "Exits 0 when the report is written; the sample quarter has failures on purpose (samples/README.md).")

    @Option(help: ArgumentHelp("Where to write the reports (default: a new temporary folder).", valueName: "dir"))
    var output: String?

    @Option(help: ArgumentHelp("The samples folder (default: the one shipped with drreport).", valueName: "dir"))
    var samples: String?

    @Option(name: .customLong("generated-at"), help: ArgumentHelp("The generation instant to record (RFC 3339); default: now.", valueName: "timestamp"))
    var generatedAt: String?

    static let period = "2026-Q3"

    func validate() throws {
        if let generatedAt, case .failure = Timestamp.parseRFC3339(generatedAt) {
            throw ValidationError("--generated-at '\(generatedAt)' is not an RFC 3339 timestamp with an offset")
        }
    }

    func run() async throws {
        try await reportingErrors {
            guard let samplesURL = ProjectFiles.locate("samples", flag: samples, environment: "DRREPORT_SAMPLES") else {
                throw ReportsError(.invalidPolicy, source: samples ?? "samples", "no samples folder found; pass --samples")
            }
            let templates = try TemplateFolder.locate(nil)
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("drreport-demo-\(UUID().uuidString.prefix(8).lowercased())")
            do {
                try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            } catch {
                throw ReportsError(.output, source: work.path, "cannot create the demo folder")
            }
            let storePath = work.appendingPathComponent("evidence.db").path
            let store = try SQLiteEvidenceStore(path: storePath, create: true)

            // Ingest the sample evidence, named relative to the samples folder.
            let root = samplesURL.standardizedFileURL.path + "/"
            var ingested = 0
            for item in EvidenceSources.items(for: [samplesURL.appendingPathComponent("evidence").path]) {
                var input = try EvidenceSources.load(try item.get()).get()
                if input.source.hasPrefix(root) { input.source = String(input.source.dropFirst(root.count)) }
                if case .stored = try await store.store(try EvidenceParser.parse(input)) { ingested += 1 }
            }

            let (policy, policyBytes) = try PolicyFile.read(samplesURL.appendingPathComponent("drreport.yaml").path)
            let period = try Period(parsing: Self.period, timeZone: policy.timeZone)
            let instant = generatedAt.flatMap { try? Timestamp.parseRFC3339($0).get() } ?? Instant.now
            let model = try await ReportModel.build(
                store: try await store.snapshot(), policy: policy, policyBytes: policyBytes, period: period,
                generatedAt: instant, toolVersion: DRReportVersion.current)
            let folder = output.map { URL(fileURLWithPath: $0) } ?? work.appendingPathComponent("report")
            let names = try OutputFile.writeReports(model, templates: templates, into: folder)

            let totals = model.totals
            Terminal.out("drreport demo — \(model.header.entity), \(model.header.period) (the sample quarter; failures are on purpose)")
            Terminal.out("  ingested \(ingested) evidence items into \(storePath)")
            Terminal.out("  ledger head \(model.header.ledgerHead?.description ?? "(empty)")")
            Terminal.out("")
            Terminal.out("  rule                  pass  fail  indet.  waived")
            for verdict in model.byRule {
                let counts = verdict.counts
                Terminal.out("  " + verdict.subject.padding(toLength: 20, withPad: " ", startingAt: 0)
                    + [counts.pass, counts.fail, counts.indeterminate, counts.waived].map { String($0).leftPadded(6) }.joined())
            }
            Terminal.out("  " + "total".padding(toLength: 20, withPad: " ", startingAt: 0)
                + [totals.pass, totals.fail, totals.indeterminate, totals.waived].map { String($0).leftPadded(6) }.joined())
            Terminal.out("")
            Terminal.out("  worst findings:")
            for finding in model.findings.prefix(5) {
                Terminal.out("    \(finding.status.rawValue.uppercased()) \(finding.rule.rawValue) \(finding.subject)" + (finding.comparisonText.map { "  \($0)" } ?? ""))
            }
            Terminal.out("")
            for name in names {
                Terminal.out("  \(name.padding(toLength: 13, withPad: " ", startingAt: 0))\(folder.appendingPathComponent(name).path)")
            }
            Terminal.out("")
            Terminal.out("  Open report.html in a browser. Try: drreport check --store \(storePath) --config \(samplesURL.path)/drreport.yaml --period \(Self.period)")
        }
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        String(repeating: " ", count: max(0, width - count)) + self
    }
}
