import Evidence
import Foundation
import Testing

/// DESIGN §8 as an auditor meets it: a bundle made with `drreport bundle` verifies with `drreport
/// verify`, with or without the signer's public key, on a machine that never had the store.
@Suite("Evidence bundles: round trip")
struct BundleRoundTripTests {
    /// The lines `verify` prints for an intact bundle, from the bundle's own manifest (read here, not by drreport).
    static func intactLines(bundle: URL, shownAs shown: String, keyID: String, trusted: Bool) throws -> [String] {
        let members = try BundleZip.members(of: bundle)
        let manifestBytes = try #require(members.first { $0.path == "manifest.json" }).data
        let manifest = try BundleManifestView.decode(manifestBytes)
        let bytes = manifest.files.reduce(0) { $0 + $1.size }
        let included = manifest.ledger.filter(\.included).count
        let head = try #require(manifest.ledger_head)
        return [
            "drreport verify — INTACT",
            "bundle        \(shown)",
            "period        2026-Q3",
            "manifest      \(ContentHash.of(manifestBytes))",
            "signed by     \(keyID) " + (trusted ? "(trusted key given)" : "(not checked against a trusted key)"),
            "ok   archive    \(members.count) members, all regular files with safe paths, within size limits",
            "ok   signature  Ed25519 signature over manifest.json valid; key id \(keyID) "
                + (trusted ? "matches the trusted key" : "(not checked against a trusted key: pass --key)"),
            "ok   files      \(manifest.files.count) files, \(bytes) bytes: sizes and SHA-256 as listed, no file missing or added",
            "ok   ledger     \(manifest.ledger.count) entries chain from the first to the head \(head); \(included) evidence items included",
            "ok   report     the rules re-run on \(included) evidence items reproduce report.xml byte for byte (\(SampleBundle.findings))",
        ]
    }

    /// The last line: `verified with drreport <version> on <now, UTC>`.
    static func expectVerifiedLine(
        _ line: String?, toolVersion: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let prefix = "verified with drreport \(toolVersion) on "
        #expect(line?.hasPrefix(prefix) == true, "\(line ?? "(none)")", sourceLocation: sourceLocation)
        let stamp = String((line ?? "").dropFirst(prefix.count))
        #expect(stamp.count == 20 && stamp.hasSuffix("Z"), "\(stamp)", sourceLocation: sourceLocation)
    }

    @Test("bundle prints what it signed: path, period, manifest hash, key id and the counts")
    func bundleOutput() async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let run = workspace.sample.bundleRun
        let manifestBytes = try BundleZip.member("manifest.json", of: workspace.bundle)
        let manifest = try BundleManifestView.decode(manifestBytes)
        #expect(run.stderr.isEmpty, "\(run.stderr)")
        #expect(run.stdoutLines.count == 5, "\(run)")
        #expect(run.stdoutLines.first?.hasPrefix("bundle        ") == true)
        #expect(run.stdoutLines.first?.hasSuffix("/bundle.zip") == true)
        #expect(
            Array(run.stdoutLines.dropFirst()) == [
                "period        2026-Q3",
                "manifest      \(ContentHash.of(manifestBytes))",
                "signed by     \(workspace.sample.signer.keyID)",
                "contents      \(manifest.files.count) files, \(manifest.files.reduce(0) { $0 + $1.size }) bytes; "
                    + "37 evidence items; 37 ledger entries",
            ])
        // What the manifest says of itself: the period, the tool, the instant, the policy, the whole ledger.
        #expect(manifest.format == "drreport-bundle/1")
        #expect(manifest.period == "2026-Q3")
        #expect(manifest.generated_at == SampleBundle.generatedAt)
        #expect(manifest.ledger.map(\.seq) == Array(1...37))
        #expect(manifest.ledger.allSatisfy { $0.included }, "every sample evidence item is used by the 2026-Q3 rules")
        #expect(manifest.ledger_head == manifest.ledger.last?.hash)
        let policy = try Data(contentsOf: URL(fileURLWithPath: SampleBundle.policy))
        #expect(
            manifest.config
                == BundleManifestView.File(
                    path: "drreport.yaml", size: policy.count, sha256: ContentHash.of(policy).description))
        // The members: manifest and signature first, then every listed file in path order, nothing else.
        let paths = try BundleZip.members(of: workspace.bundle).map(\.path)
        #expect(paths == ["manifest.json", "signature"] + manifest.files.map(\.path))
        #expect(
            manifest.files.map(\.path)
                == manifest.files.map(\.path).sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        for report in ["drreport.yaml", "report.html", "report.xml", "oscal-ar.xml"] {
            #expect(paths.contains(report), "\(report)")
        }
    }

    @Test(
        "verify where the store never was, with --key NAME.pub or without: INTACT with the key id, the manifest hash and the counts; exit 0; nothing left behind",
        arguments: [true, false])
    func verifiesIntact(_ trusted: Bool) async throws {
        // The shared bundle's store and private key were in a folder that is gone: the auditor has the
        // bundle and the public key only, and runs verify from an empty folder with a TMPDIR of its own.
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let elsewhere = workspace.scratch.path("elsewhere")
        let temporary = workspace.scratch.path("tmp")
        for folder in [elsewhere, temporary] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        let result = try await DRReportBinary.run(
            ["verify", workspace.bundle.path] + (trusted ? ["--key", workspace.signerPublic.path] : []), in: elsewhere,
            environment: ["TMPDIR": temporary.path + "/"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        let expected = try Self.intactLines(
            bundle: workspace.bundle, shownAs: workspace.bundle.path, keyID: workspace.sample.signer.keyID,
            trusted: trusted)
        #expect(Array(result.stdoutLines.dropLast()) == expected)
        Self.expectVerifiedLine(result.stdoutLines.last, toolVersion: try workspace.manifest().tool_version)
        // verify wrote nothing where it ran, and removed its working store.
        #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere.path) == [])
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path) == [])
    }

    @Test("a bundle taken apart and zipped again member for member by another ZIP writer still verifies")
    func rezippedBundleVerifies() async throws {
        // The tamper tests rebuild archives this way; an untouched rebuild must pass, so their failures are the content's.
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let rebuilt = try workspace.write(try workspace.members(), as: "rezipped.zip")
        #expect(try Data(contentsOf: rebuilt) != workspace.sample.bundle, "another writer, other bytes")
        let result = try await workspace.verify(rebuilt, key: workspace.signerPublic)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdoutLines.first == "drreport verify — INTACT")
    }
}
