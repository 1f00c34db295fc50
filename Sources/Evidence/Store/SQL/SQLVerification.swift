/// `evidence verify` for every SQL engine: the ledger chain, every blob's bytes, every evidence
/// identity, and every normalised row — regenerated from the evidence's content and compared
/// column by column, so a row edited behind drreport's back is found even in columns the records
/// digest does not cover. A value too damaged to read is a problem found, never an error thrown.
extension SQLEvidenceReader {
    /// The row tables keyed by evidence, each with the columns that order its rows.
    static var rowTables: [(TableSpec, String)] {
        [
            (Schema.drillEvent, "ordinal"), (Schema.applyRun, "evidence_id"), (Schema.state, "evidence_id"),
            (Schema.resource, "ordinal"), (Schema.change, "ordinal"), (Schema.approval, "ordinal"),
            (Schema.consistencyRun, "ordinal"), (Schema.consistencyTable, "run_ordinal, ordinal"),
        ]
    }

    /// Verification over whatever view `rows` reads; callers give it a consistent snapshot.
    func verifyContents() async throws(EvidenceError) -> IntegrityReport {
        var problems: [IntegrityReport.Problem] = []

        // The ledger, read tolerantly: an unreadable value is a problem of its entry.
        var entries: [LedgerEntry] = []
        for row in try await rows(Schema.ledger.selectSQL + " ORDER BY seq", [], table: "ledger") {
            let seq: Int64? = if case .integer(let value) = row["seq"] { value } else { nil }
            func text(_ name: String) -> String { if case .text(let value) = row[name] { value } else { "" } }
            func hash(_ name: String) -> ContentHash {
                if let hash = ContentHash(parsing: text(name)) { return hash }
                problems.append(.init(seq: seq, subject: nil, message: "its \(name) is not a sha256 value (the entry was altered)"))
                return ContentHash.of("unreadable \(name) of ledger entry \(seq ?? -1): \(text(name))")
            }
            let kind = EvidenceKind(rawValue: text("kind"))
            if kind == nil {
                problems.append(.init(seq: seq, subject: nil, message: "its kind '\(text("kind").prefix(40))' is not an evidence kind (the entry was altered)"))
            }
            guard let seq else {
                problems.append(.init(seq: nil, subject: nil, message: "a ledger row without a readable position"))
                continue
            }
            let entry = LedgerEntry(
                seq: seq, evidence: hash("evidence_id"), kind: kind ?? .drill, source: text("source"),
                ingestedAt: text("ingested_at"), records: hash("records"), prev: hash("prev"), hash: hash("hash"))
            entries.append(entry)
        }
        problems += LedgerChain.problems(in: entries)
        let byEvidence = Dictionary(entries.map { ($0.evidence.description, $0) }, uniquingKeysWith: { first, _ in first })

        // Every evidence row has its ledger entry and agrees with it.
        let evidenceRows = try await rows(Schema.evidence.selectSQL, [], table: "evidence")
        var evidenceByID: [String: SQLRow] = [:]
        for row in evidenceRows {
            guard case .text(let id) = row["id"] else {
                problems.append(.init(seq: nil, subject: nil, message: "an evidence row without a readable id"))
                continue
            }
            evidenceByID[id] = row
            guard let entry = byEvidence[id] else {
                problems.append(.init(seq: nil, subject: id, message: "evidence without a ledger entry (inserted behind the ledger's back)"))
                continue
            }
            let ingestedNanos: Int64? = if case .integer(let value) = row["ingested_ns"] { value } else { nil }
            if row["kind"] != .text(entry.kind.rawValue) || row["source"] != .text(entry.source)
                || row["ingested_at"] != .text(entry.ingestedAt) || row["records"] != .text(entry.records.description)
                || ingestedNanos != entry.ingestedInstant?.nanosecondsSinceEpoch
            {
                problems.append(.init(seq: entry.seq, subject: id, message: "the evidence row differs from its ledger entry (kind, source, ingested-at or records digest)"))
            }
        }
        for entry in entries where evidenceByID[entry.evidence.description] == nil {
            problems.append(.init(seq: entry.seq, subject: entry.evidence.description, message: "the ledger names evidence that is not in the store"))
        }

        // The blobs' bytes and the evidence's rows are read and hashed at once, on both cores.
        async let blobs = blobs(ownedBy: byEvidence)
        async let rowProblems = rowProblems(entries, evidenceByID: evidenceByID)
        let blobCheck = try await blobs.get()
        problems += blobCheck.problems
        let blobSizes = blobCheck.sizes

        // Every evidence identity follows from its members.
        var members: [String: [(name: String, hash: ContentHash, size: Int)]] = [:]
        for row in try await rows(Schema.member.selectSQL, [], table: "evidence_member") {
            guard case .text(let id) = row["evidence_id"], case .text(let name) = row["name"], case .text(let blob) = row["blob_hash"],
                case .integer(let size) = row["size"], let hash = ContentHash(parsing: blob)
            else {
                problems.append(.init(seq: nil, subject: nil, message: "an unreadable evidence member row"))
                continue
            }
            members[id, default: []].append((name, hash, Int(size)))
            if blobSizes[blob] == nil {
                problems.append(.init(seq: byEvidence[id]?.seq, subject: blob, message: "a member's blob is missing"))
            }
        }
        for entry in entries {
            let list = members[entry.evidence.description] ?? []
            if list.isEmpty {
                problems.append(.init(seq: entry.seq, subject: entry.evidence.description, message: "evidence without files"))
                continue
            }
            let identity = ParsedEvidence.identity(of: list, kind: entry.kind)
            if identity != entry.evidence {
                problems.append(.init(seq: entry.seq, subject: entry.evidence.description, message: "its files hash to \(identity.short)…, not to its identity"))
            }
        }

        problems += try await rowProblems.get()

        // Each entry's problems come from one half and keep the order the sections found them in.
        problems.sort { ($0.seq ?? .max, $0.subject ?? "") < ($1.seq ?? .max, $1.subject ?? "") }
        return IntegrityReport(
            entries: entries.count, evidence: evidenceRows.count, blobs: blobCheck.count, bytes: blobCheck.bytes, head: entries.last?.hash,
            problems: problems)
    }

    /// Every blob's bytes hash to its name (read in pages, a few blobs in memory at a time); a
    /// problem names the first ledger entry owning the blob.
    private func blobs(
        ownedBy byEvidence: [String: LedgerEntry]
    ) async -> Result<(problems: [IntegrityReport.Problem], sizes: [String: Int64], count: Int, bytes: Int64), EvidenceError> {
        do throws(EvidenceError) {
            var problems: [IntegrityReport.Problem] = []
            var blobSizes: [String: Int64] = [:]
            var blobCount = 0
            var byteCount: Int64 = 0
            var owners: [String: Int64] = [:]
            for row in try await rows("SELECT evidence_id, blob_hash FROM evidence_member", [], table: "evidence_member") {
                if case .text(let blob) = row["blob_hash"], case .text(let id) = row["evidence_id"], let seq = byEvidence[id]?.seq {
                    owners[blob] = min(owners[blob] ?? .max, seq)
                }
            }
            var after = ""
            while true {
                let page = try await rows("SELECT hash, size, content FROM blob WHERE hash > ? ORDER BY hash LIMIT 16", [.text(after)], table: "blob")
                guard let last = page.last, case .text(let lastName) = last["hash"] else { break }
                for row in page {
                    guard case .text(let name) = row["hash"] else { continue }
                    let seq = owners[name]
                    blobCount += 1
                    guard case .blob(let content) = row["content"] else {
                        problems.append(.init(seq: seq, subject: "blob " + name, message: "its content is not bytes (the blob was altered)"))
                        continue
                    }
                    byteCount += Int64(content.count)
                    guard case .integer(let size) = row["size"] else {
                        problems.append(.init(seq: seq, subject: "blob " + name, message: "its size is unreadable (the blob row was altered)"))
                        continue
                    }
                    blobSizes[name] = size
                    let actual = ContentHash.of(content)
                    if actual.description != name {
                        problems.append(.init(seq: seq, subject: "blob " + name, message: "the stored bytes hash to \(actual.short)… (the blob was altered)"))
                    } else if Int64(content.count) != size {
                        problems.append(.init(seq: seq, subject: "blob " + name, message: "size \(size) recorded but \(content.count) bytes stored"))
                    }
                }
                after = lastName
            }
            return .success((problems, blobSizes, blobCount, byteCount))
        } catch {
            return .failure(error)
        }
    }

    /// Every evidence's rows are exactly those its content gives. Which tables hold rows of which
    /// evidence is read once, so each evidence asks only its own tables (one to three of eight), in
    /// one visit.
    private func rowProblems(
        _ entries: [LedgerEntry], evidenceByID: [String: SQLRow]
    ) async -> Result<[IntegrityReport.Problem], EvidenceError> {
        do throws(EvidenceError) {
            var problems: [IntegrityReport.Problem] = []
            var tablesByEvidence: [String: [(TableSpec, String)]] = [:]
            for (table, order) in Self.rowTables {
                for row in try await rows("SELECT DISTINCT evidence_id FROM \(table.name)", [], table: table.name) {
                    if case .text(let id) = row["evidence_id"] { tablesByEvidence[id, default: []].append((table, order)) }
                }
            }
            // In two halves at once: the digests are most of a verification's work.
            let tables = tablesByEvidence
            func half(_ parity: Int) async -> [IntegrityReport.Problem] {
                var problems: [IntegrityReport.Problem] = []
                for (position, entry) in entries.enumerated() where position % 2 == parity {
                    guard let row = evidenceByID[entry.evidence.description] else { continue }
                    do {
                        try await checkRows(of: entry, evidenceRow: row, tables: tables[entry.evidence.description] ?? [], into: &problems)
                    } catch {
                        problems.append(.init(seq: entry.seq, subject: entry.evidence.description, message: "its normalised records cannot be read: \(error.message)"))
                    }
                }
                return problems
            }
            async let even = half(0)
            let odd = await half(1)
            problems += await even + odd
            return .success(problems)
        } catch {
            return .failure(error)
        }
    }

    /// Recomputes the records digest from the rows as stored in `tables` (those holding rows of the
    /// evidence, in ``rowTables`` order) and the evidence row's description, and compares it with the
    /// ledger's.
    private func checkRows(
        of entry: LedgerEntry, evidenceRow: SQLRow, tables: [(TableSpec, String)], into problems: inout [IntegrityReport.Problem]
    ) async throws(EvidenceError) {
        let covers: String = if case .text(let text) = evidenceRow["covers"] { text } else { "" }
        let digest = try await recordsDigest(of: entry.evidence.description, covers: covers, tables: tables)
        if digest != entry.records {
            problems.append(.init(
                seq: entry.seq, subject: entry.evidence.description,
                message: "its normalised records were altered (rows digest to \(digest.short)…, the ledger says \(entry.records.short)…)"))
        }
    }

    /// Rows in the order `RecordRows.rows(for:…)` gives them: a consistency run's tables follow it.
    static func ordered(_ rows: [(TableSpec, [SQLValue])]) -> [(TableSpec, [SQLValue])] {
        let runs = rows.filter { $0.0.name == Schema.consistencyRun.name }
        guard !runs.isEmpty else { return rows }
        let tables = rows.filter { $0.0.name == Schema.consistencyTable.name }
        var ordered = rows.filter { $0.0.name != Schema.consistencyRun.name && $0.0.name != Schema.consistencyTable.name }
        for run in runs {
            ordered.append(run)
            ordered += tables.filter { $0.1.count > 1 && run.1.count > 1 && $0.1[1] == run.1[1] }
        }
        return ordered
    }
}
