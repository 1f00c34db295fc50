import Foundation

/// One entry of the append-only, hash-chained ledger (DESIGN §3.5): a piece of evidence was stored.
///
/// `hash` is the SHA-256 of the entry's canonical bytes: the JSON object of every other field with
/// keys sorted, no whitespace and only JSON's required escapes, i.e. what Python's
/// `json.dumps(entry, sort_keys=True, separators=(",", ":"), ensure_ascii=False)` prints. `prev` is the
/// previous entry's `hash` (64 zeros for the first), so changing any entry breaks every later one.
public struct LedgerEntry: Sendable, Hashable, Codable {
    /// The position, from 1.
    public var seq: Int64
    /// The evidence stored.
    public var evidence: ContentHash
    /// Its kind.
    public var kind: EvidenceKind
    /// The source the user named.
    public var source: String
    /// When it was stored (UTC, microseconds).
    public var ingestedAt: String
    /// The digest of the evidence's normalised records.
    public var records: ContentHash
    /// The previous entry's hash.
    public var prev: ContentHash
    /// This entry's hash.
    public var hash: ContentHash

    enum CodingKeys: String, CodingKey {
        case seq, evidence, kind, source, records, prev, hash
        case ingestedAt = "ingested_at"
    }

    /// The `prev` of the first entry.
    public static let genesis = ContentHash(zeros: ())

    /// The entry after the ledger's head (`nil` for the first entry), with its hash computed.
    public init(
        following head: (seq: Int64, hash: ContentHash)?, evidence: ContentHash, kind: EvidenceKind, source: String,
        ingestedAt: Instant, records: ContentHash
    ) {
        self.seq = (head?.seq ?? 0) + 1
        self.evidence = evidence
        self.kind = kind
        self.source = source
        self.ingestedAt = ingestedAt.rfc3339(utc: true, fractionDigits: 6)
        self.records = records
        self.prev = head?.hash ?? Self.genesis
        self.hash = Self.genesis
        self.hash = computedHash
    }

    /// An entry as read back from a store, hash as stored.
    public init(
        seq: Int64, evidence: ContentHash, kind: EvidenceKind, source: String, ingestedAt: String, records: ContentHash,
        prev: ContentHash, hash: ContentHash
    ) {
        self.seq = seq
        self.evidence = evidence
        self.kind = kind
        self.source = source
        self.ingestedAt = ingestedAt
        self.records = records
        self.prev = prev
        self.hash = hash
    }

    /// The canonical bytes the hash is taken over.
    public var canonicalText: String {
        JSONValue.object(JSONObject([
            JSONObject.Member(key: "evidence", value: .string(evidence.description)),
            JSONObject.Member(key: "ingested_at", value: .string(ingestedAt)),
            JSONObject.Member(key: "kind", value: .string(kind.rawValue)),
            JSONObject.Member(key: "prev", value: .string(prev.description)),
            JSONObject.Member(key: "records", value: .string(records.description)),
            JSONObject.Member(key: "seq", value: .number(String(seq))),
            JSONObject.Member(key: "source", value: .string(source)),
        ])).canonicalText
    }

    /// The hash the entry's fields give now.
    public var computedHash: ContentHash { ContentHash.of(canonicalText) }

    /// The ingestion instant.
    public var ingestedInstant: Instant? {
        if case .success(let instant) = Timestamp.parseRFC3339(ingestedAt) { return instant }
        return nil
    }
}

/// The outcome of recomputing a store's hashes and chain.
public struct IntegrityReport: Sendable, Hashable, Codable {
    /// One thing that does not verify.
    public struct Problem: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The ledger entry concerned, when one is.
        public var seq: Int64?
        /// The evidence or blob concerned, when one is.
        public var subject: String?
        /// What differs.
        public var message: String

        /// A problem.
        public init(seq: Int64?, subject: String?, message: String) {
            self.seq = seq
            self.subject = subject
            self.message = message
        }

        public var description: String {
            var text = ""
            if let seq { text += "ledger entry \(seq)" }
            if let subject { text += (text.isEmpty ? "" : " (") + subject + (text.isEmpty ? "" : ")") }
            return text + (text.isEmpty ? "" : ": ") + message
        }
    }

    /// Ledger entries checked.
    public var entries: Int
    /// Evidence items checked.
    public var evidence: Int
    /// Blobs re-hashed.
    public var blobs: Int
    /// Bytes re-hashed.
    public var bytes: Int64
    /// The ledger head's hash, when the ledger has entries.
    public var head: ContentHash?
    /// What does not verify, first broken ledger entry first.
    public var problems: [Problem]

    /// A report.
    public init(entries: Int, evidence: Int, blobs: Int, bytes: Int64, head: ContentHash?, problems: [Problem]) {
        self.entries = entries
        self.evidence = evidence
        self.blobs = blobs
        self.bytes = bytes
        self.head = head
        self.problems = problems
    }

    /// Whether everything verified.
    public var intact: Bool { problems.isEmpty }
}
