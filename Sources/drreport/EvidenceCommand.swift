import ArgumentParser
import Evidence
import Foundation

struct EvidenceCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "evidence", abstract: "List, show and verify the evidence in the store.",
        subcommands: [List.self, Show.self, Verify.self])

    enum OutputFormat: String, ExpressibleByArgument, CaseIterable {
        case text
        case json
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "One line per piece of evidence: hash, kind, source, what it covers, ingested-at.")

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: "text or json.")
        var format: OutputFormat = .text

        @Option(help: "Only evidence of this kind.")
        var kind: EvidenceKind?

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open()
                let list = try await store.evidenceList().filter { kind == nil || $0.kind == kind }
                switch format {
                case .json:
                    Terminal.out(try jsonText(list.map(EvidenceListing.init)))
                case .text:
                    for item in list {
                        Terminal.out(
                            [
                                item.id.description.prefix(23) + "", item.kind.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0),
                                item.source, item.covers, item.ingestedAt.rfc3339(utc: true, fractionDigits: 0),
                            ].joined(separator: "  "))
                    }
                    if list.isEmpty { Terminal.err("no evidence in \(store.location)") }
                }
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show one piece of evidence: its ledger entry, files and what it says.")

        @OptionGroup var storeOptions: StoreOptions

        @Argument(help: "The evidence id or an unambiguous prefix of it (sha256: optional).")
        var id: String

        @Option(help: "Write this file of the evidence (e.g. run.json) to stdout, byte for byte.")
        var member: String?

        @Option(help: "text or json.")
        var format: OutputFormat = .text

        func run() async throws {
            try await reportingErrors {
                let store = try storeOptions.open()
                let matches = try await store.evidence(matching: id)
                guard let summary = matches.first else {
                    throw EvidenceError(.invalidOptions, source: store.location, "no evidence matches '\(id)'")
                }
                guard matches.count == 1 else {
                    throw EvidenceError(
                        .invalidOptions, source: store.location,
                        "'\(id)' matches \(matches.count) pieces of evidence; give more digits")
                }
                if let member {
                    let members = try await store.members(of: summary.id)
                    guard let file = members.first(where: { $0.name == member }) else {
                        throw EvidenceError(
                            .invalidOptions, source: summary.id.description,
                            "no file '\(member)'; it has \(members.map(\.name).joined(separator: ", "))")
                    }
                    FileHandle.standardOutput.write(file.bytes)
                    return
                }
                let entry = try await store.ledgerEntries().first { $0.evidence == summary.id }
                let content = try await store.content(of: summary.id)
                switch format {
                case .json:
                    var listing = EvidenceListing(summary)
                    listing.ledger = entry
                    Terminal.out(try jsonText(listing))
                case .text:
                    Terminal.out("evidence     \(summary.id)")
                    Terminal.out("kind         \(summary.kind.rawValue)")
                    Terminal.out("source       \(summary.source)")
                    Terminal.out("covers       \(summary.covers)")
                    Terminal.out("ingested at  \(summary.ingestedAt.rfc3339(utc: true))")
                    if let entry {
                        Terminal.out("ledger       #\(entry.seq) \(entry.hash) (prev \(entry.prev.short)…)")
                        Terminal.out("records      \(entry.records)")
                    }
                    for file in summary.members {
                        Terminal.out("file         \(file.name)  \(file.size) bytes  \(file.hash)")
                    }
                    if let content { for line in EvidenceDescription.lines(content) { Terminal.out(line) } }
                }
            }
        }
    }

    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every blob hash, evidence identity, record digest and the ledger chain.",
            discussion: "Exit 0 when everything verifies; 3 naming the first broken ledger entry otherwise.")

        @OptionGroup var storeOptions: StoreOptions

        @Option(help: "text or json.")
        var format: OutputFormat = .text

        func run() async throws {
            var intact = true
            try await reportingErrors {
                let store = try storeOptions.open()
                let report = try await store.verify()
                intact = report.intact
                switch format {
                case .json:
                    Terminal.out(try jsonText(report))
                case .text:
                    let megabytes = String(format: "%.1f", Double(report.bytes) / 1_048_576)
                    let counts = "\(report.entries) ledger entries, \(report.evidence) evidence items, \(report.blobs) blobs (\(megabytes) MiB)"
                    if report.intact {
                        Terminal.out("intact: \(counts); ledger head \(report.head?.description ?? "(empty)")")
                    } else {
                        Terminal.out("INTEGRITY FAILURE in \(store.location): \(report.problems.count) problem\(report.problems.count == 1 ? "" : "s") over \(counts)")
                        Terminal.out("first broken: \(report.problems[0])")
                        for problem in report.problems.dropFirst() { Terminal.out("  also: \(problem)") }
                    }
                }
            }
            if !intact { throw ExitCode(3) }
        }
    }
}

/// The JSON shape of `evidence list` and `evidence show`.
struct EvidenceListing: Encodable {
    var id: String
    var kind: String
    var source: String
    var covers: String
    var ingestedAt: String
    var seq: Int64
    var files: [MemberSummary]
    var ledger: LedgerEntry?

    init(_ summary: EvidenceSummary) {
        id = summary.id.description
        kind = summary.kind.rawValue
        source = summary.source
        covers = summary.covers
        ingestedAt = summary.ingestedAt.rfc3339(utc: true, fractionDigits: 6)
        seq = summary.seq
        files = summary.members
    }

    enum CodingKeys: String, CodingKey {
        case id, kind, source, covers, seq, files, ledger
        case ingestedAt = "ingested_at"
    }
}

/// Pretty JSON with sorted keys.
func jsonText(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}

/// A few lines on what a piece of evidence says, for `evidence show`.
enum EvidenceDescription {
    static func lines(_ content: EvidenceContent) -> [String] {
        switch content {
        case .drill(let log):
            return log.events.sorted { $0.time < $1.time }.map { event in
                "  \(event.time)  \(event.drill)#\(event.attempt)  \(event.event.rawValue)"
                    + (event.process.map { " \($0)" } ?? "") + (event.region.map { " @\($0)" } ?? "")
            }
        case .apply(let record):
            var lines = [
                "  run \(record.run.id) \(record.run.name): \(record.run.result ?? record.run.state), apply \(record.apply.outcome.rawValue)",
                "  \(record.run.workspace)@\(record.run.region) (\(record.run.environment)) commit \(record.run.commit ?? "-") change \(record.run.changeRequest ?? "-")",
                "  created \(record.run.createdDate), finished \(record.run.finishedDate?.description ?? "-")",
            ]
            lines += record.apply.errors.map { "  error: \($0)" }
            if let state = record.state { lines += stateLines(state) }
            return lines
        case .state(let binding, let state):
            return ["  bound to \(binding.workspace)@\(binding.region)" + (binding.asOf.map { " as of \($0)" } ?? "")]
                + stateLines(state)
        case .change(let export):
            return export.changes.map { "  \($0.number) \($0.type) approval=\($0.approval) window \($0.startDate?.description ?? "-") – \($0.endDate?.description ?? "-")" }
                + export.approvals.map { "  approval of \($0.changeSysID): \($0.approver.display ?? $0.approver.value) \($0.state)" }
        case .consistency(let report):
            return report.runs.flatMap { run in
                ["  \(run.checkRun) \(run.drill ?? "-") @\(run.region ?? "-") checked \(run.checkedAt)"]
                    + run.tables.map { "    \($0.table): \($0.action.rawValue)" }
            }
        }
    }

    static func stateLines(_ state: TerraformState) -> [String] {
        var counts: [String: Int] = [:]
        for resource in state.resources { counts[resource.type, default: 0] += 1 }
        return ["  state format \(state.formatVersion), \(state.resources.count) resources"]
            + counts.sorted { $0.key < $1.key }.map { "    \($0.key): \($0.value)" }
    }
}
