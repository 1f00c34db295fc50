import Foundation

/// The post-failover consistency script's output (DESIGN §3.4): one check run per drill over every
/// Delta table of the lake. The first three drills write one JSON document with `reference_time`;
/// the last writes JSON Lines without it (the drill's disruption is the reference). Version times are
/// epoch milliseconds (as Delta writes them) or RFC 3339 strings.
enum ConsistencyWriter {
    /// A table of the lake.
    struct Table {
        var name: String
        var catalog: Int
        var location: String
        var baseVersion: Int64
    }

    /// Every table, spread over the processes' catalogs.
    static func tables(_ bank: Bank) -> [Table] {
        let weights = [10, 14, 12, 8, 8, 10, 9, 5, 6, 8, 6, 4]
        let total = weights.reduce(0, +)
        let schemas = ["bronze", "silver", "gold"]
        let entities = [
            "accounts", "transactions", "positions", "customers", "contracts", "exposures", "limits", "events", "prices",
            "balances", "collateral", "alerts", "postings", "settlements", "cases", "scores",
        ]
        var random = SeededRandom(bank.seed, "tables")
        var tables: [Table] = []
        for (index, process) in bank.processes.enumerated() {
            let count = max(4, bank.tables * weights[index % weights.count] / total)
            for number in 0..<count {
                let schema = schemas[number % schemas.count]
                let entity = entities[(number / schemas.count) % entities.count]
                let suffix = number / (schemas.count * entities.count)
                let name = "\(process.catalog).\(schema).\(entity)\(suffix > 0 ? "_\(suffix)" : "")"
                tables.append(Table(
                    name: name, catalog: index,
                    location: "abfss://lake@stbesprodlake01.dfs.core.windows.net/\(name.replacingOccurrences(of: ".", with: "/"))",
                    baseVersion: Int64(random.int(40...150_000))))
            }
        }
        return tables
    }

    /// A table's result in one drill's check, and whether it is one of the planted failures.
    static func result(_ table: Table, drill: QuarterPlan.Drill, index: Int, bank: Bank, first: Bool) -> JSONText {
        var random = SeededRandom(bank.seed, "table-check", drill.id, table.name)
        let reference = drill.disruption
        let latest = table.baseVersion + Int64(index * 40 + random.int(0...30))
        let epoch = index % 2 == 0 ? random.chance(0.9) : random.chance(0.2)
        func time(_ moment: Moment) -> JSONText {
            epoch ? .int(moment.epochMilliseconds) : .string(moment.rfc3339(fractionDigits: 0))
        }
        func missing(_ count: Int) -> JSONText {
            .strings((0..<count).map { _ in "part-\(String(random.int(0...31)).leftPadded(to: 5))-\(random.uuid())-c000.snappy.parquet" })
        }
        var members: [JSONText.Member] = [.init("table", .string(table.name)), .init("location", .string(table.location))]
        members.append(.init("latest_version", .int(latest)))
        if first, Injections.at(Injections.unrecoverableTable, table.catalog, index) {
            members += [
                .init("latest_version_time", time(reference.adding(-Int64(random.int(5...120)) * Moment.second))),
                .init("complete", .bool(false)), .init("missing_files", missing(3)), .init("action", .string("unrecoverable")),
            ]
        } else if first, Injections.at(Injections.restoredBeyondRPO, table.catalog, index) {
            members += [
                .init("latest_version_time", time(reference.adding(-Int64(random.int(5...120)) * Moment.second))),
                .init("complete", .bool(false)), .init("missing_files", missing(2)),
                .init("restored_version", .int(latest - 35)),
                .init("restored_version_time", time(reference.adding(-(4 * 3600 + 12 * 60 + 5) * Moment.second))),
                .init("action", .string("restored")),
            ]
        } else if random.chance(0.03) {
            let restoredTime = reference.adding(-Int64(random.int(600...9000)) * Moment.second - Int64(random.below(1000)) * 1_000_000)
            members += [
                .init("latest_version_time", time(reference.adding(-Int64(random.int(1...300)) * Moment.second))),
                .init("complete", .bool(false)), .init("missing_files", missing(random.int(1...3))),
                .init("restored_version", .int(latest - Int64(random.int(1...20)))),
                .init("restored_version_time", time(restoredTime)), .init("action", .string("restored")),
            ]
        } else {
            let versionTime = reference.adding(-Int64(random.int(5...5400)) * Moment.second - Int64(random.below(1000)) * 1_000_000)
            members += [
                .init("latest_version_time", time(versionTime)), .init("complete", .bool(true)), .init("missing_files", .array([])),
                .init("action", .string("none")),
            ]
        }
        return .object(members)
    }

    /// The tables a drill's check covers (the planted gap leaves one process's catalog out).
    static func covered(_ tables: [Table], index: Int) -> [Table] {
        tables.filter { !Injections.at(Injections.noConsistencyEvidence, $0.catalog, index) }
    }

    /// The output file of one drill's check: its name and bytes.
    static func file(_ tables: [Table], drill: QuarterPlan.Drill, index: Int, bank: Bank) -> (name: String, bytes: [UInt8], tables: Int) {
        let included = covered(tables, index: index)
        var firstOfCatalog = Set<Int>()
        let results = included.map { table in
            result(table, drill: drill, index: index, bank: bank, first: firstOfCatalog.insert(table.catalog).inserted)
        }
        var writer = JSONWriter(capacity: included.count * 420)
        if drill.hasReferenceTime {
            writer.pretty(.object([
                .init("check_run", .string(drill.checkRun)), .init("drill", .string(drill.id)), .init("region", .string("northeurope")),
                .init("checked_at", .string(drill.checkedAt.rfc3339())), .init("reference_time", .string(drill.disruption.rfc3339())),
                .init("tables", .array(results)),
            ]))
            writer.raw("\n")
            return ("\(drill.checkRun).json", writer.bytes, included.count)
        }
        for result in results {
            guard case .object(let members) = result else { continue }
            writer.compact(.object([
                .init("check_run", .string(drill.checkRun)), .init("drill", .string(drill.id)), .init("region", .string("northeurope")),
                .init("checked_at", .string(drill.checkedAt.rfc3339())),
            ] + members))
            writer.raw("\n")
        }
        return ("\(drill.checkRun).jsonl", writer.bytes, included.count)
    }
}
