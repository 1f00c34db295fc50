import Evidence
import Foundation
import Testing

/// A forger who can rebuild the manifest and sign it — with a key of their own, since the bank's stays
/// with the bank. The auditor's copy of the bank's public key refuses every such bundle on the key
/// id; and even checked against the forger's key, altered evidence is caught by the identity checks
/// and by re-running the rules, unless the forger rebuilt everything from a forged store — which only
/// the trusted key can tell.
@Suite("Evidence bundles: re-signed forgeries")
struct BundleForgeryTests {
    /// A bundle with the same files as `members` (whatever they now hold), under `manifest`, signed
    /// with `key` by OpenSSL; members in the writer's order: manifest, signature, files by path.
    static func resigned(
        _ workspace: BundleWorkspace, files: [String: Data], manifest: ManifestJSON, key: SampleBundle.KeyPair,
        claimingKeyID: String? = nil
    ) async throws -> URL {
        let manifestBytes = try manifest.encoded()
        let signature = try await BundleSigning.signatureMember(
            for: manifestBytes, key: key, claimingKeyID: claimingKeyID, in: workspace.scratch)
        let paths = manifest.files.compactMap { $0["path"] as? String }
        var members = [
            BundleZip.Member(path: "manifest.json", data: manifestBytes),
            BundleZip.Member(path: "signature", data: signature),
        ]
        for path in paths {
            members.append(BundleZip.Member(path: path, data: try #require(files[path], "\(path)")))
        }
        return try workspace.write(members, as: "forged.zip")
    }

    /// The sample bundle's files (everything but manifest and signature) and its manifest.
    static func takeApart(_ workspace: BundleWorkspace) throws -> (files: [String: Data], manifest: ManifestJSON) {
        let members = try workspace.members()
        var files: [String: Data] = [:]
        for member in members where member.path != "manifest.json" && member.path != "signature" {
            files[member.path] = member.data
        }
        return (files, try ManifestJSON(try #require(members.first { $0.path == "manifest.json" }).data))
    }

    /// DR-2026-Q3-02 with core-banking-ledger restored two minutes earlier: its 4h01m RTO fail becomes a pass.
    static func earlierRestore(_ drill: Data) throws -> Data {
        try drill.replacingFirst(
            "2026-09-12T12:10:40+02:00,service_restored,core-banking-ledger",
            with: "2026-09-12T12:08:40+02:00,service_restored,core-banking-ledger")
    }

    @Test(
        "the untouched bundle re-signed with another key: refused on the key id with the bank's key, accepted with the forger's"
    )
    func resignedWithAnotherKey() async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let (files, manifest) = try Self.takeApart(workspace)
        let forger = workspace.sample.other
        let forged = try await Self.resigned(workspace, files: files, manifest: manifest, key: forger)

        let trusted = try await workspace.verify(forged, key: workspace.signerPublic)
        expectTampered(
            trusted, step: "signature",
            detail: "signed with key \(forger.keyID), not with the trusted key \(workspace.sample.signer.keyID)")

        // Checked against the forger's own key the bundle is intact — the trust is in the key the auditor holds.
        let forgersKey = try await workspace.verify(forged, key: workspace.otherPublic)
        #expect(forgersKey.status == 0, "\(forgersKey)")
        #expect(forgersKey.stdoutLines.contains("signed by     \(forger.keyID) (trusted key given)"))
        let unchecked = try await workspace.verify(forged, key: nil)
        #expect(unchecked.status == 0, "\(unchecked)")
        #expect(unchecked.stdoutLines.contains("signed by     \(forger.keyID) (not checked against a trusted key)"))
    }

    @Test("re-signed with another key but claiming the bank's key id: the claim does not match the key it carries")
    func claimsTheBanksKeyID() async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let (files, manifest) = try Self.takeApart(workspace)
        let bank = workspace.sample.signer
        let forged = try await Self.resigned(
            workspace, files: files, manifest: manifest, key: workspace.sample.other, claimingKeyID: bank.keyID)
        for key in [workspace.signerPublic, nil] {
            expectTampered(
                try await workspace.verify(forged, key: key), step: "signature",
                detail: "the key id \(bank.keyID) does not match the public key it names")
        }
    }

    @Test(
        "evidence altered in place and the manifest rebuilt and re-signed: the files no longer give the ledger's identity",
        arguments: ["drill", "apply"])
    func evidenceAlteredInPlace(_ kind: String) async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        var (files, manifest) = try Self.takeApart(workspace)
        let view = try workspace.manifest()
        let (entry, file) = try view.evidenceFile(kind: kind, suffix: kind == "drill" ? ".csv" : "/run.json")
        let original = try #require(files[file.path])
        let altered =
            kind == "drill"
            ? try Self.earlierRestore(original)
            : try original.replacingFirst("dev.one@bank.example", with: "dev.six@bank.example")
        files[file.path] = altered
        try manifest.update(file.path, to: altered)
        // The identity the altered files give: the file's hash, or an apply record's tree hash.
        let identity: String
        if kind == "drill" {
            identity = ContentHash.of(altered).description
        } else {
            var record: [String: Data] = [:]
            for member in view.files(of: entry) {
                record[URL(fileURLWithPath: member.path).lastPathComponent] = files[member.path]
            }
            identity = treeIdentity(record)
        }
        let forged = try await Self.resigned(workspace, files: files, manifest: manifest, key: workspace.sample.other)

        let result = try await workspace.verify(forged, key: workspace.otherPublic)
        expectTampered(
            result, step: "evidence",
            detail: "the files of ledger entry \(entry.seq) give the identity \(identity), not \(entry.evidence)")
        for step in ["archive", "signature", "files", "ledger"] {
            #expect(result.stdoutLines.contains { $0.hasPrefix("ok   \(step) ") }, "\(step) passed before")
        }
        // With the bank's key it never gets that far.
        expectTampered(
            try await workspace.verify(forged, key: workspace.signerPublic), step: "signature",
            detail:
                "signed with key \(workspace.sample.other.keyID), not with the trusted key \(workspace.sample.signer.keyID)"
        )
    }

    /// Moves the DR-2026-Q3-02 drill log to the identity of its altered bytes and rewrites the ledger
    /// from that entry on (records digest as given, every later `prev` and `hash` recomputed the way
    /// drreport computes them), so every identity and chain check holds again.
    static func forgeLedger(
        _ workspace: BundleWorkspace, files: inout [String: Data], manifest: inout ManifestJSON, recordsFromParse: Bool
    ) throws -> (seq: Int, parsedRecords: ContentHash, ledgerRecords: String) {
        let view = try workspace.manifest()
        let (entry, file) = try view.evidenceFile(kind: "drill", suffix: ".csv")
        let name = URL(fileURLWithPath: file.path).lastPathComponent
        let altered = try Self.earlierRestore(try #require(files[file.path]))
        let parsed = try EvidenceParser.parse(
            EvidenceInput(source: entry.source, name: name, bytes: altered), options: ParseOptions(kind: .drill))
        #expect(parsed.id == ContentHash.of(altered))
        let newPath = "evidence/\(parsed.id.hex)/\(name)"
        files[file.path] = nil
        files[newPath] = altered
        try manifest.update(file.path, to: altered, movingTo: newPath)

        var ledger = manifest.ledger
        var previous: ContentHash?
        for index in ledger.indices {
            let seq = try #require(ledger[index]["seq"] as? Int)
            if seq == entry.seq {
                ledger[index]["evidence"] = parsed.id.description
                if recordsFromParse { ledger[index]["records"] = parsed.recordsDigest.description }
            }
            if seq >= entry.seq {
                ledger[index]["prev"] = try #require(previous).description
                let fields = ledger[index]
                let rebuilt = LedgerEntry(
                    seq: Int64(seq), evidence: try #require(ContentHash(parsing: fields["evidence"] as? String ?? "")),
                    kind: try #require(EvidenceKind(rawValue: fields["kind"] as? String ?? "")),
                    source: try #require(fields["source"] as? String),
                    ingestedAt: try #require(fields["ingested_at"] as? String),
                    records: try #require(ContentHash(parsing: fields["records"] as? String ?? "")),
                    prev: try #require(previous), hash: LedgerEntry.genesis)
                ledger[index]["hash"] = rebuilt.computedHash.description
            }
            previous = ContentHash(parsing: ledger[index]["hash"] as? String ?? "")
        }
        manifest.ledger = ledger
        manifest.object["ledger_head"] = try #require(previous).description
        return (entry.seq, parsed.recordsDigest, entry.records)
    }

    @Test(
        "evidence altered, moved to its new identity, the ledger re-chained, all re-signed: the rules re-run do not reproduce report.xml"
    )
    func evidenceAlteredAndLedgerRechained() async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        var (files, manifest) = try Self.takeApart(workspace)
        _ = try Self.forgeLedger(workspace, files: &files, manifest: &manifest, recordsFromParse: true)
        let forged = try await Self.resigned(workspace, files: files, manifest: manifest, key: workspace.sample.other)

        let result = try await workspace.verify(forged, key: workspace.otherPublic)
        #expect(result.status == 3, "\(result)")
        for step in ["archive", "signature", "files", "ledger"] {
            #expect(result.stdoutLines.contains { $0.hasPrefix("ok   \(step) ") }, "\(step) passed before: \(result)")
        }
        // The first line that differs is the report id, which is derived from the report's content.
        let report = String(decoding: try #require(files["report.xml"]), as: UTF8.self)
        let reportID = try #require(report.split(separator: "\n").first { $0.contains("<ReportID>") })
            .trimmingCharacters(in: .whitespaces)
        let last = result.stdoutLines.last ?? ""
        let prefix = "FAIL report     report.xml is not reproduced from the bundled evidence and policy: "
        #expect(last.hasPrefix(prefix + "line 6: bundled «\(reportID)», re-run «<ReportID>DRR-2026-Q3-"), "\(result)")
        #expect(!last.hasSuffix("re-run «\(reportID)»"))
        #expect(result.stdoutLines.filter { $0.hasPrefix("FAIL ") }.count == 1)
    }

    @Test(
        "an entry's records digest stale and a file altered after the manifest was rebuilt: the files step fails first, as the steps come in order",
        arguments: ["a later entry's file", "report.xml"])
    func staleRecordsAndFileAltered(_ altered: String) async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        var (files, manifest) = try Self.takeApart(workspace)
        let forgery = try Self.forgeLedger(workspace, files: &files, manifest: &manifest, recordsFromParse: false)
        // One bit flipped: in the last included entry's first file, which the replay reaches after the stale
        // records digest; or in report.xml, hashed while the evidence is replayed.
        let view = try workspace.manifest()
        let file: BundleManifestView.File
        if altered == "report.xml" {
            file = try #require(view.files.first { $0.path == "report.xml" })
        } else {
            let last = try #require(view.ledger.last { $0.included && $0.seq > forgery.seq })
            file = try #require(view.files(of: last).first)
        }
        let flipped = try #require(files[file.path]).flippingBit(at: 0)
        files[file.path] = flipped
        let forged = try await Self.resigned(workspace, files: files, manifest: manifest, key: workspace.sample.other)

        let result = try await workspace.verify(forged, key: workspace.otherPublic)
        expectTampered(
            result, step: "files",
            detail: "\(file.path) hashes to \(ContentHash.of(flipped)), not to \(file.sha256) as the manifest says")
        #expect(!result.stdoutLines.contains { $0.hasPrefix("ok   files ") || $0.hasPrefix("ok   ledger ") }, "\(result)")
        #expect(result.stdoutLines.filter { $0.hasPrefix("FAIL ") }.count == 1)
    }

    @Test("evidence moved to its new identity and the ledger re-chained, but its records digest left as it was")
    func evidenceAlteredRecordsStale() async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        var (files, manifest) = try Self.takeApart(workspace)
        let forgery = try Self.forgeLedger(workspace, files: &files, manifest: &manifest, recordsFromParse: false)
        let forged = try await Self.resigned(workspace, files: files, manifest: manifest, key: workspace.sample.other)
        let result = try await workspace.verify(forged, key: workspace.otherPublic)
        let ledgerRecords = forgery.ledgerRecords.dropFirst("sha256:".count).prefix(12)
        expectTampered(
            result, step: "evidence",
            detail: "the files of ledger entry \(forgery.seq) parse to records \(forgery.parsedRecords.short)…, "
                + "not \(ledgerRecords)… as the ledger says")
    }

    @Test(
        "an evidence item dropped from a re-signed bundle: missing files are named, and hiding it from the ledger changes the verdicts",
        arguments: [false, true])
    func evidenceDropped(_ markedExcluded: Bool) async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        var (files, manifest) = try Self.takeApart(workspace)
        // The drill in which core-banking-ledger recovered too late: without it, no late recovery is on record.
        let (entry, _) = try workspace.manifest().evidenceFile(kind: "drill", suffix: ".csv")
        let prefix = "evidence/\(entry.hex)/"
        for path in files.keys where path.hasPrefix(prefix) { files[path] = nil }
        manifest.files.removeAll { ($0["path"] as? String ?? "").hasPrefix(prefix) }
        if markedExcluded {
            manifest.ledger = manifest.ledger.map { fields in
                var fields = fields
                if fields["seq"] as? Int == entry.seq { fields["included"] = false }
                return fields
            }
        }
        let forged = try await Self.resigned(workspace, files: files, manifest: manifest, key: workspace.sample.other)
        let result = try await workspace.verify(forged, key: workspace.otherPublic)
        if markedExcluded {
            #expect(result.status == 3, "\(result)")
            #expect(
                result.stdoutLines.contains {
                    $0.hasPrefix("ok   ledger ") && $0.hasSuffix("; 36 evidence items included")
                }, "\(result)")
            #expect(
                result.stdoutLines.last?.hasPrefix(
                    "FAIL report     report.xml is not reproduced from the bundled evidence and policy: line ")
                    == true, "\(result)")
        } else {
            expectTampered(
                result, step: "evidence",
                detail: "the files of ledger entry \(entry.seq) (\(entry.evidence)) are not in the bundle")
        }
    }

    @Test(
        "report.xml turned from fail to pass, the manifest rebuilt and re-signed: report.xml's own seal no longer holds"
    )
    func reportEditedAndResigned() async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        var (files, manifest) = try Self.takeApart(workspace)
        let forgedReport = try BundleTamperTests.failTurnedIntoPass(try #require(files["report.xml"]))
        files["report.xml"] = forgedReport
        try manifest.update("report.xml", to: forgedReport)
        let forged = try await Self.resigned(workspace, files: files, manifest: manifest, key: workspace.sample.other)
        expectTampered(
            try await workspace.verify(forged, key: workspace.otherPublic), step: "report",
            detail: "report.xml's own Integrity hash does not match its content")
        expectTampered(
            try await workspace.verify(forged, key: workspace.signerPublic), step: "signature",
            detail:
                "signed with key \(workspace.sample.other.keyID), not with the trusted key \(workspace.sample.signer.keyID)"
        )
    }
}
