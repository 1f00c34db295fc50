import ArgumentParser
import Evidence
import Foundation
import Reports

/// What `report` and `bundle` both render from: the policy, the period, the generation instant and
/// the templates.
struct ReportInputs: ParsableArguments {
    @Option(help: ArgumentHelp("The BIA policy (drreport.yaml).", valueName: "file"))
    var config: String

    @Option(help: ArgumentHelp("The quarter, e.g. 2026-Q3.", valueName: "period"))
    var period: String

    @Option(name: .customLong("generated-at"), help: ArgumentHelp("The generation instant to record (RFC 3339); default: now.", valueName: "timestamp"))
    var generatedAt: String?

    @Option(help: ArgumentHelp("The templates folder (default: the one shipped with drreport).", valueName: "dir"))
    var templates: String?

    func validate() throws {
        if let generatedAt, case .failure = Timestamp.parseRFC3339(generatedAt) {
            throw ValidationError("--generated-at '\(generatedAt)' is not an RFC 3339 timestamp with an offset")
        }
    }

    /// The inputs read: the policy and its bytes, the period in the policy's time zone, the instant
    /// (now when none was given) and the templates folder.
    func load() throws -> (policy: Policy, policyBytes: Data, period: Period, generatedAt: Instant, templates: URL) {
        let (policy, policyBytes) = try PolicyFile.read(config)
        let period = try Period(parsing: period, timeZone: policy.timeZone)
        let instant = generatedAt.flatMap { try? Timestamp.parseRFC3339($0).get() } ?? Instant.now
        return (policy, policyBytes, period, instant, try TemplateFolder.locate(templates))
    }
}
