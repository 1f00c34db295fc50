import Foundation

/// Reads `terraform show -json` state output (DESIGN §3.2): any `format_version` 1.x, the root module
/// and nested `child_modules`, each resource's `index` as a number or a string, and every value that
/// `sensitive_values` marks replaced by ``TerraformResource/sensitiveMarker`` before it leaves the parser.
///
/// Errors name fields by path and never quote a value from the state.
public enum TerraformStateParser {
    /// Reads a state document. The document is walked, not built: each resource's small fields are
    /// read as values, its `values` are written straight to canonical text (masked by its
    /// `sensitive_values`), so a state of thousands of resources never becomes a tree in memory.
    public static func parse(_ bytes: Data, source: String) throws(EvidenceError) -> TerraformState {
        let outcome: Result<TerraformState, EvidenceError> = bytes.withUnsafeBytes { buffer in
            var walker = StateWalker(cursor: JSONCursor(buffer: buffer, line: 1), source: source)
            do throws(EvidenceError) {
                return .success(try walker.document())
            } catch {
                return .failure(error)
            }
        }
        return try outcome.get()
    }

    /// Walks a state document with a cursor; see ``parse(_:source:)``.
    struct StateWalker {
        var cursor: JSONCursor
        let source: String
        var resources: [TerraformResource] = []
        var locations: [(path: String, line: Int?)] = []

        init(cursor: JSONCursor, source: String) {
            self.cursor = cursor
            self.source = source
        }

        /// Runs a step of the cursor, turning syntax errors into located evidence errors.
        mutating func step<T>(_ body: (inout JSONCursor) throws -> T) throws(EvidenceError) -> T {
            do {
                return try body(&cursor)
            } catch let error as JSONReader.SyntaxError {
                throw EvidenceError(syntax: error, source: source)
            } catch {
                throw EvidenceError(.invalidJSON, source: source, "invalid JSON")
            }
        }

        mutating func document() throws(EvidenceError) -> TerraformState {
            try step { cursor in
                cursor.skipWhitespace()
                if cursor.position == cursor.buffer.count { throw cursor.error("empty document; expected a JSON value", truncated: true) }
            }
            if cursor.buffer[cursor.position] != UInt8(ascii: "{") {
                // Not an object: the whole document is still read first, so bad JSON is reported as such.
                let value = try step { try $0.value() }
                try step { try $0.end() }
                _ = try JSONFields(value, path: "", source: source, line: 1)
                throw EvidenceError(.wrongType, source: source, line: 1, "expected a JSON object")
            }
            var members: [JSONObject.Member] = []
            var seen: Set<String> = []
            if try step({ try $0.beginObject() }) {
                repeat {
                    let (key, line) = try step { try $0.key() }
                    guard seen.insert(key).inserted else {
                        throw EvidenceError(.invalidJSON, source: source, line: line, "invalid JSON: duplicate key \"\(key)\" in an object")
                    }
                    switch key {
                    case "values":
                        if try !step({ try $0.takeNull() }) { try valuesObject() }
                    case "format_version", "terraform_version":
                        members.append(JSONObject.Member(key: key, value: try step { try $0.value() }, line: Int32(line)))
                    default:
                        // Noted (a plan, a raw tfstate) but not kept: a state's other members are not evidence.
                        try step { try $0.skipValue() }
                        members.append(JSONObject.Member(key: key, value: .null, line: Int32(line)))
                    }
                } while try step({ try $0.nextMember() })
            }
            try step { try $0.end() }
            let root = JSONFields(JSONObject(members), source: source, line: 1)
            if root.object.member("format_version") == nil {
                if root.object.member("lineage") != nil || root.object.member("serial") != nil {
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
            if root.object.member("planned_values") != nil || root.object.member("resource_changes") != nil {
                throw EvidenceError(
                    .notEvidence, source: source, line: 1,
                    "a Terraform plan (planned_values, resource_changes); expected a state from `terraform show -json` after apply")
            }
            var addresses: [String: Int] = [:]
            for (index, resource) in resources.enumerated() {
                if let first = addresses[resource.address] {
                    throw EvidenceError(
                        .duplicateRecord, source: source, line: locations[index].line, field: locations[index].path + ".address",
                        "resource address '\(resource.address.prefix(200))' appears twice (first at \(locations[first].path)); expected unique addresses")
                }
                addresses[resource.address] = index
            }
            return TerraformState(formatVersion: version, terraformVersion: try root.optionalString("terraform_version"), resources: resources)
        }

        /// `values`: the root module (outputs and the rest are not evidence).
        mutating func valuesObject() throws(EvidenceError) {
            guard try objectStart(path: "values") else { return }
            repeat {
                let (key, line) = try step { try $0.key() }
                if key == "root_module" {
                    if try !step({ try $0.takeNull() }) { try module(path: "values.root_module", line: line, depth: 0) }
                } else {
                    try step { try $0.skipValue() }
                }
            } while try step({ try $0.nextMember() })
        }

        /// Expects an object where `path` is; a value of another type is a located type error.
        mutating func objectStart(path: String) throws(EvidenceError) -> Bool {
            try step { cursor in cursor.skipWhitespace() }
            let line = cursor.line
            guard cursor.position < cursor.buffer.count, cursor.buffer[cursor.position] == UInt8(ascii: "{") else {
                let found = try step { try $0.value() }
                throw EvidenceError(
                    .wrongType, source: source, line: line, field: path,
                    "expected a JSON object, found \(JSONFields.article(found.typeName))")
            }
            return try step { try $0.beginObject() }
        }

        mutating func arrayStart(path: String, line: Int) throws(EvidenceError) -> Bool {
            try step { cursor in cursor.skipWhitespace() }
            guard cursor.position < cursor.buffer.count, cursor.buffer[cursor.position] == UInt8(ascii: "[") else {
                let found = try step { try $0.value() }
                if found == .null { return false }
                throw EvidenceError(
                    .wrongType, source: source, line: line, field: path, "expected an array, found \(JSONFields.article(found.typeName))")
            }
            return try step { try $0.beginArray() }
        }

        /// A module: its resources, then its child modules; the module's `address` may come in any order.
        mutating func module(path: String, line: Int, depth: Int) throws(EvidenceError) {
            guard depth < 64 else {
                throw EvidenceError(.invalidValue, source: source, field: path, "modules nested deeper than 64")
            }
            let first = resources.count
            var address: String?
            var addressLine = line
            guard try objectStart(path: path) else {
                if depth > 0 { throw EvidenceError(.missingField, source: source, line: line, field: path + ".address", "missing; expected a string") }
                return
            }
            repeat {
                let (key, keyLine) = try step { try $0.key() }
                switch key {
                case "resources":
                    if try arrayStart(path: path + ".resources", line: keyLine) {
                        var index = 0
                        repeat {
                            try resource(path: path + ".resources[\(index)]", listLine: keyLine)
                            index += 1
                        } while try step({ try $0.nextElement() })
                    }
                case "child_modules":
                    if try arrayStart(path: path + ".child_modules", line: keyLine) {
                        var index = 0
                        repeat {
                            try module(path: path + ".child_modules[\(index)]", line: keyLine, depth: depth + 1)
                            index += 1
                        } while try step({ try $0.nextElement() })
                    }
                case "address":
                    addressLine = keyLine
                    let value = try step { try $0.value() }
                    let fields = JSONFields(JSONObject([JSONObject.Member(key: "address", value: value, line: Int32(keyLine))]), path: path, source: source, line: keyLine)
                    address = try fields.string("address")
                default:
                    try step { try $0.skipValue() }
                }
            } while try step({ try $0.nextMember() })
            guard depth > 0 else { return }
            guard let address else {
                throw EvidenceError(.missingField, source: source, line: addressLine, field: path + ".address", "missing; expected a string")
            }
            // This module's own resources belong to its address; its children's already carry theirs.
            for index in first..<resources.count where resources[index].module == nil {
                resources[index].module = address
            }
        }

        /// Whether a `sensitive_values` mask marks any value (`true` somewhere in it).
        static func marksAnything(_ mask: JSONValue?) -> Bool {
            switch mask {
            case .bool(true)?: true
            case .object(let object)?: object.members.contains { marksAnything($0.value) }
            case .array(let elements)?: elements.contains { marksAnything($0) }
            default: false
            }
        }

        /// One resource: its fields as values, its `values` as canonical text under its mask.
        mutating func resource(path: String, listLine: Int) throws(EvidenceError) {
            try step { cursor in cursor.skipWhitespace() }
            let objectLine = cursor.line
            var members: [JSONObject.Member] = []
            var valuesRange: Range<Int>?
            var valuesLine = objectLine
            var valuesStart: (line: Int, lineStart: Int) = (objectLine, 0)
            // The values' canonical text, written as they are read, before the mask (which Terraform
            // writes after them) is known; rewritten from their bytes only if the mask marks anything.
            var unmasked: [UInt8]?
            var seen: [String] = []
            if try objectStart(path: path) {
                repeat {
                    let (key, keyLine) = try step { try $0.key() }
                    // A resource has a dozen keys: a list is quicker than a set.
                    guard !seen.contains(key) else {
                        throw EvidenceError(.invalidJSON, source: source, line: keyLine, "invalid JSON: duplicate key \"\(key)\" in an object")
                    }
                    seen.append(key)
                    if key == "values" {
                        valuesLine = keyLine
                        valuesStart = (cursor.line, cursor.lineStart)
                        let start = cursor.position
                        if cursor.position < cursor.buffer.count, cursor.buffer[cursor.position] == UInt8(ascii: "{") {
                            var out: [UInt8] = []
                            try step { try $0.canonical(into: &out) }
                            unmasked = out
                            valuesRange = start..<cursor.position
                        } else {
                            valuesRange = try step { try $0.skipValue() }
                        }
                    } else {
                        members.append(JSONObject.Member(key: key, value: try step { try $0.value() }, line: Int32(keyLine)))
                    }
                } while try step({ try $0.nextMember() })
            }
            let fields = JSONFields(JSONObject(members), path: path, source: source, line: objectLine)
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
            var mask: JSONValue?
            if let sensitive = fields.object["sensitive_values"], sensitive != .null {
                switch sensitive {
                case .object, .bool: mask = sensitive
                default: throw fields.wrongType("sensitive_values", "an object", sensitive)
                }
            }
            var text = "{}"
            if let range = valuesRange {
                let first = cursor.buffer[range.lowerBound]
                if first != UInt8(ascii: "n") {
                    guard first == UInt8(ascii: "{") else {
                        let found: JSONValue = first == UInt8(ascii: "[") ? .array([]) : first == quote ? .string("") : (first == UInt8(ascii: "t") || first == UInt8(ascii: "f")) ? .bool(true) : .number("0")
                        throw EvidenceError(
                            .wrongType, source: source, line: valuesLine, field: fields.fieldPath("values"),
                            "expected an object, found \(JSONFields.article(found.typeName))")
                    }
                    if let unmasked, !Self.marksAnything(mask) {
                        text = String(decoding: unmasked, as: UTF8.self)
                    } else {
                        var sub = JSONCursor(buffer: cursor.buffer, line: valuesStart.line)
                        sub.position = range.lowerBound
                        sub.lineStart = valuesStart.lineStart
                        var out: [UInt8] = []
                        out.reserveCapacity(range.count)
                        do {
                            try sub.canonical(into: &out, mask: mask)
                        } catch {
                            throw EvidenceError(syntax: error, source: source)
                        }
                        text = String(decoding: out, as: UTF8.self)
                    }
                }
            }
            resources.append(TerraformResource(
                address: address, module: nil, mode: mode, type: type, name: name, index: index,
                providerName: try fields.optionalString("provider_name"), valuesText: text))
            locations.append((path, objectLine))
        }
    }

}
