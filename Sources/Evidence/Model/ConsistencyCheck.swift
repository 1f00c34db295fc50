/// What the consistency script did with a table (DESIGN §3.4).
public enum ConsistencyAction: String, Sendable, Hashable, Codable, CaseIterable {
    /// The latest version was complete.
    case none
    /// Time-travelled to `restored_version`.
    case restored
    /// No complete version was left.
    case unrecoverable
}

/// One table's result in a consistency check run.
public struct TableCheck: Sendable, Hashable, Codable {
    /// `catalog.schema.table`.
    public var table: String
    /// The table's storage location.
    public var location: String?
    /// The latest Delta version found in the secondary.
    public var latestVersion: Int64?
    /// When the latest version was committed.
    public var latestVersionTime: Instant?
    /// Whether every file of the latest version reached the secondary.
    public var complete: Bool
    /// The files of the latest version that are missing.
    public var missingFiles: [String]
    /// The version restored to, for `restored`.
    public var restoredVersion: Int64?
    /// When the restored version was committed.
    public var restoredVersionTime: Instant?
    /// What the script did.
    public var action: ConsistencyAction
    /// The 1-based line of the table in its file.
    public var line: Int

    /// A table result.
    public init(
        table: String, location: String? = nil, latestVersion: Int64? = nil, latestVersionTime: Instant? = nil,
        complete: Bool, missingFiles: [String] = [], restoredVersion: Int64? = nil, restoredVersionTime: Instant? = nil,
        action: ConsistencyAction, line: Int = 0
    ) {
        self.table = table
        self.location = location
        self.latestVersion = latestVersion
        self.latestVersionTime = latestVersionTime
        self.complete = complete
        self.missingFiles = missingFiles
        self.restoredVersion = restoredVersion
        self.restoredVersionTime = restoredVersionTime
        self.action = action
        self.line = line
    }

    /// The instant of the data in use after the check: the latest version's when complete, the
    /// restored version's when restored, none when unrecoverable.
    public var versionInUseTime: Instant? {
        switch action {
        case .none: latestVersionTime
        case .restored: restoredVersionTime
        case .unrecoverable: nil
        }
    }
}

/// One run of the post-failover consistency script.
public struct ConsistencyRun: Sendable, Hashable, Codable {
    /// The run id, e.g. `cc-2026-09-12T0840`.
    public var checkRun: String
    /// The drill the run belongs to, when any.
    public var drill: String?
    /// The region checked.
    public var region: String?
    /// When the check ran.
    public var checkedAt: Instant
    /// The instant data loss is measured from; the drill's disruption when absent.
    public var referenceTime: Instant?
    /// The tables checked.
    public var tables: [TableCheck]

    /// A run.
    public init(
        checkRun: String, drill: String? = nil, region: String? = nil, checkedAt: Instant, referenceTime: Instant? = nil,
        tables: [TableCheck]
    ) {
        self.checkRun = checkRun
        self.drill = drill
        self.region = region
        self.checkedAt = checkedAt
        self.referenceTime = referenceTime
        self.tables = tables
    }
}

/// A consistency output file: one or more runs (JSON Lines may mix runs).
public struct ConsistencyReport: Sendable, Hashable, Codable {
    /// The runs, in file order.
    public var runs: [ConsistencyRun]

    /// A report.
    public init(runs: [ConsistencyRun]) {
        self.runs = runs
    }
}
