import Crypto
import Evidence
import Foundation
import ZIPFoundation

/// Writes an evidence bundle (DESIGN §8): one ZIP archive holding `manifest.json`, `signature`, the
/// policy, the raw evidence files of the period under `evidence/<id>/<name>`, and the rendered
/// reports. Deterministic: members in path order, fixed timestamps and permissions, so the same
/// inputs give the same bytes. Written to a temporary file beside the target, then renamed.
public enum BundleWriter {
    /// The policy's path in a bundle.
    public static let configPath = "drreport.yaml"
    /// The reports' paths in a bundle.
    public static let reportPaths = ReportSet.File.allCases.map(\.name)

    /// What goes into a bundle besides the evidence.
    public struct Inputs {
        /// The period.
        public var period: Period
        /// drreport's version.
        public var toolVersion: String
        /// The reports' generation instant.
        public var generatedAt: Instant
        /// The policy file's bytes.
        public var policyBytes: Data
        /// `report.html`, `report.xml`, `oscal-ar.xml` by path, each rendered to a file beforehand.
        public var reports: [String: RenderedFile]
        /// The store's whole ledger.
        public var ledger: [LedgerEntry]
        /// The evidence to include.
        public var evidence: Set<ContentHash>

        /// Inputs.
        public init(
            period: Period, toolVersion: String, generatedAt: Instant, policyBytes: Data, reports: [String: RenderedFile],
            ledger: [LedgerEntry], evidence: Set<ContentHash>
        ) {
            self.period = period
            self.toolVersion = toolVersion
            self.generatedAt = generatedAt
            self.policyBytes = policyBytes
            self.reports = reports
            self.ledger = ledger
            self.evidence = evidence
        }
    }

    /// A report rendered to a file before the bundle is written: the bundle reads it from there, so
    /// a bank's 200 MB of reports are not held in memory while the evidence is added.
    public struct RenderedFile: Sendable {
        /// Where it is.
        public var url: URL
        /// Its size in bytes.
        public var size: Int
        /// The SHA-256 of its bytes.
        public var sha256: ContentHash

        /// Writes `data` to `url` and notes its size and hash.
        public init(writing data: Data, to url: URL) throws(ReportsError) {
            do {
                try data.write(to: url)
            } catch {
                throw ReportsError(.output, source: url.path, "cannot write the rendered report (\(FileOutput.reason(error)))")
            }
            self.url = url
            self.size = data.count
            self.sha256 = ContentHash.of(data)
        }
    }

    /// What was written.
    public struct Summary: Sendable {
        /// The SHA-256 of the manifest's bytes.
        public var manifestHash: ContentHash
        /// The signing key's id.
        public var keyID: ContentHash
        /// Files listed in the manifest.
        public var files: Int
        /// Evidence items included.
        public var evidence: Int
        /// Bytes of listed files.
        public var bytes: Int
    }

    /// Writes the bundle to `output`.
    public static func write(
        _ inputs: Inputs, store: any EvidenceStore, key: Curve25519.Signing.PrivateKey, to output: URL
    ) async throws(ReportsError) -> Summary {
        // A bank's quarter carries ~200 MB of evidence: it is read from the store one item at a time,
        // once to hash it for the manifest and once more to write it, never all held at once.
        var files: [Member] = [Member(path: configPath, size: inputs.policyBytes.count, sha256: ContentHash.of(inputs.policyBytes), source: .bytes(inputs.policyBytes))]
        for path in reportPaths {
            guard let report = inputs.reports[path] else {
                throw ReportsError(.output, source: path, "the report to bundle is missing")
            }
            files.append(Member(path: path, size: report.size, sha256: report.sha256, source: .file(report.url)))
        }
        let included = inputs.ledger.filter { inputs.evidence.contains($0.evidence) }
        for entry in included {
            for member in try await members(of: entry.evidence, store: store) {
                files.append(Member(
                    path: "evidence/\(entry.evidence.hex)/\(member.name)", size: member.bytes.count, sha256: ContentHash.of(member.bytes),
                    source: .evidence(entry.evidence, member.name)))
            }
        }
        files.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        let listed = files.map { BundleManifest.File(path: $0.path, size: $0.size, sha256: $0.sha256) }
        let manifest = BundleManifest(
            format: BundleManifest.currentFormat, period: inputs.period.description, toolVersion: inputs.toolVersion,
            generatedAt: inputs.generatedAt.rfc3339(utc: true), config: listed.first { $0.path == configPath } ?? listed[0],
            ledgerHead: inputs.ledger.last?.hash,
            ledger: inputs.ledger.map { BundleManifest.Entry($0, included: inputs.evidence.contains($0.evidence)) },
            files: listed)
        let manifestBytes = try manifest.encoded()
        let signatureValue: Data
        do {
            signatureValue = try key.signature(for: manifestBytes)
        } catch {
            throw ReportsError(.invalidKey, source: "signing key", "cannot sign the manifest: \(error)")
        }
        let signature = BundleSignature(
            algorithm: "ed25519", keyID: SigningKey.keyID(key.publicKey), publicKey: SigningKey.publicPEM(key.publicKey),
            signature: signatureValue.base64EncodedString())
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let signatureBytes: Data
        do {
            signatureBytes = try encoder.encode(signature) + Data("\n".utf8)
        } catch {
            throw ReportsError(.output, source: "signature", "cannot encode the signature")
        }

        // A fixed timestamp: the bytes must not depend on when the bundle was written.
        let fixed = Date(timeIntervalSince1970: 315_532_800)
        let temporary = output.deletingLastPathComponent()
            .appendingPathComponent(".\(output.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        try? FileManager.default.removeItem(at: temporary)
        do {
            let archive = try Archive(url: temporary, accessMode: .create)
            func add(_ path: String, size: Int, _ bytes: (_ position: Int, _ count: Int) throws -> Data) throws {
                try archive.addEntry(
                    with: path, type: .file, uncompressedSize: Int64(size), modificationDate: fixed, permissions: 0o644,
                    compressionMethod: .deflate
                ) { position, count in
                    try bytes(Int(position), count)
                }
            }
            func add(_ path: String, _ data: Data) throws {
                try add(path, size: data.count) { position, count in data.subdata(in: position..<position + count) }
            }
            try add("manifest.json", manifestBytes)
            try add("signature", signatureBytes)
            var cached: (id: ContentHash, members: [EvidenceMember])?
            for file in files {
                switch file.source {
                case .bytes(let data):
                    try add(file.path, data)
                case .file(let url):
                    let handle = try FileHandle(forReadingFrom: url)
                    defer { try? handle.close() }
                    try add(file.path, size: file.size) { position, count in
                        try handle.seek(toOffset: UInt64(position))
                        let data = try handle.read(upToCount: count) ?? Data()
                        guard data.count == count else {
                            throw ReportsError(.output, source: url.path, "the rendered report changed while the bundle was written")
                        }
                        return data
                    }
                case .evidence(let id, let name):
                    if cached?.id != id { cached = (id, try await members(of: id, store: store)) }
                    // The bytes must be those hashed into the manifest: the store is a snapshot.
                    guard let data = cached?.members.first(where: { $0.name == name })?.bytes, data.count == file.size,
                        ContentHash.of(data) == file.sha256
                    else {
                        throw ReportsError(.output, source: id.description, "the evidence changed while the bundle was written")
                    }
                    try add(file.path, data)
                }
            }
            try FileOutput.moveIntoPlace(temporary, as: output)
        } catch let error as ReportsError {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw ReportsError(.output, source: output.path, "cannot write the bundle (\(FileOutput.reason(error)))")
        }
        return Summary(
            manifestHash: ContentHash.of(manifestBytes), keyID: signature.keyID, files: listed.count, evidence: included.count,
            bytes: listed.reduce(0) { $0 + $1.size })
    }

    /// A file of the bundle: its manifest entry, and where its bytes come from when it is written.
    private struct Member {
        enum Source {
            case bytes(Data)
            case file(URL)
            case evidence(ContentHash, String)
        }

        var path: String
        var size: Int
        var sha256: ContentHash
        var source: Source
    }

    private static func members(of id: ContentHash, store: any EvidenceStore) async throws(ReportsError) -> [EvidenceMember] {
        do {
            return try await store.members(of: id)
        } catch {
            throw ReportsError(.output, source: id.description, "cannot read the evidence's files: \(error.message)")
        }
    }
}
