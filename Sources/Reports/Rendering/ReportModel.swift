import Crypto
import Evidence
import Foundation

/// Everything the quarterly report says (DESIGN §7; DORA art. 11–12 and 24, RTS 2024/1774 art. 24–26),
/// in one value built once from the store, the policy and the findings. The HTML, XML and OSCAL
/// renderers only present it; none of them reads the store or judges anything.
public struct ReportModel: Sendable, Hashable, Codable {
    /// Who reports what, when, with which tool.
    public struct Header: Sendable, Hashable, Codable {
        /// Legal name.
        public var entity: String
        /// Legal Entity Identifier.
        public var lei: String
        /// A stable id for this report: period and a digest of its inputs.
        public var reportID: String
        /// `2026-Q3`.
        public var period: String
        /// First instant of the period.
        public var periodStart: Instant
        /// First instant after the period.
        public var periodEnd: Instant
        /// The policy's time zone.
        public var timeZone: String
        /// When the report was generated (as given, for reproducibility).
        public var generatedAt: Instant
        /// drreport's version.
        public var toolVersion: String
        /// The ledger head the report was built from.
        public var ledgerHead: ContentHash?
        /// The SHA-256 of the policy file's bytes.
        public var policyHash: ContentHash
    }

    /// A legal basis the report answers to.
    public struct RegulatoryReference: Sendable, Hashable, Codable {
        /// `DORA art. 11`.
        public var reference: String
        /// What it requires, in a line.
        public var requirement: String
        /// Where in this report it is answered.
        public var section: String
    }

    /// A process in scope.
    public struct ProcessScope: Sendable, Hashable, Codable {
        public var id: String
        public var name: String
        public var criticality: String
        public var rtoSeconds: Int64
        public var rpoSeconds: Int64
        public var workspaces: [String]
        public var tables: [String]
        /// Whether a drill in the period covered it.
        public var drilled: Bool
    }

    /// A workspace in scope.
    public struct WorkspaceScope: Sendable, Hashable, Codable {
        public var id: String
        public var division: String
        public var environment: String
        public var kind: String?
        /// Whether dual-region parity applies to it.
        public var parityApplies: Bool
    }

    /// What the report covers and what it leaves out.
    public struct Scope: Sendable, Hashable, Codable {
        public var primaryRegion: String
        public var secondaryRegion: String
        public var rtoClock: String
        public var clockUncertaintySeconds: Int64
        public var processes: [ProcessScope]
        public var workspaces: [WorkspaceScope]
        /// Things out of scope, each with its reason.
        public var exclusions: [String]
    }

    /// One event on a drill's timeline.
    public struct TimelineEvent: Sendable, Hashable, Codable {
        public var time: Instant
        public var event: String
        public var process: String?
        public var region: String?
        public var actor: String?
        public var clock: String?
        public var note: String?
        /// Seconds since the attempt's first event.
        public var offsetSeconds: Int64
        /// Where it was logged: evidence id, source name and line.
        public var evidence: ContentHash
        public var source: String
        public var line: Int
    }

    /// A drill attempt: scenario, trigger, scope and timeline.
    public struct Drill: Sendable, Hashable, Codable {
        public var drill: String
        public var attempt: Int
        public var scenario: String?
        /// The note of `drill_started` or the disruption: what triggered the drill.
        public var trigger: String?
        public var processes: [String]
        public var start: Instant
        public var end: Instant
        public var aborted: Bool
        public var events: [TimelineEvent]
        /// Time operated in the secondary region: failover completed → failback started, seconds.
        public var secondaryOperationSeconds: Int64?
        /// Whether failback completed.
        public var failbackCompleted: Bool
        /// failback started → completed, seconds.
        public var failbackSeconds: Int64?
    }

    /// Recovery of one process in one attempt: both RTO clocks and the RPO.
    public struct Recovery: Sendable, Hashable, Codable {
        public var process: String
        public var processName: String
        public var drill: String
        public var attempt: Int
        public var rto: Finding?
        public var rpo: Finding?
    }

    /// Change management population and exceptions.
    public struct ChangeManagement: Sendable, Hashable, Codable {
        /// Environments that require approval.
        public var approvalRequired: [String]
        /// Runs in those environments in the period.
        public var population: Int
        /// Of which failing or indeterminate.
        public var exceptions: Int
        /// Every change-approval finding.
        public var findings: [Finding]
        /// Every apply-parity finding.
        public var applyParity: [Finding]
    }

    /// A placeholder for the remediation of a failing finding.
    public struct Remediation: Sendable, Hashable, Codable {
        public var id: String
        public var rule: String
        public var subject: String
        public var severity: String
        public var owner: String
        public var dueDate: String
    }

    /// A sign-off line.
    public struct SignOff: Sendable, Hashable, Codable {
        public var role: String
        public var name: String
        public var date: String
    }

    /// One piece of evidence the report used.
    public struct EvidenceEntry: Sendable, Hashable, Codable {
        public var id: ContentHash
        public var kind: String
        public var source: String
        public var covers: String
        public var ingestedAt: Instant
        public var seq: Int64
    }

    /// Counts per status.
    public struct Counts: Sendable, Hashable, Codable {
        public var pass = 0
        public var fail = 0
        public var indeterminate = 0
        public var waived = 0

        init(_ findings: [Finding]) {
            for finding in findings { count(finding.status) }
        }

        mutating func count(_ status: FindingStatus) {
            switch status {
            case .pass: pass += 1
            case .fail: fail += 1
            case .indeterminate: indeterminate += 1
            case .waived: waived += 1
            }
        }

        /// The worst status present (pass when empty).
        public var worst: FindingStatus {
            fail > 0 ? .fail : indeterminate > 0 ? .indeterminate : waived > 0 ? .waived : .pass
        }
    }

    /// A verdict line of the executive summary.
    public struct Verdict: Sendable, Hashable, Codable {
        /// A process id or a rule id.
        public var subject: String
        /// The name for people.
        public var title: String
        /// The worst status.
        public var status: FindingStatus
        /// The counts.
        public var counts: Counts
    }

    public var header: Header
    public var regulatoryBasis: [RegulatoryReference]
    public var scope: Scope
    public var drills: [Drill]
    public var recovery: [Recovery]
    /// Consistency findings (per table and check run).
    public var dataIntegrity: [Finding]
    /// `integrity_verified` events of the period's drills.
    public var integrityChecks: [TimelineEvent]
    /// Parity findings (per workspace).
    public var parity: [Finding]
    public var changeManagement: ChangeManagement
    /// Drill-cadence findings.
    public var cadence: [Finding]
    /// The evidence-integrity finding.
    public var evidenceIntegrity: Finding?
    /// All findings, worst first (status, then severity), then by rule and subject.
    public var findings: [Finding]
    public var remediation: [Remediation]
    public var signOff: [SignOff]
    public var evidenceIndex: [EvidenceEntry]
    public var totals: Counts
    public var byProcess: [Verdict]
    public var byRule: [Verdict]
    public var warnings: [String]

    /// Whether the period has no evidence at all (the first page says so).
    public var noEvidence: Bool { evidenceIndex.isEmpty && drills.isEmpty }
}

extension ReportModel {
    /// The legal references a DR test report answers to.
    public static let regulatoryBasis: [RegulatoryReference] = [
        .init(reference: "DORA art. 11", requirement: "ICT business continuity policy, plans tested at least yearly, RTO and RPO for critical functions", section: "Recovery results"),
        .init(reference: "DORA art. 12", requirement: "Backup, restoration and recovery; redundant ICT capacity in a separate location; data integrity on restore", section: "Data integrity; Dual-region parity"),
        .init(reference: "DORA art. 24", requirement: "Digital operational resilience testing programme, documented results and remediation", section: "Findings; Remediation"),
        .init(reference: "RTS (EU) 2024/1774 art. 24", requirement: "Testing of ICT business continuity plans, including switchover between primary and redundant infrastructure", section: "Scenario and timeline"),
        .init(reference: "RTS (EU) 2024/1774 art. 25", requirement: "Response and recovery plans with recovery time and point objectives per function", section: "Scope; Recovery results"),
        .init(reference: "RTS (EU) 2024/1774 art. 26", requirement: "Backup and restoration: data integrity checks and reconciliation after recovery", section: "Data integrity"),
        .init(reference: "RTS (EU) 2024/1774 art. 17", requirement: "ICT change management: recorded, tested, assessed and approved changes with segregation of duties", section: "Change management"),
        .init(reference: "Banca d'Italia, Circolare 285, Part I, Title IV, Ch. 5", requirement: "Business continuity of critical processes, with documented verification of recovery", section: "Executive summary"),
    ]

    /// Builds the model: runs every rule, then gathers what the sections show.
    ///
    /// `ledger` and `integrity` default to the store's own; an evidence-bundle verifier passes the
    /// bundle's ledger (the original store's positions and head) and the integrity it established,
    /// so the report it rebuilds is the one that was signed.
    public static func build(
        store: any EvidenceStore, policy: Policy, policyBytes: Data, period: Period, generatedAt: Instant, toolVersion: String,
        ledger: [LedgerEntry]? = nil, integrity: IntegrityReport? = nil
    ) async throws(EvidenceError) -> ReportModel {
        try await buildWithContext(
            store: store, policy: policy, policyBytes: policyBytes, period: period, generatedAt: generatedAt,
            toolVersion: toolVersion, ledger: ledger, integrity: integrity
        ).model
    }

    /// Builds the model, and gives the context the rules were run on too (a bundle includes the
    /// evidence that context used), so it is not read from the store twice.
    public static func buildWithContext(
        store: any EvidenceStore, policy: Policy, policyBytes: Data, period: Period, generatedAt: Instant, toolVersion: String,
        ledger: [LedgerEntry]? = nil, integrity: IntegrityReport? = nil
    ) async throws(EvidenceError) -> (model: ReportModel, context: RuleContext) {
        let (assessment, context) = try await Assessor.assessWithContext(
            store: store, policy: policy, period: period, integrity: integrity)
        let entries: [LedgerEntry]
        if let ledger { entries = ledger } else { entries = try await store.ledgerEntries() }
        let evidence = try await store.evidenceList()
        let model = build(
            assessment: assessment, context: context, evidence: evidence, ledger: entries, policyBytes: policyBytes,
            generatedAt: generatedAt, toolVersion: toolVersion)
        return (model, context)
    }

    /// Builds the model from an assessment and the evidence it was made from.
    public static func build(
        assessment: Assessment, context: RuleContext, evidence: [EvidenceSummary], ledger: [LedgerEntry],
        policyBytes: Data, generatedAt: Instant, toolVersion: String
    ) -> ReportModel {
        let ledgerHead = ledger.last?.hash
        let positions = Dictionary(ledger.map { ($0.evidence, $0.seq) }, uniquingKeysWith: { first, _ in first })
        let policy = context.policy
        let period = context.period
        let findings = assessment.findings
        let attempts = context.periodAttempts
        let sources = Dictionary(evidence.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })

        // Evidence index: everything a finding used, and every drill and consistency log of the period.
        var used = Set(findings.flatMap(\.evidence))
        for attempt in attempts { used.formUnion(attempt.events.map(\.evidence)) }
        for run in context.consistencyRuns where period.contains(run.value.checkedAt) { used.insert(run.evidence) }
        let index = evidence.filter { used.contains($0.id) }
            .map {
                EvidenceEntry(
                    id: $0.id, kind: $0.kind.rawValue, source: $0.source, covers: $0.covers, ingestedAt: $0.ingestedAt,
                    seq: positions[$0.id] ?? $0.seq)
            }
            .sorted { ($0.seq, $0.id) < ($1.seq, $1.id) }

        let policyHash = ContentHash.of(policyBytes)
        var digest = SHA256()
        for part in [policy.organization.lei, period.description, generatedAt.rfc3339(utc: true), ledgerHead?.description ?? "", policyHash.description] {
            digest.update(data: Data((part + "\n").utf8))
        }
        let digestHex = digest.finalize().map { String(format: "%02x", $0) }.joined()
        let header = Header(
            entity: policy.organization.name, lei: policy.organization.lei,
            reportID: "DRR-\(period.description)-\(digestHex.prefix(12).uppercased())", period: period.description,
            periodStart: period.start, periodEnd: period.end, timeZone: policy.timeZone.identifier, generatedAt: generatedAt,
            toolVersion: toolVersion, ledgerHead: ledgerHead, policyHash: policyHash)

        let drilled = Set(attempts.flatMap { $0.processes(in: policy) })
        var exclusions: [String] = []
        for process in policy.processes where !drilled.contains(process.id) {
            exclusions.append("\(process.id): in no drill this period" + (process.criticality == .businessCritical ? " (drill cadence judged over \(policy.drillEvery))" : ""))
        }
        for workspace in policy.workspaces where !policy.parity.applies(to: workspace.environment) {
            exclusions.append("\(workspace.id): \(workspace.environment) workspace, not held to dual-region parity")
        }
        let scope = Scope(
            primaryRegion: policy.primaryRegion, secondaryRegion: policy.secondaryRegion, rtoClock: policy.rtoClock.rawValue,
            clockUncertaintySeconds: policy.clockUncertainty,
            processes: policy.processes.map {
                ProcessScope(
                    id: $0.id, name: $0.name, criticality: $0.criticality.rawValue, rtoSeconds: $0.rto, rpoSeconds: $0.rpo,
                    workspaces: $0.workspaces, tables: $0.tables, drilled: drilled.contains($0.id))
            },
            workspaces: policy.workspaces.map {
                WorkspaceScope(id: $0.id, division: $0.division, environment: $0.environment, kind: $0.kind, parityApplies: policy.parity.applies(to: $0.environment))
            },
            exclusions: exclusions)

        func timeline(_ attempt: DrillAttempt) -> [TimelineEvent] {
            attempt.events.map { stored in
                let event = stored.value
                return TimelineEvent(
                    time: event.time, event: event.event.rawValue, process: event.process, region: event.region, actor: event.actor,
                    clock: event.clock, note: event.note, offsetSeconds: UncertainDuration.seconds(from: attempt.start, to: event.time),
                    evidence: stored.evidence, source: sources[stored.evidence]?.source ?? stored.evidence.description, line: event.line)
            }
        }
        let drills = attempts.map { attempt -> Drill in
            let failoverDone = attempt.first(.failoverCompleted)?.value.time
            let failbackStart = attempt.first(.failbackStarted)?.value.time
            let failbackDone = attempt.first(.failbackCompleted)?.value.time
            let trigger = attempt.first(.drillStarted)?.value.note ?? attempt.first(.disruption)?.value.note
            return Drill(
                drill: attempt.drill, attempt: attempt.attempt, scenario: attempt.scenario?.rawValue, trigger: trigger,
                processes: attempt.processes(in: policy), start: attempt.start, end: attempt.events.last?.value.time ?? attempt.start,
                aborted: attempt.first(.aborted) != nil, events: timeline(attempt),
                secondaryOperationSeconds: zip2(failoverDone, failbackStart).map { UncertainDuration.seconds(from: $0, to: $1) },
                failbackCompleted: failbackDone != nil,
                failbackSeconds: zip2(failbackStart, failbackDone).map { UncertainDuration.seconds(from: $0, to: $1) })
        }

        let rto = findings.filter { $0.rule == .rto }
        let rpo = findings.filter { $0.rule == .rpo }
        var recovery: [Recovery] = []
        for attempt in attempts {
            for id in attempt.processes(in: policy) {
                guard let process = policy.process(id) else { continue }
                let subject = attempt.subject(for: id)
                recovery.append(Recovery(
                    process: id, processName: process.name, drill: attempt.drill, attempt: attempt.attempt,
                    rto: rto.first { $0.subject == subject }, rpo: rpo.first { $0.subject == subject }))
            }
        }
        let integrityChecks = drills.flatMap { $0.events.filter { $0.event == DrillEventType.integrityVerified.rawValue } }

        let changeFindings = findings.filter { $0.rule == .changeApproval }
        let change = ChangeManagement(
            approvalRequired: policy.changeControl.approvalRequired, population: changeFindings.count,
            exceptions: changeFindings.filter { $0.status.failsGate }.count, findings: changeFindings,
            applyParity: findings.filter { $0.rule == .applyParity })

        let worstFirst = worstFirst(findings)
        var remediation: [Remediation] = []
        for finding in worstFirst where finding.status.failsGate {
            remediation.append(Remediation(
                id: "R-\(String(format: "%03d", remediation.count + 1))", rule: finding.rule.rawValue, subject: finding.subject,
                severity: finding.severity.rawValue, owner: "", dueDate: ""))
        }
        let signOff = ["Business Continuity Manager", "Head of ICT Risk Management", "Chief Risk Officer", "Management Body (approval)"]
            .map { SignOff(role: $0, name: "", date: "") }

        // The few findings that a process owns (its drills' RTO and RPO, its cadence), taken out once.
        let drillFindings = findings.filter { $0.rule == .rto || $0.rule == .rpo || $0.rule == .drillCadence }
        let byProcess = policy.processes.map { process -> Verdict in
            let own = drillFindings.filter { finding in
                (finding.rule == .rto || finding.rule == .rpo) && finding.subject.hasPrefix(process.id + "@")
                    || finding.rule == .drillCadence && finding.subject == process.id
            }
            let counts = Counts(own)
            return Verdict(subject: process.id, title: process.name, status: own.isEmpty ? .indeterminate : counts.worst, counts: counts)
        }
        var ruleCounts: [RuleID: Counts] = [:]
        for finding in findings { ruleCounts[finding.rule, default: Counts([])].count(finding.status) }
        let byRule = assessment.rules.map { rule -> Verdict in
            let counts = ruleCounts[rule] ?? Counts([])
            return Verdict(subject: rule.rawValue, title: rule.title, status: counts.worst, counts: counts)
        }

        return ReportModel(
            header: header, regulatoryBasis: regulatoryBasis, scope: scope, drills: drills, recovery: recovery,
            dataIntegrity: findings.filter { $0.rule == .consistency }, integrityChecks: integrityChecks,
            parity: findings.filter { $0.rule == .parity }, changeManagement: change,
            cadence: findings.filter { $0.rule == .drillCadence },
            evidenceIntegrity: findings.first { $0.rule == .evidenceIntegrity }, findings: worstFirst,
            remediation: remediation, signOff: signOff, evidenceIndex: index, totals: Counts(findings), byProcess: byProcess,
            byRule: byRule, warnings: assessment.warnings)
    }

    /// Worst status first, then severity, rule and subject in byte order; ties keep their order. The
    /// positions are sorted, and each finding is copied once.
    static func worstFirst(_ findings: [Finding]) -> [Finding] {
        Assessment.order(of: findings) { finding in
            ((FindingStatus.allCases.firstIndex(of: finding.status) ?? 0) * Severity.allCases.count
                + (Severity.allCases.firstIndex(of: finding.severity) ?? 0)) * RuleID.allCases.count
                + (RuleID.allCases.firstIndex(of: finding.rule) ?? 0)
        }.map { findings[$0] }
    }
}

private func zip2<A, B>(_ a: A?, _ b: B?) -> (A, B)? {
    guard let a, let b else { return nil }
    return (a, b)
}
