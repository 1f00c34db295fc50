/// The `values` of each Databricks (and the one azurerm) resource type, with the attributes the
/// providers really write (databricks provider 1.5x, azurerm 3.x), as in `samples/evidence/runs/*/state.json`.
enum ResourceValues {
    typealias M = JSONText.Member

    /// The values of one resource in one region.
    static func values(_ spec: ResourceSpec, inventory: ResourceInventory, context: RegionContext) -> JSONText {
        var random = context.logical(spec.address)
        switch spec.type {
        case "azurerm_databricks_workspace": return workspace(spec, inventory, context)
        case "databricks_workspace_conf": return workspaceConf(context)
        case "databricks_global_init_script": return initScript(spec, context, &random)
        case "databricks_ip_access_list": return ipAccessList(spec, context, &random)
        case "databricks_mount": return mount(spec, inventory, context, &random)
        case "databricks_group": return group(spec, context, &random)
        case "databricks_user": return user(spec, context, &random)
        case "databricks_service_principal": return servicePrincipal(spec, context, &random)
        case "databricks_token": return token(spec, context, &random)
        case "databricks_group_member": return groupMember(spec, context)
        case "databricks_cluster": return cluster(spec, inventory, context, &random)
        case "databricks_cluster_policy": return clusterPolicy(spec, inventory, context, &random)
        case "databricks_instance_pool": return instancePool(spec, inventory, context, &random)
        case "databricks_permissions": return permissions(spec, inventory, context, &random)
        case "databricks_job": return job(spec, inventory, context, &random)
        case "databricks_notebook": return notebook(spec, inventory, context, &random)
        case "databricks_directory": return directory(spec, inventory, context)
        case "databricks_repo": return repo(spec, context, &random)
        case "databricks_pipeline": return pipeline(spec, inventory, context, &random)
        case "databricks_secret_scope": return secretScope(spec, context)
        case "databricks_secret": return secret(spec, context, &random)
        case "databricks_secret_acl": return secretACL(spec, context)
        case "databricks_sql_endpoint": return sqlEndpoint(spec, inventory, context, &random)
        case "databricks_grants": return grants(spec, inventory, context, &random)
        default: preconditionFailure("no values for \(spec.type)")
        }
    }

    /// The attributes Terraform marks sensitive, by type.
    static func sensitiveAttributes(of type: String) -> [String] {
        switch type {
        case "databricks_secret": return ["string_value"]
        case "databricks_token": return ["token_value"]
        default: return []
        }
    }

    // MARK: - Shared pieces

    static func tags(_ inventory: ResourceInventory) -> JSONText {
        .sorted([
            M("cost-center", .string(inventory.process.costCenter)), M("division", .string(inventory.process.division)),
            M("dr-tier", .string("warm-standby")), M("environment", .string(inventory.workspace.environment)),
        ])
    }

    static func empty() -> JSONText { .array([]) }

    static func azureAttributes(_ random: inout SeededRandom, logAnalytics: Bool) -> JSONText {
        var members = [
            M("availability", .string(random.chance(0.8) ? "ON_DEMAND_AZURE" : "SPOT_WITH_FALLBACK_AZURE")),
            M("first_on_demand", .int(1)), M("spot_bid_max_price", .number("-1")),
        ]
        if logAnalytics { members.append(M("log_analytics_info", empty())) }
        return .array([.sorted(members)])
    }

    static let nodeTypes = ["Standard_D8ds_v5", "Standard_D16ds_v5", "Standard_E8ds_v5", "Standard_E16ds_v5", "Standard_D4ds_v5"]
    static let sparkVersions = ["15.4.x-scala2.12", "15.4.x-photon-scala2.12", "14.3.x-scala2.12"]

    // MARK: - Root module

    static func workspace(_ spec: ResourceSpec, _ inventory: ResourceInventory, _ context: RegionContext) -> JSONText {
        let w = inventory.workspace
        let r = context.region.short
        var random = context.regional(spec.address)
        let subscription = "8d2f4c1a-6b3e-4f7a-9c5d-2e1f0a9b8c7d"
        let group = "rg-dbx-\(inventory.process.short)-\(w.environment)-\(r)"
        let managed = "rg-dbx-\(w.id)-managed-\(r)"
        return .sorted([
            M("custom_parameters", .array([.sorted([
                M("machine_learning_workspace_id", .string("")), M("nat_gateway_name", .string("")), M("no_public_ip", .bool(true)),
                M("private_subnet_name", .string("snet-dbx-container")), M("public_ip_name", .string("")),
                M("public_subnet_name", .string("snet-dbx-host")), M("storage_account_name", .string("dbstorage\(random.alphanumeric(13))")),
                M("storage_account_sku_name", .string("Standard_GRS")),
                M("virtual_network_id", .string("/subscriptions/\(subscription)/resourceGroups/rg-network-\(w.environment)-\(r)/providers/Microsoft.Network/virtualNetworks/vnet-dbx-\(w.environment)-\(r)")),
                M("vnet_address_prefix", .string("")),
            ])])),
            M("customer_managed_key_enabled", .bool(false)), M("default_storage_firewall_enabled", .null),
            M("enhanced_security_compliance", empty()),
            M("id", .string("/subscriptions/\(subscription)/resourceGroups/\(group)/providers/Microsoft.Databricks/workspaces/dbw-\(w.id)")),
            M("infrastructure_encryption_enabled", .bool(true)), M("load_balancer_backend_address_pool_id", .null),
            M("location", .string(context.region.name)), M("managed_disk_cmk_key_vault_id", .null),
            M("managed_disk_cmk_key_vault_key_id", .null), M("managed_disk_cmk_rotation_to_latest_version_enabled", .null),
            M("managed_disk_identity", empty()),
            M("managed_resource_group_id", .string("/subscriptions/\(subscription)/resourceGroups/\(managed)")),
            M("managed_resource_group_name", .string(managed)), M("managed_services_cmk_key_vault_id", .null),
            M("managed_services_cmk_key_vault_key_id", .null), M("name", .string("dbw-\(w.id)")),
            M("network_security_group_rules_required", .string("NoAzureDatabricksRules")),
            M("public_network_access_enabled", .bool(false)), M("resource_group_name", .string(group)), M("sku", .string("premium")),
            M("storage_account_identity", empty()),
            M("tags", .sorted([
                M("cost-center", .string(inventory.process.costCenter)), M("division", .string(inventory.process.division)),
                M("environment", .string(w.environment)), M("owner", .string("platform-data")),
            ])),
            M("timeouts", .null), M("workspace_id", .string(context.workspaceID)), M("workspace_url", .string(context.host)),
        ])
    }

    static func workspaceConf(_ context: RegionContext) -> JSONText {
        .sorted([
            M("custom_config", .sorted([
                M("enableDbfsFileBrowser", .string("false")), M("enableExportNotebook", .string("false")),
                M("enableIpAccessLists", .string("true")), M("enableTokensConfig", .string("true")),
                M("maxTokenLifetimeDays", .string("90")),
            ])),
            M("id", .string("_")), M("provider_config", context.providerConfig),
        ])
    }

    static func initScript(_ spec: ResourceSpec, _ context: RegionContext, _ random: inout SeededRandom) -> JSONText {
        .sorted([
            M("content_base64", .string("IyEvYmluL2Jhc2gKc2V0IC1ldW8gcGlwZWZhaWwK" + random.alphanumeric(64))),
            M("enabled", .bool(true)), M("id", .string(context.hexID(spec.address, uppercase: true))), M("md5", .string(random.hex(32))),
            M("name", .string(spec.label)), M("position", .int(spec.name == "proxy" ? 1 : 0)),
            M("provider_config", context.providerConfig), M("source", .null),
        ])
    }

    static func ipAccessList(_ spec: ResourceSpec, _ context: RegionContext, _ random: inout SeededRandom) -> JSONText {
        let addresses = (0..<random.int(1...4)).map { _ in "\(random.pick(["203.0.113", "198.51.100", "192.0.2"])).\(random.below(255))/\(random.pick(["32", "28", "26"]))" }
        return .sorted([
            M("enabled", .bool(true)), M("id", .string(context.uuid(spec.address))), M("ip_addresses", .strings(addresses)),
            M("label", .string(spec.label)), M("list_type", .string("ALLOW")), M("provider_config", context.providerConfig),
        ])
    }

    static func mount(_ spec: ResourceSpec, _ inventory: ResourceInventory, _ context: RegionContext, _ random: inout SeededRandom) -> JSONText {
        let short = inventory.process.short
        return .sorted([
            M("abfs", .array([.sorted([
                M("client_id", .string(random.uuid())), M("client_secret_key", .string("sp-ingest-client-secret")),
                M("client_secret_scope", .string("\(short)-technical")), M("container_name", .string(spec.label)),
                M("directory", .string("/\(short)")), M("initialize_file_system", .bool(false)),
                M("storage_account_name", .string("stbesprodlake01")), M("tenant_id", .string("5c0e7b9a-3d2f-4e1c-8a6b-9f0d1e2c3b4a")),
            ])])),
            M("adl", empty()), M("cluster_id", .string(context.clusterID("module.compute.databricks_cluster.this[\"shared-etl\"]"))),
            M("encryption_type", .string("")), M("extra_configs", .object([])), M("gs", empty()),
            M("id", .string("\(short)-\(spec.label)")), M("name", .string("\(short)-\(spec.label)")),
            M("provider_config", context.providerConfig), M("resource_id", .null), M("s3", empty()),
            M("source", .string("abfss://\(spec.label)@stbesprodlake01.dfs.core.windows.net/\(short)")), M("uri", .null),
            M("wasb", empty()),
        ])
    }

    // MARK: - Identity

    static func group(_ spec: ResourceSpec, _ context: RegionContext, _ random: inout SeededRandom) -> JSONText {
        .sorted([
            M("acl_principal_id", .string("groups/\(spec.label)")), M("allow_cluster_create", .bool(spec.label.hasSuffix("engineers"))),
            M("allow_instance_pool_create", .bool(false)), M("databricks_sql_access", .bool(true)),
            M("display_name", .string(spec.label)), M("external_id", .string(random.uuid())), M("force", .bool(false)),
            M("id", .string(context.numericID(spec.address, digits: 16))), M("provider_config", context.providerConfig),
            M("url", .null), M("workspace_access", .bool(true)),
        ])
    }

    static func user(_ spec: ResourceSpec, _ context: RegionContext, _ random: inout SeededRandom) -> JSONText {
        .sorted([
            M("acl_principal_id", .string("users/\(spec.label)")), M("active", .bool(true)),
            M("allow_cluster_create", .bool(false)), M("allow_instance_pool_create", .bool(false)),
            M("databricks_sql_access", .bool(random.chance(0.7))), M("disable_as_user_deletion", .bool(false)),
            M("display_name", .string(spec.detail)), M("external_id", .string(random.uuid())), M("force", .bool(false)),
            M("force_delete_home_dir", .bool(false)), M("force_delete_repos", .bool(false)),
            M("home", .string("/Users/\(spec.label)")), M("id", .string(context.numericID(spec.address, digits: 16))),
            M("provider_config", context.providerConfig), M("repos", .string("/Repos/\(spec.label)")),
            M("user_name", .string(spec.label)), M("workspace_access", .bool(true)),
        ])
    }

    static func servicePrincipal(_ spec: ResourceSpec, _ context: RegionContext, _ random: inout SeededRandom) -> JSONText {
        .sorted([
            M("acl_principal_id", .string("servicePrincipals/\(spec.detail)")), M("active", .bool(true)),
            M("allow_cluster_create", .bool(false)), M("allow_instance_pool_create", .bool(false)),
            M("application_id", .string(spec.detail)), M("databricks_sql_access", .bool(random.chance(0.5))),
            M("disable_as_user_deletion", .bool(false)), M("display_name", .string(spec.label)),
            M("external_id", .string(random.uuid())), M("force", .bool(false)), M("home", .string("/Users/\(spec.detail)")),
            M("id", .string(context.numericID(spec.address, digits: 16))), M("provider_config", context.providerConfig),
            M("repos", .string("/Repos/\(spec.detail)")), M("workspace_access", .bool(true)),
        ])
    }

    static func token(_ spec: ResourceSpec, _ context: RegionContext, _ random: inout SeededRandom) -> JSONText {
        var regional = context.regional(spec.address)
        let created = Moment(2026, 6, 1).adding(Int64(regional.below(40 * 86_400)) * Moment.second)
        let lifetime = Int64(90 * 86_400)
        return .sorted([
            M("comment", .string("\(spec.label) (managed by Terraform)")),
            M("creation_time", .int(created.epochMilliseconds)), M("expiry_time", .int(created.adding(lifetime * Moment.second).epochMilliseconds)),
            M("id", .string(regional.hex(32))), M("lifetime_seconds", .int(lifetime)), M("provider_config", context.providerConfig),
            M("token_value", .string("dapi" + regional.hex(32))),
        ])
    }

    static func groupMember(_ spec: ResourceSpec, _ context: RegionContext) -> JSONText {
        let group = context.numericID("module.identity.databricks_group.this[\"\(spec.detail)\"]", digits: 16)
        let member = context.numericID("module.identity.databricks_user.this[\"\(spec.label)\"]", digits: 16)
        return .sorted([
            M("group_id", .string(group)), M("id", .string("\(group)|\(member)")), M("member_id", .string(member)),
            M("provider_config", context.providerConfig),
        ])
    }

    // MARK: - Compute

    static func cluster(_ spec: ResourceSpec, _ inventory: ResourceInventory, _ context: RegionContext, _ random: inout SeededRandom) -> JSONText {
        let id = context.clusterID(spec.address)
        let short = inventory.process.short
        let gpu = spec.detail == "gpu"
        var node = random.pick(nodeTypes)
        var spark = random.pick(sparkVersions)
        if gpu {
            spark = "15.4.x-gpu-ml-scala2.12"
            node = context.isSecondary && inventory.workspace.id == Injections.parityWaivedGPU
                ? "Standard_NC16as_T4_v3" : "Standard_NC24ads_A100_v4"
        }
        let minWorkers = random.int(1...4)
        var regional = context.regional(spec.address)
        let state = context.isSecondary ? "TERMINATED" : (regional.chance(0.6) ? "RUNNING" : "TERMINATED")
        return .sorted([
            M("apply_policy_default_values", .bool(false)),
            M("autoscale", .array([.sorted([M("max_workers", .int(Int64(minWorkers * random.int(2...4)))), M("min_workers", .int(Int64(minWorkers)))])])),
            M("autotermination_minutes", .int(Int64(random.pick([20, 30, 45, 60])))),
            M("azure_attributes", azureAttributes(&random, logAnalytics: true)), M("cluster_id", .string(id)),
            M("cluster_log_conf", .array([.sorted([
                M("dbfs", .array([.sorted([M("destination", .string("dbfs:/cluster-logs/\(short)/\(spec.label)"))])])),
                M("s3", empty()), M("volumes", empty()),
            ])])),
            M("cluster_mount_info", empty()), M("cluster_name", .string("\(short)-\(spec.label)")), M("custom_tags", tags(inventory)),
            M("data_security_mode", .string(gpu ? "SINGLE_USER" : random.pick(["USER_ISOLATION", "SINGLE_USER"]))),
            M("default_tags", .sorted([
                M("ClusterId", .string(id)), M("ClusterName", .string("\(short)-\(spec.label)")), M("Creator", .string(context.creator)),
                M("Vendor", .string("Databricks")),
            ])),
            M("docker_image", empty()), M("driver_instance_pool_id", .null), M("driver_node_type_id", .string(gpu ? "Standard_D16ds_v5" : node)),
            M("enable_elastic_disk", .bool(true)), M("enable_local_disk_encryption", .bool(false)), M("id", .string(id)),
            M("idempotency_token", .null), M("init_scripts", empty()), M("instance_pool_id", .null), M("is_pinned", .bool(true)),
            M("is_single_node", .bool(false)), M("kind", .null), M("library", empty()), M("no_wait", .bool(false)),
            M("node_type_id", .string(node)), M("num_workers", .int(0)), M("policy_id", .null),
            M("provider_config", context.providerConfig), M("runtime_engine", .string(gpu ? "STANDARD" : "PHOTON")),
            M("single_user_name", gpu ? .string(inventory.users[0].email) : .null),
            M("spark_conf", .sorted([
                M("spark.databricks.delta.preview.enabled", .string("true")), M("spark.databricks.io.cache.enabled", .string("true")),
                M("spark.sql.session.timeZone", .string("Europe/Rome")),
            ])),
            M("spark_env_vars", .sorted([M("PYSPARK_PYTHON", .string("/databricks/python3/bin/python3"))])),
            M("spark_version", .string(spark)), M("ssh_public_keys", empty()), M("state", .string(state)),
            M("url", .string("https://\(context.host)/#setting/clusters/\(id)/configuration")), M("use_ml_runtime", .bool(gpu)),
            M("workload_type", empty()),
        ])
    }

    static func clusterPolicy(_ spec: ResourceSpec, _ inventory: ResourceInventory, _ context: RegionContext, _ random: inout SeededRandom) -> JSONText {
        let id = context.hexID(spec.address, uppercase: true)
        let nodes = (0..<3).map { _ in random.pick(nodeTypes) }
        let definition = "{\"spark_version\":{\"type\":\"regex\",\"pattern\":\"15\\\\.4\\\\.x-(gpu-ml-)?scala2\\\\.12\"},\"node_type_id\":{\"type\":\"allowlist\",\"values\":[\"\(nodes.joined(separator: "\",\""))\"]},\"autotermination_minutes\":{\"type\":\"range\",\"maxValue\":\(random.pick([60, 90, 120])),\"defaultValue\":30},\"custom_tags.cost-center\":{\"type\":\"fixed\",\"value\":\"\(inventory.process.costCenter)\"}}"
        return .sorted([
            M("definition", .string(definition)), M("description", .string("\(spec.label) for \(inventory.process.short) (\(inventory.workspace.environment))")),
            M("id", .string(id)), M("libraries", empty()), M("max_clusters_per_user", .int(Int64(random.int(1...4)))),
            M("name", .string(spec.label)), M("policy_family_definition_overrides", .null), M("policy_family_id", .null),
            M("policy_id", .string(id)), M("provider_config", context.providerConfig),
        ])
    }

    static func instancePool(_ spec: ResourceSpec, _ inventory: ResourceInventory, _ context: RegionContext, _ random: inout SeededRandom) -> JSONText {
        var regional = context.regional(spec.address)
        return .sorted([
            M("azure_attributes", .array([.sorted([M("availability", .string("ON_DEMAND_AZURE")), M("spot_bid_max_price", .number("-1"))])])),
            M("custom_tags", tags(inventory)), M("disk_spec", empty()), M("enable_elastic_disk", .bool(true)),
            M("id", .string("\(Moment(2025, 6, 7).adding(Int64(regional.below(300 * 86_400)) * Moment.second).clusterStamp)-pool-\(regional.alphanumeric(8))")),
            M("idle_instance_autotermination_minutes", .int(Int64(random.pick([10, 15, 30])))),
            M("instance_pool_fleet_attributes", empty()), M("instance_pool_name", .string(spec.label)),
            M("max_capacity", .int(Int64(random.pick([10, 20, 40])))), M("min_idle_instances", .int(Int64(random.int(0...2)))),
            M("node_type_id", .string(random.pick(nodeTypes))), M("preloaded_docker_image", empty()),
            M("preloaded_spark_versions", .strings(["15.4.x-scala2.12"])), M("provider_config", context.providerConfig),
        ])
    }

    // MARK: - Permissions

    static func permissions(_ spec: ResourceSpec, _ inventory: ResourceInventory, _ context: RegionContext, _ random: inout SeededRandom) -> JSONText {
        let levels: [String: [String]] = [
            "cluster": ["CAN_ATTACH_TO", "CAN_RESTART", "CAN_MANAGE"], "cluster_policy": ["CAN_USE"],
            "instance_pool": ["CAN_ATTACH_TO", "CAN_MANAGE"], "job": ["CAN_VIEW", "CAN_MANAGE_RUN", "CAN_MANAGE"],
            "pipeline": ["CAN_VIEW", "CAN_RUN", "CAN_MANAGE"], "directory": ["CAN_READ", "CAN_RUN", "CAN_EDIT", "CAN_MANAGE"],
            "sql_endpoint": ["CAN_USE", "CAN_MONITOR", "CAN_MANAGE"],
        ]
        let objectType = spec.detail
        let allowed = levels[objectType] ?? ["CAN_MANAGE"]
        var entries: [JSONText] = []
        let count = random.int(2...5)
        var used = Set<String>()
        for index in 0..<count {
            var group = "", user = "", principal = ""
            switch index % 3 {
            case 0: group = inventory.groups[random.below(inventory.groups.count)]
            case 1: user = inventory.users[random.below(inventory.users.count)].email
            default: principal = inventory.servicePrincipals[random.below(inventory.servicePrincipals.count)].applicationID
            }
            guard used.insert(group + user + principal).inserted else { continue }
            entries.append(.sorted([
                M("group_name", .string(group)), M("permission_level", .string(random.pick(allowed))),
                M("service_principal_name", .string(principal)), M("user_name", .string(user)),
            ]))
        }
        // access_control is a set: the API returns it in another order in each workspace.
        if context.isSecondary { entries.reverse() }
        let referenced: String
        let idPrefix: String
        switch objectType {
        case "cluster":
            referenced = context.clusterID("module.compute.databricks_cluster.\(spec.label == "ml-training" ? "gpu" : "this")[\"\(spec.label)\"]")
            idPrefix = "/clusters/"
        case "cluster_policy": referenced = context.hexID("module.compute.databricks_cluster_policy.this[\"\(spec.label)\"]", uppercase: true); idPrefix = "/cluster-policies/"
        case "instance_pool": referenced = context.numericID(spec.address + "#pool"); idPrefix = "/instance-pools/"
        case "job": referenced = context.numericID(spec.module.map { "\($0).databricks_job.this[\"\(spec.label)\"]" } ?? spec.address); idPrefix = "/jobs/"
        case "pipeline": referenced = context.uuid("module.jobs.databricks_pipeline.this[\"\(spec.label)\"]"); idPrefix = "/pipelines/"
        case "directory": referenced = context.numericID("module.jobs.databricks_directory.this[\"\(spec.label)\"]"); idPrefix = "/directories/"
        default: referenced = context.hexID("module.sql.databricks_sql_endpoint.this[\"\(spec.label)\"]"); idPrefix = "/sql/warehouses/"
        }
        func reference(_ attribute: String) -> JSONText {
            (objectType == attribute || (objectType == "sql_endpoint" && attribute == "sql_endpoint")) ? .string(referenced) : .null
        }
        var members = [
            M("access_control", .array(entries)), M("authorization", .null), M("cluster_id", reference("cluster")),
            M("cluster_policy_id", reference("cluster_policy")), M("directory_id", reference("directory")),
            M("directory_path", objectType == "directory" ? .string("/Shared/\(inventory.process.short)/\(inventory.workspace.id)/\(spec.label)") : .null),
            M("id", .string(idPrefix + referenced)), M("instance_pool_id", reference("instance_pool")), M("job_id", reference("job")),
            M("notebook_id", .null), M("notebook_path", .null), M("object_type", .string(objectType == "sql_endpoint" ? "warehouses" : objectType)),
            M("pipeline_id", reference("pipeline")), M("provider_config", context.providerConfig), M("repo_id", .null), M("repo_path", .null),
            M("sql_endpoint_id", reference("sql_endpoint")),
        ]
        members.sort { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
        return .object(members)
    }

    // MARK: - Jobs, notebooks, pipelines

    static func job(_ spec: ResourceSpec, _ inventory: ResourceInventory, _ context: RegionContext, _ random: inout SeededRandom) -> JSONText {
        let short = inventory.process.short
        let alert = spec.detail == "alerting"
        let id = context.numericID(spec.address)
        let runAs = inventory.servicePrincipals[random.below(inventory.servicePrincipals.count)].applicationID
        let sparkIndex = random.below(sparkVersions.count)
        var spark = sparkVersions[sparkIndex]
        if alert, context.isSecondary, inventory.workspace.id == Injections.parityNestedDifference, spec.label == firstAlertKey(inventory) {
            // Another version than the primary's, whichever the seed picked there.
            spark = sparkVersions[(sparkIndex + 1) % sparkVersions.count]
        }
        let taskCount = alert ? 1 : random.int(1...3)
        var tasks: [JSONText] = []
        for index in 0..<taskCount {
            let key = index == 0 ? spec.label : "\(spec.label)_step\(index + 1)"
            tasks.append(.sorted([
                M("condition_task", empty()), M("dbt_task", empty()),
                M("depends_on", index == 0 ? empty() : .array([.sorted([M("outcome", .string("")), M("task_key", .string(index == 1 ? spec.label : "\(spec.label)_step\(index)"))])])),
                M("description", .string("")), M("disable_auto_optimization", .bool(false)), M("email_notifications", empty()),
                M("environment_key", .string("")), M("existing_cluster_id", .string("")), M("for_each_task", empty()), M("health", empty()),
                M("job_cluster_key", .string("main")), M("library", empty()), M("max_retries", .int(Int64(random.int(0...3)))),
                M("min_retry_interval_millis", .int(60_000)), M("new_cluster", empty()),
                M("notebook_task", .array([.sorted([
                    M("base_parameters", .sorted([M("catalog", .string(inventory.process.catalog)), M("environment", .string(inventory.workspace.environment))])),
                    M("notebook_path", .string("/Shared/\(short)/\(inventory.workspace.id)/jobs/\(spec.label)")),
                    M("source", .string("WORKSPACE")), M("warehouse_id", .string("")),
                ])])),
                M("notification_settings", empty()), M("pipeline_task", empty()), M("python_wheel_task", empty()),
                M("retry_on_timeout", .bool(false)), M("run_if", .string("ALL_SUCCESS")), M("run_job_task", empty()),
                M("spark_jar_task", empty()), M("spark_python_task", empty()), M("spark_submit_task", empty()), M("sql_task", empty()),
                M("task_key", .string(key)), M("timeout_seconds", .int(Int64(random.pick([1800, 3600, 5400, 7200])))),
                M("webhook_notifications", empty()),
            ]))
        }
        let minutes = random.pick(["0/15", "0/30", "5", "45"])
        return .sorted([
            M("always_running", .bool(false)), M("budget_policy_id", .null), M("continuous", empty()), M("control_run_state", .bool(false)),
            M("deployment", empty()), M("description", .string("\(spec.label.replacingUnderscores) (\(inventory.process.id)); deployed by Terraform")),
            M("edit_mode", .string("")),
            M("email_notifications", .array([.sorted([
                M("no_alert_for_skipped_runs", .bool(false)), M("on_duration_warning_threshold_exceeded", empty()),
                M("on_failure", .strings(["\(short)-dataops@bank.example"])), M("on_start", empty()),
                M("on_streaming_backlog_exceeded", empty()), M("on_success", empty()),
            ])])),
            M("environment", empty()), M("format", .string("MULTI_TASK")), M("git_source", empty()), M("health", empty()),
            M("id", .string(id)),
            M("job_cluster", .array([.sorted([
                M("job_cluster_key", .string("main")),
                M("new_cluster", .array([.sorted([
                    M("autoscale", empty()), M("azure_attributes", azureAttributes(&random, logAnalytics: false)),
                    M("custom_tags", tags(inventory)), M("data_security_mode", .string("SINGLE_USER")),
                    M("node_type_id", .string(random.pick(nodeTypes))), M("num_workers", .int(Int64(random.int(1...8)))),
                    M("runtime_engine", .string("PHOTON")),
                    M("spark_conf", .sorted([M("spark.sql.session.timeZone", .string("Europe/Rome"))])),
                    M("spark_version", .string(spark)),
                ])])),
            ])])),
            M("max_concurrent_runs", .int(1)), M("name", .string("[\(short)][\(inventory.workspace.environment)] \(spec.label)")),
            M("notification_settings", empty()), M("parameter", empty()), M("provider_config", context.providerConfig),
            M("queue", .array([.sorted([M("enabled", .bool(true))])])),
            M("run_as", .array([.sorted([M("service_principal_name", .string(runAs)), M("user_name", .string(""))])])),
            M("schedule", .array([.sorted([
                // The bank keeps jobs paused in the warm standby until failover.
                M("pause_status", .string(context.isSecondary ? "PAUSED" : "UNPAUSED")),
                M("quartz_cron_expression", .string("0 \(minutes) \(random.pick(["*", "6-22", "1"])) * * ?")),
                M("timezone_id", .string("Europe/Rome")),
            ])])),
            M("tags", .sorted([M("division", .string(inventory.process.division)), M("process", .string(inventory.process.id))])),
            M("task", .array(tasks)), M("timeout_seconds", .int(0)), M("trigger", empty()),
            M("url", .string("https://\(context.host)/#job/\(id)")), M("webhook_notifications", empty()),
        ])
    }

    /// The alerting job whose Spark version differs in the secondary (parity injection).
    static func firstAlertKey(_ inventory: ResourceInventory) -> String {
        inventory.specs.first { $0.type == "databricks_job" && $0.detail == "alerting" }?.label ?? ""
    }

    static func notebook(_ spec: ResourceSpec, _ inventory: ResourceInventory, _ context: RegionContext, _ random: inout SeededRandom) -> JSONText {
        let path = "/Shared/\(inventory.process.short)/\(inventory.workspace.id)/jobs/\(spec.label)"
        let language = random.pick(["PYTHON", "PYTHON", "SQL", "SCALA"])
        return .sorted([
            M("content_base64", .null), M("format", .string("SOURCE")), M("id", .string(path)), M("language", .string(language)),
            M("md5", .string(random.hex(32))), M("object_id", .int(Int64(context.numericID(spec.address)) ?? 0)),
            M("object_type", .string("NOTEBOOK")), M("path", .string(path)), M("provider_config", context.providerConfig),
            M("source", .string("./modules/jobs/\(spec.detail)/notebooks/\(spec.label).\(language == "SQL" ? "sql" : language == "SCALA" ? "scala" : "py")")),
            M("url", .string("https://\(context.host)/#workspace\(path)")), M("workspace_path", .string("/Workspace\(path)")),
        ])
    }

    static func directory(_ spec: ResourceSpec, _ inventory: ResourceInventory, _ context: RegionContext) -> JSONText {
        let path = "/Shared/\(inventory.process.short)/\(inventory.workspace.id)/\(spec.label)"
        return .sorted([
            M("delete_recursive", .bool(false)), M("id", .string(path)), M("object_id", .int(Int64(context.numericID(spec.address)) ?? 0)),
            M("path", .string(path)), M("provider_config", context.providerConfig), M("workspace_path", .string("/Workspace\(path)")),
        ])
    }

    static func repo(_ spec: ResourceSpec, _ context: RegionContext, _ random: inout SeededRandom) -> JSONText {
        var regional = context.regional(spec.address)
        return .sorted([
            M("branch", .string("main")), M("commit_hash", .string(regional.hex(40))), M("git_provider", .string("azureDevOpsServices")),
            M("id", .string(context.numericID(spec.address))), M("path", .string("/Repos/\(spec.label)/\(spec.label)")),
            M("provider_config", context.providerConfig), M("sparse_checkout", empty()), M("tag", .null),
            M("url", .string("https://dev.azure.com/bancaesempio/data-platform/_git/\(spec.label)")),
            M("workspace_path", .string("/Workspace/Repos/\(spec.label)/\(spec.label)")),
        ])
    }

    static func pipeline(_ spec: ResourceSpec, _ inventory: ResourceInventory, _ context: RegionContext, _ random: inout SeededRandom) -> JSONText {
        let id = context.uuid(spec.address)
        var regional = context.regional(spec.address)
        let short = inventory.process.short
        return .sorted([
            M("allow_duplicate_names", .bool(false)), M("budget_policy_id", .null), M("catalog", .string(inventory.process.catalog)),
            M("cause", .null), M("channel", .string("CURRENT")),
            M("cluster", .array([.sorted([
                M("apply_policy_default_values", .bool(false)),
                M("autoscale", .array([.sorted([M("max_workers", .int(Int64(random.int(2...8)))), M("min_workers", .int(1)), M("mode", .string("ENHANCED"))])])),
                M("custom_tags", tags(inventory)), M("driver_node_type_id", .string(random.pick(nodeTypes))), M("label", .string("default")),
                M("node_type_id", .string(random.pick(nodeTypes))), M("num_workers", .int(0)), M("spark_conf", .object([])),
            ])])),
            M("cluster_id", .null), M("configuration", .sorted([M("pipelines.applyChangesPreviewEnabled", .string("true"))])),
            M("continuous", .bool(false)), M("creator_user_name", .string(context.creator)), M("deployment", empty()),
            M("development", .bool(false)), M("edition", .string("ADVANCED")), M("expected_last_modified", .null), M("filters", empty()),
            M("gateway_definition", empty()), M("health", .string(context.isSecondary ? "HEALTHY" : regional.pick(["HEALTHY", "HEALTHY", "UNHEALTHY"]))),
            M("id", .string(id)), M("ingestion_definition", empty()),
            M("last_modified", .int(Moment(2026, 5, 1).adding(Int64(regional.below(60 * 86_400)) * Moment.second).epochMilliseconds)),
            M("latest_updates", empty()),
            M("library", .array([.sorted([
                M("file", empty()), M("jar", .string("")), M("maven", empty()),
                M("notebook", .array([.sorted([M("path", .string("/Shared/\(short)/\(inventory.workspace.id)/jobs/\(spec.label)"))])])),
                M("whl", .string("")),
            ])])),
            M("name", .string("[\(short)][\(inventory.workspace.environment)] \(spec.label)")),
            M("notification", .array([.sorted([
                M("alerts", .strings(["on-update-failure", "on-flow-failure"])), M("email_recipients", .strings(["\(short)-dataops@bank.example"])),
            ])])),
            M("photon", .bool(true)), M("provider_config", context.providerConfig), M("restart_window", empty()),
            M("run_as_user_name", .null), M("schema", .null), M("serverless", .bool(false)),
            M("state", .string(context.isSecondary ? "IDLE" : "RUNNING")), M("storage", .null), M("target", .string(random.pick(["silver", "gold"]))),
            M("trigger", empty()), M("url", .string("https://\(context.host)/#joblist/pipelines/\(id)")),
        ])
    }

    // MARK: - Secrets

    static func secretScope(_ spec: ResourceSpec, _ context: RegionContext) -> JSONText {
        .sorted([
            M("backend_type", .string("DATABRICKS")), M("id", .string(spec.label)), M("initial_manage_principal", .null),
            M("keyvault_metadata", empty()), M("name", .string(spec.label)), M("provider_config", context.providerConfig),
        ])
    }

    static func secret(_ spec: ResourceSpec, _ context: RegionContext, _ random: inout SeededRandom) -> JSONText {
        var regional = context.regional(spec.address)
        // Some secrets are rotated per region: their values differ, but they are sensitive and never compared.
        let value = random.chance(0.3) ? "fake-" + regional.hex(24) : "fake-" + random.hex(24)
        return .sorted([
            M("config_reference", .string("{{secrets/\(spec.detail)/\(spec.label)}}")), M("id", .string("\(spec.detail)|||\(spec.label)")),
            M("key", .string(spec.label)),
            M("last_updated_timestamp", .int(Moment(2026, 4, 1).adding(Int64(regional.below(80 * 86_400)) * Moment.second).epochMilliseconds)),
            M("provider_config", context.providerConfig), M("scope", .string(spec.detail)), M("string_value", .string(value)),
        ])
    }

    static func secretACL(_ spec: ResourceSpec, _ context: RegionContext) -> JSONText {
        .sorted([
            M("id", .string("\(spec.detail)|||\(spec.label)")), M("permission", .string("READ")), M("principal", .string(spec.label)),
            M("provider_config", context.providerConfig), M("scope", .string(spec.detail)),
        ])
    }

    // MARK: - SQL and Unity Catalog

    static func sqlEndpoint(_ spec: ResourceSpec, _ inventory: ResourceInventory, _ context: RegionContext, _ random: inout SeededRandom) -> JSONText {
        let id = context.hexID(spec.address)
        var sessions = context.regional(spec.address + "#sessions")
        return .sorted([
            M("auto_stop_mins", .int(Int64(random.pick([10, 20, 30])))),
            M("channel", .array([.sorted([M("dbsql_version", .string("")), M("name", .string("CHANNEL_NAME_CURRENT"))])])),
            M("cluster_size", .string(random.pick(["X-Small", "Small", "Medium"]))), M("creator_name", .string(context.creator)),
            M("data_source_id", .string(context.uuid(spec.address + "#source"))), M("enable_photon", .bool(true)),
            M("enable_serverless_compute", .bool(false)),
            M("health", .array([.sorted([
                M("details", .string("")), M("failure_reason", empty()), M("message", .string("")), M("status", .string("HEALTHY")),
                M("summary", .string("")),
            ])])),
            M("id", .string(id)), M("instance_profile_arn", .string("")),
            M("jdbc_url", .string("jdbc:spark://\(context.host):443/default;transportMode=http;ssl=1;AuthMech=3;httpPath=/sql/1.0/warehouses/\(id);")),
            M("max_num_clusters", .int(Int64(random.int(1...4)))), M("min_num_clusters", .int(1)), M("name", .string(spec.label)),
            M("num_active_sessions", .int(context.isSecondary ? 0 : Int64(sessions.below(5)))),
            M("odbc_params", .array([.sorted([
                M("hostname", .string(context.host)), M("path", .string("/sql/1.0/warehouses/\(id)")), M("port", .int(443)),
                M("protocol", .string("https")),
            ])])),
            M("provider_config", context.providerConfig), M("spot_instance_policy", .string("COST_OPTIMIZED")),
            M("state", .string(context.isSecondary ? "STOPPED" : "RUNNING")),
            M("tags", .array([.sorted([M("custom_tags", .array([
                .sorted([M("key", .string("cost-center")), M("value", .string(inventory.process.costCenter))]),
                .sorted([M("key", .string("division")), M("value", .string(inventory.process.division))]),
            ]))])])),
            M("warehouse_type", .string("PRO")),
        ])
    }

    static func grants(_ spec: ResourceSpec, _ inventory: ResourceInventory, _ context: RegionContext, _ random: inout SeededRandom) -> JSONText {
        let catalogLevel = spec.name == "catalog"
        var entries: [JSONText] = []
        var principals = Set<String>()
        for _ in 0..<random.int(2...4) {
            let principal = random.chance(0.7)
                ? inventory.groups[random.below(inventory.groups.count)]
                : inventory.servicePrincipals[random.below(inventory.servicePrincipals.count)].applicationID
            guard principals.insert(principal).inserted else { continue }
            let all = catalogLevel ? ["USE_CATALOG", "USE_SCHEMA", "SELECT", "MODIFY", "CREATE_TABLE"] : ["USE_SCHEMA", "SELECT", "MODIFY", "CREATE_TABLE", "READ_VOLUME"]
            let privileges = Array(all.prefix(random.int(2...all.count)))
            entries.append(.sorted([M("principal", .string(principal)), M("privileges", .strings(privileges))]))
        }
        // grant is a set: listed in another order by the secondary's metastore.
        if context.isSecondary { entries.reverse() }
        return .sorted([
            M("catalog", catalogLevel ? .string(spec.label) : .null), M("credential", .null), M("external_location", .null),
            M("foreign_connection", .null), M("function", .null), M("grant", .array(entries)),
            M("id", .string("\(spec.name)/\(spec.label)")), M("metastore", .null), M("model", .null), M("pipeline", .null),
            M("provider_config", context.providerConfig), M("recipient", .null), M("schema", catalogLevel ? .null : .string(spec.label)),
            M("share", .null), M("storage_credential", .null), M("table", .null), M("volume", .null),
        ])
    }
}

extension String {
    /// `contracts_ingest` → `contracts ingest`.
    var replacingUnderscores: String { String(map { $0 == "_" ? " " : $0 }) }
}
