import ArgumentParser
import Evidence
import Foundation
import Reports

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Verify RTO, RPO, consistency, parity, apply parity, change approval, drill cadence and evidence integrity.",
        discussion: """
            Exit 0 when every selected finding passes or is waived, 1 when one fails or is indeterminate, \
            2 for invalid input (config, period, evidence store), 3 when the evidence store fails its \
            integrity check.
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: ArgumentHelp("The BIA policy (drreport.yaml).", valueName: "file"))
    var config: String

    @Option(help: ArgumentHelp("The quarter, e.g. 2026-Q3 (default: the current quarter in the policy's time zone).", valueName: "period"))
    var period: String?

    @Option(name: .customLong("rule"), help: ArgumentHelp("Only this rule (repeatable): \(RuleID.allCases.map(\.rawValue).joined(separator: ", ")).", valueName: "rule"))
    var rules: [RuleID] = []

    @Option(help: "text or json.")
    var format: EvidenceCommand.OutputFormat = .text

    @Option(help: ArgumentHelp("Also write the findings as JUnit XML to this file.", valueName: "file"))
    var junit: String?

    func run() async throws {
        var exitCode: Int32 = 0
        try await reportingErrors {
            let policy = try Policy.load(path: config)
            let period = try period.map { text throws(ReportsError) in try Period(parsing: text, timeZone: policy.timeZone) }
                ?? Period.containing(Instant.now, timeZone: policy.timeZone)
            let store = try await storeOptions.open().snapshot()
            let assessment = try await Assessor.assess(store: store, policy: policy, period: period, rules: Set(rules))
            if let junit {
                try OutputFile.write(try JUnitRenderer.render(assessment, timestamp: Instant.now), to: junit)
            }
            for warning in assessment.warnings { Terminal.warning(warning) }
            switch format {
            case .json:
                try await JSONRenderer.write(assessment, to: Terminal.write)
                Terminal.write(Data("\n".utf8))
            case .text:
                Terminal.out(TextRenderer.render(assessment, policy: policy, color: Terminal.stdoutIsTerminal))
            }
            exitCode = assessment.integrityFailed ? 3 : (assessment.failsGate ? 1 : 0)
        }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }
}

extension RuleID: ExpressibleByArgument {}

/// Writing product files: to a temporary file beside the target, then renamed, so a failure never
/// leaves a half-written file.
enum OutputFile {
    /// Writes several files into a folder (created if missing): each is made and written to a
    /// temporary name in turn (so only one is in memory at a time), and all are renamed only when
    /// every one is complete. When making one fails, nothing is left behind: no temporary file, and
    /// no folder if it was created here.
    static func writeAll<File>(
        _ files: [File], named name: (File) -> String, into folder: URL, contents: (File) throws(ReportsError) -> Data
    ) throws(ReportsError) {
        var isDirectory: ObjCBool = false
        let existed = FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory)
        guard !existed || isDirectory.boolValue else { throw ReportsError(.output, source: folder.path, "exists and is not a folder") }
        var created = false
        var written: [(temporary: URL, target: URL)] = []
        func discard() {
            for item in written { try? FileManager.default.removeItem(at: item.temporary) }
            // Only when empty: a folder made here is removed, nothing another process put there is.
            if created { _ = rmdir(folder.path) }
        }
        for file in files {
            let target = folder.appendingPathComponent(name(file))
            let temporary = folder.appendingPathComponent(".\(name(file)).\(ProcessInfo.processInfo.processIdentifier).tmp")
            let data: Data
            do {
                data = try contents(file)
            } catch {
                discard()
                throw error
            }
            if !existed && !created {
                do {
                    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                    created = true
                } catch {
                    throw ReportsError(.output, source: folder.path, "cannot create the output folder (\(FileOutput.reason(error)))")
                }
            }
            do {
                try data.write(to: temporary)
            } catch {
                try? FileManager.default.removeItem(at: temporary)
                discard()
                throw ReportsError(.output, source: target.path, "cannot write (\(FileOutput.reason(error))); nothing was written")
            }
            written.append((temporary, target))
            HeapTrim.now()
        }
        for item in written {
            do {
                try FileOutput.moveIntoPlace(item.temporary, as: item.target)
            } catch {
                discard()
                throw ReportsError(.output, source: item.target.path, "cannot move into place (\(FileOutput.reason(error)))")
            }
        }
    }

    static func write(_ data: Data, to path: String) throws(ReportsError) {
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        do {
            try data.write(to: temporary)
            try FileOutput.moveIntoPlace(temporary, as: url)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw ReportsError(.output, source: path, "cannot write the file (\(FileOutput.reason(error)))")
        }
    }
}

extension OutputFile {
    /// Renders the report files of a model into a folder, one at a time; returns their names.
    static func writeReports(_ model: ReportModel, templates: URL, into folder: URL) throws(ReportsError) -> [String] {
        let files = ReportSet.File.allCases
        try writeAll(files, named: \.name, into: folder) { file throws(ReportsError) in try file.render(model, templates: templates) }
        return files.map(\.name)
    }
}
