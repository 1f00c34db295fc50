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
    public static let reportPaths = ["report.html", "report.xml", "oscal-ar.xml"]

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
        /// `report.html`, `report.xml`, `oscal-ar.xml` by path.
        public var reports: [String: Data]
        /// The store's whole ledger.
        public var ledger: [LedgerEntry]
        /// The evidence to include.
        public var evidence: Set<ContentHash>

        /// Inputs.
        public init(
            period: Period, toolVersion: String, generatedAt: Instant, policyBytes: Data, reports: [String: Data],
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
        var files: [(path: String, data: Data)] = [(configPath, inputs.policyBytes)]
        for path in reportPaths {
            guard let data = inputs.reports[path] else {
                throw ReportsError(.output, source: path, "the report to bundle is missing")
            }
            files.append((path, data))
        }
        let included = inputs.ledger.filter { inputs.evidence.contains($0.evidence) }
        for entry in included {
            let members: [EvidenceMember]
            do {
                members = try await store.members(of: entry.evidence)
            } catch {
                throw ReportsError(.output, source: entry.evidence.description, "cannot read the evidence's files: \(error.message)")
            }
            for member in members {
                files.append(("evidence/\(entry.evidence.hex)/\(member.name)", member.bytes))
            }
        }
        files.sort { $0.path.utf8.lexicographicallyPrecedes($1.path.utf8) }
        let listed = files.map { BundleManifest.File(path: $0.path, size: $0.data.count, sha256: ContentHash.of($0.data)) }
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

        let temporary = output.deletingLastPathComponent()
            .appendingPathComponent(".\(output.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        try? FileManager.default.removeItem(at: temporary)
        do {
            let archive = try Archive(url: temporary, accessMode: .create)
            // A fixed timestamp: the bytes must not depend on when the bundle was written.
            let fixed = Date(timeIntervalSince1970: 315_532_800)
            for (path, data) in [("manifest.json", manifestBytes), ("signature", signatureBytes)] + files.map({ ($0.path, $0.data) }) {
                try archive.addEntry(
                    with: path, type: .file, uncompressedSize: Int64(data.count), modificationDate: fixed, permissions: 0o644,
                    compressionMethod: .deflate
                ) { position, size in
                    data.subdata(in: Int(position)..<Int(position) + size)
                }
            }
            try FileOutput.moveIntoPlace(temporary, as: output)
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw ReportsError(.output, source: output.path, "cannot write the bundle (\(FileOutput.reason(error)))")
        }
        return Summary(
            manifestHash: ContentHash.of(manifestBytes), keyID: signature.keyID, files: listed.count, evidence: included.count,
            bytes: listed.reduce(0) { $0 + $1.size })
    }
}
