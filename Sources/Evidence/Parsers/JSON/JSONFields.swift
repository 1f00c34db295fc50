/// Typed, located access to the members of a JSON object: every failure is an ``EvidenceError``
/// naming the source, the line and the field path, and saying what type or value was expected.
/// Values are never quoted in messages.
struct JSONFields {
    let object: JSONObject
    /// The path of this object from the document root (`""` for the root, `templateParameters`, `tables[2]`).
    var path: String { element.map { "\(base)[\($0)]" } ?? base }
    /// The path, or the path of the list the object is an element of.
    private let base: String
    /// The object's position in the list at ``base``, when it is a list element: its path is then only
    /// made for a message (a state reads thousands of resources and reports none).
    private let element: Int?
    let source: String
    /// The line to report when a member's own line is unknown.
    let line: Int?

    init(_ object: JSONObject, path: String = "", element: Int? = nil, source: String, line: Int?) {
        self.object = object
        base = path
        self.element = element
        self.source = source
        self.line = line
    }

    /// Reads `value` as an object or fails naming `path`.
    init(_ value: JSONValue, path: String = "", source: String, line: Int?) throws(EvidenceError) {
        guard case .object(let object) = value else {
            throw EvidenceError(
                .wrongType, source: source, line: line, field: path.isEmpty ? nil : path,
                "expected a JSON object, found \(Self.article(value.typeName))")
        }
        self.init(object, path: path, source: source, line: object.line > 0 ? Int(object.line) : line)
    }

    func fieldPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    func lineOf(_ key: String) -> Int? {
        if let member = object.member(key), member.line > 0 { return Int(member.line) }
        return line
    }

    func error(_ code: EvidenceError.Code, _ key: String, _ message: String) -> EvidenceError {
        EvidenceError(code, source: source, line: lineOf(key), field: fieldPath(key), message)
    }

    /// Fails when the object has members other than `allowed`.
    func rejectUnknown(allowing allowed: Set<String>, what: String) throws(EvidenceError) {
        for member in object.members where !allowed.contains(member.key) {
            throw EvidenceError(
                .invalidValue, source: source, line: member.line > 0 ? Int(member.line) : line,
                field: fieldPath(member.key),
                "unknown field in \(what); expected one of \(allowed.sorted().joined(separator: ", "))")
        }
    }

    /// The value of a member that must be present and not null.
    func required(_ key: String, _ expectation: String) throws(EvidenceError) -> JSONValue {
        guard let value = object[key], value != .null else {
            throw EvidenceError(
                .missingField, source: source, line: line, field: fieldPath(key), "missing; expected \(expectation)")
        }
        return value
    }

    func string(_ key: String) throws(EvidenceError) -> String {
        let value = try required(key, "a string")
        guard case .string(let text) = value else { throw wrongType(key, "a string", value) }
        guard !text.isEmpty else { throw error(.invalidValue, key, "is empty; expected a non-empty string") }
        return text
    }

    /// A string that may be absent, null or empty (all read as `nil`).
    func optionalString(_ key: String) throws(EvidenceError) -> String? {
        guard let value = object[key], value != .null else { return nil }
        guard case .string(let text) = value else { throw wrongType(key, "a string", value) }
        return text.isEmpty ? nil : text
    }

    func int(_ key: String) throws(EvidenceError) -> Int64 {
        let value = try required(key, "an integer")
        return try integer(value, key)
    }

    func optionalInt(_ key: String) throws(EvidenceError) -> Int64? {
        guard let value = object[key], value != .null else { return nil }
        return try integer(value, key)
    }

    private func integer(_ value: JSONValue, _ key: String) throws(EvidenceError) -> Int64 {
        guard case .number(let text) = value else { throw wrongType(key, "an integer", value) }
        guard let integer = Int64(text) else { throw error(.invalidValue, key, "expected an integer, found a fraction or an out-of-range number") }
        return integer
    }

    func bool(_ key: String) throws(EvidenceError) -> Bool {
        let value = try required(key, "true or false")
        guard case .bool(let flag) = value else { throw wrongType(key, "true or false", value) }
        return flag
    }

    func optionalObject(_ key: String) throws(EvidenceError) -> JSONFields? {
        guard let value = object[key], value != .null else { return nil }
        return try JSONFields(value, path: fieldPath(key), source: source, line: lineOf(key))
    }

    func objectField(_ key: String) throws(EvidenceError) -> JSONFields {
        let value = try required(key, "an object")
        return try JSONFields(value, path: fieldPath(key), source: source, line: lineOf(key))
    }

    func optionalArray(_ key: String) throws(EvidenceError) -> [JSONValue]? {
        guard let value = object[key], value != .null else { return nil }
        guard case .array(let elements) = value else { throw wrongType(key, "an array", value) }
        return elements
    }

    func optionalStringArray(_ key: String) throws(EvidenceError) -> [String]? {
        guard let elements = try optionalArray(key) else { return nil }
        var strings: [String] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let text) = element else {
                throw EvidenceError(
                    .wrongType, source: source, line: lineOf(key), field: fieldPath(key) + "[\(index)]",
                    "expected a string, found \(Self.article(element.typeName))")
            }
            strings.append(text)
        }
        return strings
    }

    /// An RFC 3339 instant with an offset; a naive timestamp is refused.
    func instant(_ key: String) throws(EvidenceError) -> Instant {
        let value = try required(key, "an RFC 3339 timestamp with Z or an offset")
        return try rfc3339(value, key)
    }

    func optionalInstant(_ key: String) throws(EvidenceError) -> Instant? {
        guard let value = object[key], value != .null else { return nil }
        if case .string(let text) = value, text.isEmpty { return nil }
        return try rfc3339(value, key)
    }

    /// An instant written either as RFC 3339 text or as epoch milliseconds (Delta Lake's form).
    func optionalInstantOrEpochMilliseconds(_ key: String) throws(EvidenceError) -> Instant? {
        guard let value = object[key], value != .null else { return nil }
        if case .number(let text) = value {
            guard let milliseconds = Int64(text) else {
                throw error(.invalidTimestamp, key, "expected epoch milliseconds as an integer")
            }
            switch Timestamp.fromEpochMilliseconds(milliseconds) {
            case .success(let instant): return instant
            case .failure: throw error(.invalidTimestamp, key, "epoch milliseconds out of range (years 1900–2200)")
            }
        }
        return try rfc3339(value, key)
    }

    private func rfc3339(_ value: JSONValue, _ key: String) throws(EvidenceError) -> Instant {
        guard case .string(let text) = value else {
            throw wrongType(key, "an RFC 3339 timestamp string", value)
        }
        return try Self.instant(text, field: fieldPath(key), source: source, line: lineOf(key))
    }

    static func instant(_ text: String, field: String?, source: String, line: Int?) throws(EvidenceError) -> Instant {
        switch Timestamp.parseRFC3339(text) {
        case .success(let instant):
            return instant
        case .failure(.naive):
            throw EvidenceError(
                .naiveTimestamp, source: source, line: line, field: field,
                "timestamp '\(text.prefix(40))' has no offset; expected Z or ±hh:mm (e.g. 2026-09-12T08:03:11+02:00)")
        case .failure(.outOfRange(let part, let expected)):
            throw EvidenceError(
                .invalidTimestamp, source: source, line: line, field: field,
                "timestamp '\(text.prefix(40))' has an out-of-range \(part); expected \(expected)")
        case .failure(.tooManyFractionDigits):
            throw EvidenceError(
                .invalidTimestamp, source: source, line: line, field: field,
                "timestamp '\(text.prefix(40))' has more than 9 fraction digits; expected 0 to 9 (nanoseconds)")
        case .failure(.malformed):
            throw EvidenceError(
                .invalidTimestamp, source: source, line: line, field: field,
                "'\(text.prefix(40))' is not an RFC 3339 timestamp; expected e.g. 2026-09-12T08:03:11+02:00")
        }
    }

    func wrongType(_ key: String, _ expected: String, _ found: JSONValue) -> EvidenceError {
        error(.wrongType, key, "expected \(expected), found \(Self.article(found.typeName))")
    }

    static func article(_ typeName: String) -> String {
        switch typeName {
        case "null": "null"
        case "array", "object", "integer": "an \(typeName)"
        default: "a \(typeName)"
        }
    }
}

extension EvidenceError {
    /// The located error for JSON that does not parse.
    public init(syntax: JSONReader.SyntaxError, source: String) {
        self.init(
            .invalidJSON, source: source, line: syntax.line, column: syntax.column,
            syntax.truncated ? "truncated JSON: \(syntax.message)" : "invalid JSON: \(syntax.message)")
    }
}
