/// A `terraform show -json` state (format 1.x), flattened: every managed and data resource of the
/// root module and of all nested child modules.
public struct TerraformState: Sendable, Hashable, Codable {
    /// `format_version`, e.g. `1.0`.
    public var formatVersion: String
    /// `terraform_version`, when present.
    public var terraformVersion: String?
    /// The resources, in the order of the document (root module first, then child modules depth-first).
    public var resources: [TerraformResource]

    /// A state.
    public init(formatVersion: String, terraformVersion: String? = nil, resources: [TerraformResource]) {
        self.formatVersion = formatVersion
        self.terraformVersion = terraformVersion
        self.resources = resources
    }
}

/// One resource instance of a state, with sensitive values already replaced by
/// ``TerraformResource/sensitiveMarker``. Its attribute values are kept as their canonical JSON text
/// (keys sorted, no whitespace): what the store keeps and what parity compares, read once from the
/// state's bytes without building a tree for them.
public struct TerraformResource: Sendable, Hashable, Codable {
    /// The marker that stands in for every value `sensitive_values` marks: sensitive values never
    /// leave the raw evidence file.
    public static let sensitiveMarker = "(sensitive)"

    /// The full address, e.g. `module.jobs.databricks_job.etl["daily"]`.
    public var address: String
    /// The module address (`module.jobs`), or `nil` for the root module.
    public var module: String?
    /// `managed` or `data`.
    public var mode: String
    /// The resource type, e.g. `databricks_cluster`.
    public var type: String
    /// The resource name.
    public var name: String
    /// The `count` or `for_each` key: a number or a string, when present.
    public var index: JSONValue?
    /// The provider, e.g. `registry.terraform.io/databricks/databricks`.
    public var providerName: String?
    /// The attribute values with sensitive ones masked, as canonical JSON text.
    public var valuesText: String

    /// The attribute values as a JSON value (parsed from ``valuesText`` when asked for).
    public var values: JSONValue {
        get { (try? JSONReader.read(valuesText)) ?? .object(JSONObject([])) }
        set { valuesText = newValue.canonicalText }
    }

    /// A resource from its values as a JSON value.
    public init(
        address: String, module: String? = nil, mode: String = "managed", type: String, name: String,
        index: JSONValue? = nil, providerName: String? = nil, values: JSONValue
    ) {
        self.init(
            address: address, module: module, mode: mode, type: type, name: name, index: index, providerName: providerName,
            valuesText: values.canonicalText)
    }

    /// A resource from its values' canonical text.
    public init(
        address: String, module: String? = nil, mode: String = "managed", type: String, name: String,
        index: JSONValue? = nil, providerName: String? = nil, valuesText: String
    ) {
        self.address = address
        self.module = module
        self.mode = mode
        self.type = type
        self.name = name
        self.index = index
        self.providerName = providerName
        self.valuesText = valuesText
    }
}
