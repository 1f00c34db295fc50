import Evidence
import Foundation

/// `manifest.json` of an evidence bundle (DESIGN §8): what the bundle holds, byte for byte, and the
/// ledger it comes from. The signature covers the manifest's exact bytes; the manifest covers every
/// other file by SHA-256 and size, so one signature protects the whole bundle.
public struct BundleManifest: Sendable, Hashable, Codable {
    /// One file of the bundle.
    public struct File: Sendable, Hashable, Codable {
        /// The path inside the archive.
        public var path: String
        /// Its size in bytes.
        public var size: Int
        /// Its SHA-256.
        public var sha256: ContentHash
    }

    /// A ledger entry as the bundle carries it, and whether its evidence is in the bundle.
    public struct Entry: Sendable, Hashable, Codable {
        public var seq: Int64
        public var evidence: ContentHash
        public var kind: EvidenceKind
        public var source: String
        public var ingestedAt: String
        public var records: ContentHash
        public var prev: ContentHash
        public var hash: ContentHash
        /// Whether the evidence's files are in the bundle (the others are listed so the chain can be checked whole).
        public var included: Bool

        enum CodingKeys: String, CodingKey {
            case seq, evidence, kind, source, records, prev, hash, included
            case ingestedAt = "ingested_at"
        }

        init(_ entry: LedgerEntry, included: Bool) {
            seq = entry.seq
            evidence = entry.evidence
            kind = entry.kind
            source = entry.source
            ingestedAt = entry.ingestedAt
            records = entry.records
            prev = entry.prev
            hash = entry.hash
            self.included = included
        }

        /// The ledger entry.
        public var ledgerEntry: LedgerEntry {
            LedgerEntry(seq: seq, evidence: evidence, kind: kind, source: source, ingestedAt: ingestedAt, records: records, prev: prev, hash: hash)
        }
    }

    /// `drreport-bundle/1`.
    public var format: String
    /// The period, e.g. `2026-Q3`.
    public var period: String
    /// The drreport version that built it.
    public var toolVersion: String
    /// The generation instant the reports carry.
    public var generatedAt: String
    /// The policy file's path in the bundle and its hash.
    public var config: File
    /// The ledger head when the bundle was made.
    public var ledgerHead: ContentHash?
    /// Every ledger entry of the store, in order.
    public var ledger: [Entry]
    /// Every file except `manifest.json` and `signature`, in path order.
    public var files: [File]

    enum CodingKeys: String, CodingKey {
        case format, period, config, ledger, files
        case toolVersion = "tool_version"
        case generatedAt = "generated_at"
        case ledgerHead = "ledger_head"
    }

    /// The format this drreport writes and reads.
    public static let currentFormat = "drreport-bundle/1"

    /// The manifest's bytes: sorted keys, pretty-printed, so the same bundle always has the same manifest.
    public func encoded() throws(ReportsError) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            return try encoder.encode(self) + Data("\n".utf8)
        } catch {
            throw ReportsError(.output, source: "manifest.json", "cannot encode the manifest: \(error)")
        }
    }

    /// Reads a manifest.
    public static func decode(_ data: Data) throws(ReportsError) -> BundleManifest {
        do {
            return try JSONDecoder().decode(BundleManifest.self, from: data)
        } catch {
            throw ReportsError(.invalidBundle, source: "manifest.json", "not a drreport bundle manifest (\(error))")
        }
    }
}

/// The `signature` file: the algorithm, the signer's key id and public key, and the Ed25519 signature
/// of `manifest.json`'s exact bytes (base64).
public struct BundleSignature: Sendable, Hashable, Codable {
    /// `ed25519`.
    public var algorithm: String
    /// SHA-256 of the raw public key.
    public var keyID: ContentHash
    /// The public key, PEM (SubjectPublicKeyInfo).
    public var publicKey: String
    /// The signature, base64.
    public var signature: String

    enum CodingKeys: String, CodingKey {
        case algorithm, signature
        case keyID = "key_id"
        case publicKey = "public_key"
    }
}
