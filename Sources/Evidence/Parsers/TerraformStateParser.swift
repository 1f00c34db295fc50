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
        /// Where each resource was: its list's path, its position in the list and its line. Its path
        /// (`<list>[<index>]`) is only made for a message.
        var locations: [(list: String, index: Int, line: Int?)] = []
        /// The canonical text of the resource being read, kept from one resource to the next so that
        /// it is allocated once.
        var canonical: [UInt8] = []
        /// The same for a resource's `sensitive_values`.
        var maskScratch: [UInt8] = []
        /// The same for the members a resource is read with, and the keys it skips.
        var readScratch: [JSONObject.Member?] = []
        var skippedScratch: [String] = []

        init(cursor: JSONCursor, source: String) {
            self.cursor = cursor
            self.source = source
        }

        /// Runs a step of the cursor, turning syntax errors into located evidence errors.
        @discardableResult
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
            addresses.reserveCapacity(resources.count)
            // By position: binding each resource would copy all of its fields.
            for index in resources.indices {
                if let first = addresses.updateValue(index, forKey: resources[index].address) {
                    throw EvidenceError(
                        .duplicateRecord, source: source, line: locations[index].line, field: resourcePath(index) + ".address",
                        "resource address '\(resources[index].address.prefix(200))' appears twice (first at \(resourcePath(first))); expected unique addresses")
                }
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
        mutating func objectStart(path: @autoclosure () -> String) throws(EvidenceError) -> Bool {
            try step { cursor in cursor.skipWhitespace() }
            let line = cursor.line
            guard cursor.position < cursor.buffer.count, cursor.buffer[cursor.position] == UInt8(ascii: "{") else {
                let found = try step { try $0.value() }
                throw EvidenceError(
                    .wrongType, source: source, line: line, field: path(),
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
                    let list = path + ".resources"
                    if try arrayStart(path: list, line: keyLine) {
                        var index = 0
                        repeat {
                            try resource(list: list, index: index, listLine: keyLine)
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

        /// The members of a resource that are read, in their keys' UTF-8 order (a ``JSONObject``'s).
        /// `values` is written as canonical text instead, and the others are validated and skipped.
        static let readKeys = ["address", "index", "mode", "name", "provider_name", "sensitive_values", "type"]
        static let readKeyBytes = readKeys.map { Array($0.utf8) }
        static let sensitiveSlot = readKeys.firstIndex(of: "sensitive_values")!
        static let valuesKey = Array("values".utf8)

        /// Whether `true` is anywhere in the bytes (in a key too: that only means reading the mask).
        static func containsTrue(_ bytes: UnsafeRawBufferPointer) -> Bool {
            guard bytes.count >= 4 else { return false }
            for index in 0...(bytes.count - 4) where bytes[index] == UInt8(ascii: "t") {
                if bytes[index + 1] == UInt8(ascii: "r"), bytes[index + 2] == UInt8(ascii: "u"), bytes[index + 3] == UInt8(ascii: "e") {
                    return true
                }
            }
            return false
        }

        /// A member of a resource, by its key.
        enum ResourceKey {
            /// One of ``readKeys``, by position.
            case read(Int)
            case values
            /// Another key, which is skipped.
            case other(String)

            init(_ key: some Sequence<UInt8>, name: () -> String) {
                if key.elementsEqual(valuesKey) {
                    self = .values
                } else if let index = readKeyBytes.firstIndex(where: { key.elementsEqual($0) }) {
                    self = .read(index)
                } else {
                    self = .other(name())
                }
            }

            var name: String {
                switch self {
                case .read(let index): readKeys[index]
                case .values: "values"
                case .other(let name): name
                }
            }
        }

        /// Writes the canonical text of the object at the cursor into the buffer at `scratch` (kept
        /// from one resource to the next, so allocated once); false, with nothing read, when the value
        /// there is not an object.
        mutating func canonicalObject(into scratch: WritableKeyPath<StateWalker, [UInt8]>) throws(EvidenceError) -> Bool {
            guard cursor.position < cursor.buffer.count, cursor.buffer[cursor.position] == UInt8(ascii: "{") else { return false }
            var out: [UInt8] = []
            swap(&out, &self[keyPath: scratch])
            out.removeAll(keepingCapacity: true)
            defer { swap(&out, &self[keyPath: scratch]) }
            try step { try $0.canonical(into: &out) }
            return true
        }

        /// A resource's `sensitive_values`. Most mark nothing: an object with no `true` in it is
        /// validated (written in canonical form, which refuses a repeated key as the reader does, and
        /// builds no key) and stands as an empty object, without building its tree of empty objects and
        /// arrays; any other is read as a value.
        mutating func readMask() throws(EvidenceError) -> JSONValue {
            let start = cursor
            if try canonicalObject(into: \.maskScratch) {
                if !maskScratch.withUnsafeBytes({ Self.containsTrue($0) }) {
                    return .object(JSONObject(sortedMembers: [], line: Int32(truncatingIfNeeded: start.line)))
                }
                cursor = start
            }
            return try step { try $0.value() }
        }

        /// One resource: its fields as values, its `values` as canonical text under its mask.
        /// The path of the resource at `index` in ``resources``, for messages.
        func resourcePath(_ index: Int) -> String {
            "\(locations[index].list)[\(locations[index].index)]"
        }

        /// The resource at `index` of the resource list at path `list`: its path (`<list>[<index>]`)
        /// is only made when a message needs it.
        mutating func resource(list: String, index position: Int, listLine: Int) throws(EvidenceError) {
            try step { cursor in cursor.skipWhitespace() }
            let objectLine = cursor.line
            var read: [JSONObject.Member?] = []
            swap(&read, &readScratch)
            read.removeAll(keepingCapacity: true)
            read.append(contentsOf: repeatElement(nil, count: Self.readKeys.count))
            var valuesRange: Range<Int>?
            var valuesLine = objectLine
            var valuesStart: (line: Int, lineStart: Int) = (objectLine, 0)
            // The values' canonical text, written as they are read (into `canonical`), before the mask
            // (which Terraform writes after them) is known; rewritten from their bytes only if the mask
            // marks anything.
            var unmasked = false
            // The keys of the members that are neither read nor `values`: a resource has a few, and a
            // list is quicker than a set.
            var skipped: [String] = []
            swap(&skipped, &skippedScratch)
            skipped.removeAll(keepingCapacity: true)
            defer {
                swap(&read, &readScratch)
                swap(&skipped, &skippedScratch)
            }
            if try objectStart(path: "\(list)[\(position)]") {
                repeat {
                    let key: ResourceKey
                    let keyLine: Int
                    if let plain = try step({ try $0.plainKey() }) {
                        let bytes = UnsafeRawBufferPointer(rebasing: cursor.buffer[plain.range])
                        key = ResourceKey(bytes) { String(decoding: bytes, as: UTF8.self) }
                        keyLine = plain.line
                    } else {
                        let (name, line) = try step { try $0.key() }
                        key = ResourceKey(name.utf8) { name }
                        keyLine = line
                    }
                    let duplicate =
                        switch key {
                        case .values: valuesRange != nil
                        case .read(let index): read[index] != nil
                        case .other(let name): skipped.contains(name)
                        }
                    if duplicate {
                        throw EvidenceError(.invalidJSON, source: source, line: keyLine, "invalid JSON: duplicate key \"\(key.name)\" in an object")
                    }
                    switch key {
                    case .values:
                        valuesLine = keyLine
                        valuesStart = (cursor.line, cursor.lineStart)
                        let start = cursor.position
                        if try canonicalObject(into: \.canonical) {
                            unmasked = true
                            valuesRange = start..<cursor.position
                        } else {
                            valuesRange = try step { try $0.skipValue() }
                        }
                    case .read(let index):
                        let value = index == Self.sensitiveSlot ? try readMask() : try step { try $0.value() }
                        read[index] = JSONObject.Member(key: key.name, value: value, line: Int32(keyLine))
                    case .other(let name):
                        skipped.append(name)
                        try step { try $0.skipValue() }
                    }
                } while try step({ try $0.nextMember() })
            }
            // Room for every read key made once: a filter growing its array costs a resource several allocations.
            var members: [JSONObject.Member] = []
            members.reserveCapacity(read.count)
            for member in read {
                if let member { members.append(member) }
            }
            let fields = JSONFields(JSONObject(sortedMembers: members), path: list, element: position, source: source, line: objectLine)
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
                    if unmasked, !Self.marksAnything(mask) {
                        text = String(decoding: canonical, as: UTF8.self)
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
            locations.append((list, position, objectLine))
        }
    }

}
