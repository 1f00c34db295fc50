import Evidence
import Foundation
import Testing
// ZIPFoundation comes with Evidence (the apply-record reader); the tests use it as an auditor's
// ZIP tool to take a bundle apart and put it back together around an altered member.
import ZIPFoundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The sample quarter ingested, two key pairs made and the quarter bundled — once per test run, by
/// the real binary. Every test works on its own copy (`BundleWorkspace`), so none can disturb another.
struct SampleBundle: Sendable {
    static let period = "2026-Q3"
    static let generatedAt = "2026-10-01T09:00:00Z"
    /// The sample quarter's verdicts (samples/README.md), which a verified bundle must reproduce.
    static let findings = "82 pass, 21 fail, 4 indeterminate, 1 waived"
    static var policy: String { CheckCommandTests.policy }
    static var samples: URL { CheckCommandTests.packageRoot.appendingPathComponent("samples/evidence") }
    static var templates: URL { CheckCommandTests.packageRoot.appendingPathComponent("templates") }

    /// A key pair as `drreport keygen` wrote it.
    struct KeyPair: Sendable {
        var privatePEM: Data
        var publicPEM: Data
        /// What keygen printed as `key id`.
        var keyID: String
    }

    /// The store file right after `ingest samples/evidence` (no WAL left: ingest closes the store).
    var store: Data
    /// The key the bundle is signed with.
    var signer: KeyPair
    /// Another key pair, for wrong-key and re-signing tests.
    var other: KeyPair
    /// The bundle of the sample quarter.
    var bundle: Data
    /// What `drreport bundle` printed.
    var bundleRun: ProcessResult

    private static let shared = Task { try await make() }

    /// The shared sample bundle, made on first use.
    static func get() async throws -> SampleBundle { try await shared.value }

    private static func make() async throws -> SampleBundle {
        let scratch = try Scratch("SampleBundle")
        defer { scratch.remove() }
        let ingest = try await DRReportBinary.run(["ingest"] + scratch.storeArguments + [samples.path], in: scratch.url)
        guard ingest.status == 0, ingest.stdoutLines.last == "37 new, 0 duplicate, 0 rejected" else {
            throw HarnessError("ingesting the samples failed: \(ingest)")
        }
        guard !FileManager.default.fileExists(atPath: scratch.store.path + "-wal") else {
            throw HarnessError("ingest left a WAL file; copying the store file alone would lose data")
        }
        let store = try Data(contentsOf: scratch.store)
        let signer = try await keygen("signer", in: scratch)
        let other = try await keygen("other", in: scratch)
        let bundled = try await DRReportBinary.run(
            bundleArguments(store: scratch.store, key: scratch.path("signer.key"), output: scratch.path("bundle.zip")),
            in: scratch.url)
        guard bundled.status == 0 else { throw HarnessError("bundling the sample quarter failed: \(bundled)") }
        return SampleBundle(
            store: store, signer: signer, other: other, bundle: try Data(contentsOf: scratch.path("bundle.zip")),
            bundleRun: bundled)
    }

    /// `drreport keygen --output NAME` in `scratch`, read back.
    static func keygen(_ name: String, in scratch: Scratch) async throws -> KeyPair {
        let result = try await DRReportBinary.run(["keygen", "--output", name], in: scratch.url)
        let prefix = "key id       "
        guard result.status == 0, let line = result.stdoutLines.last, line.hasPrefix(prefix + "sha256:") else {
            throw HarnessError("keygen failed: \(result)")
        }
        return KeyPair(
            privatePEM: try Data(contentsOf: scratch.path(name + ".key")),
            publicPEM: try Data(contentsOf: scratch.path(name + ".pub")), keyID: String(line.dropFirst(prefix.count)))
    }

    /// `drreport bundle` of the sample quarter.
    static func bundleArguments(store: URL, key: URL, output: URL) -> [String] {
        [
            "bundle", "--store", store.path, "--config", policy, "--period", period, "--key", key.path, "--output",
            output.path, "--generated-at", generatedAt,
        ]
    }

    /// `drreport report` of a period.
    static func reportArguments(store: URL, output: URL, period: String = period) -> [String] {
        [
            "report", "--store", store.path, "--config", policy, "--period", period, "--output", output.path,
            "--generated-at", generatedAt,
        ]
    }
}

/// One test's copy of the sample bundle: `bundle.zip`, `signer.key/.pub`, `other.key/.pub` and the
/// sample store `evidence.db`, in a scratch folder of its own.
struct BundleWorkspace {
    let scratch: Scratch
    let sample: SampleBundle

    static func make(_ name: String = #function) async throws -> BundleWorkspace {
        let sample = try await SampleBundle.get()
        let scratch = try Scratch(name)
        try scratch.write("bundle.zip", sample.bundle)
        try scratch.write("evidence.db", sample.store)
        for (name, pair) in [("signer", sample.signer), ("other", sample.other)] {
            try scratch.write(name + ".key", pair.privatePEM)
            try scratch.write(name + ".pub", pair.publicPEM)
        }
        return BundleWorkspace(scratch: scratch, sample: sample)
    }

    var bundle: URL { scratch.path("bundle.zip") }
    var signerPublic: URL { scratch.path("signer.pub") }
    var otherPublic: URL { scratch.path("other.pub") }

    /// The sample bundle's members, in archive order.
    func members() throws -> [BundleZip.Member] { try BundleZip.members(of: bundle) }

    /// The sample bundle's manifest.
    func manifest() throws -> BundleManifestView {
        try BundleManifestView.decode(try BundleZip.member("manifest.json", of: bundle))
    }

    /// Writes an archive of `members` as `name` and returns it.
    func write(_ members: [BundleZip.Member], as name: String) throws -> URL {
        let url = scratch.path(name)
        try BundleZip.write(members, to: url)
        return url
    }

    /// `drreport verify BUNDLE [--key PUB]`, run from the scratch folder.
    func verify(_ bundle: URL, key: URL?) async throws -> ProcessResult {
        try await DRReportBinary.run(
            ["verify", bundle.path] + (key.map { ["--key", $0.path] } ?? []), in: scratch.url)
    }

    func remove() { scratch.remove() }
}

/// `manifest.json` as an auditor reads it: decoded here from the documented fields, not with drreport's types.
struct BundleManifestView: Decodable {
    struct File: Decodable, Equatable {
        var path: String
        var size: Int
        var sha256: String
    }

    struct Entry: Decodable {
        var seq: Int
        var evidence: String
        var kind: String
        var source: String
        var ingested_at: String
        var records: String
        var prev: String
        var hash: String
        var included: Bool

        /// The evidence id without `sha256:`: its folder in the bundle is `evidence/<hex>/`.
        var hex: String { String(evidence.dropFirst("sha256:".count)) }
    }

    var format: String
    var period: String
    var tool_version: String
    var generated_at: String
    var config: File
    var ledger_head: String?
    var ledger: [Entry]
    var files: [File]

    static func decode(_ data: Data) throws -> BundleManifestView {
        try JSONDecoder().decode(BundleManifestView.self, from: data)
    }

    /// The bundled files of an evidence item.
    func files(of entry: Entry) -> [File] { files.filter { $0.path.hasPrefix("evidence/\(entry.hex)/") } }

    /// The first included evidence item of `kind` that has a file whose name ends with `suffix`, and that file.
    func evidenceFile(kind: String, suffix: String) throws -> (entry: Entry, file: File) {
        for entry in ledger where entry.kind == kind && entry.included {
            if let file = files(of: entry).first(where: { $0.path.hasSuffix(suffix) }) { return (entry, file) }
        }
        throw HarnessError("the bundle has no \(kind) evidence with a file ending in \(suffix)")
    }
}

/// A ZIP archive taken apart into its members and written back, with ZIPFoundation: what an attacker
/// with an ordinary ZIP tool can do to a bundle. CRCs are always recomputed, so a verification
/// failure is about the content, never a ZIP checksum.
enum BundleZip {
    struct Member {
        var path: String
        var data: Data
        var type: Entry.EntryType = .file
    }

    /// Every member with its inflated bytes, in archive order.
    static func members(of url: URL) throws -> [Member] {
        let archive = try Archive(url: url, accessMode: .read)
        var members: [Member] = []
        for entry in archive {
            var data = Data()
            _ = try archive.extract(entry, skipCRC32: false) { data.append($0) }
            members.append(Member(path: entry.path, data: data, type: entry.type))
        }
        return members
    }

    /// One member's bytes.
    static func member(_ path: String, of url: URL) throws -> Data {
        guard let member = try members(of: url).first(where: { $0.path == path }) else {
            throw HarnessError("\(url.lastPathComponent) has no member \(path)")
        }
        return member.data
    }

    /// Writes `members` in order as a new archive (deflated; a symlink member's data is its target).
    static func write(_ members: [Member], to url: URL) throws {
        try? FileManager.default.removeItem(at: url)
        let archive = try Archive(url: url, accessMode: .create)
        for member in members {
            let data = member.data
            try archive.addEntry(
                with: member.path, type: member.type, uncompressedSize: Int64(data.count),
                compressionMethod: member.type == .file ? .deflate : .none
            ) { position, size in
                data.subdata(in: Int(position)..<Int(position) + size)
            }
        }
    }

    /// `members` with the one at `path` changed by `change`; fails the test when there is no such member.
    static func replacing(_ path: String, in members: [Member], _ change: (Data) throws -> Data) throws -> [Member] {
        guard let index = members.firstIndex(where: { $0.path == path }) else {
            throw HarnessError("no member \(path) to alter")
        }
        var members = members
        members[index].data = try change(members[index].data)
        return members
    }
}

extension Data {
    /// The same bytes with the lowest bit of the byte at `offset` flipped.
    func flippingBit(at offset: Int) -> Data {
        var copy = self
        copy[copy.startIndex + offset] ^= 0x01
        return copy
    }

    /// The same bytes with the first occurrence of `old` replaced by `new`; fails when `old` is absent.
    func replacingFirst(_ old: String, with new: String) throws -> Data {
        guard let range = range(of: Data(old.utf8)) else { throw HarnessError("'\(old)' not found") }
        var copy = self
        copy.replaceSubrange(range, with: Data(new.utf8))
        return copy
    }
}

/// Rewriting `manifest.json` as an attacker would: parsed as plain JSON, changed, written back with
/// sorted keys. The signature no longer holds unless the attacker also re-signs (`BundleSigning`).
struct ManifestJSON {
    var object: [String: Any]

    init(_ data: Data) throws {
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw HarnessError("manifest.json is not a JSON object")
        }
        self.object = object
    }

    var files: [[String: Any]] {
        get { object["files"] as? [[String: Any]] ?? [] }
        set { object["files"] = newValue }
    }

    var ledger: [[String: Any]] {
        get { object["ledger"] as? [[String: Any]] ?? [] }
        set { object["ledger"] = newValue }
    }

    /// Records a file's new bytes (size and hash) under `path`, optionally moving it to `newPath`.
    mutating func update(_ path: String, to data: Data, movingTo newPath: String? = nil) throws {
        guard let index = files.firstIndex(where: { $0["path"] as? String == path }) else {
            throw HarnessError("the manifest does not list \(path)")
        }
        files[index]["path"] = newPath ?? path
        files[index]["size"] = data.count
        files[index]["sha256"] = ContentHash.of(data).description
        files.sort { ($0["path"] as? String ?? "").utf8.lexicographicallyPrecedes(($1["path"] as? String ?? "").utf8) }
    }

    func encoded() throws -> Data {
        try JSONSerialization.data(
            withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            + Data("\n".utf8)
    }
}

/// External programs an auditor has (openssl, python3, sha256sum, xmllint), found on PATH. They are
/// required: a missing one fails the test that needs it, never skips it.
enum ExternalTool {
    static func find(_ name: String) -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        return path.split(separator: ":").map { URL(fileURLWithPath: String($0)).appendingPathComponent(name) }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    /// Runs a tool to completion; its exit status is the caller's to check.
    static func run(_ name: String, _ arguments: [String], in directory: URL, timeout: Double = 60) async throws
        -> ProcessResult
    {
        guard let url = find(name) else { throw HarnessError("\(name) is not installed; this test needs it on PATH") }
        let child = try ChildProcess(
            executable: url, arguments: arguments, environment: DRReportBinary.environment(), directory: directory)
        let result = await child.wait(timeout: timeout)
        if result.timedOut { throw HarnessError("\(name) \(arguments.joined(separator: " ")) timed out") }
        return result
    }
}

/// Signing a manifest with OpenSSL, as a forger holding some Ed25519 key would, and the `signature`
/// member naming that key.
enum BundleSigning {
    static func signatureMember(
        for manifest: Data, key: SampleBundle.KeyPair, claimingKeyID: String? = nil, in scratch: Scratch
    ) async throws -> Data {
        let folder = scratch.path("signing-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        try manifest.write(to: folder.appendingPathComponent("manifest.json"))
        try key.privatePEM.write(to: folder.appendingPathComponent("forger.key"))
        let signed = try await ExternalTool.run(
            "openssl",
            ["pkeyutl", "-sign", "-inkey", "forger.key", "-rawin", "-in", "manifest.json", "-out", "sig.bin"],
            in: folder)
        guard signed.status == 0 else { throw HarnessError("openssl could not sign: \(signed)") }
        let signature = try Data(contentsOf: folder.appendingPathComponent("sig.bin"))
        let member: [String: Any] = [
            "algorithm": "ed25519", "key_id": claimingKeyID ?? key.keyID,
            "public_key": String(decoding: key.publicPEM, as: UTF8.self), "signature": signature.base64EncodedString(),
        ]
        return try JSONSerialization.data(
            withJSONObject: member, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }
}

/// What `drreport verify` must print when a bundle was tampered with: exit 3, the title, and as the last
/// line exactly one failed step naming what differs.
func expectTampered(
    _ result: ProcessResult, step: String, detail: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(result.status == 3, "\(result)", sourceLocation: sourceLocation)
    #expect(
        result.stdoutLines.first == "drreport verify — INTEGRITY FAILURE", "\(result)", sourceLocation: sourceLocation)
    let expected = "FAIL " + step.padding(toLength: 10, withPad: " ", startingAt: 0) + " " + detail
    #expect(result.stdoutLines.last == expected, "\(result)", sourceLocation: sourceLocation)
    #expect(result.stdoutLines.filter { $0.hasPrefix("FAIL ") }.count == 1, "\(result)", sourceLocation: sourceLocation)
    #expect(!result.stdout.contains("verified with drreport"), sourceLocation: sourceLocation)
    #expect(result.stderr.isEmpty, "\(result.stderr)", sourceLocation: sourceLocation)
}

/// The largest resident set of any child process this test process has waited for, in bytes: the
/// bound that shows a child never inflated an archive bomb in memory.
func largestChildResidentBytes() -> Int {
    var usage = rusage()
    #if os(Linux)
        getrusage(__rusage_who_t(RUSAGE_CHILDREN.rawValue), &usage)
        return usage.ru_maxrss * 1024
    #else
        getrusage(RUSAGE_CHILDREN, &usage)
        return usage.ru_maxrss
    #endif
}
