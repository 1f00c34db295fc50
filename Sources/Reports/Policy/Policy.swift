import Evidence
import Foundation

/// The bank's business-impact-analysis policy, `drreport.yaml` (DESIGN §4), validated.
public struct Policy: Sendable, Hashable {
    /// The regulated entity.
    public struct Organization: Sendable, Hashable {
        /// Legal name.
        public var name: String
        /// Legal Entity Identifier (20 characters).
        public var lei: String
    }

    /// How critical a process is; decides the severity of its findings.
    public enum Criticality: String, Sendable, Hashable, CaseIterable {
        case businessCritical = "business-critical"
        case important
        case standard
    }

    /// The event an RTO is measured from.
    public enum RTOClock: String, Sendable, Hashable, CaseIterable {
        case crisisDeclared = "crisis_declared"
        case disruption
    }

    /// A business process with its recovery objectives.
    public struct Process: Sendable, Hashable {
        /// The id drill logs use.
        public var id: String
        /// The name for people.
        public var name: String
        /// Its criticality.
        public var criticality: Criticality
        /// Recovery time objective, seconds.
        public var rto: Int64
        /// Recovery point objective, seconds.
        public var rpo: Int64
        /// The workspaces it runs on.
        public var workspaces: [String]
        /// Globs of the tables it owns (`neprix.*`, `retail.gold.*`).
        public var tables: [String]

        /// Whether a table name matches one of this process's globs.
        public func owns(table: String) -> Bool {
            tables.contains { Glob.matches($0, table, separator: ".") }
        }
    }

    /// A Databricks workspace.
    public struct Workspace: Sendable, Hashable {
        /// The id pipelines use (`templateParameters.workspace`).
        public var id: String
        /// The division owning it.
        public var division: String
        /// `prod`, `uat`, ...
        public var environment: String
        /// `technical`, `user`, ...
        public var kind: String?
    }

    /// Dual-region parity settings.
    public struct Parity: Sendable, Hashable {
        /// How long after an apply in one region the other region's apply may come.
        public var applyWindow: Int64
        /// Attribute paths to ignore, by resource type; `*` applies to every type.
        public var ignore: [String: [IgnorePath]]
        /// The environments whose workspaces must be identical in both regions; `nil` means every workspace.
        public var environments: [String]?

        /// Whether parity applies to a workspace's environment.
        public func applies(to environment: String) -> Bool {
            environments?.contains(environment) ?? true
        }

        /// The ignore paths for a resource type.
        public func ignored(for type: String) -> [IgnorePath] {
            (ignore["*"] ?? []) + (ignore[type] ?? [])
        }
    }

    /// Change-control settings.
    public struct ChangeControl: Sendable, Hashable {
        /// Environments whose runs need an approved change request.
        public var approvalRequired: [String]
        /// How long after the apply an emergency change may be approved.
        public var emergencyApprovalWithin: Int64
    }

    /// One person's identities across systems.
    public struct Person: Sendable, Hashable {
        /// An id for the person.
        public var id: String { didSet { identities = Self.identities(id, aliases) } }
        /// ServiceNow sys_ids and names, ADO uniqueNames, e-mail addresses.
        public var aliases: [String] { didSet { identities = Self.identities(id, aliases) } }
        /// The id and every alias, lower-cased: what identities are matched against.
        public private(set) var identities: Set<String>

        public init(id: String, aliases: [String]) {
            self.id = id
            self.aliases = aliases
            identities = Self.identities(id, aliases)
        }

        private static func identities(_ id: String, _ aliases: [String]) -> Set<String> {
            Set(([id] + aliases).map { $0.lowercased() })
        }
    }

    /// An accepted exception for one rule and subject, for a limited time.
    public struct Waiver: Sendable, Hashable {
        /// `W-2026-004`.
        public var id: String
        /// The rule waived.
        public var rule: RuleID
        /// The subject waived (exact, or a glob with `*`).
        public var subject: String
        /// Why.
        public var reason: String
        /// Who approved the waiver.
        public var approvedBy: String
        /// When it was approved.
        public var approvedOn: CalendarDay
        /// Who asked for it, when recorded.
        public var requestedBy: String?
        /// The last day it applies (inclusive, in the policy's time zone).
        public var expires: CalendarDay
        /// The line in drreport.yaml, for messages.
        public var line: Int
    }

    /// The entity.
    public var organization: Organization
    /// The time zone periods are bounded in.
    public var timeZone: TimeZone
    /// The primary region.
    public var primaryRegion: String
    /// The secondary region.
    public var secondaryRegion: String
    /// The event RTOs count from.
    public var rtoClock: RTOClock
    /// Default clock uncertainty in seconds.
    public var clockUncertainty: Int64
    /// Processes, in file order.
    public var processes: [Process]
    /// Workspaces, in file order.
    public var workspaces: [Workspace]
    /// Parity.
    public var parity: Parity
    /// Change control.
    public var changeControl: ChangeControl
    /// How often each business-critical process must pass a drill.
    public var drillEvery: PolicyDuration
    /// Identity map.
    public var people: [Person]
    /// Waivers.
    public var waivers: [Waiver]

    /// A process by id.
    public func process(_ id: String) -> Process? { processes.first { $0.id == id } }

    /// A workspace by id.
    public func workspace(_ id: String) -> Workspace? { workspaces.first { $0.id == id } }

    /// The processes owning a table.
    public func owners(of table: String) -> [Process] {
        TableOwnership(self).owners(of: table)
    }

    /// The processes' table globs read once, for asking who owns many tables: a quarter's consistency
    /// checks name tens of thousands.
    struct TableOwnership: Sendable {
        private let processes: [Process]
        private let globs: [[Glob.Pattern]]

        init(_ policy: Policy) {
            processes = policy.processes
            globs = policy.processes.map { $0.tables.map { Glob.Pattern($0, separator: ".") } }
        }

        /// The processes owning a table (``Policy/owners(of:)``).
        func owners(of table: String) -> [Process] {
            let parts = table.split(separator: ".", omittingEmptySubsequences: false)
            return processes.indices.filter { index in globs[index].contains { $0.matches(parts) } }.map { processes[$0] }
        }
    }

    /// Whether two identities are one person: equal ignoring case, or aliases of one `people` entry.
    public func samePerson(_ lhs: String, _ rhs: String) -> Bool {
        let left = Self.identityKey(lhs)
        let right = Self.identityKey(rhs)
        guard !left.isEmpty, !right.isEmpty else { return false }
        if left == right { return true }
        return people.contains { $0.identities.contains(left) && $0.identities.contains(right) }
    }

    /// The `people` entry an identity belongs to, when any.
    public func person(for identity: String) -> Person? {
        let key = Self.identityKey(identity)
        return people.first { $0.identities.contains(key) }
    }

    /// An identity as it is matched: without surrounding spaces, lower-cased. Trimming is skipped when
    /// neither end is white space (it is for almost every identity, and the change-approval rule
    /// compares thousands of them).
    static func identityKey(_ identity: String) -> String {
        let scalars = identity.unicodeScalars
        guard scalars.first?.properties.isWhitespace == true || scalars.last?.properties.isWhitespace == true else {
            return identity.lowercased()
        }
        return identity.trimmingCharacters(in: .whitespaces).lowercased()
    }
}

/// An attribute path to ignore: dot-separated segments, `*` matching any key or array position.
public struct IgnorePath: Sendable, Hashable, CustomStringConvertible {
    /// The segments.
    public var segments: [String]

    /// A path from its text (`provider_config.*.workspace_id`).
    public init(_ text: String) {
        segments = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    }

    public var description: String { segments.joined(separator: ".") }
}

/// A day in the policy's calendar (waiver dates).
public struct CalendarDay: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Year.
    public var year: Int
    /// Month 1–12.
    public var month: Int
    /// Day 1–31.
    public var day: Int

    /// A day.
    public init(year: Int, month: Int, day: Int) {
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses `YYYY-MM-DD`.
    public init?(parsing text: String) {
        let parts = text.split(separator: "-")
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
            (1...12).contains(month), (1...31).contains(day)
        else { return nil }
        var components = DateComponents()
        components.year = year
        components.month = month
        components.day = day
        guard components.isValidDate(in: Calendar(identifier: .gregorian)) else { return nil }
        self.init(year: year, month: month, day: day)
    }

    public static func < (lhs: CalendarDay, rhs: CalendarDay) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    public var description: String {
        String(format: "%04d-%02d-%02d", year, month, day)
    }

    /// The first instant of the day in a time zone.
    public func start(in timeZone: TimeZone) -> Instant {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let date = calendar.date(from: DateComponents(year: year, month: month, day: day)) ?? Date(timeIntervalSince1970: 0)
        return Instant(secondsSinceEpoch: Int64(date.timeIntervalSince1970))
    }
}

/// Glob matching with `*` for one segment (or, as the whole pattern, everything).
enum Glob {
    /// Whether `pattern` matches `text`; `*` matches any run of characters within one segment, and a
    /// trailing `*` segment matches the rest (`neprix.*` matches `neprix.silver.contracts`).
    static func matches(_ pattern: String, _ text: String, separator: Character) -> Bool {
        matches(pattern, parts: text.split(separator: separator, omittingEmptySubsequences: false), separator: separator)
    }

    /// ``matches(_:_:separator:)`` for a text already split at the separator.
    static func matches(_ pattern: String, parts textParts: [Substring], separator: Character) -> Bool {
        Pattern(pattern, separator: separator).matches(textParts)
    }

    /// A pattern split once into its segments, and each segment at its `*`s.
    struct Pattern: Sendable {
        /// `*` alone, which matches everything.
        private let any: Bool
        /// Each segment's pieces between `*`s.
        private let segments: [[Substring]]
        /// Whether the last segment is `*`, which matches the rest.
        private let rest: Bool

        init(_ pattern: String, separator: Character) {
            any = pattern == "*"
            let parts = pattern.split(separator: separator, omittingEmptySubsequences: false)
            rest = parts.last == "*"
            segments = parts.map { $0.split(separator: "*", omittingEmptySubsequences: false) }
        }

        /// Whether the pattern matches a text split at the separator.
        func matches(_ textParts: [Substring]) -> Bool {
            if any { return true }
            for (index, pieces) in segments.enumerated() {
                if index == segments.count - 1, rest { return textParts.count >= segments.count }
                guard index < textParts.count, Glob.segment(pieces: pieces, textParts[index]) else { return false }
            }
            return segments.count == textParts.count
        }
    }

    /// Wildcard match within one segment.
    static func segment(_ pattern: Substring, _ text: Substring) -> Bool {
        segment(pieces: pattern.split(separator: "*", omittingEmptySubsequences: false), text)
    }

    /// ``segment(_:_:)`` for a pattern already split at its `*`s.
    static func segment(pieces: [Substring], _ text: Substring) -> Bool {
        guard pieces.count > 1 else { return pieces.first == text }
        var rest = text[...]
        guard let first = pieces.first, rest.hasPrefix(first) else { return false }
        rest = rest.dropFirst(first.count)
        for (index, piece) in pieces.enumerated().dropFirst() {
            if index == pieces.count - 1 { return piece.isEmpty || rest.hasSuffix(piece) }
            guard let range = rest.range(of: piece) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }
}
