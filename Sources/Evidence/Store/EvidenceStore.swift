import Foundation

/// The evidence store contract (DESIGN §2–3): content-addressed raw bytes, normalised records per
/// kind, the append-only hash-chained ledger, and the queries the rules need. An embedded SQLite
/// store and a shared PostgreSQL store implement it.
public protocol EvidenceStore: Sendable {
    /// A name for messages (the file path, or the URL without credentials).
    var location: String { get }

    /// Stores evidence in one transaction with its ledger entry. Bytes already stored are reported as
    /// a duplicate and nothing is written. `ingestedAt` replays an ingestion recorded elsewhere (an
    /// evidence bundle's ledger); normally it is now.
    func store(_ evidence: ParsedEvidence, ingestedAt: Instant?) async throws(EvidenceError) -> StoreOutcome

    /// Every piece of evidence, in ledger order.
    func evidenceList() async throws(EvidenceError) -> [EvidenceSummary]

    /// The evidence whose id starts with `prefix` (`sha256:` optional).
    func evidence(matching prefix: String) async throws(EvidenceError) -> [EvidenceSummary]

    /// The raw files of a piece of evidence.
    func members(of id: ContentHash) async throws(EvidenceError) -> [EvidenceMember]

    /// The content of a piece of evidence, rebuilt from the normalised records.
    func content(of id: ContentHash) async throws(EvidenceError) -> EvidenceContent?

    /// The ledger, in order.
    func ledgerEntries() async throws(EvidenceError) -> [LedgerEntry]

    /// Recomputes every blob hash, every evidence identity, every normalised row and the ledger chain,
    /// over one consistent view of the store.
    func verify() async throws(EvidenceError) -> IntegrityReport

    /// A read-only view of the store as it is now, unaffected by later writes: what a check or a
    /// report reads, so all of its queries agree with each other.
    func snapshot() async throws(EvidenceError) -> any EvidenceStore

    /// The ids of every drill with an event in the store.
    func drillIDs() async throws(EvidenceError) -> [String]

    /// Every event of a drill, ordered by instant (then by evidence and line).
    func drillEvents(drill: String) async throws(EvidenceError) -> [Stored<DrillEvent>]

    /// Apply runs whose instant (``StoredApplyRun/instant``: finish, else the apply stream's last message,
    /// else creation) is in `[from, to)`.
    func applyRuns(from: Instant, to: Instant) async throws(EvidenceError) -> [StoredApplyRun]

    /// Every workspace and region that has a state.
    func stateKeys() async throws(EvidenceError) -> [StateKey]

    /// The latest state of a workspace in a region at or before `asOf`.
    func latestState(workspace: String, region: String, asOf: Instant) async throws(EvidenceError) -> StoredState?

    /// Change requests by number (every stored version of each).
    func changeRequests(numbers: [String]) async throws(EvidenceError) -> [Stored<ChangeRequest>]

    /// Approvals of the changes with these `sys_id`s.
    func approvals(changeSysIDs: [String]) async throws(EvidenceError) -> [Stored<Approval>]

    /// Consistency-check runs of any of `drills` or that ran in `[from, to)`, each once, in check order:
    /// what the rules read for a period, with each piece of evidence read once (a bank's quarter holds
    /// ~80,000 table results, all of them in the period's drills).
    func consistencyRuns(drills: [String], from: Instant, to: Instant) async throws(EvidenceError) -> [Stored<ConsistencyRun>]
}

extension EvidenceStore {
    /// Stores evidence, ingested now.
    public func store(_ evidence: ParsedEvidence) async throws(EvidenceError) -> StoreOutcome {
        try await store(evidence, ingestedAt: nil)
    }

    /// Consistency-check runs of a drill.
    public func consistencyRuns(drill: String) async throws(EvidenceError) -> [Stored<ConsistencyRun>] {
        // An empty range: no run is in it.
        let never = Instant(nanosecondsSinceEpoch: 0)
        return try await consistencyRuns(drills: [drill], from: never, to: never)
    }

    /// Consistency-check runs that ran in `[from, to)`.
    public func consistencyRuns(from: Instant, to: Instant) async throws(EvidenceError) -> [Stored<ConsistencyRun>] {
        try await consistencyRuns(drills: [], from: from, to: to)
    }
}

/// What storing a piece of evidence did.
public enum StoreOutcome: Sendable, Hashable {
    /// Stored, with its new ledger entry.
    case stored(LedgerEntry)
    /// The same bytes were already stored; nothing was written.
    case duplicate(EvidenceSummary)
}

/// One piece of stored evidence, for listings.
public struct EvidenceSummary: Sendable, Hashable, Codable {
    /// The identity.
    public var id: ContentHash
    /// The kind.
    public var kind: EvidenceKind
    /// The source the user named when it was first ingested.
    public var source: String
    /// What it covers (drill ids, run id, check runs, change numbers).
    public var covers: String
    /// When it was first ingested.
    public var ingestedAt: Instant
    /// Its ledger position.
    public var seq: Int64
    /// Its files: name, blob hash and size.
    public var members: [MemberSummary]

    /// A summary.
    public init(
        id: ContentHash, kind: EvidenceKind, source: String, covers: String, ingestedAt: Instant, seq: Int64,
        members: [MemberSummary]
    ) {
        self.id = id
        self.kind = kind
        self.source = source
        self.covers = covers
        self.ingestedAt = ingestedAt
        self.seq = seq
        self.members = members
    }
}

/// One file of a piece of evidence, without its bytes.
public struct MemberSummary: Sendable, Hashable, Codable {
    /// The name within the evidence.
    public var name: String
    /// The blob's hash.
    public var hash: ContentHash
    /// The size in bytes.
    public var size: Int

    /// A member summary.
    public init(name: String, hash: ContentHash, size: Int) {
        self.name = name
        self.hash = hash
        self.size = size
    }
}

/// A record with the evidence it came from.
public struct Stored<Value: Sendable & Hashable>: Sendable, Hashable {
    /// The evidence the record was read from.
    public var evidence: ContentHash
    /// The record.
    public var value: Value

    /// A stored record.
    public init(evidence: ContentHash, value: Value) {
        self.evidence = evidence
        self.value = value
    }
}

/// A pipeline run with its apply summary, without its state's resources.
public struct StoredApplyRun: Sendable, Hashable {
    /// The apply record's evidence id.
    public var evidence: ContentHash
    /// The pipeline run.
    public var run: PipelineRun
    /// The apply stream summary.
    public var apply: ApplyStream
    /// Whether the record carried a state.
    public var hasState: Bool

    /// A stored run.
    public init(evidence: ContentHash, run: PipelineRun, apply: ApplyStream, hasState: Bool) {
        self.evidence = evidence
        self.run = run
        self.apply = apply
        self.hasState = hasState
    }

    /// Whether both the pipeline and the apply succeeded.
    public var succeeded: Bool { run.result == "succeeded" && apply.outcome == .succeeded }

    /// The instant the run counts at: its finish, else the apply's last message, else its creation.
    public var instant: Instant { run.finishedDate ?? apply.lastTimestamp ?? run.createdDate }
}

/// A workspace in a region.
public struct StateKey: Sendable, Hashable, Codable, Comparable {
    /// The workspace id.
    public var workspace: String
    /// The region.
    public var region: String

    /// A key.
    public init(workspace: String, region: String) {
        self.workspace = workspace
        self.region = region
    }

    public static func < (lhs: StateKey, rhs: StateKey) -> Bool {
        (lhs.workspace, lhs.region) < (rhs.workspace, rhs.region)
    }
}

/// A Terraform state as stored: where it belongs, the instant it describes, where it came from.
public struct StoredState: Sendable, Hashable {
    /// The evidence (apply record or bound state).
    public var evidence: ContentHash
    /// Workspace and region.
    public var key: StateKey
    /// The instant the state describes: its run's finish, or the bound `as_of`, or its ingestion.
    public var instant: Instant
    /// The pipeline run that produced it, when it came in an apply record.
    public var runID: Int?
    /// The state.
    public var state: TerraformState

    /// A stored state.
    public init(evidence: ContentHash, key: StateKey, instant: Instant, runID: Int?, state: TerraformState) {
        self.evidence = evidence
        self.key = key
        self.instant = instant
        self.runID = runID
        self.state = state
    }
}
