import Crypto
import Evidence
import Foundation

/// Verifies an evidence bundle offline, trusting nothing but the auditor's copy of the public key
/// (DESIGN §8). In order, and stopping at the first failure: archive safety; the signature and key
/// id; every listed file's size and hash, and no unlisted file; the ledger chain; then the rules are
/// run again on the bundled evidence and policy, and `report.xml` must come out byte for byte.
public enum BundleVerifier {
    /// The outcome, in the three kinds the exit codes distinguish.
    public enum Outcome: String, Sendable {
        /// Everything verified.
        case intact
        /// Something was altered, removed, added, or signed by another key.
        case tampered
        /// The file is not a drreport bundle at all.
        case notABundle
    }

    /// One step of the verification, as the verdict reports it.
    public struct Step: Sendable, Hashable {
        /// What was checked.
        public var name: String
        /// Whether it held.
        public var passed: Bool
        /// What was found.
        public var detail: String
    }

    /// The verdict an auditor pastes into working papers.
    public struct Verdict: Sendable {
        public var outcome: Outcome
        public var steps: [Step]
        public var manifestHash: ContentHash?
        public var keyID: ContentHash?
        /// Whether the signing key was checked against a key the auditor supplied.
        public var keyChecked: Bool
        public var period: String?
        public var files = 0
        public var bytes = 0
        public var ledgerEntries = 0
        public var evidence = 0
        public var findings: ReportModel.Counts?

        /// The first failed step, if any.
        public var failure: Step? { steps.first { !$0.passed } }
    }

    /// How to rebuild `report.xml` from a model and check a report's own Integrity element; the
    /// caller supplies the renderer drreport uses for `report`.
    public struct Reproduction {
        /// The report and the SHA-256 of its bytes.
        public var renderXML: (ReportModel) throws(ReportsError) -> (document: Data, sha256: ContentHash)
        public var integrityHolds: (Data) throws(ReportsError) -> Bool

        public init(
            renderXML: @escaping (ReportModel) throws(ReportsError) -> (document: Data, sha256: ContentHash),
            integrityHolds: @escaping (Data) throws(ReportsError) -> Bool
        ) {
            self.renderXML = renderXML
            self.integrityHolds = integrityHolds
        }
    }

    /// Verifies the bundle at `url`. `workDirectory` is a temporary folder for the rebuilt store.
    public static func verify(
        _ url: URL, trustedKey: Curve25519.Signing.PublicKey?, workDirectory: URL, limits: BundleArchive.Limits = .standard,
        reproduction: Reproduction
    ) async -> Verdict {
        var verdict = Verdict(outcome: .intact, steps: [], keyChecked: trustedKey != nil)
        func fail(_ name: String, _ detail: String, outcome: Outcome = .tampered) -> Verdict {
            verdict.steps.append(Step(name: name, passed: false, detail: detail))
            verdict.outcome = outcome
            return verdict
        }
        func pass(_ name: String, _ detail: String) {
            verdict.steps.append(Step(name: name, passed: true, detail: detail))
        }

        // 1. The archive itself.
        let archive: BundleArchive
        do {
            archive = try BundleArchive(url: url, limits: limits)
        } catch .notAnArchive(let message) {
            return fail("archive", message, outcome: .notABundle)
        } catch {
            return fail("archive", error.description)
        }
        pass("archive", "\(archive.paths.count) members, all regular files with safe paths, within size limits")

        guard archive.contains("manifest.json") else {
            let looksLikeBundle = archive.contains("signature") || archive.paths.contains { $0.hasPrefix("evidence/") }
            return fail("manifest", "manifest.json is missing", outcome: looksLikeBundle ? .tampered : .notABundle)
        }
        let manifestBytes: Data
        let signatureBytes: Data
        do {
            manifestBytes = try archive.data("manifest.json")
            guard archive.contains("signature") else { return fail("signature", "the signature member is missing") }
            signatureBytes = try archive.data("signature")
        } catch {
            return fail("archive", error.description)
        }
        verdict.manifestHash = ContentHash.of(manifestBytes)

        // 2. The signature, before anything the manifest says is believed.
        guard let signature = try? JSONDecoder().decode(BundleSignature.self, from: signatureBytes), signature.algorithm == "ed25519",
            let signatureValue = Data(base64Encoded: signature.signature)
        else { return fail("signature", "the signature member is not an Ed25519 bundle signature") }
        let signer: Curve25519.Signing.PublicKey
        do {
            signer = try SigningKey.publicKey(pem: signature.publicKey, source: "signature")
        } catch {
            return fail("signature", "the signer's public key cannot be read: \(error.message)")
        }
        verdict.keyID = SigningKey.keyID(signer)
        guard SigningKey.keyID(signer) == signature.keyID else {
            return fail("signature", "the key id \(signature.keyID) does not match the public key it names")
        }
        if let trustedKey, SigningKey.keyID(trustedKey) != signature.keyID {
            return fail("signature", "signed with key \(signature.keyID), not with the trusted key \(SigningKey.keyID(trustedKey))")
        }
        guard signer.isValidSignature(signatureValue, for: manifestBytes) else {
            return fail("signature", "the Ed25519 signature does not match manifest.json (the manifest was altered or re-signed)")
        }
        pass("signature", "Ed25519 signature over manifest.json valid; key id \(signature.keyID)"
            + (trustedKey == nil ? " (not checked against a trusted key: pass --key)" : " matches the trusted key"))

        // 3. The files the manifest lists, and nothing else.
        let manifest: BundleManifest
        do {
            manifest = try BundleManifest.decode(manifestBytes)
        } catch {
            return fail("manifest", error.message)
        }
        guard manifest.format == BundleManifest.currentFormat else {
            return fail("manifest", "bundle format '\(manifest.format)' is not one this drreport reads (\(BundleManifest.currentFormat))", outcome: .notABundle)
        }
        verdict.period = manifest.period
        // The files are hashed as they inflate, and none is held whole but the policy; the bundled report.xml
        // (~125 MB in a bank's quarter) is afterwards known by the hash checked. The files of the evidence the
        // rules are re-run on (~200 MB in a bank's quarter) are inflated and hashed once, as they are replayed
        // (see `replay`), the others (the reports, ~215 MB) meanwhile, on the cores the replay leaves idle.
        // Here the evidence files' presence and declared sizes are checked. Failures are reported as the steps
        // come, in order: a file that differs from the manifest first, however late it was found.
        var reportsFound: Set<String> = []
        var evidenceFiles: [Substring: [BundleManifest.File]] = [:]
        let listed = Set(manifest.files.map(\.path))
        guard listed.count == manifest.files.count else { return fail("files", "the manifest lists a path twice") }
        let entries = manifest.ledger.map(\.ledgerEntry)
        let ledgerProblem = Self.ledgerProblem(entries, head: manifest.ledgerHead)
        let included = manifest.ledger.filter(\.included)
        let deferred = ledgerProblem == nil ? Self.evidencePaths(of: included, among: listed) : []
        var absent: (position: Int, rejection: Rejection)?
        for (position, file) in manifest.files.enumerated() {
            if file.path.hasPrefix("evidence/"), let slash = file.path.dropFirst("evidence/".count).firstIndex(of: "/") {
                evidenceFiles[file.path[file.path.startIndex..<slash], default: []].append(file)
            } else if BundleWriter.reportPaths.contains(file.path) {
                reportsFound.insert(file.path)
            }
            verdict.bytes += file.size
            if absent == nil, deferred.contains(file.path), case .failure(let rejection) = present(file, in: archive) {
                absent = (position, rejection)
            }
        }
        let hashing = Task { [files = manifest.files] in
            await Self.hash(files, skipping: deferred, in: archive)
        }
        /// The first file, in the manifest's order, that is missing or differs from the manifest, once the
        /// hashing is done; and the policy's bytes.
        func hashed() async -> (failure: Rejection?, policy: Data?) {
            let hashed = await hashing.value
            let first = [hashed.failure, absent].compactMap { $0 }.min { $0.position < $1.position }
            return (first?.rejection, hashed.policy)
        }
        var structure: String?
        if let added = archive.paths.first(where: { !listed.contains($0) && $0 != "manifest.json" && $0 != "signature" }) {
            structure = "\(added) is in the archive but not in the manifest (an added member)"
        } else if manifest.config.path != BundleWriter.configPath || !listed.contains(manifest.config.path)
            || !manifest.files.contains(manifest.config)
        {
            structure = "the manifest's config entry does not match its file list"
        } else if let missing = BundleWriter.reportPaths.first(where: { !reportsFound.contains($0) }) {
            structure = "\(missing) is missing"
        }
        verdict.files = manifest.files.count
        let filesChecked = "\(manifest.files.count) files, \(verdict.bytes) bytes: sizes and SHA-256 as listed, no file missing or added"

        // 4. The ledger chain, whole, and the included evidence's files.
        if let structure {
            if let failure = await hashed().failure { return fail(failure.step, failure.detail) }
            return fail("files", structure)
        }
        if let ledgerProblem {
            if let failure = await hashed().failure { return fail(failure.step, failure.detail) }
            pass("files", filesChecked)
            return fail("ledger", ledgerProblem)
        }
        verdict.ledgerEntries = entries.count
        verdict.evidence = included.count
        let ledgerChecked =
            "\(entries.count) entries chain from the first to the head \(manifest.ledgerHead?.description ?? "(empty)"); \(included.count) evidence items included"

        // 5. The rules again, on the bundled evidence and policy. The entries are read and parsed ahead on
        // every core while the ones before them are stored in ledger order, a batch per transaction. The
        // files and ledger steps are reported once the replay has checked the last evidence file's hash.
        let store: SQLiteEvidenceStore
        do {
            try FileManager.default.createDirectory(at: workDirectory, withIntermediateDirectories: true)
            store = try SQLiteEvidenceStore(path: workDirectory.appendingPathComponent("bundle.db").path, create: true, scratch: true)
        } catch {
            if let failure = await hashed().failure { return fail(failure.step, failure.detail) }
            pass("files", filesChecked)
            pass("ledger", ledgerChecked)
            return fail("rules", "cannot create a working store: \(error)")
        }
        var replayed = AheadWindow(count: included.count) { [evidenceFiles] index in
            let entry = included[index]
            return replay(entry, files: evidenceFiles["evidence/\(entry.evidence.hex)"[...]] ?? [], from: archive)
        }
        var storing = ReplayStorage(store: store, entries: included)
        var rejection: Rejection?
        var position = 0
        while rejection == nil, let result = await replayed.next() {
            switch result {
            case .success(let prepared):
                if let failure = await storing.add(prepared) { rejection = Rejection(step: "evidence", detail: failure) }
            case .failure(let rejected):
                await storing.abandon()
                rejection = rejected
            }
            position += 1
        }
        if rejection == nil, let failure = await storing.finish() { rejection = Rejection(step: "evidence", detail: failure) }
        let (hashFailure, policyBytes) = await hashed()
        if let hashFailure {
            await storing.abandon()
            return fail(hashFailure.step, hashFailure.detail)
        }
        if var rejection {
            // What the steps in order would have found first: a file that differs from the manifest, among
            // the evidence files the replay did not reach, fails the files step before any evidence does.
            if rejection.step != "files", let differing = await Self.hash(
                included[position...].flatMap { evidenceFiles["evidence/\($0.evidence.hex)"[...]] ?? [] }, skipping: [], in: archive
            ).failure {
                rejection = differing.rejection
            }
            guard rejection.step != "files" else { return fail(rejection.step, rejection.detail) }
            pass("files", filesChecked)
            pass("ledger", ledgerChecked)
            return fail(rejection.step, rejection.detail)
        }
        pass("files", filesChecked)
        pass("ledger", ledgerChecked)
        // What the replay freed on the parsing threads goes back to the system before the rules run, and
        // what the rules freed before the report is rendered, as `report` does.
        HeapTrim.now()
        guard let policyBytes else { return fail("files", "drreport.yaml is missing") }
        let xml: (document: Data, sha256: ContentHash)
        do {
            let policy = try Policy.load(yaml: String(decoding: policyBytes, as: UTF8.self), source: "bundle:drreport.yaml")
            let period = try Period(parsing: manifest.period, timeZone: policy.timeZone)
            guard case .success(let generatedAt) = Timestamp.parseRFC3339(manifest.generatedAt) else {
                return fail("rules", "the manifest's generated_at '\(manifest.generatedAt)' is not a timestamp")
            }
            let integrity = IntegrityReport(
                entries: entries.count, evidence: included.count, blobs: 0, bytes: 0, head: manifest.ledgerHead, problems: [])
            let model = try await ReportModel.build(
                store: store, policy: policy, policyBytes: policyBytes, period: period, generatedAt: generatedAt,
                toolVersion: manifest.toolVersion, ledger: entries, integrity: integrity)
            verdict.findings = model.totals
            HeapTrim.now()
            xml = try reproduction.renderXML(model)
        } catch let error as ReportsError {
            return fail("rules", error.description)
        } catch {
            return fail("rules", "\(error)")
        }
        guard let listedReport = manifest.files.first(where: { $0.path == reportPath }) else {
            return fail("files", "report.xml is missing")
        }
        // The bundled report's bytes are those of the hash the manifest lists (checked above). When the
        // re-run writes the same bytes, the bundled report's own Integrity element holds, because the
        // re-run's was computed from its content; only a report that differs is read again, to tell a
        // report altered after it was sealed from one the rules no longer reproduce.
        guard xml.document.count == listedReport.size, xml.sha256 == listedReport.sha256 else {
            let bundled: Data
            do {
                bundled = try archive.data(reportPath)
            } catch {
                return fail("files", error.description)
            }
            do {
                guard try reproduction.integrityHolds(bundled) else {
                    return fail("report", "report.xml's own Integrity hash does not match its content")
                }
            } catch {
                return fail("report", "report.xml cannot be read: \(error.message)")
            }
            return fail("report", "report.xml is not reproduced from the bundled evidence and policy: " + firstDifference(bundled, xml.document))
        }
        let counts = verdict.findings.map { "\($0.pass) pass, \($0.fail) fail, \($0.indeterminate) indeterminate, \($0.waived) waived" } ?? ""
        pass("report", "the rules re-run on \(included.count) evidence items reproduce report.xml byte for byte (\(counts))")
        return verdict
    }

    /// Stores the replayed ledger entries in the scratch store in batches, one transaction each, while the
    /// entries after them are parsed: a commit per entry rewrote the tables' upper pages 3,000 times in a
    /// bank's quarter. One batch is written at a time, in ledger order, and the next is gathered meanwhile.
    struct ReplayStorage {
        /// A batch is written once it holds this many rows or entries (a bank's state has ~2,500 rows).
        static let batchRows = 16_384
        static let batchEntries = 256

        let store: SQLiteEvidenceStore
        /// The ledger entries being replayed, in order, for messages.
        let entries: [BundleManifest.Entry]
        private var batch: [PreparedEvidence] = []
        private var rows = 0
        /// The position in `entries` of the batch's first piece.
        private var first = 0
        /// The batch being written: what went wrong, if anything.
        private var writing: Task<String?, Never>?

        init(store: SQLiteEvidenceStore, entries: [BundleManifest.Entry]) {
            self.store = store
            self.entries = entries
        }

        /// Adds the next entry's evidence; writes the batch once it is full. Returns why an earlier batch
        /// could not be stored.
        mutating func add(_ prepared: PreparedEvidence) async -> String? {
            batch.append(prepared)
            rows += prepared.rowCount
            guard rows >= Self.batchRows || batch.count >= Self.batchEntries else { return nil }
            return await write()
        }

        /// Writes what is gathered and waits for every batch to be stored.
        mutating func finish() async -> String? {
            if let failure = await write() { return failure }
            let failure = await writing?.value
            writing = nil
            return failure
        }

        /// Waits for the batch being written and drops the gathered one (the verdict is already known).
        mutating func abandon() async {
            _ = await writing?.value
            writing = nil
            batch = []
        }

        /// Waits for the batch being written, then starts writing the gathered one.
        private mutating func write() async -> String? {
            if let failure = await writing?.value { return failure }
            writing = nil
            guard !batch.isEmpty else { return nil }
            let pieces = batch
            let start = first
            let store = store
            let entries = entries
            first += pieces.count
            batch = []
            rows = 0
            writing = Task {
                do throws(BatchStoreError) {
                    _ = try await store.store(batch: pieces)
                    return nil
                } catch {
                    let which = error.index.map { "ledger entry \(entries[start + $0].seq)" }
                        ?? "ledger entries \(entries[start].seq) to \(entries[start + pieces.count - 1].seq)"
                    return "\(which) cannot be stored again: \(error.error.message)"
                }
            }
            return nil
        }
    }

    /// The report the rules must reproduce byte for byte.
    static let reportPath = ReportSet.File.xml.name

    /// Why a bundled evidence item cannot be replayed: the step that fails, and what was found.
    struct Rejection: Error, Sendable {
        var step: String
        var detail: String
    }

    /// How many files are checked ahead of the one being judged: nothing of them is held but a digest.
    static let filesWindow = 64

    /// Checks a listed file against the archive: present, of the listed size and SHA-256. The policy's
    /// bytes are kept; the rest are only hashed.
    static func check(_ file: BundleManifest.File, in archive: BundleArchive) -> Result<Data?, Rejection> {
        guard archive.contains(file.path) else {
            return .failure(Rejection(step: "files", detail: "\(file.path) is listed but missing from the archive"))
        }
        // The policy is kept; the rest are hashed as they inflate, and nothing of them is held.
        let kept: Data?
        let size: Int
        let hash: ContentHash
        do {
            if file.path == BundleWriter.configPath {
                let data = try archive.data(file.path)
                (kept, size, hash) = (data, data.count, ContentHash.of(data))
            } else {
                let digest = try archive.digest(file.path)
                (kept, size, hash) = (nil, Int(digest.size), digest.sha256)
            }
        } catch {
            return .failure(Rejection(step: "files", detail: error.description))
        }
        if let rejection = judge(file, size: size, hash: hash) { return .failure(rejection) }
        return .success(kept)
    }

    /// Hashes the listed files but `skipped` in the manifest's order, a window of them at a time: the first
    /// that is missing or differs from the manifest, with its position in the list, and the policy's bytes.
    static func hash(
        _ files: [BundleManifest.File], skipping skipped: Set<String>, in archive: BundleArchive
    ) async -> (failure: (position: Int, rejection: Rejection)?, policy: Data?) {
        let positions = files.indices.filter { !skipped.contains(files[$0].path) }
        var checked = AheadWindow(count: positions.count, window: filesWindow) { index in
            check(files[positions[index]], in: archive)
        }
        var policy: Data?
        for position in positions {
            switch await checked.next() {
            case .success(let kept)?: if files[position].path == BundleWriter.configPath { policy = kept }
            case .failure(let rejection)?: return ((position, rejection), policy)
            case nil: return ((position, Rejection(step: "files", detail: "\(files[position].path) was not checked")), policy)
            }
        }
        return (nil, policy)
    }

    /// What is wrong with the ledger chain the manifest lists, if anything.
    static func ledgerProblem(_ entries: [LedgerEntry], head: ContentHash?) -> String? {
        if let problem = LedgerChain.problems(in: entries).first { return problem.description }
        guard entries.last?.hash == head else {
            return "the chain ends at \(entries.last?.hash.description ?? "nothing"), not at the stated head \(head?.description ?? "none")"
        }
        return nil
    }

    /// The listed paths of the included evidence's files, which the replay inflates and hashes.
    static func evidencePaths(of included: [BundleManifest.Entry], among listed: Set<String>) -> Set<String> {
        let folders = Set(included.map { "evidence/\($0.evidence.hex)/" })
        return listed.filter { path in
            guard path.hasPrefix("evidence/"), let slash = path.dropFirst("evidence/".count).firstIndex(of: "/") else { return false }
            return folders.contains(String(path[...slash]))
        }
    }

    /// Checks that a listed file is in the archive with the listed size, as its entry declares it; its
    /// bytes are hashed when its evidence is replayed.
    static func present(_ file: BundleManifest.File, in archive: BundleArchive) -> Result<Data?, Rejection> {
        guard let size = archive.declaredSize(file.path) else {
            return .failure(Rejection(step: "files", detail: "\(file.path) is listed but missing from the archive"))
        }
        if let rejection = judge(file, size: size, hash: nil) { return .failure(rejection) }
        return .success(nil)
    }

    /// Whether bytes inflated from the archive are those a listed file names (their size, and their hash
    /// when it is known): the files step's verdict.
    static func judge(_ file: BundleManifest.File, size: Int, hash: ContentHash?) -> Rejection? {
        guard size == file.size else {
            return Rejection(step: "files", detail: "\(file.path) is \(size) bytes; the manifest says \(file.size)")
        }
        if let hash, hash != file.sha256 {
            return Rejection(step: "files", detail: "\(file.path) hashes to \(hash), not to \(file.sha256) as the manifest says")
        }
        return nil
    }


    /// Reads a bundled evidence item's files again (they must still be the bytes the manifest lists),
    /// parses them and checks that they give the evidence and the records the ledger entry names. The
    /// result carries the entry's source and ingestion time, ready to be stored.
    static func replay(
        _ entry: BundleManifest.Entry, files listed: [BundleManifest.File], from archive: BundleArchive
    ) -> Result<PreparedEvidence, Rejection> {
        let prefix = "evidence/\(entry.evidence.hex)/"
        var files: [String: Data] = [:]
        var hashes: [String: ContentHash] = [:]
        for file in listed {
            let data: Data
            do {
                data = try archive.data(file.path)
            } catch {
                return .failure(Rejection(step: "files", detail: error.description))
            }
            let hash = ContentHash.of(data)
            if let rejection = judge(file, size: data.count, hash: hash) { return .failure(rejection) }
            let name = String(file.path.dropFirst(prefix.count))
            files[name] = data
            hashes[name] = hash
        }
        guard !files.isEmpty else {
            return .failure(Rejection(step: "evidence", detail: "the files of ledger entry \(entry.seq) (\(entry.evidence)) are not in the bundle"))
        }
        var parsed: ParsedEvidence
        do {
            parsed = try reparse(files, hashes: hashes, entry: entry)
        } catch {
            return .failure(Rejection(step: "evidence", detail: "ledger entry \(entry.seq) (\(entry.evidence)): \(error.description)"))
        }
        guard parsed.id == entry.evidence else {
            return .failure(Rejection(
                step: "evidence", detail: "the files of ledger entry \(entry.seq) give the identity \(parsed.id), not \(entry.evidence)"))
        }
        parsed.source = entry.source
        let prepared = PreparedEvidence(parsed, ingestedAt: entry.ledgerEntry.ingestedInstant ?? Instant(nanosecondsSinceEpoch: 0))
        guard prepared.records == entry.records else {
            return .failure(Rejection(
                step: "evidence",
                detail: "the files of ledger entry \(entry.seq) parse to records \(prepared.records.short)…, not \(entry.records.short)… as the ledger says"))
        }
        return .success(prepared)
    }

    /// Parses a bundled evidence item again from its files, whose hashes were just computed.
    static func reparse(
        _ files: [String: Data], hashes: [String: ContentHash], entry: BundleManifest.Entry
    ) throws(EvidenceError) -> ParsedEvidence {
        switch entry.kind {
        case .apply:
            var input = EvidenceInput(source: entry.source, files: files)
            input.hashes = hashes
            return try EvidenceParser.parse(input)
        case .state:
            guard let state = files[ApplyRecordParser.Member.state], let binding = files["binding.json"] else {
                throw EvidenceError(.missingField, source: entry.source, "a bound state needs state.json and binding.json")
            }
            let fields: JSONValue
            do {
                fields = try JSONReader.read(binding)
            } catch {
                throw EvidenceError(syntax: error, source: entry.source + "/binding.json")
            }
            var options = ParseOptions(kind: .state, workspace: fields["workspace"]?.stringValue, region: fields["region"]?.stringValue)
            if let asOf = fields["as_of"]?.stringValue, case .success(let instant) = Timestamp.parseRFC3339(asOf) { options.asOf = instant }
            var input = EvidenceInput(source: entry.source, name: ApplyRecordParser.Member.state, bytes: state)
            input.hashes = hashes
            return try EvidenceParser.parse(input, options: options)
        default:
            guard files.count == 1, let (name, bytes) = files.first else {
                throw EvidenceError(.invalidArchive, source: entry.source, "expected exactly one file for \(entry.kind.rawValue) evidence")
            }
            var input = EvidenceInput(source: entry.source, name: name, bytes: bytes)
            input.hashes = hashes
            return try EvidenceParser.parse(input, options: ParseOptions(kind: entry.kind))
        }
    }

    /// Where two documents first differ, as line number and both lines.
    static func firstDifference(_ expected: Data, _ actual: Data) -> String {
        let left = String(decoding: expected, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let right = String(decoding: actual, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(left.count, right.count) {
            let a = index < left.count ? String(left[index]) : "(end)"
            let b = index < right.count ? String(right[index]) : "(end)"
            if a != b {
                return "line \(index + 1): bundled «\(a.trimmingCharacters(in: .whitespaces).prefix(160))», re-run «\(b.trimmingCharacters(in: .whitespaces).prefix(160))»"
            }
        }
        return "the documents differ"
    }
}
