import Foundation

/// Writes the `terraform show -json` document of a workspace in a region: compact, one line, as
/// Terraform writes it; resources grouped into the root module and nested `child_modules`, sorted by
/// address; each with `sensitive_values` mirroring the shape of `values`.
enum StateRenderer {
    /// The state document's bytes.
    static func render(_ inventory: ResourceInventory, context: RegionContext) -> [UInt8] {
        var specs = inventory.specs
        let workspace = inventory.workspace.id
        if context.isSecondary, workspace == Injections.parityMissingInSecondary,
            let index = specs.lastIndex(where: { $0.type == "databricks_group_member" })
        {
            specs.remove(at: index)
        }
        if context.isSecondary, workspace == Injections.parityMissingInPrimary {
            let email = "breakglass.\(inventory.process.short)@bank.example"
            specs.append(ResourceSpec(
                module: "module.identity", type: "databricks_user", name: "this", key: .name(email), label: email,
                detail: "Break Glass \(inventory.process.short.capitalizedFirst)"))
        }

        // Modules by address; a nested module's parent is its address without the last `.module.…`.
        var byModule: [String: [ResourceSpec]] = [:]
        for spec in specs { byModule[spec.module ?? "", default: []].append(spec) }
        var modules = Set(byModule.keys)
        for module in byModule.keys {
            var current = module
            while let parent = parentModule(current) {
                modules.insert(parent)
                current = parent
            }
        }
        let ordered = modules.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }

        var writer = JSONWriter(escapeHTML: true, capacity: inventory.specs.count * 700)
        writer.raw("{\"format_version\":\"1.0\",\"terraform_version\":\"1.9.8\",\"values\":{\"outputs\":")
        writer.compact(.object([
            .init("workspace_id", .object([.init("sensitive", .bool(false)), .init("value", .string(context.workspaceID)), .init("type", .string("string"))])),
            .init("workspace_url", .object([.init("sensitive", .bool(false)), .init("value", .string("https://\(context.host)")), .init("type", .string("string"))])),
        ]))
        writer.raw(",\"root_module\":")
        writeModule("", modules: ordered, byModule: byModule, inventory: inventory, context: context, into: &writer)
        writer.raw("}}")
        return writer.bytes
    }

    private static func parentModule(_ address: String) -> String? {
        guard !address.isEmpty else { return nil }
        guard let range = address.range(of: ".module.", options: .backwards) else { return "" }
        return String(address[..<range.lowerBound])
    }

    private static func writeModule(
        _ address: String, modules: [String], byModule: [String: [ResourceSpec]], inventory: ResourceInventory,
        context: RegionContext, into writer: inout JSONWriter
    ) {
        writer.raw("{\"resources\":[")
        let resources = (byModule[address] ?? []).sorted { $0.address.utf8.lexicographicallyPrecedes($1.address.utf8) }
        for (index, spec) in resources.enumerated() {
            if index > 0 { writer.raw(",") }
            writer.compact(resource(spec, inventory: inventory, context: context))
        }
        writer.raw("]")
        if !address.isEmpty {
            writer.raw(",\"address\":")
            writer.compact(.string(address))
        }
        let children = modules.filter { !$0.isEmpty && parentModule($0) == address }
        if !children.isEmpty {
            writer.raw(",\"child_modules\":[")
            for (index, child) in children.enumerated() {
                if index > 0 { writer.raw(",") }
                writeModule(child, modules: modules, byModule: byModule, inventory: inventory, context: context, into: &writer)
            }
            writer.raw("]")
        }
        writer.raw("}")
    }

    /// One resource with Terraform's envelope.
    static func resource(_ spec: ResourceSpec, inventory: ResourceInventory, context: RegionContext) -> JSONText {
        let values = ResourceValues.values(spec, inventory: inventory, context: context)
        var members: [JSONText.Member] = [
            .init("address", .string(spec.address)), .init("mode", .string("managed")), .init("type", .string(spec.type)),
            .init("name", .string(spec.name)),
        ]
        switch spec.key {
        case .none: break
        case .number(let index): members.append(.init("index", .int(Int64(index))))
        case .name(let key): members.append(.init("index", .string(key)))
        }
        members.append(.init("provider_name", .string(spec.providerName)))
        members.append(.init("schema_version", .int(spec.type == "databricks_job" ? 2 : 0)))
        members.append(.init("values", values))
        members.append(.init("sensitive_values", sensitiveMirror(values, sensitive: Set(ResourceValues.sensitiveAttributes(of: spec.type)))))
        if let dependency = dependency(of: spec) {
            members.append(.init("depends_on", .strings([dependency])))
        }
        return .object(members)
    }

    /// `sensitive_values`: `true` for a sensitive attribute, the shape of every list, set, map and
    /// object (scalars in lists as `false`), nothing for other scalars.
    static func sensitiveMirror(_ value: JSONText, sensitive: Set<String> = []) -> JSONText {
        switch value {
        case .object(let members):
            return .object(members.compactMap { member in
                if sensitive.contains(member.key) { return .init(member.key, .bool(true)) }
                switch member.value {
                case .object, .array: return .init(member.key, sensitiveMirror(member.value))
                default: return nil
                }
            })
        case .array(let elements):
            return .array(elements.map { element in
                switch element {
                case .object, .array: return sensitiveMirror(element)
                default: return .bool(false)
                }
            })
        default:
            return .bool(false)
        }
    }

    /// What Terraform records a resource as depending on (memberships on their group and user,
    /// permissions on their object).
    private static func dependency(of spec: ResourceSpec) -> String? {
        switch spec.type {
        case "databricks_group_member": return "module.identity.databricks_group.this"
        case "databricks_secret", "databricks_secret_acl": return "module.secrets.databricks_secret_scope.this"
        default: return nil
        }
    }
}
