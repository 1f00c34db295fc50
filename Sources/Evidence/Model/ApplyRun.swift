/// The outcome of a Terraform apply as its machine-readable stream tells it (DESIGN §3.2).
public enum ApplyOutcome: String, Sendable, Hashable, Codable {
    /// A `change_summary` with `operation: apply` closed the stream and nothing errored.
    case succeeded
    /// An `apply_errored` line or an error diagnostic appeared.
    case failed
    /// No error, but no apply `change_summary` either: the apply did not finish.
    case incomplete
}

/// What `apply.jsonl` says about one `terraform apply -json`.
public struct ApplyStream: Sendable, Hashable, Codable {
    /// The Terraform version from the `version` line, when present.
    public var terraformVersion: String?
    /// The first `@timestamp` of the stream: when the apply started.
    public var firstTimestamp: Instant?
    /// The last `@timestamp` of the stream.
    public var lastTimestamp: Instant?
    /// Succeeded, failed or incomplete.
    public var outcome: ApplyOutcome
    /// Resources added, changed and destroyed by the closing change summary.
    public var added: Int?
    /// Resources changed.
    public var changed: Int?
    /// Resources destroyed.
    public var removed: Int?
    /// The summaries of error diagnostics and errored resources.
    public var errors: [String]
    /// The number of JSON lines read (banner lines excluded).
    public var messageCount: Int

    /// A stream summary.
    public init(
        terraformVersion: String? = nil, firstTimestamp: Instant? = nil, lastTimestamp: Instant? = nil,
        outcome: ApplyOutcome, added: Int? = nil, changed: Int? = nil, removed: Int? = nil, errors: [String] = [],
        messageCount: Int = 0
    ) {
        self.terraformVersion = terraformVersion
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.outcome = outcome
        self.added = added
        self.changed = changed
        self.removed = removed
        self.errors = errors
        self.messageCount = messageCount
    }
}

/// An Azure DevOps pipeline run that applied Terraform to one workspace in one region.
public struct PipelineRun: Sendable, Hashable, Codable {
    /// The run id.
    public var id: Int
    /// The run name (build number).
    public var name: String
    /// `completed`, `inProgress`, ...
    public var state: String
    /// `succeeded`, `failed`, `canceled`, or absent while running.
    public var result: String?
    /// When the run was created.
    public var createdDate: Instant
    /// When it finished.
    public var finishedDate: Instant?
    /// The pipeline's id.
    public var pipelineID: Int?
    /// The pipeline's name.
    public var pipelineName: String?
    /// The branch (`refName`).
    public var branch: String?
    /// The commit applied.
    public var commit: String?
    /// The workspace (template parameter).
    public var workspace: String
    /// The Azure region (template parameter).
    public var region: String
    /// `uat` or `prod` (template parameter).
    public var environment: String
    /// The change request number, when given.
    public var changeRequest: String?
    /// Who requested the run (ADO uniqueName), when given.
    public var requestedBy: String?

    /// A run.
    public init(
        id: Int, name: String, state: String, result: String?, createdDate: Instant, finishedDate: Instant?,
        pipelineID: Int? = nil, pipelineName: String? = nil, branch: String? = nil, commit: String? = nil,
        workspace: String, region: String, environment: String, changeRequest: String? = nil,
        requestedBy: String? = nil
    ) {
        self.id = id
        self.name = name
        self.state = state
        self.result = result
        self.createdDate = createdDate
        self.finishedDate = finishedDate
        self.pipelineID = pipelineID
        self.pipelineName = pipelineName
        self.branch = branch
        self.commit = commit
        self.workspace = workspace
        self.region = region
        self.environment = environment
        self.changeRequest = changeRequest
        self.requestedBy = requestedBy
    }
}

/// A pipeline apply record: the run, its apply stream and, optionally, the state after it.
public struct ApplyRecord: Sendable, Hashable, Codable {
    /// The pipeline run (`run.json`).
    public var run: PipelineRun
    /// The apply stream (`apply.jsonl`).
    public var apply: ApplyStream
    /// The state after the apply (`state.json`), when published.
    public var state: TerraformState?

    /// A record.
    public init(run: PipelineRun, apply: ApplyStream, state: TerraformState?) {
        self.run = run
        self.apply = apply
        self.state = state
    }

    /// Whether both the pipeline and the apply succeeded.
    public var succeeded: Bool {
        run.result == "succeeded" && apply.outcome == .succeeded
    }
}
