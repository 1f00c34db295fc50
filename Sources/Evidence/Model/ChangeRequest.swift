/// A ServiceNow reference field: the referenced record's `sys_id` (its `value`) and the name shown
/// for it (`display_value`), either of which may be empty.
public struct Reference: Sendable, Hashable, Codable {
    /// The `sys_id` or the plain value.
    public var value: String
    /// The display value, when the export carried one.
    public var display: String?

    /// A reference.
    public init(value: String, display: String? = nil) {
        self.value = value
        self.display = display
    }
}

/// A `change_request` record (DESIGN §3.3), with date-times in UTC.
public struct ChangeRequest: Sendable, Hashable, Codable {
    /// `CHG0031889`.
    public var number: String
    /// The record's `sys_id`.
    public var sysID: String
    /// `standard`, `normal` or `emergency`.
    public var type: String
    /// The state value (ServiceNow's numeric code or label).
    public var state: String
    /// `not requested`, `requested`, `approved` or `rejected`.
    public var approval: String
    /// Who requested the change.
    public var requestedBy: Reference?
    /// Who implements it.
    public var assignedTo: Reference?
    /// Planned window start.
    public var startDate: Instant?
    /// Planned window end.
    public var endDate: Instant?
    /// Actual work start.
    public var workStart: Instant?
    /// Actual work end.
    public var workEnd: Instant?
    /// Whether the CAB had to approve.
    public var cabRequired: Bool?
    /// When the CAB met.
    public var cabDate: Instant?
    /// How the change was closed.
    public var closeCode: String?
    /// When the approval was set, when exported.
    public var approvalSet: Instant?
    /// Last update; the latest version of a change wins.
    public var updatedOn: Instant?

    /// A change request.
    public init(
        number: String, sysID: String, type: String, state: String, approval: String, requestedBy: Reference? = nil,
        assignedTo: Reference? = nil, startDate: Instant? = nil, endDate: Instant? = nil, workStart: Instant? = nil,
        workEnd: Instant? = nil, cabRequired: Bool? = nil, cabDate: Instant? = nil, closeCode: String? = nil,
        approvalSet: Instant? = nil, updatedOn: Instant? = nil
    ) {
        self.number = number
        self.sysID = sysID
        self.type = type
        self.state = state
        self.approval = approval
        self.requestedBy = requestedBy
        self.assignedTo = assignedTo
        self.startDate = startDate
        self.endDate = endDate
        self.workStart = workStart
        self.workEnd = workEnd
        self.cabRequired = cabRequired
        self.cabDate = cabDate
        self.closeCode = closeCode
        self.approvalSet = approvalSet
        self.updatedOn = updatedOn
    }
}

/// A `sysapproval_approver` record: one approver's decision on a change.
public struct Approval: Sendable, Hashable, Codable {
    /// The approved record's `sys_id` (the change's).
    public var changeSysID: String
    /// The approval record's own `sys_id`, when exported.
    public var sysID: String?
    /// The approver.
    public var approver: Reference
    /// `approved`, `rejected`, `requested`, ...
    public var state: String
    /// When the decision was recorded.
    public var updatedOn: Instant?
    /// The approver's comments.
    public var comments: String?

    /// An approval.
    public init(
        changeSysID: String, sysID: String? = nil, approver: Reference, state: String, updatedOn: Instant? = nil,
        comments: String? = nil
    ) {
        self.changeSysID = changeSysID
        self.sysID = sysID
        self.approver = approver
        self.state = state
        self.updatedOn = updatedOn
        self.comments = comments
    }
}

/// A ServiceNow export: change requests and approvals, in either JSON or XML.
public struct ChangeExport: Sendable, Hashable, Codable {
    /// The change requests.
    public var changes: [ChangeRequest]
    /// The approvals.
    public var approvals: [Approval]

    /// An export.
    public init(changes: [ChangeRequest], approvals: [Approval]) {
        self.changes = changes
        self.approvals = approvals
    }
}
