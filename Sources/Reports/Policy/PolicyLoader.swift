import Evidence
import Foundation
import Yams

extension Policy {
    /// Reads and validates drreport.yaml. Every error names the key path and the line.
    public static func load(yaml text: String, source: String) throws(ReportsError) -> Policy {
        let root: Node
        do {
            guard let node = try Yams.compose(yaml: text) else {
                throw ReportsError(.invalidPolicy, source: source, "empty policy; expected the keys of DESIGN §4")
            }
            root = node
        } catch let error as ReportsError {
            throw error
        } catch let error as YamlError {
            throw ReportsError(.invalidPolicy, source: source, line: YAMLReader.line(of: error), "not valid YAML: \(YAMLReader.problem(of: error))")
        } catch {
            throw ReportsError(.invalidPolicy, source: source, "not valid YAML")
        }
        let reader = YAMLReader(source: source)
        return try reader.policy(root)
    }

    /// Reads drreport.yaml from a file.
    public static func load(path: String) throws(ReportsError) -> Policy {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReportsError(.invalidPolicy, source: path, "cannot read the policy file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ReportsError(.invalidPolicy, source: path, "not UTF-8 text")
        }
        return try load(yaml: text, source: path)
    }
}

/// Walks the YAML node tree with key paths and lines, into typed values.
struct YAMLReader {
    let source: String

    static func line(of error: YamlError) -> Int? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): mark.line
        default: nil
        }
    }

    static func problem(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): problem
        case .duplicatedKeysInMapping(let duplicates, _): "duplicate keys \(duplicates.joined(separator: ", "))"
        default: "\(error)"
        }
    }

    func fail(_ node: Node?, _ path: String, _ message: String) -> ReportsError {
        ReportsError(.invalidPolicy, source: source, line: node?.mark?.line, path: path.isEmpty ? nil : path, message)
    }

    func mapping(_ node: Node, _ path: String, allowed: [String], required: [String] = []) throws(ReportsError) -> [String: Node] {
        guard let mapping = node.mapping else { throw fail(node, path, "expected a mapping (key: value)") }
        var result: [String: Node] = [:]
        for (key, value) in mapping {
            guard let name = key.string else { throw fail(key, path, "expected a string key") }
            guard allowed.contains(name) else {
                throw fail(key, join(path, name), "unknown key; expected one of \(allowed.joined(separator: ", "))")
            }
            guard result[name] == nil else { throw fail(key, join(path, name), "duplicate key") }
            result[name] = value
        }
        for name in required where result[name] == nil {
            throw fail(node, join(path, name), "missing; it is required")
        }
        return result
    }

    /// A key `mapping(_:_:allowed:required:)` has already checked is present.
    func need(_ fields: [String: Node], _ key: String) -> Node {
        fields[key] ?? Node("")
    }

    func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : path + "." + key }

    func string(_ node: Node, _ path: String) throws(ReportsError) -> String {
        guard case .scalar(let scalar) = node, !scalar.string.isEmpty else {
            throw fail(node, path, "expected a non-empty string")
        }
        return scalar.string
    }

    func sequence(_ node: Node, _ path: String) throws(ReportsError) -> [Node] {
        guard case .sequence(let sequence) = node else { throw fail(node, path, "expected a list") }
        return Array(sequence)
    }

    func strings(_ node: Node, _ path: String) throws(ReportsError) -> [String] {
        var values: [String] = []
        for (index, element) in try sequence(node, path).enumerated() {
            values.append(try string(element, "\(path)[\(index)]"))
        }
        return values
    }

    func integer(_ node: Node, _ path: String) throws(ReportsError) -> Int64 {
        guard case .scalar(let scalar) = node, let value = Int64(scalar.string), value >= 0 else {
            throw fail(node, path, "expected a whole number ≥ 0")
        }
        return value
    }

    func seconds(_ node: Node, _ path: String) throws(ReportsError) -> Int64 {
        let text = try string(node, path)
        guard let duration = PolicyDuration(parsing: text), duration.months == 0, duration.seconds > 0 else {
            throw fail(node, path, "'\(text)' is not a duration; expected e.g. 4h, 30m, 90s, 1d or 1h30m")
        }
        return duration.seconds
    }

    func day(_ node: Node, _ path: String) throws(ReportsError) -> CalendarDay {
        let text = try string(node, path)
        guard let day = CalendarDay(parsing: text) else { throw fail(node, path, "'\(text)' is not a date; expected YYYY-MM-DD") }
        return day
    }

    func identifier(_ node: Node, _ path: String) throws(ReportsError) -> String {
        let text = try string(node, path)
        guard text.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }) else {
            throw fail(node, path, "'\(text)' is not an id; expected letters, digits, '-', '_' or '.'")
        }
        return text
    }

    func policy(_ root: Node) throws(ReportsError) -> Policy {
        let top = try mapping(
            root, "",
            allowed: [
                "organization", "timezone", "regions", "rto_clock", "clock_uncertainty_s", "processes", "workspaces",
                "parity", "change_control", "cadence", "people", "waivers",
            ],
            required: ["organization", "timezone", "regions", "processes", "workspaces"])
        let organizationNode = need(top, "organization")
        let organization = try mapping(organizationNode, "organization", allowed: ["name", "lei"], required: ["name", "lei"])
        let lei = try string(need(organization, "lei"), "organization.lei")
        guard lei.count == 20, lei.allSatisfy({ $0.isASCII && ($0.isUppercase || $0.isNumber) }) else {
            throw fail(organization["lei"], "organization.lei", "expected a 20-character LEI (A–Z, 0–9)")
        }
        let zoneName = try string(need(top, "timezone"), "timezone")
        guard let timeZone = TimeZone(identifier: zoneName) else {
            throw fail(top["timezone"], "timezone", "'\(zoneName)' is not an IANA time zone; expected e.g. Europe/Rome")
        }
        let regions = try mapping(need(top, "regions"), "regions", allowed: ["primary", "secondary"], required: ["primary", "secondary"])
        let primary = try string(need(regions, "primary"), "regions.primary")
        let secondary = try string(need(regions, "secondary"), "regions.secondary")
        guard primary != secondary else { throw fail(regions["secondary"], "regions.secondary", "must differ from the primary region") }
        var rtoClock = Policy.RTOClock.crisisDeclared
        if let node = top["rto_clock"] {
            let text = try string(node, "rto_clock")
            guard let clock = Policy.RTOClock(rawValue: text) else {
                throw fail(node, "rto_clock", "expected crisis_declared or disruption")
            }
            rtoClock = clock
        }
        let uncertainty = try top["clock_uncertainty_s"].map { node throws(ReportsError) in try integer(node, "clock_uncertainty_s") } ?? 0

        var workspaces: [Policy.Workspace] = []
        for (index, node) in try sequence(need(top, "workspaces"), "workspaces").enumerated() {
            let path = "workspaces[\(index)]"
            let fields = try mapping(node, path, allowed: ["id", "division", "environment", "kind"], required: ["id", "division", "environment"])
            let id = try identifier(need(fields, "id"), path + ".id")
            guard !workspaces.contains(where: { $0.id == id }) else { throw fail(fields["id"], path + ".id", "duplicate workspace id '\(id)'") }
            workspaces.append(Policy.Workspace(
                id: id, division: try string(need(fields, "division"), path + ".division"),
                environment: try string(need(fields, "environment"), path + ".environment").lowercased(),
                kind: try fields["kind"].map { node throws(ReportsError) in try string(node, path + ".kind") }))
        }

        var processes: [Policy.Process] = []
        for (index, node) in try sequence(need(top, "processes"), "processes").enumerated() {
            let path = "processes[\(index)]"
            let fields = try mapping(
                node, path, allowed: ["id", "name", "criticality", "rto", "rpo", "workspaces", "tables"],
                required: ["id", "criticality", "rto", "rpo"])
            let id = try identifier(need(fields, "id"), path + ".id")
            guard !processes.contains(where: { $0.id == id }) else { throw fail(fields["id"], path + ".id", "duplicate process id '\(id)'") }
            let criticalityText = try string(need(fields, "criticality"), path + ".criticality")
            guard let criticality = Policy.Criticality(rawValue: criticalityText) else {
                throw fail(fields["criticality"], path + ".criticality", "expected business-critical, important or standard")
            }
            let names = try fields["workspaces"].map { node throws(ReportsError) in try strings(node, path + ".workspaces") } ?? []
            for (position, name) in names.enumerated() where !workspaces.contains(where: { $0.id == name }) {
                let element = fields["workspaces"].flatMap { $0.sequence.map(Array.init) }?[position]
                throw fail(element, "\(path).workspaces[\(position)]", "unknown workspace '\(name)'; declare it under workspaces")
            }
            processes.append(Policy.Process(
                id: id, name: try fields["name"].map { node throws(ReportsError) in try string(node, path + ".name") } ?? id,
                criticality: criticality, rto: try seconds(need(fields, "rto"), path + ".rto"),
                rpo: try seconds(need(fields, "rpo"), path + ".rpo"), workspaces: names,
                tables: try fields["tables"].map { node throws(ReportsError) in try strings(node, path + ".tables") } ?? []))
        }
        guard !processes.isEmpty else { throw fail(top["processes"], "processes", "expected at least one process") }

        var parity = Policy.Parity(applyWindow: 24 * 3600, ignore: [:], environments: nil)
        if let node = top["parity"] {
            let fields = try mapping(node, "parity", allowed: ["apply_window", "ignore", "environments"])
            if let window = fields["apply_window"] { parity.applyWindow = try seconds(window, "parity.apply_window") }
            if let environments = fields["environments"] { parity.environments = try strings(environments, "parity.environments").map { $0.lowercased() } }
            if let ignore = fields["ignore"] {
                guard let ignoreMapping = ignore.mapping else { throw fail(ignore, "parity.ignore", "expected a mapping of resource type to attribute paths") }
                for (key, value) in ignoreMapping {
                    guard let type = key.string, type == "*" || type.allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" }) else {
                        throw fail(key, "parity.ignore", "expected a resource type (e.g. databricks_cluster) or *")
                    }
                    let path = "parity.ignore.\(type)"
                    var paths: [IgnorePath] = []
                    for (index, text) in try strings(value, path).enumerated() {
                        guard !text.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty) else {
                            throw fail(value, "\(path)[\(index)]", "'\(text)' is not an attribute path; expected e.g. provider_config.*.workspace_id")
                        }
                        paths.append(IgnorePath(text))
                    }
                    parity.ignore[type, default: []] += paths
                }
            }
        }

        var change = Policy.ChangeControl(approvalRequired: ["prod"], emergencyApprovalWithin: 72 * 3600)
        if let node = top["change_control"] {
            let fields = try mapping(node, "change_control", allowed: ["approval_required", "emergency_approval_within"])
            if let required = fields["approval_required"] {
                change.approvalRequired = try strings(required, "change_control.approval_required").map { $0.lowercased() }
            }
            if let within = fields["emergency_approval_within"] {
                change.emergencyApprovalWithin = try seconds(within, "change_control.emergency_approval_within")
            }
        }

        var drillEvery = PolicyDuration(months: 12)
        if let node = top["cadence"] {
            let fields = try mapping(node, "cadence", allowed: ["drill_every"])
            if let every = fields["drill_every"] {
                let text = try string(every, "cadence.drill_every")
                guard let duration = PolicyDuration(parsing: text), duration.months > 0 || duration.seconds > 0 else {
                    throw fail(every, "cadence.drill_every", "'\(text)' is not a duration; expected e.g. 12mo or 365d")
                }
                drillEvery = duration
            }
        }

        var people: [Policy.Person] = []
        if let node = top["people"] {
            for (index, element) in try sequence(node, "people").enumerated() {
                let path = "people[\(index)]"
                let fields = try mapping(element, path, allowed: ["id", "aliases"], required: ["id"])
                people.append(Policy.Person(
                    id: try string(need(fields, "id"), path + ".id"),
                    aliases: try fields["aliases"].map { node throws(ReportsError) in try strings(node, path + ".aliases") } ?? []))
            }
        }

        var waivers: [Policy.Waiver] = []
        if let node = top["waivers"] {
            for (index, element) in try sequence(node, "waivers").enumerated() {
                let path = "waivers[\(index)]"
                let fields = try mapping(
                    element, path,
                    allowed: ["id", "rule", "subject", "reason", "approved_by", "approved_on", "requested_by", "expires"],
                    required: ["id", "rule", "subject", "reason", "approved_by", "approved_on", "expires"])
                let ruleText = try string(need(fields, "rule"), path + ".rule")
                guard let rule = RuleID(rawValue: ruleText) else {
                    throw fail(fields["rule"], path + ".rule", "unknown rule '\(ruleText)'; expected one of \(RuleID.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                let approvedOn = try day(need(fields, "approved_on"), path + ".approved_on")
                let expires = try day(need(fields, "expires"), path + ".expires")
                guard approvedOn <= expires else { throw fail(fields["expires"], path + ".expires", "expires before it was approved") }
                waivers.append(Policy.Waiver(
                    id: try string(need(fields, "id"), path + ".id"), rule: rule, subject: try string(need(fields, "subject"), path + ".subject"),
                    reason: try string(need(fields, "reason"), path + ".reason"), approvedBy: try string(need(fields, "approved_by"), path + ".approved_by"),
                    approvedOn: approvedOn,
                    requestedBy: try fields["requested_by"].map { node throws(ReportsError) in try string(node, path + ".requested_by") },
                    expires: expires, line: element.mark?.line ?? 0))
            }
        }

        return Policy(
            organization: Policy.Organization(name: try string(need(organization, "name"), "organization.name"), lei: lei),
            timeZone: timeZone, primaryRegion: primary, secondaryRegion: secondary, rtoClock: rtoClock,
            clockUncertainty: uncertainty, processes: processes, workspaces: workspaces, parity: parity,
            changeControl: change, drillEvery: drillEvery, people: people, waivers: waivers)
    }
}
