/// One Terraform resource instance of a workspace: where it lives (module), its type, name and
/// `count`/`for_each` key, and the entity it stands for. Both regions have the same inventory (that is
/// what dual-region parity means); the values differ only where `StateRenderer` makes them differ.
struct ResourceSpec {
    /// A `count` index, a `for_each` key, or neither.
    enum Key {
        case none
        case number(Int)
        case name(String)
    }

    /// `module.jobs.module.pipeline["risk"]`, or `nil` for the root module.
    var module: String?
    /// `databricks_job`.
    var type: String
    /// `this`.
    var name: String
    /// The instance key.
    var key: Key
    /// The entity: a group name, a user's e-mail, a job key, ...
    var label: String
    /// A second reference: the group of a membership, the domain of a job, the scope of a secret, ...
    var detail: String

    /// The full resource address.
    let address: String

    init(module: String?, type: String, name: String, key: Key, label: String, detail: String = "") {
        self.module = module
        self.type = type
        self.name = name
        self.key = key
        self.label = label
        self.detail = detail
        var address = (module.map { $0 + "." } ?? "") + type + "." + name
        switch key {
        case .none: break
        case .number(let index): address += "[\(index)]"
        case .name(let text): address += "[\"\(text)\"]"
        }
        self.address = address
    }

    /// `databricks_job.this["x"]` without the module (the apply stream's `resource`).
    var resourceInModule: String {
        module.map { String(address.dropFirst($0.count + 1)) } ?? address
    }

    /// The provider that manages the type.
    var providerName: String {
        type.hasPrefix("azurerm_") ? "registry.terraform.io/hashicorp/azurerm" : "registry.terraform.io/databricks/databricks"
    }
}

/// The resources of one workspace: about `Bank.resourcesPerState` of them, in the modules a bank's
/// Databricks Terraform typically has (identity, compute, jobs with one nested module per data domain
/// and an alerting module, secrets, SQL, Unity Catalog grants) plus the workspace itself.
struct ResourceInventory {
    let workspace: Bank.Workspace
    let process: Bank.Process
    let specs: [ResourceSpec]
    /// Group names.
    let groups: [String]
    /// Users: e-mail and display name.
    let users: [(email: String, name: String)]
    /// Service principals: display name and application id.
    let servicePrincipals: [(name: String, applicationID: String)]

    init(bank: Bank, workspace: Bank.Workspace) {
        self.workspace = workspace
        let process = bank.processes[workspace.process]
        self.process = process
        var random = SeededRandom(bank.seed, "inventory", workspace.id)
        let short = process.short
        let total = bank.resourcesPerState
        let m = Double(max(0, total - 9))
        func count(_ share: Double, minimum: Int) -> Int { max(minimum, Int((m * share).rounded())) }
        let isUser = workspace.kind == "user"

        // MARK: identity
        let groupBase = ["\(short)-data-engineers", "\(short)-analysts", "\(short)-ops", "\(short)-readers", "platform-admins"]
        let groupCount = count(0.02, minimum: 2)
        let teams = ["risk", "finance", "ops", "quality", "ml", "bi", "audit", "compliance", "support", "product"]
        var groups: [String] = []
        for index in 0..<groupCount {
            groups.append(index < groupBase.count ? groupBase[index] : "\(short)-\(teams[index % teams.count])-\(index / teams.count + 1)")
        }
        self.groups = groups
        let userCount = count(isUser ? 0.25 : 0.17, minimum: 3)
        let firstNames = [
            "adele", "bruno", "carla", "dario", "emma", "filippo", "gaia", "ivo", "lara", "mauro", "nadia", "oscar", "pietro",
            "rita", "sergio", "tina", "ugo", "vera", "walter", "zoe", "aldo", "bianca", "cesare", "diana", "elio", "flavia",
            "gino", "ilaria", "leo", "mirella", "nino", "olga", "piera", "renato", "sofia", "tullio", "viola", "agata",
            "bernardo", "clelia",
        ]
        let lastNames = [
            "amato", "bassi", "colombo", "deluca", "esposito", "farina", "gallo", "giordano", "leone", "marino", "negri",
            "orsini", "palumbo", "quaranta", "ricci", "santoro", "tedesco", "ubaldi", "valente", "zanetti", "abate", "bianco",
            "cattaneo", "donati", "fabbri", "grasso", "ferrara", "lentini", "mancini", "neri", "parisi", "rossetti", "sanna",
            "torre", "vitali", "zeni", "adami", "benedetti", "caputo", "damico",
        ]
        var users: [(email: String, name: String)] = []
        let space = firstNames.count * lastNames.count
        let offset = random.below(space)
        for index in 0..<userCount {
            // 7 is coprime to the 1,600 name pairs, so the first 1,600 users are all different.
            let slot = (offset + index * 7) % space
            let first = firstNames[slot % firstNames.count]
            let last = lastNames[slot / firstNames.count]
            let suffix = index >= space ? String(index / space + 1) : ""
            users.append(("\(first).\(last)\(suffix)@bank.example", "\(first.capitalizedFirst) \(last.capitalizedFirst)\(suffix)"))
        }
        self.users = users
        let purposes = ["jobs", "ingest", "bi", "ml", "dq", "export", "alerts", "sync"]
        let servicePrincipals: [(name: String, applicationID: String)] = (0..<count(0.01, minimum: 1)).map { index in
            ("sp-dbx-\(short)-\(workspace.environment)-\(purposes[index % purposes.count])\(index >= purposes.count ? String(index / purposes.count + 1) : "")",
             random.uuid())
        }
        self.servicePrincipals = servicePrincipals

        var specs: [ResourceSpec] = []
        // MARK: root module
        specs.append(ResourceSpec(module: nil, type: "azurerm_databricks_workspace", name: "this", key: .none, label: "dbw-\(workspace.id)"))
        specs.append(ResourceSpec(module: nil, type: "databricks_workspace_conf", name: "this", key: .none, label: "conf"))
        specs.append(ResourceSpec(module: nil, type: "databricks_global_init_script", name: "corporate_ca", key: .none, label: "install-corporate-ca"))
        specs.append(ResourceSpec(module: nil, type: "databricks_global_init_script", name: "proxy", key: .none, label: "configure-egress-proxy"))
        for (index, label) in ["corporate-egress", "ado-agents", "vpn-break-glass"].enumerated() {
            specs.append(ResourceSpec(module: nil, type: "databricks_ip_access_list", name: "allowed", key: .number(index), label: label))
        }
        for container in ["landing", "archive"] {
            specs.append(ResourceSpec(module: nil, type: "databricks_mount", name: "this", key: .name(container), label: container))
        }

        let identity = "module.identity"
        for group in groups {
            specs.append(ResourceSpec(module: identity, type: "databricks_group", name: "this", key: .name(group), label: group))
        }
        for user in users {
            specs.append(ResourceSpec(module: identity, type: "databricks_user", name: "this", key: .name(user.email), label: user.email, detail: user.name))
        }
        for sp in servicePrincipals {
            specs.append(ResourceSpec(module: identity, type: "databricks_service_principal", name: "this", key: .name(sp.name), label: sp.name, detail: sp.applicationID))
        }
        for index in 0..<count(0.004, minimum: 1) {
            let name = "ci-\(["ado", "monitoring", "export", "powerbi"][index % 4])-\(index + 1)"
            specs.append(ResourceSpec(module: identity, type: "databricks_token", name: "ci", key: .name(name), label: name))
        }

        // MARK: compute
        let compute = "module.compute"
        var clusters = ["shared-etl", "shared-analytics"]
        for index in 2..<max(2, count(0.008, minimum: 1)) { clusters.append("\(["batch", "stream", "adhoc", "dq"][index % 4])-\(index)") }
        clusters = Array(clusters.prefix(count(0.008, minimum: 1)))
        for cluster in clusters {
            specs.append(ResourceSpec(module: compute, type: "databricks_cluster", name: "this", key: .name(cluster), label: cluster))
            specs.append(ResourceSpec(module: compute, type: "databricks_permissions", name: "cluster", key: .name(cluster), label: cluster, detail: "cluster"))
        }
        if isUser && workspace.environment == "prod" {
            specs.append(ResourceSpec(module: compute, type: "databricks_cluster", name: "gpu", key: .name("ml-training"), label: "ml-training", detail: "gpu"))
            specs.append(ResourceSpec(module: compute, type: "databricks_permissions", name: "cluster", key: .name("ml-training"), label: "ml-training", detail: "cluster"))
        }
        for index in 0..<count(0.004, minimum: 1) {
            let policy = "\(short)-\(["job-compute", "interactive", "dlt", "ml"][index % 4])\(index >= 4 ? "-\(index / 4 + 1)" : "")"
            specs.append(ResourceSpec(module: compute, type: "databricks_cluster_policy", name: "this", key: .name(policy), label: policy))
            specs.append(ResourceSpec(module: compute, type: "databricks_permissions", name: "policy", key: .name(policy), label: policy, detail: "cluster_policy"))
        }
        for index in 0..<count(0.003, minimum: 1) {
            let pool = "\(short)-\(["d8ds", "e8ds", "d16ds"][index % 3])-pool\(index >= 3 ? "-\(index / 3 + 1)" : "")"
            specs.append(ResourceSpec(module: compute, type: "databricks_instance_pool", name: "this", key: .name(pool), label: pool))
            specs.append(ResourceSpec(module: compute, type: "databricks_permissions", name: "pool", key: .name(pool), label: pool, detail: "instance_pool"))
        }

        // MARK: jobs, with a nested module per data domain and an alerting module
        let jobCount = count(isUser ? 0.02 : 0.03, minimum: 2)
        let domainNames = ["ingest", "curation", "reporting", "quality", "ml", "sharing", "archive", "reconciliation", "features", "exports", "lineage", "controls"]
        let domains = Array(domainNames.prefix(max(1, min(domainNames.count, jobCount / 10))))
        let entities = ["accounts", "transactions", "positions", "customers", "contracts", "exposures", "limits", "events", "prices", "balances", "collateral", "alerts"]
        let verbs = ["ingest", "merge", "snapshot", "aggregate", "validate", "publish", "reconcile", "score"]
        let jobs = "module.jobs"
        for index in 0..<jobCount {
            let domain = domains[index % domains.count]
            let key = "\(entities[index % entities.count])_\(verbs[(index / entities.count) % verbs.count])\(index >= entities.count * verbs.count ? "_\(index / (entities.count * verbs.count) + 1)" : "")"
            let module = "\(jobs).module.pipeline[\"\(domain)\"]"
            specs.append(ResourceSpec(module: module, type: "databricks_job", name: "this", key: .name(key), label: key, detail: domain))
            specs.append(ResourceSpec(module: module, type: "databricks_notebook", name: "this", key: .name(key), label: key, detail: domain))
            specs.append(ResourceSpec(module: module, type: "databricks_permissions", name: "job", key: .name(key), label: key, detail: "job"))
        }
        let extraNotebooks = max(0, count(isUser ? 0.07 : 0.04, minimum: 1) - jobCount)
        for index in 0..<extraNotebooks {
            let domain = domains[index % domains.count]
            let key = "explore_\(entities[index % entities.count])_\(index + 1)"
            specs.append(ResourceSpec(module: "\(jobs).module.pipeline[\"\(domain)\"]", type: "databricks_notebook", name: "shared", key: .name(key), label: key, detail: domain))
        }
        let alerting = "\(jobs).module.alerting"
        for index in 0..<max(1, jobCount / 8) {
            let key = "\(entities[(index * 5) % entities.count])_\(["latency", "freshness", "volume", "failure"][index % 4])_alert\(index >= 4 ? "_\(index / 4 + 1)" : "")"
            specs.append(ResourceSpec(module: alerting, type: "databricks_job", name: "alert", key: .name(key), label: key, detail: "alerting"))
        }
        for index in 0..<count(0.01, minimum: 1) {
            let path = index == 0 ? "jobs" : "\(domains[index % domains.count])-\(index)"
            specs.append(ResourceSpec(module: jobs, type: "databricks_directory", name: "this", key: .name(path), label: path))
            specs.append(ResourceSpec(module: jobs, type: "databricks_permissions", name: "directory", key: .name(path), label: path, detail: "directory"))
        }
        for index in 0..<count(0.004, minimum: 1) {
            let repo = "\(short)-\(["pipelines", "models", "dq-rules", "reports"][index % 4])\(index >= 4 ? "-\(index / 4 + 1)" : "")"
            specs.append(ResourceSpec(module: jobs, type: "databricks_repo", name: "this", key: .name(repo), label: repo))
        }
        for index in 0..<count(0.004, minimum: 1) {
            let pipeline = "\(short)_\(entities[(index * 3) % entities.count])_dlt\(index >= entities.count ? "_\(index / entities.count + 1)" : "")"
            specs.append(ResourceSpec(module: jobs, type: "databricks_pipeline", name: "this", key: .name(pipeline), label: pipeline))
            specs.append(ResourceSpec(module: jobs, type: "databricks_permissions", name: "pipeline", key: .name(pipeline), label: pipeline, detail: "pipeline"))
        }

        // MARK: secrets
        let secrets = "module.secrets"
        let scopes = (0..<count(0.004, minimum: 1)).map { "\(short)-\(["technical", "ingest", "partners", "ml"][$0 % 4])\($0 >= 4 ? "-\($0 / 4 + 1)" : "")" }
        for scope in scopes {
            specs.append(ResourceSpec(module: secrets, type: "databricks_secret_scope", name: "this", key: .name(scope), label: scope))
        }
        let secretNames = ["api-key", "client-secret", "jdbc-password", "sftp-key", "webhook-token", "storage-key", "signing-key", "oauth-secret"]
        for index in 0..<count(0.04, minimum: 1) {
            let scope = scopes[index % scopes.count]
            let key = "\(["bureau", "core", "swift", "crm", "market-data", "sanctions", "ledger", "erp"][index % 8])-\(secretNames[(index / 8) % secretNames.count])\(index >= 64 ? "-\(index / 64 + 1)" : "")"
            specs.append(ResourceSpec(module: secrets, type: "databricks_secret", name: "this", key: .name("\(scope):\(key)"), label: key, detail: scope))
        }
        for index in 0..<count(0.02, minimum: 1) {
            let scope = scopes[index % scopes.count]
            let principal = index % 3 == 0 && !servicePrincipals.isEmpty
                ? servicePrincipals[index % servicePrincipals.count].applicationID : groups[index % groups.count]
            specs.append(ResourceSpec(module: secrets, type: "databricks_secret_acl", name: "readers", key: .number(index), label: principal, detail: scope))
        }

        // MARK: SQL and Unity Catalog
        let sql = "module.sql"
        for index in 0..<count(0.004, minimum: 1) {
            let warehouse = "\(short)-\(["bi", "reporting", "adhoc", "exports"][index % 4])-\(workspace.kind)\(index >= 4 ? "-\(index / 4 + 1)" : "")"
            specs.append(ResourceSpec(module: sql, type: "databricks_sql_endpoint", name: "this", key: .name(warehouse), label: warehouse))
            specs.append(ResourceSpec(module: sql, type: "databricks_permissions", name: "sql_endpoint", key: .name(warehouse), label: warehouse, detail: "sql_endpoint"))
        }
        let grants = "module.uc_grants"
        let schemas = ["bronze", "silver", "gold", "sandbox", "features", "reference", "audit", "staging"]
        specs.append(ResourceSpec(module: grants, type: "databricks_grants", name: "catalog", key: .name(process.catalog), label: process.catalog))
        for index in 0..<max(1, count(0.03, minimum: 2) - 1) {
            let schema = "\(process.catalog).\(schemas[index % schemas.count])\(index >= schemas.count ? "_\(index / schemas.count + 1)" : "")"
            specs.append(ResourceSpec(module: grants, type: "databricks_grants", name: "schema", key: .name(schema), label: schema))
        }

        // MARK: group memberships fill the rest
        let members = max(2, total - specs.count)
        for index in 0..<members {
            let group = index % groups.count
            let user = (index / groups.count + group * 13) % users.count
            let key = "\(groups[group]):\(users[user].email)"
            specs.append(ResourceSpec(module: identity, type: "databricks_group_member", name: "this", key: .name(key), label: users[user].email, detail: groups[group]))
        }
        // Memberships beyond every (group, user) pair would repeat; keep addresses unique.
        var seen = Set<String>()
        self.specs = specs.filter { seen.insert($0.address).inserted }
    }
}

extension String {
    /// The string with its first letter in upper case.
    var capitalizedFirst: String {
        guard let first else { return self }
        return first.uppercased() + dropFirst()
    }
}
