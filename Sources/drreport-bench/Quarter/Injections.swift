/// The violations planted in the synthetic quarter, a few per rule, at fixed places so that
/// `expected.json` can name every failing or indeterminate finding `drreport check` must report —
/// and, by omission, say that everything else passes. Workspaces are named; runs are picked by
/// deployment round (round 0 is the quarter's first); drills by their position (0 = DR-2026-Q3-01).
enum Injections {
    // MARK: - parity (the latest states at period end)

    /// A job in the nested module `module.jobs.module.alerting` runs another Spark version in the secondary.
    static let parityNestedDifference = "payments-tech-prod"
    /// A group membership is missing in the secondary.
    static let parityMissingInSecondary = "ledger-user-prod"
    /// A user exists only in the secondary's state (imported there by hand).
    static let parityMissingInPrimary = "fraud-tech-prod"
    /// The secondary's last run published no state: parity cannot be shown.
    static let parityNoSecondaryState = "onboarding-user-prod"
    /// The GPU cluster's node type differs (no A100 in the secondary), under a valid waiver.
    static let parityWaivedGPU = "lending-user-prod"

    // MARK: - apply-parity and change-approval (pipeline runs)

    /// The secondary applies the primary's commit 30 hours later, outside the change's window.
    static let lateSecondaryApply = ("treasury-tech-prod", 1)
    /// The secondary apply fails (cluster in an unexpected state) and is retried successfully an hour later.
    static let failedSecondaryApply = ("cards-tech-prod", 1)
    /// The commit is applied in the primary only (the next round brings both regions level again).
    static let missingSecondaryApply = ("wealth-tech-prod", 0)
    /// The CAB approval is recorded one minute after the primary apply started.
    static let approvedAfterApplyStart = ("aml-tech-prod", 1)
    /// The change's requester approves it under their admin account (linked through `people`).
    static let requesterApproves = ("tradefin-user-prod", 1)
    /// The runs name a change request that is in no ServiceNow export.
    static let missingChange = ("regrep-tech-prod", 1)
    /// An emergency change approved 80 hours after the apply (the policy allows 72).
    static let lateEmergencyApproval = ("mktrisk-tech-prod", 1)
    /// An emergency change approved 10 hours after the apply: not a violation, there for realism.
    static let emergencyWithinLimit = ("payments-user-prod", 1)

    /// The developer (index in `Bank.developers`) with the admin account: the first of trade finance.
    static let selfApprovingDeveloper = 16

    // MARK: - drills (process index, drill index)

    /// Minimum service restored 4h01m00s after the crisis was declared (RTO 4h).
    static let rtoOverTarget = (process: 1, drill: 0)
    /// The process is never restored in the drill.
    static let rtoNeverRestored = (process: 3, drill: 1)
    /// Restored 3h59m58s after the declaration: within ±7 s of clock uncertainty of the 4h line.
    static let rtoWithinUncertainty = (process: 5, drill: 2)
    /// One of the process's tables has no complete version left in the secondary.
    static let unrecoverableTable = (process: 2, drill: 1)
    /// One of the process's tables is restored to a version 4h12m05s older than the disruption.
    static let restoredBeyondRPO = (process: 4, drill: 3)
    /// The drill's consistency check covers none of the process's tables.
    static let noConsistencyEvidence = (process: 6, drill: 2)

    // MARK: - drill-cadence

    /// The business-critical process in no drill (its cadence waiver expired).
    static let undrilledProcess = 11

    /// Whether a process in a drill is the given injection.
    static func at(_ injection: (process: Int, drill: Int), _ process: Int, _ drill: Int) -> Bool {
        injection.process == process && injection.drill == drill
    }

    /// Whether a workspace round is the given injection.
    static func matches(_ injection: (String, Int), workspace: String, round: Int) -> Bool {
        injection.0 == workspace && injection.1 == round
    }
}

/// One finding `drreport check` must report as failing, indeterminate or waived.
struct ExpectedFinding: Comparable {
    /// The rule id.
    var rule: String
    /// The finding's subject.
    var subject: String
    /// `fail`, `indeterminate` or `waived`.
    var status: String
    /// What was planted.
    var injection: String

    static func < (lhs: ExpectedFinding, rhs: ExpectedFinding) -> Bool {
        (lhs.rule, lhs.subject) < (rhs.rule, rhs.subject)
    }

    var json: JSONText {
        .object([
            .init("rule", .string(rule)), .init("subject", .string(subject)), .init("status", .string(status)),
            .init("injection", .string(injection)),
        ])
    }
}
