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

    /// A ledger entry as the bundle carries it (its fields, flat), and whether its evidence is in the bundle.
    public struct Entry: Sendable, Hashable, Codable {
        /// The ledger entry.
        public var ledgerEntry: LedgerEntry
        /// Whether the evidence's files are in the bundle (the others are listed so the chain can be checked whole).
        public var included: Bool

        enum CodingKeys: String, CodingKey { case included }

        init(_ entry: LedgerEntry, included: Bool) {
            ledgerEntry = entry
            self.included = included
        }

        public init(from decoder: any Decoder) throws {
            ledgerEntry = try LedgerEntry(from: decoder)
            included = try decoder.container(keyedBy: CodingKeys.self).decode(Bool.self, forKey: .included)
        }

        public func encode(to encoder: any Encoder) throws {
            try ledgerEntry.encode(to: encoder)
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(included, forKey: .included)
        }

        public var seq: Int64 { ledgerEntry.seq }
        public var evidence: ContentHash { ledgerEntry.evidence }
        public var kind: EvidenceKind { ledgerEntry.kind }
        public var source: String { ledgerEntry.source }
        public var records: ContentHash { ledgerEntry.records }
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
