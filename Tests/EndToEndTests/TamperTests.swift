import Evidence
import Foundation
import Testing

/// DESIGN §3.5: `evidence verify` recomputes every blob hash, identity, record digest and the chain;
/// any difference exits 3 and names the first broken ledger entry (or the blob/evidence concerned).
@Suite("Tampering is detected")
struct TamperTests {
    /// A store of four pieces of evidence: ledger 1 drill log, 2 apply record, 3 drill log, 4 consistency.
    struct Store {
        let scratch: Scratch
        let drill1: Data
        let record: [String: Data]
        let drill3: Data
        let consistency: Data

        var drill1ID: String { ContentHash.of(drill1).description }
        var recordID: String { treeIdentity(record) }
        var drill3ID: String { ContentHash.of(drill3).description }
        var consistencyID: String { ContentHash.of(consistency).description }
        var db: URL { scratch.store }

        static func make(_ name: String = #function) async throws -> Store {
            let scratch = try Scratch(name)
            let store = Store(
                scratch: scratch, drill1: Fixtures.drillLog("DR-2026-Q3-01", events: 8),
                record: Fixtures.applyRecord(runID: 3301, resources: 5),
                drill3: Fixtures.drillLog("DR-2026-Q3-02", events: 6),
                consistency: Fixtures.consistency("cc-2026-09-12T0840", drill: "DR-2026-Q3-01"))
            try scratch.write("1.jsonl", store.drill1)
            try scratch.writeRecord("2-run", store.record)
            try scratch.write("3.jsonl", store.drill3)
            try scratch.write("4.json", store.consistency)
            let result = try await DRReportBinary.run(
                ["ingest"] + scratch.storeArguments + ["1.jsonl", "2-run", "3.jsonl", "4.json"], in: scratch.url)
            guard result.status == 0, result.stdoutLines.last == "4 new, 0 duplicate, 0 rejected" else {
                throw HarnessError("setting up the store failed: \(result)")
            }
            let verified = try await store.verify()
            guard verified.status == 0 else { throw HarnessError("the untouched store does not verify: \(verified)") }
            return store
        }

        func verify() async throws -> ProcessResult {
            try await DRReportBinary.run(["evidence", "verify"] + scratch.storeArguments, in: scratch.url)
        }

        /// `verify` must exit 3, and its stdout's `first broken:` line must contain every fragment.
        func expectBroken(
            _ firstBroken: [String], alsoMentions: [String] = [], sourceLocation: SourceLocation = #_sourceLocation
        )
            async throws
        {
            let result = try await verify()
            #expect(result.status == 3, "\(result)", sourceLocation: sourceLocation)
            #expect(
                result.stdout.hasPrefix("INTEGRITY FAILURE in \(db.path): "), "\(result.stdout)",
                sourceLocation: sourceLocation)
            let first = result.stdoutLines.first { $0.hasPrefix("first broken: ") } ?? ""
            for fragment in firstBroken {
                #expect(first.contains(fragment), "'\(fragment)' not in: \(first)", sourceLocation: sourceLocation)
            }
            for fragment in alsoMentions {
                #expect(
                    result.stdout.contains(fragment), "'\(fragment)' not in: \(result.stdout)",
                    sourceLocation: sourceLocation)
            }
            // The JSON form agrees: not intact, problems listed.
            let json = try await DRReportBinary.run(
                ["evidence", "verify", "--format", "json"] + scratch.storeArguments, in: scratch.url)
            #expect(json.status == 3, "\(json)", sourceLocation: sourceLocation)
            let report = try JSONDecoder().decode(IntegrityReport.self, from: json.stdoutData)
            #expect(!report.intact, sourceLocation: sourceLocation)
        }
    }

    @Test("(a) one changed byte in a blob's content")
    func blobByte() async throws {
        let store = try await Store.make()
        defer { store.scratch.remove() }
        let blob = ContentHash.of(store.drill3).description
        // Byte 30 of the file: inside the drill id; the length stays the same.
        try await SQLiteShell.exec(
            store.db,
            "UPDATE blob SET content = CAST(substr(content, 1, 29) || 'X' || substr(content, 31) AS BLOB) WHERE hash = '\(blob)';"
        )
        #expect(
            try await SQLiteShell.integer(store.db, "SELECT length(content) FROM blob WHERE hash = '\(blob)';")
                == store.drill3.count)
        try await store.expectBroken(["ledger entry 3", "blob \(blob)", "the blob was altered"])
    }

    @Test("(a′) a blob in a record replaced together with its hash, so the blob itself checks out")
    func blobReplacedWithItsHash() async throws {
        let store = try await Store.make()
        defer { store.scratch.remove() }
        let original = ContentHash.of(store.record["run.json"]!).description
        var forged = store.record["run.json"]!
        forged = Data(
            String(decoding: forged, as: UTF8.self).replacingOccurrences(of: "succeeded", with: "succeedeD").utf8)
        let forgedHash = ContentHash.of(forged).description
        let hex = forged.map { String(format: "%02x", $0) }.joined()
        try await SQLiteShell.exec(
            store.db,
            """
            PRAGMA foreign_keys = OFF;
            INSERT INTO blob (hash, size, content) VALUES ('\(forgedHash)', \(forged.count), X'\(hex)');
            UPDATE evidence_member SET blob_hash = '\(forgedHash)' WHERE blob_hash = '\(original)';
            DELETE FROM blob WHERE hash = '\(original)';
            """)
        try await store.expectBroken(["ledger entry 2", store.recordID, "not to its identity"])
    }

    @Test("(b) a ledger row edited after dropping its trigger", arguments: ["source", "ingested_at"])
    func ledgerRow(column: String) async throws {
        let store = try await Store.make()
        defer { store.scratch.remove() }
        let value = column == "source" ? "'innocent.jsonl'" : "'2026-09-12T06:00:00.000000Z'"
        try await SQLiteShell.exec(
            store.db, "DROP TRIGGER ledger_no_update; UPDATE ledger SET \(column) = \(value) WHERE seq = 2;")
        try await store.expectBroken(["ledger entry 2", store.recordID, "the entry was altered"])
    }

    @Test("(b′) a ledger row edited and its hash recomputed: the next entry's prev no longer matches")
    func ledgerRowRehashed() async throws {
        let store = try await Store.make()
        defer { store.scratch.remove() }
        // The attacker rewrites entry 2's source and recomputes its hash, as drreport would.
        let entries = try await ledger(store)
        var entry = try #require(entries.first { $0.seq == 2 })
        entry.source = "innocent"
        entry.hash = entry.computedHash
        try await SQLiteShell.exec(
            store.db,
            "DROP TRIGGER ledger_no_update; UPDATE ledger SET source = 'innocent', hash = '\(entry.hash)' WHERE seq = 2; UPDATE evidence SET source = 'innocent' WHERE id = '\(store.recordID)';"
        )
        try await store.expectBroken(["ledger entry 3", store.drill3ID, "the chain is broken"])
    }

    @Test("(c) an edited normalised row")
    func normalisedRow() async throws {
        let store = try await Store.make()
        defer { store.scratch.remove() }
        try await SQLiteShell.exec(
            store.db,
            "UPDATE drill_event SET time_ns = time_ns - 3600000000000 WHERE evidence_id = '\(store.drill3ID)' AND ordinal = 2;"
        )
        try await store.expectBroken(["ledger entry 3", store.drill3ID, "normalised records were altered"])
    }

    @Test(
        "(c′) other normalised rows: a deleted event, an edited apply outcome, an edited resource, a consistency action",
        arguments: [
            ("DELETE FROM drill_event WHERE drill = 'DR-2026-Q3-01' AND ordinal = 7;", 1),
            ("UPDATE apply_run SET result = 'failed';", 2),
            ("UPDATE tf_resource SET values_json = replace(values_json, '15.4.x', '14.3.x') WHERE ordinal = 4;", 2),
            ("UPDATE consistency_table SET action = 'none', complete = 1 WHERE action = 'restored';", 4),
        ])
    func otherNormalisedRows(sql: String, seq: Int) async throws {
        let store = try await Store.make()
        defer { store.scratch.remove() }
        try await SQLiteShell.exec(store.db, sql)
        let id = [1: store.drill1ID, 2: store.recordID, 4: store.consistencyID][seq]!
        try await store.expectBroken(["ledger entry \(seq)", id, "normalised records were altered"])
    }

    /// Columns the rules query (which state is latest, which quarter a run falls in, what `evidence list`
    /// shows) but that are derived rather than part of the evidence's content.
    static let derivedColumnEdits: [(sql: String, seq: Int, what: String)] = [
        ("UPDATE tf_state SET region = 'northeurope';", 2, "the apply record's state moved to the other region"),
        (
            "UPDATE tf_state SET instant_ns = instant_ns + 86400000000000;", 2,
            "the state made a day later (latestState)"
        ),
        (
            "UPDATE apply_run SET instant_ns = instant_ns - 86400000000000 * 90;", 2,
            "the run moved into the previous quarter (applyRuns)"
        ),
        (
            "UPDATE evidence SET ingested_ns = ingested_ns - 86400000000000 * 365 WHERE id = '%drill1%';", 1,
            "ingested-at shown by evidence list"
        ),
        (
            "UPDATE evidence SET covers = replace(covers, 'succeeded', 'failed') WHERE kind = 'apply';", 2,
            "what evidence list says a record covers"
        ),
    ]

    @Test("(c″) an edited column that the queries use but the records digest does not cover", arguments: 0..<5)
    func derivedColumns(index: Int) async throws {
        let edit = Self.derivedColumnEdits[index]
        let store = try await Store.make()
        defer { store.scratch.remove() }
        let listedBefore = try await StoreProbe.list(store.scratch)
        try await SQLiteShell.exec(store.db, edit.sql.replacingOccurrences(of: "%drill1%", with: store.drill1ID))
        let id = [1: store.drill1ID, 2: store.recordID][edit.seq]!
        if edit.sql.hasPrefix("UPDATE evidence") {
            // The edit reaches the user: evidence list now says something else than at ingest.
            #expect(try await StoreProbe.list(store.scratch) != listedBefore)
        }
        let result = try await store.verify()
        #expect(result.status == 3, "\(result)")
        let first = result.stdoutLines.first { $0.hasPrefix("first broken: ") } ?? ""
        #expect(first.contains("ledger entry \(edit.seq)") && first.contains(id), "\(result.stdout)")
    

    }

    @Test(
        "(b″) a ledger or blob row edited into a value drreport cannot read is an integrity failure too",
        arguments: [
            "DROP TRIGGER ledger_no_update; UPDATE ledger SET kind = 'forged' WHERE seq = 2;",
            "DROP TRIGGER ledger_no_update; UPDATE ledger SET hash = 'not-a-hash' WHERE seq = 2;",
            "DROP TRIGGER ledger_no_update; UPDATE ledger SET records = '' WHERE seq = 2;",
            "UPDATE blob SET size = 'unknown' WHERE hash IN (SELECT blob_hash FROM evidence_member WHERE name = 'run.json');",
        ])
    func unreadableRows(sql: String) async throws {
        let store = try await Store.make()
        defer { store.scratch.remove() }
        try await SQLiteShell.exec(store.db, sql)
        let result = try await store.verify()
        #expect(result.status != 0, "\(result)")
        #expect(result.status == 3, "\(result)")
        #expect(result.stdout.contains("first broken: ledger entry 2"), "\(result)")
    

    }

    @Test("(d) a ledger entry deleted after dropping its trigger")
    func ledgerEntryDeleted() async throws {
        let store = try await Store.make()
        defer { store.scratch.remove() }
        try await SQLiteShell.exec(store.db, "DROP TRIGGER ledger_no_delete; DELETE FROM ledger WHERE seq = 2;")
        try await store.expectBroken(
            ["ledger entry 3", store.drill3ID], alsoMentions: [store.recordID, "evidence without a ledger entry"])
    }

    @Test("(d′) the last ledger entry deleted: the chain itself still looks whole")
    func lastLedgerEntryDeleted() async throws {
        let store = try await Store.make()
        defer { store.scratch.remove() }
        try await SQLiteShell.exec(store.db, "DROP TRIGGER ledger_no_delete; DELETE FROM ledger WHERE seq = 4;")
        try await store.expectBroken([store.consistencyID, "evidence without a ledger entry"])
    }

    @Test("(d″) an evidence row deleted with its files and rows: its ledger entry names what is gone")
    func evidenceRowDeleted() async throws {
        let store = try await Store.make()
        defer { store.scratch.remove() }
        try await SQLiteShell.exec(
            store.db,
            """
            DELETE FROM drill_event WHERE evidence_id = '\(store.drill3ID)';
            DELETE FROM evidence_member WHERE evidence_id = '\(store.drill3ID)';
            DELETE FROM blob WHERE hash = '\(store.drill3ID)';
            DELETE FROM evidence WHERE id = '\(store.drill3ID)';
            """)
        try await store.expectBroken(["ledger entry 3", store.drill3ID, "not in the store"])
    }

    @Test("(e) an evidence row inserted without a ledger entry")
    func evidenceWithoutLedger() async throws {
        let store = try await Store.make()
        defer { store.scratch.remove() }
        let forged = Fixtures.drillLog("DR-FORGED", events: 2)
        let id = ContentHash.of(forged).description
        let hex = forged.map { String(format: "%02x", $0) }.joined()
        // A complete-looking evidence item: blob, evidence row, member, events; only the ledger lacks it.
        try await SQLiteShell.exec(
            store.db,
            """
            INSERT INTO blob (hash, size, content) VALUES ('\(id)', \(forged.count), X'\(hex)');
            INSERT INTO evidence (id, kind, source, covers, ingested_at, ingested_ns, records)
              SELECT '\(id)', 'drill', 'forged.jsonl', 'drill DR-FORGED (2 events)', ingested_at, ingested_ns, records FROM evidence WHERE id = '\(store.drill1ID)';
            INSERT INTO evidence_member (evidence_id, name, blob_hash, size) VALUES ('\(id)', 'forged.jsonl', '\(id)', \(forged.count));
            INSERT INTO drill_event SELECT '\(id)', ordinal, 'DR-FORGED', attempt, time_ns, time_off, event, process, region, actor, clock, uncertainty_s, level, scenario, processes, note, line
              FROM drill_event WHERE evidence_id = '\(store.drill1ID)' AND ordinal < 2;
            """)
        try await store.expectBroken([id, "evidence without a ledger entry"])
        // The forged item does not show up as evidence either.
        #expect(try await StoreProbe.list(store.scratch).map(\.id).contains(id) == false)
    }

    @Test("the ledger refuses UPDATE and DELETE while its triggers are in place")
    func ledgerIsAppendOnly() async throws {
        let store = try await Store.make()
        defer { store.scratch.remove() }
        let before = try await SQLiteShell.exec(store.db, "SELECT * FROM ledger ORDER BY seq;")
        for sql in [
            "UPDATE ledger SET source = 'innocent.jsonl' WHERE seq = 2;", "UPDATE ledger SET seq = seq + 10;",
            "DELETE FROM ledger WHERE seq = 4;", "DELETE FROM ledger;",
        ] {
            let result = try await SQLiteShell.run(store.db, sql)
            #expect(result.status != 0, "\(sql) was accepted")
            #expect(result.stderr.contains("the ledger is append-only"), "\(result.stderr)")
        }
        #expect(try await SQLiteShell.exec(store.db, "SELECT * FROM ledger ORDER BY seq;") == before)
        #expect(try await store.verify().status == 0)
    }

    /// The ledger as stored (via the CLI's JSON), to forge entries the way drreport computes them.
    func ledger(_ store: Store) async throws -> [LedgerEntry] {
        var entries: [LedgerEntry] = []
        for item in try await StoreProbe.list(store.scratch) {
            let shown = try await DRReportBinary.run(
                ["evidence", "show", item.id, "--format", "json"] + store.scratch.storeArguments, in: store.scratch.url)
            struct Shown: Decodable { var ledger: LedgerEntry }
            entries.append(try JSONDecoder().decode(Shown.self, from: shown.stdoutData).ledger)
        }
        return entries
    }
}
