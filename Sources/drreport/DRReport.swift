import ArgumentParser

@main
struct DRReport: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drreport",
        abstract: "Disaster-recovery compliance evidence, verdicts and reports for a dual-region data platform.",
        discussion: """
            Exit codes: 0 every selected finding passes or is waived; 1 a finding fails or is \
            indeterminate; 2 invalid input (evidence, config, period), nothing written; 3 integrity \
            failure (ledger or bundle tampered, bad signature); 64 command-line usage error.
            """,
        version: DRReportVersion.current,
        subcommands: [
            InitCommand.self, IngestCommand.self, EvidenceCommand.self, CheckCommand.self, ReportCommand.self,
            BundleCommand.self, VerifyCommand.self, KeygenCommand.self, DemoCommand.self,
        ]
    )
}

/// The tool's version, recorded in reports, bundles and ledger-adjacent outputs.
enum DRReportVersion {
    static let current = "0.1.0"
}
