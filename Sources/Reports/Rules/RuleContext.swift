import Evidence

/// What every rule is evaluated against: the policy, the period, and the evidence of the period read
/// once from the store. Terraform states are not in it: parity reads them one workspace at a time so
/// memory stays bounded at bank scale.
public struct RuleContext: Sendable {
    /// The policy.
    public var policy: Policy { didSet { indexTables() } }
    /// The period assessed.
    public var period: Period
    /// The instant states and waivers are judged at: the period's last instant.
    public var asOf: Instant
    /// Drill attempts that started in the cadence look-back window or the period, in time order.
    public var attempts: [DrillAttempt]
    /// Consistency-check runs of those drills and of the period.
    public var consistencyRuns: [Stored<ConsistencyRun>] { didSet { indexTables() } }
    /// Apply runs of the period, widened by the apply window on both sides for matching.
    public var applyRuns: [StoredApplyRun] { didSet { indexRuns() } }
    /// Change requests named by the period's runs (every stored version).
    public var changes: [Stored<ChangeRequest>] { didSet { indexRuns() } }
    /// Approvals of those changes.
    public var approvals: [Stored<Approval>] { didSet { indexRuns() } }
    /// Every workspace and region with a state in the store.
    public var stateKeys: [StateKey]
    /// The source each piece of evidence was ingested from, for messages.
    public var sources: [ContentHash: String] = [:]
    /// The processes owning each table the consistency runs name, matched once: a bank's quarter
    /// names ~20,000 tables four times over, and three rules ask.
    var tableOwners: [String: [Policy.Process]] = [:]
    /// For each consistency run (by position), the positions of its tables owned by each process id:
    /// the RPO of a process reads only its own tables, not every table of every run.
    var tablesByProcess: [[String: [Int]]] = []

    /// The positions of the apply runs of each workspace, region and commit, in order: a run's
    /// counterpart is looked up, not searched for among a quarter's ~3,000 runs.
    var runsByCommit: [RunKey: [Int]] = [:]
    /// The positions of each change request's stored versions, by number.
    var changesByNumber: [String: [Int]] = [:]
    /// The positions of the approvals of each change, by its sys_id.
    var approvalsByChange: [String: [Int]] = [:]

    /// A workspace, region and commit: what a run and its counterpart share but the region.
    struct RunKey: Hashable {
        var workspace: String
        var region: String
        var commit: String
    }

    private mutating func indexRuns() {
        runsByCommit = [:]
        for (position, stored) in applyRuns.enumerated() {
            guard let commit = stored.run.commit else { continue }
            runsByCommit[RunKey(workspace: stored.run.workspace, region: stored.run.region, commit: commit), default: []].append(position)
        }
        changesByNumber = [:]
        for (position, change) in changes.enumerated() { changesByNumber[change.value.number, default: []].append(position) }
        approvalsByChange = [:]
        for (position, approval) in approvals.enumerated() { approvalsByChange[approval.value.changeSysID, default: []].append(position) }
    }

    /// The apply runs of a workspace in a region that applied a commit, in order.
    func runs(workspace: String, region: String, commit: String) -> [StoredApplyRun] {
        (runsByCommit[RunKey(workspace: workspace, region: region, commit: commit)] ?? []).map { applyRuns[$0] }
    }

    /// Every stored version of a change request, in order.
    func changes(number: String) -> [Stored<ChangeRequest>] {
        (changesByNumber[number] ?? []).map { changes[$0] }
    }

    /// The approvals of a change, by its sys_id, in order.
    func approvals(change sysID: String) -> [Stored<Approval>] {
        (approvalsByChange[sysID] ?? []).map { approvals[$0] }
    }

    private mutating func indexTables() {
        tableOwners = [:]
        tablesByProcess = []
        tablesByProcess.reserveCapacity(consistencyRuns.count)
        let ownership = Policy.TableOwnership(policy)
        for run in consistencyRuns {
            var byProcess: [String: [Int]] = [:]
            for (position, table) in run.value.tables.enumerated() {
                let owners: [Policy.Process]
                if let known = tableOwners[table.table] {
                    owners = known
                } else {
                    owners = ownership.owners(of: table.table)
                    tableOwners[table.table] = owners
                }
                for owner in owners { byProcess[owner.id, default: []].append(position) }
            }
            tablesByProcess.append(byProcess)
        }
    }

    /// The processes owning a table (``Policy/owners(of:)``).
    func owners(of table: String) -> [Policy.Process] {
        tableOwners[table] ?? policy.owners(of: table)
    }

    /// How a piece of evidence is named in messages: its source and short id.
    func name(of evidence: ContentHash) -> String {
        sources[evidence].map { "\($0) (\(evidence.short))" } ?? evidence.short
    }

    /// The instant states and waivers of a period are judged at: its last instant.
    public static func asOf(_ period: Period) -> Instant {
        Instant(nanosecondsSinceEpoch: period.end.nanosecondsSinceEpoch - 1)
    }

    /// Reads what the rules need for a period.
    public static func load(store: any EvidenceStore, policy: Policy, period: Period) async throws(EvidenceError) -> RuleContext {
        let asOf = asOf(period)
        let lookBack = period.instant(policy.drillEvery, before: period.end)
        let windowStart = min(lookBack, period.start)
        var attempts: [DrillAttempt] = []
        var drills: [String] = []
        for drill in try await store.drillIDs() {
            let events = try await store.drillEvents(drill: drill)
            let drillAttempts = DrillAttempt.group(events).filter { $0.start >= windowStart && $0.start < period.end }
            guard !drillAttempts.isEmpty else { continue }
            attempts += drillAttempts
            drills.append(drill)
        }
        // The runs of the drills judged, whenever they ran, and every run of the period.
        let runs = try await store.consistencyRuns(drills: drills, from: period.start, to: period.end)
        let slack = policy.parity.applyWindow + 86_400
        let applyRuns = try await store.applyRuns(from: period.start.adding(seconds: -slack), to: period.end.adding(seconds: slack))
        let numbers = applyRuns.compactMap(\.run.changeRequest)
        let changes = try await store.changeRequests(numbers: numbers)
        let approvals = try await store.approvals(changeSysIDs: changes.map(\.value.sysID))
        var context = RuleContext(
            policy: policy, period: period, asOf: asOf,
            attempts: attempts.sorted { ($0.start, $0.drill, $0.attempt) < ($1.start, $1.drill, $1.attempt) },
            consistencyRuns: runs.sorted { ($0.value.checkedAt, $0.value.checkRun) < ($1.value.checkedAt, $1.value.checkRun) },
            applyRuns: applyRuns, changes: changes, approvals: approvals, stateKeys: try await store.stateKeys())
        context.sources = Dictionary(try await store.evidenceList().map { ($0.id, $0.source) }, uniquingKeysWith: { first, _ in first })
        return context
    }

    /// A context built from values (for tests and callers that already hold the evidence).
    public init(
        policy: Policy, period: Period, asOf: Instant, attempts: [DrillAttempt], consistencyRuns: [Stored<ConsistencyRun>],
        applyRuns: [StoredApplyRun], changes: [Stored<ChangeRequest>], approvals: [Stored<Approval>], stateKeys: [StateKey]
    ) {
        self.policy = policy
        self.period = period
        self.asOf = asOf
        self.attempts = attempts
        self.consistencyRuns = consistencyRuns
        self.applyRuns = applyRuns
        self.changes = changes
        self.approvals = approvals
        self.stateKeys = stateKeys
        indexTables()
        indexRuns()
    }

    /// Every piece of evidence the rules read for this period: what an evidence bundle must carry for
    /// the rules to give the same findings again. States are the latest of each workspace and region
    /// as of the period's end.
    public func evidenceUsed(store: any EvidenceStore) async throws(EvidenceError) -> Set<ContentHash> {
        var used = Set(attempts.flatMap { $0.events.map(\.evidence) })
        used.formUnion(consistencyRuns.map(\.evidence))
        used.formUnion(applyRuns.map(\.evidence))
        used.formUnion(changes.map(\.evidence))
        used.formUnion(approvals.map(\.evidence))
        for key in stateKeys {
            if let state = try await store.latestState(workspace: key.workspace, region: key.region, asOf: asOf) {
                used.insert(state.evidence)
            }
        }
        return used
    }

    /// The attempts that started in the period.
    public var periodAttempts: [DrillAttempt] { attempts.filter { period.contains($0.start) } }

    /// The identities of whoever requested a run's change (latest stored version), for waivers.
    func changeRequesters(of run: PipelineRun) -> [String] {
        guard let number = run.changeRequest else { return [] }
        let latest = changes(number: number)
            .max { ($0.value.updatedOn?.nanosecondsSinceEpoch ?? .min) < ($1.value.updatedOn?.nanosecondsSinceEpoch ?? .min) }
        guard let reference = latest?.value.requestedBy else { return [] }
        return [reference.value, reference.display].compactMap { $0 }.filter { !$0.isEmpty }
    }

    /// The clock uncertainty of an event, in seconds.
    func uncertainty(of event: DrillEvent) -> Int64 {
        event.uncertaintySeconds.map(Int64.init) ?? policy.clockUncertainty
    }

    /// An event as findings cite it.
    func reference(_ stored: Stored<DrillEvent>) -> EventReference {
        EventReference(
            event: stored.value.event.rawValue, time: stored.value.time, uncertaintySeconds: uncertainty(of: stored.value),
            evidence: stored.evidence, line: stored.value.line, region: stored.value.region)
    }
}

/// One attempt of a drill: its events in time order, and the processes in its scope.
public struct DrillAttempt: Sendable, Hashable {
    /// The drill id.
    public var drill: String
    /// The attempt number.
    public var attempt: Int
    /// The events, ordered by instant.
    public var events: [Stored<DrillEvent>]
    /// The processes in scope from `drill_started`, or `nil` for every process of the policy.
    public var scope: [String]?
    /// The scenario from `drill_started`, when logged.
    public var scenario: DrillScenario?

    /// The first event's instant.
    public var start: Instant { events.first?.value.time ?? Instant(nanosecondsSinceEpoch: 0) }

    /// `drill#attempt`.
    public var label: String { "\(drill)#\(attempt)" }

    /// The subject of a process's RTO and RPO findings in this attempt: `process@drill#attempt`.
    public func subject(for process: String) -> String { "\(process)@\(label)" }

    /// The first event of a type (optionally for a process).
    public func first(_ type: DrillEventType, process: String? = nil) -> Stored<DrillEvent>? {
        events.first { $0.value.event == type && (process == nil || $0.value.process == process) }
    }

    /// The processes the attempt covers under a policy.
    public func processes(in policy: Policy) -> [String] {
        scope ?? policy.processes.map(\.id)
    }

    /// Groups a drill's events into attempts; an attempt without `drill_started` inherits the scope
    /// of the latest earlier attempt that had one.
    public static func group(_ events: [Stored<DrillEvent>]) -> [DrillAttempt] {
        var byAttempt: [String: [Int: [Stored<DrillEvent>]]] = [:]
        for event in events { byAttempt[event.value.drill, default: [:]][event.value.attempt, default: []].append(event) }
        var attempts: [DrillAttempt] = []
        for (drill, numbered) in byAttempt {
            var inherited: (scope: [String]?, scenario: DrillScenario?) = (nil, nil)
            for number in numbered.keys.sorted() {
                let sorted = (numbered[number] ?? []).sorted {
                    ($0.value.time, $0.evidence, $0.value.line) < ($1.value.time, $1.evidence, $1.value.line)
                }
                if let started = sorted.first(where: { $0.value.event == .drillStarted }) {
                    inherited = (started.value.processes, started.value.scenario)
                }
                attempts.append(DrillAttempt(
                    drill: drill, attempt: number, events: sorted, scope: inherited.scope, scenario: inherited.scenario))
            }
        }
        return attempts.sorted { ($0.start, $0.drill, $0.attempt) < ($1.start, $1.drill, $1.attempt) }
    }
}

/// Interval arithmetic on durations measured between uncertain instants (DESIGN §5): a duration is
/// met only if its upper bound is within the target, not met if its lower bound exceeds it, and
/// otherwise indeterminate. Everything is in whole seconds.
public enum UncertainDuration {
    /// The verdict on `measured ± uncertainty` against `target`.
    public static func verdict(measured: Int64, uncertainty: Int64, target: Int64) -> FindingStatus {
        if measured + uncertainty <= target { return .pass }
        if measured - uncertainty > target { return .fail }
        return .indeterminate
    }

    /// The whole seconds between two instants: the exact difference, truncated toward zero (a
    /// fraction of a second never tips a verdict the clocks cannot resolve anyway).
    public static func seconds(from start: Instant, to end: Instant) -> Int64 {
        (end.nanosecondsSinceEpoch - start.nanosecondsSinceEpoch) / 1_000_000_000
    }
}
