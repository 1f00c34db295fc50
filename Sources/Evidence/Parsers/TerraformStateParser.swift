import Foundation

/// Reads `terraform show -json` state output (DESIGN §3.2): any `format_version` 1.x, the root module
/// and nested `child_modules`, each resource's `index` as a number or a string, and every value that
/// `sensitive_values` marks replaced by ``TerraformResource/sensitiveMarker`` before it leaves the parser.
///
/// Errors name fields by path and never quote a value from the state.
public enum TerraformStateParser {
    /// Reads a state document.
    public static func parse(_ bytes: Data, source: String) throws(EvidenceError) -> TerraformState {
        let document: JSONValue
        do {
            document = try JSONReader.read(bytes)
        } catch {
            throw EvidenceError(syntax: error, source: source)
        }
        return try parse(document, source: source)
    }

    /// Reads a state from a document already parsed.
    public static func parse(_ document: JSONValue, source: String) throws(EvidenceError) -> TerraformState {
        let root = try JSONFields(document, path: "", source: source, line: 1)
        if root.object["format_version"] == nil {
            if root.object["lineage"] != nil || root.object["serial"] != nil {
                throw EvidenceError(
                    .unsupportedFormat, source: source, line: 1,
                    "a raw terraform.tfstate file; expected `terraform show -json` output (format_version 1.x)")
            }
            throw root.error(.missingField, "format_version", "missing; expected a Terraform JSON format_version 1.x")
        }
        let version = try root.string("format_version")
        guard let major = version.split(separator: ".").first.flatMap({ Int($0) }) else {
            throw root.error(.invalidValue, "format_version", "'\(version.prefix(20))' is not a version; expected 1.x")
        }
        guard major == 1 else {
            throw root.error(
                .unsupportedFormat, "format_version",
                "Terraform JSON format \(version.prefix(20)) is not supported; expected 1.x")
        }
        if root.object["planned_values"] != nil || root.object["resource_changes"] != nil {
            throw EvidenceError(
                .notEvidence, source: source, line: 1,
                "a Terraform plan (planned_values, resource_changes); expected a state from `terraform show -json` after apply")
        }
        var resources: [TerraformResource] = []
        var locations: [(path: String, line: Int?)] = []
        if let values = try root.optionalObject("values"), let module = try values.optionalObject("root_module") {
            try collect(module, moduleAddress: nil, into: &resources, locations: &locations, depth: 0)
        }
        var seen: [String: Int] = [:]
        for (index, resource) in resources.enumerated() {
            if let first = seen[resource.address] {
                throw EvidenceError(
                    .duplicateRecord, source: source, line: locations[index].line, field: locations[index].path + ".address",
                    "resource address '\(resource.address.prefix(200))' appears twice (first at \(locations[first].path)); expected unique addresses")
            }
            seen[resource.address] = index
        }
        return TerraformState(
            formatVersion: version, terraformVersion: try root.optionalString("terraform_version"),
            resources: resources)
    }

    private static func collect(
        _ module: JSONFields, moduleAddress: String?, into resources: inout [TerraformResource],
        locations: inout [(path: String, line: Int?)], depth: Int
    ) throws(EvidenceError) {
        guard depth < 64 else {
            throw EvidenceError(.invalidValue, source: module.source, field: module.path, "modules nested deeper than 64")
        }
        if let list = try module.optionalArray("resources") {
            for (index, element) in list.enumerated() {
                let fields = try JSONFields(
                    element, path: module.fieldPath("resources") + "[\(index)]", source: module.source,
                    line: module.lineOf("resources"))
                resources.append(try resource(fields, moduleAddress: moduleAddress))
                locations.append((fields.path, fields.line))
            }
        }
        if let children = try module.optionalArray("child_modules") {
            for (index, element) in children.enumerated() {
                let child = try JSONFields(
                    element, path: module.fieldPath("child_modules") + "[\(index)]", source: module.source,
                    line: module.lineOf("child_modules"))
                let address = try child.string("address")
                try collect(child, moduleAddress: address, into: &resources, locations: &locations, depth: depth + 1)
            }
        }
    }

    private static func resource(_ fields: JSONFields, moduleAddress: String?) throws(EvidenceError) -> TerraformResource {
        let address = try fields.string("address")
        let mode = try fields.string("mode")
        guard mode == "managed" || mode == "data" else {
            throw fields.error(.invalidValue, "mode", "expected managed or data")
        }
        let type = try fields.string("type")
        let name = try fields.string("name")
        var index: JSONValue?
        if let value = fields.object["index"], value != .null {
            switch value {
            case .number, .string: index = value
            default: throw fields.wrongType("index", "a number or a string", value)
            }
        }
        var values = JSONValue.object(JSONObject([]))
        if let raw = fields.object["values"], raw != .null {
            guard case .object = raw else { throw fields.wrongType("values", "an object", raw) }
            values = raw
        }
        if let sensitive = fields.object["sensitive_values"], sensitive != .null {
            switch sensitive {
            case .object, .bool: values = mask(values, with: sensitive)
            default: throw fields.wrongType("sensitive_values", "an object", sensitive)
            }
        }
        return TerraformResource(
            address: address, module: moduleAddress, mode: mode, type: type, name: name, index: index,
            providerName: try fields.optionalString("provider_name"), values: values)
    }

    /// Replaces every part of `value` that `sensitive` marks `true` with the sensitive marker.
    /// `sensitive_values` mirrors the shape of `values`: objects by key, arrays by position.
    static func mask(_ value: JSONValue, with sensitive: JSONValue) -> JSONValue {
        switch sensitive {
        case .bool(true):
            return value == .null ? .null : .string(TerraformResource.sensitiveMarker)
        case .object(let marks):
            guard case .object(let object) = value, marks.count > 0 else { return value }
            let members = object.members.map { member -> JSONObject.Member in
                guard let mark = marks[member.key] else { return member }
                return JSONObject.Member(key: member.key, value: mask(member.value, with: mark), line: member.line)
            }
            return .object(JSONObject(sortedMembers: members, line: object.line))
        case .array(let marks):
            guard case .array(let elements) = value, !marks.isEmpty else { return value }
            return .array(elements.enumerated().map { index, element in
                index < marks.count ? mask(element, with: marks[index]) : element
            })
        default:
            return value
        }
    }
}
