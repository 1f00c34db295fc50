import Evidence
import Foundation

/// A temporary folder for one test: its store, its evidence files. Call `remove()` in a `defer`.
struct Scratch: Sendable {
    /// The folder.
    let url: URL

    init(_ name: String = #function) throws {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        url = FileManager.default.temporaryDirectory
            .appendingPathComponent("drreport-e2e-\(safe.prefix(40))-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The store file the tests use.
    var store: URL { url.appendingPathComponent("evidence.db") }

    /// `--store <path>`.
    var storeArguments: [String] { ["--store", store.path] }

    /// A path inside the folder.
    func path(_ relative: String) -> URL { url.appendingPathComponent(relative) }

    /// Writes a file (creating folders) and returns its URL.
    @discardableResult
    func write(_ relative: String, _ bytes: Data) throws -> URL {
        let target = path(relative)
        try FileManager.default.createDirectory(
            at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try bytes.write(to: target)
        return target
    }

    /// Writes the files of an apply record into a folder and returns the folder.
    @discardableResult
    func writeRecord(_ relative: String, _ files: [String: Data]) throws -> URL {
        for (name, bytes) in files { try write(relative + "/" + name, bytes) }
        return path(relative)
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }
}

/// Runs a system tool (tar, zip) that must succeed.
func runTool(_ path: String, _ arguments: [String], in directory: URL) async throws {
    let child = try ChildProcess(
        executable: URL(fileURLWithPath: path), arguments: arguments, environment: DRReportBinary.environment(),
        directory: directory)
    let result = await child.wait(timeout: 60)
    guard result.status == 0 else {
        throw HarnessError("\(path) \(arguments.joined(separator: " ")) failed: \(result)")
    }
}

/// What `drreport evidence list --format json` prints for one item.
struct ListedEvidence: Decodable, Equatable {
    struct File: Decodable, Equatable {
        var name: String
        var hash: String
        var size: Int
    }

    var id: String
    var kind: String
    var source: String
    var covers: String
    var ingested_at: String
    var seq: Int
    var files: [File]
}

/// Store-level views of a test store, through the CLI and the sqlite3 shell.
enum StoreProbe {
    /// `evidence list --format json`, decoded; fails the test unless it exits 0.
    static func list(_ scratch: Scratch) async throws -> [ListedEvidence] {
        let result = try await DRReportBinary.run(
            ["evidence", "list", "--format", "json"] + scratch.storeArguments, in: scratch.url)
        guard result.status == 0 else { throw HarnessError("evidence list failed: \(result)") }
        return try JSONDecoder().decode([ListedEvidence].self, from: result.stdoutData)
    }

    /// Row counts of every table, for before/after comparisons.
    static func counts(_ store: URL) async throws -> [String: Int] {
        let tables = [
            "blob", "evidence", "evidence_member", "ledger", "drill_event", "apply_run", "tf_state", "tf_resource",
            "change_request", "approval", "consistency_run", "consistency_table",
        ]
        let sql = tables.map { "SELECT '\($0)', count(*) FROM \($0);" }.joined(separator: " ")
        var counts: [String: Int] = [:]
        for line in try await SQLiteShell.exec(store, sql) {
            let parts = line.split(separator: "|")
            if parts.count == 2, let value = Int(parts[1]) { counts[String(parts[0])] = value }
        }
        return counts
    }

    /// Evidence that is not complete: a row without its ledger entry, files, blobs or normalised rows.
    /// Empty for a consistent store.
    static func incompleteEvidence(_ store: URL) async throws -> [String] {
        try await SQLiteShell.exec(
            store,
            """
            SELECT 'no ledger entry: ' || e.id FROM evidence e WHERE NOT EXISTS (SELECT 1 FROM ledger l WHERE l.evidence_id = e.id);
            SELECT 'ledger without evidence: ' || l.evidence_id FROM ledger l WHERE NOT EXISTS (SELECT 1 FROM evidence e WHERE e.id = l.evidence_id);
            SELECT 'no files: ' || e.id FROM evidence e WHERE NOT EXISTS (SELECT 1 FROM evidence_member m WHERE m.evidence_id = e.id);
            SELECT 'missing blob: ' || m.evidence_id || ' ' || m.name FROM evidence_member m WHERE NOT EXISTS (SELECT 1 FROM blob b WHERE b.hash = m.blob_hash);
            SELECT 'orphan blob: ' || b.hash FROM blob b WHERE NOT EXISTS (SELECT 1 FROM evidence_member m WHERE m.blob_hash = b.hash);
            SELECT 'drill without events: ' || e.id FROM evidence e WHERE e.kind = 'drill' AND NOT EXISTS (SELECT 1 FROM drill_event d WHERE d.evidence_id = e.id);
            SELECT 'drill with a gap in its events: ' || d.evidence_id FROM drill_event d GROUP BY d.evidence_id HAVING count(*) != max(d.ordinal) + 1;
            SELECT 'apply without run row: ' || e.id FROM evidence e WHERE e.kind = 'apply' AND NOT EXISTS (SELECT 1 FROM apply_run a WHERE a.evidence_id = e.id);
            SELECT 'state row missing: ' || a.evidence_id FROM apply_run a WHERE a.has_state = 1 AND NOT EXISTS (SELECT 1 FROM tf_state s WHERE s.evidence_id = a.evidence_id);
            SELECT 'resources missing: ' || s.evidence_id FROM tf_state s WHERE s.resource_count != (SELECT count(*) FROM tf_resource r WHERE r.evidence_id = s.evidence_id);
            SELECT 'rows of unknown evidence: ' || d.evidence_id FROM drill_event d WHERE NOT EXISTS (SELECT 1 FROM evidence e WHERE e.id = d.evidence_id) GROUP BY d.evidence_id;
            SELECT 'rows of unknown evidence: ' || r.evidence_id FROM tf_resource r WHERE NOT EXISTS (SELECT 1 FROM evidence e WHERE e.id = r.evidence_id) GROUP BY r.evidence_id;
            SELECT 'rows of unknown evidence: ' || a.evidence_id FROM apply_run a WHERE NOT EXISTS (SELECT 1 FROM evidence e WHERE e.id = a.evidence_id);
            """)
    }

    /// The ledger's seq numbers in order.
    static func seqs(_ store: URL) async throws -> [Int] {
        try await SQLiteShell.exec(store, "SELECT seq FROM ledger ORDER BY seq;").compactMap { Int($0) }
    }
}

/// The identity drreport gives a set of files (DESIGN §3.2: an apply record is one piece of
/// evidence however it arrives), computed here from the documented rule rather than the library's.
func treeIdentity(_ files: [String: Data]) -> String {
    var text = "drreport-tree-v1\n"
    for name in files.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
        let bytes = files[name] ?? Data()
        text += "\(ContentHash.of(bytes).hex) \(bytes.count) \(name)\n"
    }
    return ContentHash.of(Data(text.utf8)).description
}
