import Foundation
import GRDB
import Testing

@testable import Evidence

/// `SQLiteEvidenceStore.verify()` against rows edited behind the store's back (with GRDB, as any
/// SQLite client could), and what the queries answer afterwards.
@Suite("SQLite store integrity")
struct StoreIntegrityTests {
    /// A store with a drill log (entry 1), an apply record with a state (entry 2) and a bound state (entry 3).
    static func populated() async throws -> (
        TemporaryStore, drill: ParsedEvidence, record: ParsedEvidence, bound: ParsedEvidence
    ) {
        let temporary = try TemporaryStore()
        let drill = try await temporary.ingest("drill.jsonl", StoreSamples.richDrill)
        let record = try await temporary.ingestRecord(
            "runs/1",
            [
                "run.json": StoreSamples.run(id: 1), "apply.jsonl": StoreSamples.applyStream(),
                "state.json": StoreSamples.state(),
            ])
        let bound = try await temporary.ingest(
            "bound.json", StoreSamples.state(tag: "bound"),
            options: ParseOptions(
                kind: .state, workspace: "w", region: "r",
                asOf: try Timestamp.parseRFC3339("2026-09-01T00:00:00Z").get()))
        return (temporary, drill, record, bound)
    }

    /// Runs SQL on the store file through a separate GRDB connection.
    static func tamper(_ temporary: TemporaryStore, _ sql: String) throws {
        let queue = try DatabaseQueue(path: temporary.path)
        try queue.writeWithoutTransaction { db in try db.execute(sql: sql) }
    }

    @Test(
        "verify names the ledger entry of the evidence whose bytes, entry or rows changed",
        arguments: [
            (
                "UPDATE blob SET content = CAST(replace(CAST(content AS TEXT), 'Zürich', 'Zurich') AS BLOB) WHERE hash IN (SELECT blob_hash FROM evidence_member WHERE name = 'drill.jsonl')",
                1, "the blob was altered"
            ),
            (
                "DROP TRIGGER ledger_no_update; UPDATE ledger SET kind = 'apply' WHERE seq = 3", 3,
                "the entry was altered"
            ),
            ("UPDATE drill_event SET time_off = 0 WHERE ordinal = 1", 1, "normalised records were altered"),
            // A REAL far beyond any integer, where the schema keeps integers: read saturated, no trap.
            ("UPDATE drill_event SET time_off = 1e300 WHERE ordinal = 1", 1, "normalised records were altered"),
            (
                "UPDATE tf_resource SET values_json = replace(values_json, '(sensitive)', 'dapi-secret') WHERE evidence_id IN (SELECT id FROM evidence WHERE kind = 'apply')",
                2, "normalised records were altered"
            ),
            (
                "UPDATE tf_state SET as_of_ns = as_of_ns + 1 WHERE as_of_ns IS NOT NULL", 3,
                "normalised records were altered"
            ),
            ("UPDATE evidence SET source = 'other.jsonl' WHERE kind = 'drill'", 1, "differs from its ledger entry"),
            ("DELETE FROM evidence_member WHERE name = 'apply.jsonl'", 2, "not to its identity"),
        ])
    func verifyFindsTheEntry(sql: String, seq: Int64, message: String) async throws {
        let (temporary, _, _, _) = try await Self.populated()
        defer { temporary.remove() }
        #expect(try await temporary.store.verify().intact)
        try Self.tamper(temporary, sql)
        let report = try await temporary.store.verify()
        #expect(!report.intact)
        #expect(report.problems.first?.seq == seq, "\(report.problems)")
        #expect(report.problems.contains { $0.seq == seq && $0.message.contains(message) }, "\(report.problems)")
    }

    @Test("the records digest taken while stepping through SQLite's rows is the digest of the rows read whole")
    func streamedDigestIsTheReadDigest() async throws {
        let (temporary, drill, record, bound) = try await Self.populated()
        defer { temporary.remove() }
        let snapshot = try #require(try await temporary.store.snapshot() as? SQLiteSnapshot)
        let tables = SQLiteSnapshot.rowTables.filter { ![Schema.consistencyRun.name, Schema.consistencyTable.name].contains($0.0.name) }
        for evidence in [drill, record, bound] {
            let covers = evidence.content.covers
            let streamed = try await snapshot.recordsDigest(of: evidence.id.description, covers: covers, tables: tables)
            let read = try await snapshot.readRecordsDigest(of: evidence.id.description, covers: covers, tables: tables)
            #expect(streamed == read)
            let recorded = try await DatabaseQueue(path: temporary.path).read { db in
                try String.fetchOne(db, sql: "SELECT records FROM evidence WHERE id = ?", arguments: [evidence.id.description])
            }
            #expect(streamed.description == recorded)
        }
    }

    @Test("a state moved to another region by an edited row changes latestState, so verify must notice")
    func stateMovedToOtherRegion() async throws {
        let (temporary, _, record, _) = try await Self.populated()
        defer { temporary.remove() }
        let store = temporary.store
        let asOf = try Timestamp.parseRFC3339("2026-12-31T00:00:00Z").get()
        #expect(try await store.latestState(workspace: "neprix-tech-prod", region: "northeurope", asOf: asOf) == nil)

        try Self.tamper(temporary, "UPDATE tf_state SET region = 'northeurope' WHERE evidence_id = '\(record.id)'")
        // The parity rule would now compare the westeurope state as if it were northeurope's.
        #expect(
            try await store.latestState(workspace: "neprix-tech-prod", region: "northeurope", asOf: asOf)?.evidence
                == record.id)
        let report = try await store.verify()
        #expect(!report.intact)
        #expect(report.problems.first?.seq == 2)
    

    }

    @Test("an apply run moved out of its quarter by an edited row changes applyRuns, so verify must notice")
    func runMovedOutOfPeriod() async throws {
        let (temporary, _, record, _) = try await Self.populated()
        defer { temporary.remove() }
        let store = temporary.store
        let from = try Timestamp.parseRFC3339("2026-07-01T00:00:00+02:00").get()
        let to = try Timestamp.parseRFC3339("2026-10-01T00:00:00+02:00").get()
        #expect(try await store.applyRuns(from: from, to: to).map(\.evidence) == [record.id])

        try Self.tamper(temporary, "UPDATE apply_run SET instant_ns = instant_ns - 90 * 86400000000000")
        #expect(try await store.applyRuns(from: from, to: to).isEmpty)
        let report = try await store.verify()
        #expect(!report.intact)
        #expect(report.problems.first?.seq == 2)
    

    }

    @Test("verify while another connection stores evidence sees a consistent store")
    func verifyDuringWrites() async throws {
        let temporary = try TemporaryStore()
        defer { temporary.remove() }
        let reader = try temporary.reopen()
        let writer = Task {
            for index in 0..<200 {
                let log = StoreSamples.drill("DR-V\(index)", [("2026-09-12T08:00:00Z", "disruption", "")])
                try await temporary.ingest("v\(index).jsonl", log)
            }
        }
        var reports: [IntegrityReport] = []
        while !Task.isCancelled, reports.count < 200 {
            reports.append(try await reader.verify())
            if reports.last?.entries == 200 { break }
        }
        try await writer.value
        let broken = reports.filter { !$0.intact }
        #expect(
            broken.isEmpty,
            "\(broken.count) of \(reports.count) reports: \(broken.first?.problems.first?.description ?? "")")
    

        #expect(try await reader.verify().intact)
    }

    @Test("opening a missing path or a non-SQLite file is a located store error")
    func openingErrors() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drreport-open-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("missing.db").path
        #expect {
            _ = try SQLiteEvidenceStore(path: missing, create: false)
        } throws: { error in
            (error as? EvidenceError)?.code == .store && (error as? EvidenceError)?.source == missing
        }
        #expect(!FileManager.default.fileExists(atPath: missing))

        let text = folder.appendingPathComponent("notes.db").path
        let bytes = Data(String(repeating: "not a database\n", count: 300).utf8)
        #expect(FileManager.default.createFile(atPath: text, contents: bytes))
        #expect {
            _ = try SQLiteEvidenceStore(path: text, create: true)
        } throws: { error in
            let error = error as? EvidenceError
            return error?.code == .store && error?.source == text
                && error?.message == "not a drreport store (not an SQLite database)"
        }
        #expect(FileManager.default.contents(atPath: text) == bytes)
    }
}
