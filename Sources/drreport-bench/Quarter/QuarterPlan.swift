/// The timeline of the quarter (2026-Q3, Europe/Rome): every pipeline run with its timings, commit,
/// change request and outcome; every change request and approval; the drills. Decided up front, from
/// the seed, so the writers only render it.
struct QuarterPlan {
    /// One Azure DevOps pipeline run applying Terraform to one workspace in one region.
    struct Run {
        var workspace: Int
        var region: Bank.Region
        var round: Int
        var commit: String
        /// The change request number named in `templateParameters` (`""` for UAT).
        var change: String
        /// The implementer (ADO `requestedBy`).
        var implementer: String
        var created: Moment
        var applyStart: Moment
        var applyEnd: Moment
        var finished: Moment
        var succeeded: Bool
        /// Whether the run published `state.json` (the latest of its workspace and region).
        var carriesState: Bool
        /// Assigned once all runs are known, in creation order.
        var id = 0
        var name = ""

        var key: String { "\(workspace)-\(region.rawValue)-\(round)-\(created.nanoseconds)" }
    }

    /// A `sysapproval_approver` record.
    struct Approval {
        var sysID: String
        var approver: (sysID: String, name: String)
        var state: String
        var created: Moment
        var updated: Moment
        var comments: String
    }

    /// A `change_request` record.
    struct Change {
        var number = ""
        var sysID: String
        var type: String
        var state: String
        var approval: String
        var requestedBy: Bank.Person
        var assignedTo: Bank.Person
        var workspace: Int
        var shortDescription: String
        var start: Moment
        var end: Moment
        var workStart: Moment?
        var workEnd: Moment?
        var cabRequired: Bool
        var cabDate: Moment?
        var closeCode: String
        var closeNotes: String
        var approvalSet: Moment?
        var created: Moment
        var updated: Moment
        var approvals: [Approval]
    }

    /// One drill (one attempt) and its timeline.
    struct Drill {
        var id: String
        var started: Moment
        var disruption: Moment
        var detected: Moment
        var declared: Moment
        var planActivated: Moment
        var failoverStarted: Moment
        var failoverCompleted: Moment
        var checkedAt: Moment
        /// Restore instants by process index (`nil`: never restored).
        var restored: [Int: Moment]
        var failbackStarted: Moment
        var failbackCompleted: Moment
        var crisisClosed: Moment
        var closed: Moment
        var checkRun: String
        /// Whether the consistency output carries `reference_time` (else the disruption is used).
        var hasReferenceTime: Bool
    }

    let bank: Bank
    private(set) var runs: [Run] = []
    private(set) var changes: [Change] = []
    private(set) var drills: [Drill] = []

    /// The period's bounds: 2026-07-01T00:00+02:00 to 2026-10-01T00:00+02:00.
    static let periodStart = Moment(2026, 6, 30, 22)
    static let periodEnd = Moment(2026, 9, 30, 22)

    init(bank: Bank) {
        self.bank = bank
        planRuns()
        planExtraChanges()
        numberRunsAndChanges()
        planDrills()
    }

    // MARK: - Runs and their changes

    private mutating func planRuns() {
        let first = Moment(2026, 7, 2)
        let span = 86 * Moment.day
        var planned: [Run] = []
        var roundChanges: [(key: String, change: Change)] = []
        for workspace in bank.workspaces {
            let process = bank.processes[workspace.process]
            for round in 0..<bank.rounds {
                var random = SeededRandom(bank.seed, "round", workspace.id, String(round))
                let slotStart = first.adding(span * Int64(round) / Int64(bank.rounds))
                let slotDays = max(1, Int(span / Int64(bank.rounds) / Moment.day))
                let created = slotStart.adding(
                    Int64(random.below(slotDays)) * Moment.day + 6 * Moment.hour
                        + Int64(random.below(10 * 3600)) * Moment.second + Int64(random.below(10_000_000)) * 100)
                let isLast = round == bank.rounds - 1
                let requester: Bank.Person =
                    Injections.matches(Injections.requesterApproves, workspace: workspace.id, round: round)
                    ? bank.developers[Injections.selfApprovingDeveloper] : random.pick(bank.developers(of: workspace.process))
                let commit = random.hex(40)
                let prod = workspace.environment == "prod"
                let changeKey = "\(workspace.id)#\(round)"

                func run(_ region: Bank.Region, created: Moment, succeeded: Bool = true) -> Run {
                    let applyStart = created.adding(Int64(random.int(240...540)) * Moment.second + Int64(random.below(1_000_000)) * 1000)
                    let applyEnd = applyStart.adding(Int64(random.int(40...360)) * Moment.second + Int64(random.below(1_000_000)) * 1000)
                    let finished = applyEnd.adding(Int64(random.int(20...70)) * Moment.second + Int64(random.below(10_000_000)) * 100)
                    return Run(
                        workspace: workspace.index, region: region, round: round, commit: commit,
                        change: prod ? changeKey : "", implementer: requester.email, created: created,
                        applyStart: applyStart, applyEnd: applyEnd, finished: finished, succeeded: succeeded,
                        carriesState: isLast)
                }

                var roundRuns: [Run] = []
                let primary = run(.primary, created: created)
                roundRuns.append(primary)
                let secondaryCreated = primary.finished.adding(Int64(random.int(480...1200)) * Moment.second + Int64(random.below(10_000_000)) * 100)
                if Injections.matches(Injections.missingSecondaryApply, workspace: workspace.id, round: round) {
                    // Nothing in the secondary.
                } else if Injections.matches(Injections.lateSecondaryApply, workspace: workspace.id, round: round) {
                    roundRuns.append(run(.secondary, created: primary.finished.adding(30 * Moment.hour + 7 * Moment.minute)))
                } else if Injections.matches(Injections.failedSecondaryApply, workspace: workspace.id, round: round) {
                    let failed = run(.secondary, created: secondaryCreated, succeeded: false)
                    roundRuns.append(failed)
                    roundRuns.append(run(.secondary, created: failed.finished.adding(Int64(random.int(2400...4200)) * Moment.second)))
                } else {
                    roundRuns.append(run(.secondary, created: secondaryCreated))
                }
                if isLast, workspace.id == Injections.parityNoSecondaryState {
                    for index in roundRuns.indices where roundRuns[index].region == .secondary { roundRuns[index].carriesState = false }
                }
                // Only the last run of a region carries the state (a retry supersedes the failed run).
                for region in Bank.Region.allCases {
                    let indices = roundRuns.indices.filter { roundRuns[$0].region == region }
                    for index in indices.dropLast() { roundRuns[index].carriesState = false }
                }
                planned += roundRuns
                if prod {
                    let change = roundChange(
                        workspace: workspace, process: process, round: round, requester: requester, runs: roundRuns,
                        random: &random)
                    roundChanges.append((changeKey, change))
                }
            }
        }
        runs = planned
        pendingRoundChanges = roundChanges
    }

    private var pendingRoundChanges: [(key: String, change: Change)] = []

    private func roundChange(
        workspace: Bank.Workspace, process: Bank.Process, round: Int, requester: Bank.Person, runs: [Run],
        random: inout SeededRandom
    ) -> Change {
        let primary = runs[0]
        let last = runs.max { $0.finished < $1.finished } ?? primary
        let halfHour = 30 * Moment.minute
        let windowStart = Moment(nanoseconds: primary.created.nanoseconds / halfHour * halfHour - halfHour)
        let emergency = Injections.matches(Injections.lateEmergencyApproval, workspace: workspace.id, round: round)
            || Injections.matches(Injections.emergencyWithinLimit, workspace: workspace.id, round: round)
        let created = primary.created.adding(-Int64(random.int(3...7)) * Moment.day - Int64(random.below(8 * 3600)) * Moment.second)
            .wholeSecond
        let dayStart = Moment(nanoseconds: primary.created.nanoseconds / Moment.day * Moment.day)
        let cab = dayStart.adding(-Moment.day + 14 * Moment.hour)
        let lead = bank.techLeads[workspace.process % bank.techLeads.count]
        let manager = bank.changeManagers[random.below(bank.changeManagers.count)]
        var leadApproved = cab.adding(-Int64(random.int(3600...14_400)) * Moment.second)
        var managerApproved = cab.adding(Int64(random.int(600...6600)) * Moment.second)
        var managerIdentity = (manager.sysID, manager.name)
        if emergency {
            let delay: Int64 = Injections.matches(Injections.lateEmergencyApproval, workspace: workspace.id, round: round) ? 80 : 10
            leadApproved = primary.applyStart.adding((delay - 1) * Moment.hour + Int64(random.below(1800)) * Moment.second).wholeSecond
            managerApproved = primary.applyStart.adding(delay * Moment.hour + Int64(random.below(1800)) * Moment.second).wholeSecond
        }
        if Injections.matches(Injections.approvedAfterApplyStart, workspace: workspace.id, round: round) {
            managerApproved = primary.applyStart.wholeSecond.adding(61 * Moment.second)
        }
        if Injections.matches(Injections.requesterApproves, workspace: workspace.id, round: round), let admin = requester.admin {
            managerIdentity = admin
        }
        let approvalCreated = created.adding(Int64(random.int(300...900)) * Moment.second)
        let approvals = [
            Approval(
                sysID: random.hex(32), approver: (lead.sysID, lead.name), state: "approved", created: approvalCreated,
                updated: leadApproved.wholeSecond,
                comments: "\(leadApproved.wholeSecond.serviceNow) - \(lead.name) (Comments)\nTechnical review done; plan, rollback and secondary-region apply checked."),
            Approval(
                sysID: random.hex(32), approver: managerIdentity, state: "approved", created: approvalCreated,
                updated: managerApproved.wholeSecond,
                comments: emergency
                    ? "\(managerApproved.wholeSecond.serviceNow) - \(managerIdentity.1) (Comments)\nRetrospective approval of the emergency change."
                    : "\(managerApproved.wholeSecond.serviceNow) - \(managerIdentity.1) (Comments)\nApproved at CAB \(cab.serviceNow.prefix(10))."),
        ]
        let subjects = [
            "cluster policy and autoscale tuning", "job schedule and retry settings", "new ingestion jobs",
            "Unity Catalog grants for new schemas", "secret scope rotation", "SQL warehouse sizing",
            "service principal entitlements", "notebook and repo updates", "instance pool capacity",
            "group membership sync", "DLT pipeline channel update", "init script CA bundle refresh",
        ]
        let workEnd = last.finished.wholeSecond
        return Change(
            sysID: random.hex(32), type: emergency ? "emergency" : "normal", state: "3", approval: "approved",
            requestedBy: requester, assignedTo: requester, workspace: workspace.index,
            shortDescription: "\(workspace.id): \(random.pick(subjects))", start: windowStart,
            end: windowStart.adding(emergency ? 6 * Moment.hour : 4 * Moment.hour), workStart: primary.applyStart.wholeSecond,
            workEnd: workEnd, cabRequired: !emergency, cabDate: emergency ? nil : cab, closeCode: "successful",
            closeNotes: "Applied in westeurope and northeurope.", approvalSet: max(leadApproved, managerApproved).wholeSecond,
            created: created, updated: max(workEnd, managerApproved).adding(Int64(random.int(1800...10_800)) * Moment.second).wholeSecond,
            approvals: approvals)
    }

    /// Change requests no run names: standard changes, other work on the platform, changes still in
    /// approval. They fill the exports up to the scale's count.
    private mutating func planExtraChanges() {
        let extra = max(0, bank.changeRequests - pendingRoundChanges.count)
        var random = SeededRandom(bank.seed, "extra-changes")
        let subjects = [
            "quarterly access review", "cost-center tag correction", "Unity Catalog lineage enablement",
            "audit log delivery check", "IP access list update", "token lifetime policy", "workspace conf hardening",
        ]
        for _ in 0..<extra {
            let workspace = bank.workspaces[random.below(bank.workspaces.count)]
            let requester = random.pick(bank.developers(of: workspace.process))
            let start = Moment(2026, 7, 1).adding(Int64(random.below(88 * 86_400)) * Moment.second).wholeSecond
            let created = start.adding(-Int64(random.int(2...9)) * Moment.day)
            let kind = random.below(10)
            var change = Change(
                sysID: random.hex(32), type: kind < 6 ? "standard" : "normal", state: "3", approval: "approved",
                requestedBy: requester, assignedTo: requester, workspace: workspace.index,
                shortDescription: "\(workspace.id): \(random.pick(subjects))", start: start, end: start.adding(2 * Moment.hour),
                workStart: start.adding(20 * Moment.minute), workEnd: start.adding(50 * Moment.minute), cabRequired: kind >= 6,
                cabDate: nil, closeCode: "successful", closeNotes: "Completed.", approvalSet: nil, created: created,
                updated: start.adding(3 * Moment.hour), approvals: [])
            if kind >= 6 {
                let lead = bank.techLeads[workspace.process % bank.techLeads.count]
                let manager = random.pick(bank.changeManagers)
                let pending = kind == 9
                let decided = start.adding(-Moment.day)
                change.approvals = [
                    Approval(
                        sysID: random.hex(32), approver: (lead.sysID, lead.name), state: pending ? "requested" : "approved",
                        created: created.adding(600 * Moment.second), updated: pending ? created.adding(600 * Moment.second) : decided,
                        comments: pending ? "" : "\(decided.serviceNow) - \(lead.name) (Comments)\nReviewed."),
                    Approval(
                        sysID: random.hex(32), approver: (manager.sysID, manager.name), state: pending ? "requested" : "approved",
                        created: created.adding(600 * Moment.second),
                        updated: pending ? created.adding(600 * Moment.second) : decided.adding(Moment.hour),
                        comments: pending ? "" : "\(decided.adding(Moment.hour).serviceNow) - \(manager.name) (Comments)\nApproved at CAB."),
                ]
                change.cabDate = decided
                if pending {
                    change.state = "-3"
                    change.approval = "requested"
                    change.workStart = nil
                    change.workEnd = nil
                    change.closeCode = ""
                    change.closeNotes = ""
                    change.updated = created.adding(600 * Moment.second)
                } else {
                    change.approvalSet = decided.adding(Moment.hour)
                }
            }
            pendingRoundChanges.append(("extra", change))
        }
    }

    private mutating func numberRunsAndChanges() {
        // Run ids grow with creation time, with gaps (other pipelines of the organisation share the counter).
        runs.sort { ($0.created, $0.key) < ($1.created, $1.key) }
        var random = SeededRandom(bank.seed, "run-ids")
        var next = 41_000
        var perDay: [String: Int] = [:]
        for index in runs.indices {
            next += random.int(1...3)
            runs[index].id = next
            let workspace = bank.workspaces[runs[index].workspace].id
            let stem = "\(workspace)-\(runs[index].region.short)-\(runs[index].created.compactDate)"
            perDay[stem, default: 0] += 1
            runs[index].name = "\(stem).\(perDay[stem] ?? 1)"
        }
        // Change numbers grow with creation time too.
        var all = pendingRoundChanges
        all.sort { ($0.change.created, $0.change.sysID) < ($1.change.created, $1.change.sysID) }
        var numbers: [String: String] = [:]
        for index in all.indices {
            let number = "CHG\(String(50_001 + index).leftPadded(to: 7))"
            all[index].change.number = number
            if all[index].key != "extra" { numbers[all[index].key] = number }
        }
        let missingKey = "\(Injections.missingChange.0)#\(Injections.missingChange.1)"
        numbers[missingKey] = "CHG0099" + String(random.int(100...999))
        for index in runs.indices where !runs[index].change.isEmpty {
            runs[index].change = numbers[runs[index].change] ?? ""
        }
        changes = all.filter { $0.key != missingKey }.map(\.change)
        pendingRoundChanges = []
    }

    // MARK: - Drills

    /// The four drills of the quarter, Saturdays, one attempt each.
    private mutating func planDrills() {
        let days = [Moment(2026, 7, 11), Moment(2026, 8, 1), Moment(2026, 8, 22), Moment(2026, 9, 12)]
        for (index, day) in days.enumerated() {
            var random = SeededRandom(bank.seed, "drill", String(index))
            let started = day.adding(5 * Moment.hour + 30 * Moment.minute)
            let disruption = day.adding(6 * Moment.hour + Int64(random.below(600)) * Moment.second)
            let detected = disruption.adding(Int64(random.int(120...300)) * Moment.second)
            let declared = disruption.adding(Int64(random.int(300...720)) * Moment.second)
            let planActivated = declared.adding(Int64(random.int(120...300)) * Moment.second)
            let failoverStarted = planActivated.adding(Int64(random.int(120...420)) * Moment.second)
            let failoverCompleted = failoverStarted.adding(Int64(random.int(2700...3600)) * Moment.second)
            let checkedAt = failoverCompleted.adding(Int64(random.int(480...900)) * Moment.second)
            var restored: [Int: Moment] = [:]
            for (process, definition) in bank.processes.enumerated() where definition.drilled {
                if Injections.at(Injections.rtoNeverRestored, process, index) { continue }
                var offset = Int64(random.int(4800...12_600)) * Moment.second
                if Injections.at(Injections.rtoOverTarget, process, index) { offset = (4 * 3600 + 60) * Moment.second }
                if Injections.at(Injections.rtoWithinUncertainty, process, index) { offset = (4 * 3600 - 2) * Moment.second }
                restored[process] = declared.adding(offset)
            }
            let lastRestore = restored.values.max() ?? failoverCompleted
            let failbackStarted = lastRestore.adding(Int64(random.int(2400...3600)) * Moment.second)
            let failbackCompleted = failbackStarted.adding(Int64(random.int(3600...5400)) * Moment.second)
            let crisisClosed = failbackCompleted.adding(Int64(random.int(300...900)) * Moment.second)
            drills.append(Drill(
                id: "DR-2026-Q3-0\(index + 1)", started: started, disruption: disruption, detected: detected, declared: declared,
                planActivated: planActivated, failoverStarted: failoverStarted, failoverCompleted: failoverCompleted,
                checkedAt: checkedAt, restored: restored, failbackStarted: failbackStarted, failbackCompleted: failbackCompleted,
                crisisClosed: crisisClosed, closed: crisisClosed.adding(20 * Moment.minute), checkRun: "cc-\(checkedAt.checkRunStamp)",
                hasReferenceTime: index != 3))
        }
    }

    // MARK: - Looking things up

    /// The runs of a workspace round.
    func runs(workspace: String, round: Int) -> [Run] {
        let index = bank.workspace(workspace).index
        return runs.filter { $0.workspace == index && $0.round == round }
    }
}

extension String {
    /// The string with zeros in front up to a width.
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
