import Foundation
import PostgresNIO

/// The engine-neutral SQL of the shared layer turned into PostgreSQL statements: `?` placeholders
/// become `$1…$n`, `SQLValue`s become binary bindings (BIGINT, TEXT, BYTEA), and result cells become
/// `SQLValue`s again.
enum PostgresStatements {
    /// `sql` with each `?` outside quoted text and identifiers replaced by `$1`, `$2`, … in order.
    static func numbered(_ sql: String) -> String {
        var result = ""
        result.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var quote: Character?
        for character in sql {
            if let open = quote {
                result.append(character)
                if character == open { quote = nil }
                continue
            }
            switch character {
            case "'", "\"":
                quote = character
                result.append(character)
            case "?":
                number += 1
                result += "$\(number)"
            default:
                result.append(character)
            }
        }
        return result
    }

    /// A query of `sql` (with `?` placeholders) and its arguments.
    static func query(_ sql: String, _ arguments: [SQLValue]) -> PostgresQuery {
        PostgresQuery(unsafeSQL: numbered(sql), binds: bindings(arguments))
    }

    static func bindings(_ arguments: [SQLValue]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: arguments.count)
        for argument in arguments {
            switch argument {
            case .null: bindings.appendNull()
            case .integer(let value): bindings.append(value)
            case .text(let value): bindings.append(value)
            case .blob(let value): bindings.append(ByteBuffer(bytes: value))
            }
        }
        return bindings
    }

    /// The most parameters one statement takes (the protocol allows 65,535).
    static let maxParameters = 30_000

    /// Multi-row `INSERT`s for consecutive rows of one table, each within the parameter limit, as
    /// ready queries with `$n` placeholders.
    static func inserts(_ table: TableSpec, _ rows: [[SQLValue]]) -> [PostgresQuery] {
        let width = table.columns.count
        let perStatement = max(1, maxParameters / max(width, 1))
        var queries: [PostgresQuery] = []
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + perStatement, rows.count)]
            var sql = "INSERT INTO \(table.name) (\(table.columns.joined(separator: ", "))) VALUES "
            var values: [SQLValue] = []
            values.reserveCapacity(chunk.count * width)
            var number = 0
            for (index, row) in chunk.enumerated() {
                sql += index == 0 ? "(" : ", ("
                for column in 0..<width {
                    number += 1
                    sql += column == 0 ? "$\(number)" : ", $\(number)"
                }
                sql += ")"
                values += row
            }
            queries.append(PostgresQuery(unsafeSQL: sql, binds: bindings(values)))
            start += chunk.count
        }
        return queries
    }

    /// Every row of a result, as engine-neutral rows.
    static func collect(_ sequence: PostgresRowSequence, table: String) async throws -> [SQLRow] {
        var rows: [SQLRow] = []
        var columns: SQLColumns?
        for try await row in sequence {
            let names = columns ?? SQLColumns(row.map(\.columnName))
            columns = names
            var values: [SQLValue] = []
            values.reserveCapacity(names.names.count)
            for cell in row {
                values.append(try value(of: cell, table: table))
            }
            rows.append(SQLRow(columns: names, values: values, table: table))
        }
        return rows
    }

    private static func value(of cell: PostgresCell, table: String) throws -> SQLValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int8, .int4, .int2:
            return .integer(try cell.decode(Int64.self))
        case .bool:
            return .integer(try cell.decode(Bool.self) ? 1 : 0)
        case .bytea:
            return .blob(try cell.decode(Data.self))
        case .text, .varchar, .name, .bpchar, .unknown:
            return .text(try cell.decode(String.self))
        default:
            throw EvidenceError(
                .store, source: table, field: cell.columnName,
                "corrupt store row: column of unexpected type \(cell.dataType) (expected BIGINT, TEXT or BYTEA)")
        }
    }
}
