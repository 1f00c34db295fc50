import Foundation

/// A value bound to or read from a SQL statement, independent of the database engine.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case text(String)
    case blob(Data)
}

/// The column names of a result set, shared by its rows.
public final class SQLColumns: Sendable {
    /// The names in order.
    public let names: [String]
    let positions: [String: Int]

    /// Columns by name.
    public init(_ names: [String]) {
        self.names = names
        var positions: [String: Int] = [:]
        for (index, name) in names.enumerated() where positions[name] == nil { positions[name] = index }
        self.positions = positions
    }
}

/// One result row, read by column name. A value of the wrong type is a corrupt store (rows are only
/// ever written by drreport), reported with the table and column.
public struct SQLRow: Sendable {
    /// The columns.
    public let columns: SQLColumns
    /// The values, in column order.
    public let values: [SQLValue]
    /// The table, for messages.
    let table: String

    /// A row.
    public init(columns: SQLColumns, values: [SQLValue], table: String = "query") {
        self.columns = columns
        self.values = values
        self.table = table
    }

    /// The raw value of a column (`null` when absent).
    public subscript(name: String) -> SQLValue {
        guard let index = columns.positions[name], index < values.count else { return .null }
        return values[index]
    }

    func corrupt(_ name: String, _ expected: String) -> EvidenceError {
        EvidenceError(.store, source: table, field: name, "corrupt store row: expected \(expected)")
    }

    /// Where a column is among the values (past them when the row has no such column: read as null).
    private func position(_ name: String) -> Int { columns.positions[name] ?? values.count }

    func optionalString(_ name: String) throws(EvidenceError) -> String? {
        try optionalString(at: position(name), name)
    }

    /// The text at a position of the query's columns, named `name` in messages: for the readers of a
    /// state's thousands of rows, which know where each column is and look none up by name.
    func optionalString(at position: Int, _ name: @autoclosure () -> String) throws(EvidenceError) -> String? {
        switch position < values.count ? values[position] : .null {
        case .null: return nil
        case .text(let text): return text
        default: throw corrupt(name(), "text")
        }
    }

    func string(_ name: String) throws(EvidenceError) -> String {
        try string(at: position(name), name)
    }

    func string(at position: Int, _ name: @autoclosure () -> String) throws(EvidenceError) -> String {
        guard let text = try optionalString(at: position, name()) else { throw corrupt(name(), "text, found null") }
        return text
    }

    func optionalInt(_ name: String) throws(EvidenceError) -> Int64? {
        switch self[name] {
        case .null: return nil
        case .integer(let value): return value
        default: throw corrupt(name, "an integer")
        }
    }

    func int(_ name: String) throws(EvidenceError) -> Int64 {
        guard let value = try optionalInt(name) else { throw corrupt(name, "an integer, found null") }
        return value
    }

    func optionalBool(_ name: String) throws(EvidenceError) -> Bool? {
        try optionalInt(name).map { $0 != 0 }
    }

    func blob(_ name: String) throws(EvidenceError) -> Data {
        switch self[name] {
        case .blob(let data): return data
        case .text(let text): return Data(text.utf8)
        default: throw corrupt(name, "bytes")
        }
    }

    func hash(_ name: String) throws(EvidenceError) -> ContentHash {
        guard let hash = ContentHash(parsing: try string(name)) else { throw corrupt(name, "a sha256 hash") }
        return hash
    }

    /// An instant stored as `<prefix>_ns` and `<prefix>_off`.
    func optionalInstant(_ prefix: String) throws(EvidenceError) -> Instant? {
        guard let nanos = try optionalInt(prefix + "_ns") else { return nil }
        let offset = try optionalInt(prefix + "_off") ?? 0
        return Instant(nanosecondsSinceEpoch: nanos, utcOffsetSeconds: Int32(truncatingIfNeeded: offset))
    }

    func instant(_ prefix: String) throws(EvidenceError) -> Instant {
        guard let instant = try optionalInstant(prefix) else { throw corrupt(prefix + "_ns", "an instant, found null") }
        return instant
    }

    func json(_ name: String) throws(EvidenceError) -> JSONValue? {
        try json(at: position(name), name)
    }

    func json(at position: Int, _ name: @autoclosure () -> String) throws(EvidenceError) -> JSONValue? {
        guard let text = try optionalString(at: position, name()) else { return nil }
        do {
            return try JSONReader.read(text)
        } catch {
            throw corrupt(name(), "JSON")
        }
    }

    func stringArray(_ name: String) throws(EvidenceError) -> [String]? {
        // Most lists stored are empty (a consistency check's missing files): no reading for those.
        if case .text("[]") = self[name] { return [] }
        guard let value = try json(name) else { return nil }
        guard case .array(let elements) = value else { throw corrupt(name, "a JSON array") }
        var strings: [String] = []
        for element in elements {
            guard case .string(let text) = element else { throw corrupt(name, "a JSON array of strings") }
            strings.append(text)
        }
        return strings
    }
}

/// Where a row's values go, in the table's column order: SQL values (``SQLRowBuilder``) or the
/// records encoding (``EncodedRows``). Records are described once, for both.
protocol RowValues {
    mutating func addNull()
    mutating func add(integer: Int64)
    mutating func add(text: String)
    mutating func add(blob: Data)
}

extension RowValues {
    mutating func add(_ value: String?) { if let value { add(text: value) } else { addNull() } }
    mutating func add(_ value: Int64?) { if let value { add(integer: value) } else { addNull() } }
    mutating func add(_ value: Int?) { add(value.map(Int64.init)) }
    mutating func add(_ value: Bool?) { add(value.map { Int64($0 ? 1 : 0) }) }
    mutating func add(_ value: ContentHash) { add(text: value.description) }
    mutating func add(_ value: Data) { add(blob: value) }

    /// Two columns: nanoseconds and offset.
    mutating func add(_ value: Instant?) {
        add(value?.nanosecondsSinceEpoch)
        add(value.map { Int64($0.utcOffsetSeconds) })
    }

    mutating func add(json value: JSONValue?) { add(value?.canonicalText) }
    mutating func add(strings value: [String]?) { add(json: value.map { .array($0.map(JSONValue.string)) }) }
}

/// Rows of several tables written one after another: each starts with ``begin(_:)``, and its values
/// follow in its table's column order.
protocol RowSink: RowValues {
    mutating func begin(_ table: TableSpec)
}

/// Rows as SQL values, each starting with the same key (the evidence id), as PostgreSQL inserts them.
struct SQLValueRows: RowSink {
    private let key: SQLValue
    private(set) var rows: [(TableSpec, [SQLValue])] = []

    init(key: SQLValue) {
        self.key = key
    }

    mutating func begin(_ table: TableSpec) {
        var values: [SQLValue] = [key]
        values.reserveCapacity(table.columns.count)
        rows.append((table, values))
    }

    mutating func addNull() { rows[rows.count - 1].1.append(.null) }
    mutating func add(integer: Int64) { rows[rows.count - 1].1.append(.integer(integer)) }
    mutating func add(text: String) { rows[rows.count - 1].1.append(.text(text)) }
    mutating func add(blob: Data) { rows[rows.count - 1].1.append(.blob(blob)) }
}

/// Values for one INSERT, added in the table's column order.
struct SQLRowBuilder: RowValues {
    var values: [SQLValue] = []

    init() {}

    mutating func addNull() { values.append(.null) }
    mutating func add(integer: Int64) { values.append(.integer(integer)) }
    mutating func add(text: String) { values.append(.text(text)) }
    mutating func add(blob: Data) { values.append(.blob(blob)) }
}
