/// What differs between a workspace's two regional deployments: the Azure resource names and the
/// identifiers each Databricks workspace assigns on its own. Everything drawn here is in the ignore
/// list of the generated drreport.yaml (DESIGN §3.2); everything else is drawn from a random source
/// keyed by the resource only, so both regions get the same values.
struct RegionContext {
    let bank: Bank
    let workspace: Bank.Workspace
    let region: Bank.Region
    /// The workspace id, 16 digits.
    let workspaceID: String
    /// `adb-<id>.<n>.azuredatabricks.net`.
    let host: String
    /// The deployment service principal recorded as creator.
    let creator: String

    init(bank: Bank, workspace: Bank.Workspace, region: Bank.Region) {
        self.bank = bank
        self.workspace = workspace
        self.region = region
        var random = SeededRandom(bank.seed, "workspace-id", workspace.id, region.name)
        workspaceID = random.decimal(16)
        host = "adb-\(workspaceID).\(random.int(1...19)).azuredatabricks.net"
        creator = random.uuid()
    }

    var isSecondary: Bool { region == .secondary }

    /// A random source for region-specific values of one resource.
    func regional(_ address: String) -> SeededRandom {
        SeededRandom(bank.seed, "regional", workspace.id, region.name, address)
    }

    /// A random source for the values both regions share.
    func logical(_ address: String) -> SeededRandom {
        SeededRandom(bank.seed, "logical", workspace.id, address)
    }

    /// `[{"workspace_id": "…"}]`.
    var providerConfig: JSONText {
        .array([.sorted([.init("workspace_id", .string(workspaceID))])])
    }

    /// A Databricks cluster id, `0704-093112-ab12cd34`.
    func clusterID(_ address: String) -> String {
        var random = regional(address + "#cluster")
        let created = Moment(2025, 1, 1).adding(Int64(random.below(500 * 86_400)) * Moment.second)
        return "\(created.clusterStamp)-\(random.alphanumeric(8))"
    }

    /// A 15–16 digit numeric object id.
    func numericID(_ address: String, digits: Int = 15) -> String {
        var random = regional(address + "#numeric")
        return random.decimal(digits)
    }

    /// A 16 hex digit id (warehouses, policies).
    func hexID(_ address: String, uppercase: Bool = false) -> String {
        var random = regional(address + "#hex")
        let text = random.hex(16)
        return uppercase ? text.uppercased() : text
    }

    /// A UUID assigned by the workspace.
    func uuid(_ address: String) -> String {
        var random = regional(address + "#uuid")
        return random.uuid()
    }
}
