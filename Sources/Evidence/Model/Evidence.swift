import Foundation

/// The kinds of evidence drreport stores (DESIGN §3).
public enum EvidenceKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A drill log.
    case drill
    /// A pipeline apply record (run, apply stream, optional state).
    case apply
    /// A Terraform state ingested on its own, bound to a workspace and region.
    case state
    /// A ServiceNow export of change requests and approvals.
    case change
    /// A consistency-check output.
    case consistency
}

/// Where a state ingested on its own belongs: the workspace and region given on the command line and,
/// optionally, the instant it describes (otherwise the instant it was first ingested).
public struct StateBinding: Sendable, Hashable, Codable {
    /// The workspace id from drreport.yaml.
    public var workspace: String
    /// The Azure region.
    public var region: String
    /// The instant the state describes, when given.
    public var asOf: Instant?

    /// A binding.
    public init(workspace: String, region: String, asOf: Instant? = nil) {
        self.workspace = workspace
        self.region = region
        self.asOf = asOf
    }

    /// The bytes stored as the `binding.json` member: canonical JSON, so the same binding always
    /// yields the same evidence identity.
    public var canonicalBytes: Data {
        var members = [
            JSONObject.Member(key: "region", value: .string(region)),
            JSONObject.Member(key: "workspace", value: .string(workspace)),
        ]
        if let asOf { members.append(JSONObject.Member(key: "as_of", value: .string(asOf.rfc3339()))) }
        return Data((JSONValue.object(JSONObject(members)).canonicalText + "\n").utf8)
    }
}

/// What a piece of evidence says, by kind.
public enum EvidenceContent: Sendable, Hashable, Codable {
    /// A drill log.
    case drill(DrillLog)
    /// A pipeline apply record.
    case apply(ApplyRecord)
    /// A Terraform state with its binding.
    case state(StateBinding, TerraformState)
    /// Change requests and approvals.
    case change(ChangeExport)
    /// Consistency-check runs.
    case consistency(ConsistencyReport)

    /// The kind of evidence.
    public var kind: EvidenceKind {
        switch self {
        case .drill: .drill
        case .apply: .apply
        case .state: .state
        case .change: .change
        case .consistency: .consistency
        }
    }

    /// What the evidence covers, in a few words: drill ids, run id, check runs, change numbers.
    public var covers: String {
        func list(_ items: [String], limit: Int = 4) -> String {
            let unique = items.reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
            let shown = unique.prefix(limit).joined(separator: ", ")
            return unique.count > limit ? shown + " +\(unique.count - limit) more" : shown
        }
        switch self {
        case .drill(let log):
            return "drill " + list(log.events.map(\.drill)) + " (\(log.events.count) events)"
        case .apply(let record):
            let run = record.run
            var text = "run \(run.id) \(run.workspace)@\(run.region) \(run.environment) \(run.result ?? run.state)"
            if let change = run.changeRequest { text += " \(change)" }
            if let state = record.state { text += " (state: \(state.resources.count) resources)" }
            return text
        case .state(let binding, let state):
            return "state \(binding.workspace)@\(binding.region) (\(state.resources.count) resources)"
        case .change(let export):
            var parts: [String] = []
            if !export.changes.isEmpty { parts.append(list(export.changes.map(\.number))) }
            if !export.approvals.isEmpty { parts.append("\(export.approvals.count) approval\(export.approvals.count == 1 ? "" : "s")") }
            return parts.joined(separator: " + ")
        case .consistency(let report):
            let tables = report.runs.reduce(0) { $0 + $1.tables.count }
            let drills = list(report.runs.compactMap(\.drill))
            return "check run " + list(report.runs.map(\.checkRun)) + (drills.isEmpty ? "" : " drill \(drills)")
                + " (\(tables) tables)"
        }
    }
}

/// One stored file of a piece of evidence.
public struct EvidenceMember: Sendable, Hashable {
    /// The file's name within the evidence (`run.json`, or the file name of a single file).
    public var name: String
    /// The raw bytes.
    public var bytes: Data
    /// Their SHA-256.
    public var hash: ContentHash

    /// A member; its hash is computed from the bytes.
    public init(name: String, bytes: Data) {
        self.name = name
        self.bytes = bytes
        self.hash = ContentHash.of(bytes)
    }

    /// A member whose hash the caller already computed from these bytes, if it did.
    package init(name: String, bytes: Data, hash: ContentHash?) {
        self.name = name
        self.bytes = bytes
        self.hash = hash ?? ContentHash.of(bytes)
    }
}

/// A piece of evidence read and understood, ready to store: its raw files, identity and content.
public struct ParsedEvidence: Sendable {
    /// The identity: the SHA-256 of the file for single files; the tree hash for records of several files.
    public var id: ContentHash
    /// The kind.
    public var kind: EvidenceKind { content.kind }
    /// The path the user named.
    public var source: String
    /// The raw files, kept verbatim.
    public var members: [EvidenceMember]
    /// What the evidence says.
    public var content: EvidenceContent
    /// Things worth telling the user that do not make the evidence invalid.
    public var warnings: [String]

    /// Evidence of one or more files; the identity follows from the members.
    public init(source: String, members: [EvidenceMember], content: EvidenceContent, warnings: [String] = []) {
        self.source = source
        self.members = members
        self.content = content
        self.warnings = warnings
        self.id = ParsedEvidence.identity(of: members, kind: content.kind)
    }

    /// The identity rule: one file is its own hash (what `sha256sum` prints), except for kinds whose
    /// evidence is by definition a set of files (apply records, bound states).
    public static func identity(of members: [(name: String, hash: ContentHash, size: Int)], kind: EvidenceKind) -> ContentHash {
        if members.count == 1, kind != .apply, kind != .state { return members[0].hash }
        return ContentHash.tree(members)
    }

    static func identity(of members: [EvidenceMember], kind: EvidenceKind) -> ContentHash {
        identity(of: members.map { ($0.name, $0.hash, $0.bytes.count) }, kind: kind)
    }

    /// The digest of the normalised records this evidence gives (``EvidenceContent/recordsDigest(ingestedAt:)``),
    /// for a state without `as_of` as if ingested at the epoch.
    public var recordsDigest: ContentHash { content.recordsDigest(ingestedAt: Instant(nanosecondsSinceEpoch: 0)) }
}

extension EvidenceContent {
    /// The digest of the normalised records as the store keeps them: the SHA-256 of its description
    /// and of every row it gives, in table and row order (the evidence id column left out). The
    /// ledger entry carries it, so `evidence verify` recomputes it from the rows and finds any edit.
    /// `ingestedAt` matters only to a bound state without `as_of`, which counts from its ingestion.
    public func recordsDigest(ingestedAt: Instant) -> ContentHash {
        RecordRows.encodedRows(for: self, ingestedAt: ingestedAt).digest(covers: covers)
    }

    /// The digest as if ingested at the epoch (equal to the stored one for every kind but a bound
    /// state without `as_of`).
    public var recordsDigest: ContentHash { recordsDigest(ingestedAt: Instant(nanosecondsSinceEpoch: 0)) }
}
