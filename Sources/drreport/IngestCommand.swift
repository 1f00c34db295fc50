import ArgumentParser
import Evidence
import Foundation

struct IngestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ingest",
        abstract: "Store evidence files, apply record folders and archives in the evidence store.",
        discussion: """
            Each file, apply record folder (run.json, apply.jsonl, optional state.json) or .zip/.tar of \
            one is stored in its own transaction with a ledger entry. Folders are walked. The same bytes \
            twice are one piece of evidence. A bad file is listed with its location and nothing of it is \
            stored; the good files of the batch are stored; the exit status is then 2.
            """)

    @OptionGroup var storeOptions: StoreOptions

    @Option(help: "Parse as this kind instead of detecting it: drill, apply, state, change or consistency.")
    var kind: EvidenceKind?

    @Option(help: "For --kind state: the workspace the state belongs to.")
    var workspace: String?

    @Option(help: "For --kind state: the region the state belongs to.")
    var region: String?

    @Option(name: .customLong("as-of"), help: ArgumentHelp(
        "For --kind state: the instant the state describes (RFC 3339); default: when it is first ingested.",
        valueName: "timestamp"))
    var asOf: String?

    @Argument(help: "Files, folders or archives to ingest.")
    var paths: [String]

    func validate() throws {
        if (workspace != nil || region != nil || asOf != nil), kind != .state {
            throw ValidationError("--workspace, --region and --as-of go with --kind state")
        }
        if kind == .state, workspace == nil || region == nil {
            throw ValidationError("--kind state needs --workspace and --region")
        }
        if let asOf, case .failure = Timestamp.parseRFC3339(asOf) {
            throw ValidationError("--as-of '\(asOf)' is not an RFC 3339 timestamp with an offset")
        }
    }

    func run() async throws {
        var options = ParseOptions(kind: kind, workspace: workspace, region: region)
        if let asOf, case .success(let instant) = Timestamp.parseRFC3339(asOf) { options.asOf = instant }
        var rejected = 0
        try await reportingErrors {
            let items = EvidenceSources.items(for: paths)
            let store = try storeOptions.open(create: true)
            if let sqlite = store as? SQLiteEvidenceStore, sqlite.created {
                Terminal.err("created a new evidence store at \(sqlite.location)")
            }
            var stored = 0
            var duplicates = 0
            var progress = ProgressBar(total: items.count, label: "ingesting")
            var done = 0
            // Items are parsed ahead on every core while the ones before them are stored one by one in
            // input order: the ledger order follows the command line.
            var parsed = AheadWindow(count: items.count) { [options] index in Self.parse(items[index], options: options) }
            // Each piece's rows and their digest are worked out on this task while the store writes the
            // piece before (an SQLite store takes them so; another store works them out itself). The
            // instant of ingestion is taken then, in input order, so it follows the ledger.
            let sqlite = store as? SQLiteEvidenceStore
            var writing: (evidence: ParsedEvidence, outcome: Task<Result<StoreOutcome, EvidenceError>, Never>)?
            while let result = await parsed.next() {
                done += 1
                var prepared: PreparedEvidence?
                if sqlite != nil, case .success(let evidence) = result { prepared = PreparedEvidence(evidence, ingestedAt: Instant.now) }
                if let (evidence, outcome) = writing.take() {
                    try Self.tally(await outcome.value.get(), of: evidence, stored: &stored, duplicates: &duplicates)
                }
                switch result {
                case .failure(let error):
                    progress.finish()
                    Terminal.error(error.description)
                    rejected += 1
                case .success(let evidence):
                    for warning in evidence.warnings { progress.finish(); Terminal.warning(warning) }
                    writing = (evidence, Task {
                        await .awaiting { () async throws(EvidenceError) in
                            if let prepared, let sqlite { return try await sqlite.store(prepared) }
                            return try await store.store(evidence)
                        }
                    })
                }
                progress.update(done)
            }
            if let (evidence, outcome) = writing.take() {
                try Self.tally(await outcome.value.get(), of: evidence, stored: &stored, duplicates: &duplicates)
            }
            progress.finish()
            Terminal.out("\(stored) new, \(duplicates) duplicate, \(rejected) rejected")
        }
        if rejected > 0 { throw ExitCode(2) }
    }

    /// Counts and lists what storing a piece of evidence did.
    private static func tally(_ outcome: StoreOutcome, of evidence: ParsedEvidence, stored: inout Int, duplicates: inout Int) {
        switch outcome {
        case .stored(let entry):
            stored += 1
            Terminal.out(line("new", evidence.id, evidence.kind, evidence.source, evidence.content.covers, seq: entry.seq))
        case .duplicate(let existing):
            duplicates += 1
            let note = existing.source == evidence.source ? "" : " (first ingested as \(existing.source))"
            Terminal.out(line("duplicate", existing.id, existing.kind, evidence.source, existing.covers + note, seq: existing.seq))
        }
    }

    private static func line(_ status: String, _ id: ContentHash, _ kind: EvidenceKind, _ source: String, _ covers: String, seq: Int64) -> String {
        "\(status.padding(toLength: 9, withPad: " ", startingAt: 0)) \(id.description.prefix(23))  \(kind.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)) \(source)  \(covers)"
    }

    /// Loads and parses one item.
    static func parse(_ item: Result<EvidenceSources.Item, EvidenceError>, options: ParseOptions) -> Result<ParsedEvidence, EvidenceError> {
        item.flatMap { EvidenceSources.load($0) }.flatMap { input in
            Result { () throws(EvidenceError) in try EvidenceParser.parse(input, options: options) }
        }
    }
}

extension EvidenceKind: ExpressibleByArgument {}
