import Evidence

/// The rules of DESIGN §5.
public enum RuleID: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case rto
    case rpo
    case consistency
    case parity
    case applyParity = "apply-parity"
    case changeApproval = "change-approval"
    case drillCadence = "drill-cadence"
    case evidenceIntegrity = "evidence-integrity"

    /// What the rule checks, for people.
    public var title: String {
        switch self {
        case .rto: "Recovery time (RTO)"
        case .rpo: "Recovery point (RPO)"
        case .consistency: "Data consistency after failover"
        case .parity: "Dual-region parity"
        case .applyParity: "Apply parity between regions"
        case .changeApproval: "Change approval"
        case .drillCadence: "Drill cadence"
        case .evidenceIntegrity: "Evidence integrity"
        }
    }

    public static func < (lhs: RuleID, rhs: RuleID) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// A verdict. `indeterminate` never counts as a pass.
public enum FindingStatus: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case fail
    case indeterminate
    case waived
    case pass

    /// Worst first: fail, indeterminate, waived, pass.
    public static func < (lhs: FindingStatus, rhs: FindingStatus) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }

    /// Whether the status fails a CI gate.
    public var failsGate: Bool { self == .fail || self == .indeterminate }
}

/// How much a finding matters.
public enum Severity: String, Sendable, Hashable, Codable, CaseIterable, Comparable {
    case critical
    case high
    case medium
    case low

    /// Most severe first.
    public static func < (lhs: Severity, rhs: Severity) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }

    /// The severity of a process's findings.
    public init(_ criticality: Policy.Criticality) {
        switch criticality {
        case .businessCritical: self = .critical
        case .important: self = .high
        case .standard: self = .medium
        }
    }
}

/// One verdict of one rule on one subject, with the numbers, the reasons and the evidence used.
///
/// Its fields live in one shared, copy-on-write box: a bank's quarter has ~83,000 findings, and the
/// assessment, the waivers and the report model sort, filter and regroup them, copying each many
/// times. A copy is then one reference counted, not a score of strings, arrays and details.
public struct Finding: Sendable, Hashable, Codable {
    /// The fields, encoded and compared as the finding.
    struct Fields: Sendable, Hashable, Codable {
        var rule: RuleID
        var subject: String
        var status: FindingStatus
        var severity: Severity
        var measuredSeconds: Int64?
        var targetSeconds: Int64?
        var message: String
        var evidence: [ContentHash]
        var details: FindingDetails
        var waiver: WaiverNote?
    }

    /// Shared by copies until one of them changes (then that one gets its own).
    private final class Storage: @unchecked Sendable {
        var fields: Fields
        init(_ fields: Fields) { self.fields = fields }
    }

    private var storage: Storage

    private var fields: Fields {
        get { storage.fields }
        _modify {
            if !isKnownUniquelyReferenced(&storage) { storage = Storage(storage.fields) }
            yield &storage.fields
        }
    }

    /// The rule.
    public var rule: RuleID {
        get { storage.fields.rule }
        set { fields.rule = newValue }
    }
    /// The subject, in the rule's format (`process@drill#attempt`, `workspace`, `table@check_run`, ...).
    public var subject: String {
        get { storage.fields.subject }
        _modify { yield &fields.subject }
    }
    /// The verdict.
    public var status: FindingStatus {
        get { storage.fields.status }
        set { fields.status = newValue }
    }
    /// How much it matters.
    public var severity: Severity {
        get { storage.fields.severity }
        set { fields.severity = newValue }
    }
    /// The measured duration, in seconds, where the rule measures one.
    public var measuredSeconds: Int64? {
        get { storage.fields.measuredSeconds }
        set { fields.measuredSeconds = newValue }
    }
    /// The target, in seconds, where there is one.
    public var targetSeconds: Int64? {
        get { storage.fields.targetSeconds }
        set { fields.targetSeconds = newValue }
    }
    /// What was found, for a risk officer.
    public var message: String {
        get { storage.fields.message }
        _modify { yield &fields.message }
    }
    /// The evidence used (sorted, unique).
    public var evidence: [ContentHash] {
        get { storage.fields.evidence }
        _modify { yield &fields.evidence }
    }
    /// The structured reasons.
    public var details: FindingDetails {
        get { storage.fields.details }
        _modify { yield &fields.details }
    }
    /// The waiver applied or refused, if any.
    public var waiver: WaiverNote? {
        get { storage.fields.waiver }
        _modify { yield &fields.waiver }
    }

    /// A finding.
    public init(
        rule: RuleID, subject: String, status: FindingStatus, severity: Severity, measuredSeconds: Int64? = nil,
        targetSeconds: Int64? = nil, message: String, evidence: [ContentHash] = [], details: FindingDetails = FindingDetails()
    ) {
        // Sorted, each once: by sorting and dropping neighbours, with no set built for the one or
        // two pieces most findings cite.
        var cited: [ContentHash] = []
        cited.reserveCapacity(evidence.count)
        for hash in evidence.sorted() where cited.last != hash { cited.append(hash) }
        storage = Storage(Fields(
            rule: rule, subject: subject, status: status, severity: severity, measuredSeconds: measuredSeconds,
            targetSeconds: targetSeconds, message: message, evidence: cited, details: details, waiver: nil))
    }

    public init(from decoder: any Decoder) throws {
        storage = Storage(try Fields(from: decoder))
    }

    public func encode(to encoder: any Encoder) throws {
        try fields.encode(to: encoder)
    }

    public static func == (lhs: Finding, rhs: Finding) -> Bool {
        lhs.storage === rhs.storage || lhs.fields == rhs.fields
    }

    public func hash(into hasher: inout Hasher) {
        fields.hash(into: &hasher)
    }

    /// `4h01m00s > 4h00m00s` (or `≤`), when the finding measures a duration.
    public var comparisonText: String? {
        guard let measured = measuredSeconds, let target = targetSeconds else { return nil }
        if measured > target { return "\(DurationText.format(measured)) > \(DurationText.format(target))" }
        // Within the target yet failed (an aborted drill, an unrecoverable table): no "≤" that reads as a pass.
        if status == .fail { return "\(DurationText.format(measured)) (target \(DurationText.format(target)))" }
        return "\(DurationText.format(measured)) ≤ \(DurationText.format(target))"
    }
}

/// A waiver as it bore on a finding.
public struct WaiverNote: Sendable, Hashable, Codable {
    /// The waiver id.
    public var id: String
    /// Whether it was applied (`waived`) or refused (then the finding fails).
    public var applied: Bool
    /// Why it was applied or refused.
    public var reason: String
    /// The status before the waiver was considered.
    public var originalStatus: FindingStatus
    /// The expiry date.
    public var expires: String
    /// Who approved it.
    public var approvedBy: String

    /// Its keys in the findings JSON (snake_case).
    enum CodingKeys: String, CodingKey {
        case id, applied, reason, expires
        case originalStatus = "original_status"
        case approvedBy = "approved_by"
    }
}

/// The structured reasons of a finding: one section per kind of rule; absent sections are omitted.
///
/// The large sections (recovery, parity, apply parity, cadence, integrity) are held by reference: a
/// finding has at most one of them, and a bank's quarter has ~80,000 findings in every array of
/// findings, where inline they made each finding ~900 bytes.
public struct FindingDetails: Sendable, Hashable, Codable {
    /// RTO: the events and both clocks.
    @Indirect public var recovery: RecoveryDetails?
    /// RPO: the data loss per table.
    public var dataLoss: DataLossDetails?
    /// Parity: the states compared and every difference.
    @Indirect public var parity: ParityDetails?
    /// Apply parity: the run and its counterpart.
    @Indirect public var applyParity: ApplyParityDetails?
    /// Change approval: each check with its outcome.
    public var checks: [CheckResult]?
    /// Drill cadence: the drills considered.
    @Indirect public var cadence: CadenceDetails?
    /// Evidence integrity: the problems found.
    @Indirect public var integrity: IntegrityDetails?
    /// The identities of the person who requested the change a finding is about (for waivers).
    public var requesters: [String]?
    /// Anything else worth noting.
    public var notes: [String]?

    /// Details; every section is optional.
    public init(
        recovery: RecoveryDetails? = nil, dataLoss: DataLossDetails? = nil, parity: ParityDetails? = nil,
        applyParity: ApplyParityDetails? = nil, checks: [CheckResult]? = nil, cadence: CadenceDetails? = nil,
        integrity: IntegrityDetails? = nil, requesters: [String]? = nil, notes: [String]? = nil
    ) {
        self.recovery = recovery
        self.dataLoss = dataLoss
        self.parity = parity
        self.applyParity = applyParity
        self.checks = checks
        self.cadence = cadence
        self.integrity = integrity
        self.requesters = requesters
        self.notes = notes
    }

    /// Its keys in the findings JSON (snake_case). `JSONRenderer` writes the sections itself, in
    /// these keys' byte order: a new section is added there too (its property test compares the two).
    enum CodingKeys: String, CodingKey {
        case recovery, parity, checks, cadence, integrity, requesters, notes
        case dataLoss = "data_loss"
        case applyParity = "apply_parity"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            recovery: try container.decodeIfPresent(RecoveryDetails.self, forKey: .recovery),
            dataLoss: try container.decodeIfPresent(DataLossDetails.self, forKey: .dataLoss),
            parity: try container.decodeIfPresent(ParityDetails.self, forKey: .parity),
            applyParity: try container.decodeIfPresent(ApplyParityDetails.self, forKey: .applyParity),
            checks: try container.decodeIfPresent([CheckResult].self, forKey: .checks),
            cadence: try container.decodeIfPresent(CadenceDetails.self, forKey: .cadence),
            integrity: try container.decodeIfPresent(IntegrityDetails.self, forKey: .integrity),
            requesters: try container.decodeIfPresent([String].self, forKey: .requesters),
            notes: try container.decodeIfPresent([String].self, forKey: .notes))
    }

    /// The sections present; absent ones are omitted.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encodeIfPresent(recovery, forKey: .recovery)
        try container.encodeIfPresent(dataLoss, forKey: .dataLoss)
        try container.encodeIfPresent(parity, forKey: .parity)
        try container.encodeIfPresent(applyParity, forKey: .applyParity)
        try container.encodeIfPresent(checks, forKey: .checks)
        try container.encodeIfPresent(cadence, forKey: .cadence)
        try container.encodeIfPresent(integrity, forKey: .integrity)
        try container.encodeIfPresent(requesters, forKey: .requesters)
        try container.encodeIfPresent(notes, forKey: .notes)
    }
}

/// An optional value held by reference, so that a section most findings lack costs them a pointer,
/// not its size. Equal and hashed by value; setting it holds a new copy.
@propertyWrapper
public struct Indirect<Value: Sendable & Hashable>: Sendable, Hashable {
    private final class Box: Sendable {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    private var box: Box?

    public init(wrappedValue: Value?) {
        box = wrappedValue.map(Box.init)
    }

    public var wrappedValue: Value? {
        get { box?.value }
        set { box = newValue.map(Box.init) }
    }

    public static func == (lhs: Indirect, rhs: Indirect) -> Bool {
        lhs.box === rhs.box || lhs.wrappedValue == rhs.wrappedValue
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(wrappedValue)
    }
}

/// A drill event as a finding cites it.
public struct EventReference: Sendable, Hashable, Codable {
    /// The event type.
    public var event: String
    /// When (in the offset the source wrote).
    public var time: Instant
    /// The clock uncertainty applied, seconds.
    public var uncertaintySeconds: Int64
    /// The evidence it came from.
    public var evidence: ContentHash
    /// The line in that evidence.
    public var line: Int
    /// The region, if logged.
    public var region: String?

    /// Its keys in the findings JSON (snake_case).
    enum CodingKeys: String, CodingKey {
        case event, time, evidence, line, region
        case uncertaintySeconds = "uncertainty_seconds"
    }
}

/// How a process recovered in one drill attempt.
public struct RecoveryDetails: Sendable, Hashable, Codable {
    /// The clock the verdict uses (`crisis_declared` or `disruption`).
    public var clock: String
    /// The disruption event.
    public var disruption: EventReference?
    /// The crisis declaration.
    public var declaration: EventReference?
    /// The restore event (minimum service).
    public var restore: EventReference?
    /// Restore − declaration, seconds.
    public var fromDeclarationSeconds: Int64?
    /// Restore − disruption (the downtime), seconds.
    public var fromDisruptionSeconds: Int64?
    /// Declaration − disruption, seconds.
    public var declarationLatencySeconds: Int64?
    /// The lower and upper bounds of the measured duration after clock uncertainty.
    public var lowerBoundSeconds: Int64?
    /// Upper bound.
    public var upperBoundSeconds: Int64?
    /// Whether the drill was aborted in this attempt.
    public var aborted: Bool

    /// Its keys in the findings JSON (snake_case).
    enum CodingKeys: String, CodingKey {
        case clock, disruption, declaration, restore, aborted
        case fromDeclarationSeconds = "from_declaration_seconds"
        case fromDisruptionSeconds = "from_disruption_seconds"
        case declarationLatencySeconds = "declaration_latency_seconds"
        case lowerBoundSeconds = "lower_bound_seconds"
        case upperBoundSeconds = "upper_bound_seconds"
    }
}

/// One table's data loss.
public struct TableLoss: Sendable, Hashable, Codable {
    /// The table.
    public var table: String
    /// The check run that reported it.
    public var checkRun: String
    /// The action taken.
    public var action: String
    /// The Delta version in use after the check.
    public var version: Int64?
    /// When that version was committed.
    public var versionTime: Instant?
    /// Reference − version time, seconds (nil when unrecoverable).
    public var lossSeconds: Int64?

    /// Its keys in the findings JSON (snake_case).
    enum CodingKeys: String, CodingKey {
        case table, action, version
        case checkRun = "check_run"
        case versionTime = "version_time"
        case lossSeconds = "loss_seconds"
    }
}

/// Data loss of a process in a drill.
public struct DataLossDetails: Sendable, Hashable, Codable {
    /// The instant loss is measured from.
    public var referenceTime: Instant?
    /// Where it came from (`reference_time of cc-…` or `disruption event`).
    public var referenceSource: String?
    /// Each table's loss, worst first.
    public var tables: [TableLoss]

    /// Its keys in the findings JSON (snake_case).
    enum CodingKeys: String, CodingKey {
        case tables
        case referenceTime = "reference_time"
        case referenceSource = "reference_source"
    }
}

/// One difference between the regions.
public struct ParityDifference: Sendable, Hashable, Codable {
    /// What kind of difference.
    public enum Kind: String, Sendable, Hashable, Codable {
        case missingInSecondary = "missing-in-secondary"
        case missingInPrimary = "missing-in-primary"
        case changed
    }

    /// The kind.
    public var kind: Kind
    /// The resource address.
    public var address: String
    /// The resource type.
    public var type: String
    /// The attribute path within the resource (`node_type_id`, `access_control[*]`), empty for a whole resource.
    public var path: String
    /// The value in the primary (canonical JSON, shortened), when present.
    public var primary: String?
    /// The value in the secondary, when present.
    public var secondary: String?
}

/// A state as a parity finding cites it.
public struct StateReference: Sendable, Hashable, Codable {
    /// The region.
    public var region: String
    /// The evidence.
    public var evidence: ContentHash
    /// The instant it describes.
    public var instant: Instant
    /// The run that produced it, when any.
    public var runID: Int?
    /// Its resource count (managed).
    public var resources: Int

    /// Its keys in the findings JSON (snake_case).
    enum CodingKeys: String, CodingKey {
        case region, evidence, instant, resources
        case runID = "run_id"
    }
}

/// What parity compared and found.
public struct ParityDetails: Sendable, Hashable, Codable {
    /// The primary state.
    public var primary: StateReference?
    /// The secondary state.
    public var secondary: StateReference?
    /// Resources compared (matched by address).
    public var compared: Int
    /// Every difference.
    public var differences: [ParityDifference]
}

/// A run and its counterpart in the other region.
public struct ApplyParityDetails: Sendable, Hashable, Codable {
    /// The run's id.
    public var runID: Int
    /// Its region.
    public var region: String
    /// The commit applied.
    public var commit: String?
    /// When it finished.
    public var finished: Instant
    /// The counterpart's run id.
    public var counterpartRunID: Int?
    /// The counterpart's region.
    public var counterpartRegion: String
    /// When it finished.
    public var counterpartFinished: Instant?

    /// Its keys in the findings JSON (snake_case).
    enum CodingKeys: String, CodingKey {
        case region, commit, finished
        case runID = "run_id"
        case counterpartRunID = "counterpart_run_id"
        case counterpartRegion = "counterpart_region"
        case counterpartFinished = "counterpart_finished"
    }
}

/// One check of a multi-part rule (change approval).
public struct CheckResult: Sendable, Hashable, Codable {
    /// What was checked (`change exists`, `approved before apply`, ...).
    public var check: String
    /// `true` passed, `false` failed, `nil` could not be determined.
    public var passed: Bool?
    /// What was found.
    public var detail: String
}

/// The drills a cadence finding considered.
public struct CadenceDetails: Sendable, Hashable, Codable {
    /// The look-back window start.
    public var windowStart: Instant
    /// The last drill (and attempt) whose RTO and RPO both passed, when any.
    public var lastPassingDrill: String?
    /// When it happened.
    public var lastPassingTime: Instant?
    /// Every drill attempt in the window with its outcome.
    public var attempts: [String]

    /// Its keys in the findings JSON (snake_case).
    enum CodingKeys: String, CodingKey {
        case attempts
        case windowStart = "window_start"
        case lastPassingDrill = "last_passing_drill"
        case lastPassingTime = "last_passing_time"
    }
}

/// Ledger verification as a finding cites it.
public struct IntegrityDetails: Sendable, Hashable, Codable {
    /// Ledger entries.
    public var entries: Int
    /// The ledger head.
    public var head: ContentHash?
    /// The problems, first broken entry first.
    public var problems: [String]
}
