/// The events a drill log may record (DESIGN §3.1), in the order a drill usually runs them.
public enum DrillEventType: String, Sendable, Hashable, Codable, CaseIterable {
    case drillStarted = "drill_started"
    case disruption
    case detected
    case crisisDeclared = "crisis_declared"
    case planActivated = "plan_activated"
    case failoverStarted = "failover_started"
    case failoverCompleted = "failover_completed"
    case milestone
    case serviceRestored = "service_restored"
    case integrityVerified = "integrity_verified"
    case failbackStarted = "failback_started"
    case failbackCompleted = "failback_completed"
    case crisisClosed = "crisis_closed"
    case drillClosed = "drill_closed"
    case aborted

    /// Events that concern one process and so must name it.
    public var requiresProcess: Bool {
        self == .serviceRestored || self == .milestone || self == .integrityVerified
    }
}

/// How far a process was brought back by a `service_restored` event.
public enum RestoreLevel: String, Sendable, Hashable, Codable, CaseIterable {
    /// The minimum service level the RTO is measured against.
    case minimum
    /// Full service.
    case full
}

/// The scenario a drill rehearses (on `drill_started`).
public enum DrillScenario: String, Sendable, Hashable, Codable, CaseIterable {
    case regionalOutage = "regional-outage"
    case switchover
    case cyber
    case thirdParty = "third-party"
}

/// One line of a drill log.
public struct DrillEvent: Sendable, Hashable, Codable {
    /// The drill id, e.g. `DR-2026-Q3-01`.
    public var drill: String
    /// The attempt within the drill, from 1.
    public var attempt: Int
    /// When the event happened.
    public var time: Instant
    /// What happened.
    public var event: DrillEventType
    /// The process concerned (required for `service_restored`, `milestone`, `integrity_verified`).
    public var process: String?
    /// The Azure region the event happened in.
    public var region: String?
    /// Who or what recorded it.
    public var actor: String?
    /// The clock the time was read from.
    public var clock: String?
    /// The clock's uncertainty in seconds, when the line states it.
    public var uncertaintySeconds: Int?
    /// The restore level (`service_restored` only; `minimum` when the line is silent).
    public var level: RestoreLevel?
    /// The scenario (`drill_started` only).
    public var scenario: DrillScenario?
    /// The processes in the drill's scope (`drill_started` only); `nil` means every process.
    public var processes: [String]?
    /// Free text.
    public var note: String?
    /// The 1-based line of the log the event was read from.
    public var line: Int

    /// An event; optional fields default to absent.
    public init(
        drill: String, attempt: Int = 1, time: Instant, event: DrillEventType, process: String? = nil,
        region: String? = nil, actor: String? = nil, clock: String? = nil, uncertaintySeconds: Int? = nil,
        level: RestoreLevel? = nil, scenario: DrillScenario? = nil, processes: [String]? = nil, note: String? = nil,
        line: Int = 0
    ) {
        self.drill = drill
        self.attempt = attempt
        self.time = time
        self.event = event
        self.process = process
        self.region = region
        self.actor = actor
        self.clock = clock
        self.uncertaintySeconds = uncertaintySeconds
        self.level = level
        self.scenario = scenario
        self.processes = processes
        self.note = note
        self.line = line
    }
}

/// A parsed drill log: its events in file order.
public struct DrillLog: Sendable, Hashable, Codable {
    /// The events, in the order of the file.
    public var events: [DrillEvent]

    /// A log of events.
    public init(events: [DrillEvent]) {
        self.events = events
    }
}
