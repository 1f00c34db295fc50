/// A JSON value as read from evidence: numbers keep their exact text, and objects keep their members
/// sorted by key (UTF-8 byte order), which makes the canonical form and equality order-independent.
public enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    /// A number, as the exact text of the source (`1`, `-0.5`, `1e3`).
    case number(String)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)

    /// The JSON type's name, for messages (`string`, `number`, ...).
    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }

    /// The members when this is an object.
    public var objectValue: JSONObject? {
        if case .object(let object) = self { return object }
        return nil
    }

    /// The elements when this is an array.
    public var arrayValue: [JSONValue]? {
        if case .array(let array) = self { return array }
        return nil
    }

    /// The text when this is a string.
    public var stringValue: String? {
        if case .string(let string) = self { return string }
        return nil
    }

    /// The value when this is a number that is an integer within 64 bits.
    public var int64Value: Int64? {
        if case .number(let text) = self { return Int64(text) }
        return nil
    }

    /// A member of an object by key; `nil` for other values or an absent key.
    public subscript(key: String) -> JSONValue? {
        objectValue?[key]
    }
}

/// The members of a JSON object, sorted by key in UTF-8 byte order, each with the line it starts on.
public struct JSONObject: Sendable, Hashable {
    /// One `"key": value` pair.
    public struct Member: Sendable, Hashable {
        /// The key.
        public var key: String
        /// The value.
        public var value: JSONValue
        /// The 1-based line of the key in its source (0 when built in code). Not part of equality.
        public var line: Int32

        /// A member; `line` is where it was read, if it was.
        public init(key: String, value: JSONValue, line: Int32 = 0) {
            self.key = key
            self.value = value
            self.line = line
        }

        public static func == (lhs: Member, rhs: Member) -> Bool {
            lhs.key == rhs.key && lhs.value == rhs.value
        }

        public func hash(into hasher: inout Hasher) {
            hasher.combine(key)
            hasher.combine(value)
        }
    }

    /// The members in key order.
    public private(set) var members: [Member]

    /// The 1-based line of the opening brace in its source (0 when built in code). Not part of equality.
    public var line: Int32 = 0

    /// An object from members already sorted by key with no duplicates.
    init(sortedMembers: [Member], line: Int32 = 0) {
        self.members = sortedMembers
        self.line = line
    }

    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.members == rhs.members
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(members)
    }

    /// An object from members in any order; a later duplicate key replaces an earlier one.
    public init(_ members: [Member]) {
        var sorted = members.sorted { JSONObject.precedes($0.key, $1.key) }
        var index = 1
        while index < sorted.count {
            if sorted[index - 1].key == sorted[index].key {
                sorted.remove(at: index - 1)
            } else {
                index += 1
            }
        }
        self.members = sorted
    }

    /// An object from a dictionary.
    public init(_ dictionary: [String: JSONValue]) {
        self.init(dictionary.map { Member(key: $0.key, value: $0.value) })
    }

    /// The number of members.
    public var count: Int { members.count }

    /// The keys in order.
    public var keys: [String] { members.map(\.key) }

    /// The value of a key, or `nil`.
    public subscript(key: String) -> JSONValue? {
        member(key)?.value
    }

    /// The member of a key, or `nil`.
    public func member(_ key: String) -> Member? {
        var low = 0
        var high = members.count
        while low < high {
            let middle = (low + high) / 2
            let candidate = members[middle].key
            if candidate == key { return members[middle] }
            if JSONObject.precedes(candidate, key) { low = middle + 1 } else { high = middle }
        }
        return nil
    }

    /// The object without the given keys.
    public func removing(_ keys: Set<String>) -> JSONObject {
        JSONObject(sortedMembers: members.filter { !keys.contains($0.key) })
    }

    /// UTF-8 byte order, the order of the canonical form.
    static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        lhs.utf8Precedes(rhs)
    }
}
