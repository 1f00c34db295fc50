import Evidence
import Foundation
import Testing

/// DESIGN §8: "Any tampering exits 3 and names what differs." Each case alters the sample bundle the
/// way someone with an ordinary ZIP tool could — the archive is rebuilt around the altered member, so
/// every CRC is right and only the content can give the change away.
@Suite("Evidence bundles: tampering is caught")
struct BundleTamperTests {
    /// The members of each kind a bundle holds, by how a test names them: a path, or `evidence:<kind>:<file suffix>`
    /// for the first included evidence item of that kind with such a file.
    static let listedMembers = [
        "drreport.yaml", "report.html", "report.xml", "oscal-ar.xml",
        "evidence:drill:.jsonl", "evidence:drill:.csv",
        "evidence:apply:/run.json", "evidence:apply:/apply.jsonl", "evidence:apply:/state.json",
        "evidence:change:.json", "evidence:change:.xml",
        "evidence:consistency:.json", "evidence:consistency:.jsonl",
    ]

    /// The member path a test name stands for.
    static func path(_ name: String, in manifest: BundleManifestView) throws -> String {
        guard name.hasPrefix("evidence:") else { return name }
        let parts = name.split(separator: ":", maxSplits: 2).map(String.init)
        return try manifest.evidenceFile(kind: parts[1], suffix: parts[2]).file.path
    }

    @Test(
        "one flipped bit in a listed member: the files step names the member and both hashes", arguments: listedMembers)
    func flippedListedMember(_ name: String) async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let manifest = try workspace.manifest()
        let path = try Self.path(name, in: manifest)
        let listed = try #require(manifest.files.first { $0.path == path })
        var altered = Data()
        let members = try BundleZip.replacing(path, in: try workspace.members()) { data in
            altered = data.flippingBit(at: data.count / 2)
            return altered
        }
        #expect(altered.count == listed.size, "same size: only the hash can tell")
        let bundle = try workspace.write(members, as: "tampered.zip")
        let result = try await workspace.verify(bundle, key: workspace.signerPublic)
        expectTampered(
            result, step: "files",
            detail: "\(path) hashes to \(ContentHash.of(altered)), not to \(listed.sha256) as the manifest says")
        // The steps before the failure passed: the archive is sound and the signature holds.
        #expect(result.stdoutLines.contains { $0.hasPrefix("ok   archive ") })
        #expect(result.stdoutLines.contains { $0.hasPrefix("ok   signature ") })
    }

    /// Verifies the sample bundle with members replaced (`manifest.json` among them) under the signer's
    /// key: the signature step must refuse it, the manifest's bytes no longer being the signed ones.
    static func expectSignatureMismatch(
        _ workspace: BundleWorkspace, replacing replacements: [String: Data],
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws {
        var members = try workspace.members()
        for (path, data) in replacements { members = try BundleZip.replacing(path, in: members) { _ in data } }
        let result = try await workspace.verify(
            try workspace.write(members, as: "tampered.zip"), key: workspace.signerPublic)
        expectTampered(
            result, step: "signature",
            detail: "the Ed25519 signature does not match manifest.json (the manifest was altered or re-signed)",
            sourceLocation: sourceLocation)
    }

    @Test("one flipped bit in manifest.json: the signature no longer holds")
    func flippedManifest() async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let manifest = try BundleZip.member("manifest.json", of: workspace.bundle)
        try await Self.expectSignatureMismatch(
            workspace, replacing: ["manifest.json": manifest.flippingBit(at: manifest.count / 2)])
    }

    /// The key id with its last hex digit changed: one byte of the signature member.
    static func changedKeyID(_ keyID: String) -> String {
        String(keyID.dropLast()) + (keyID.hasSuffix("0") ? "1" : "0")
    }

    @Test("one changed byte in the signature member", arguments: ["signature value", "key id", "algorithm"])
    func alteredSignature(_ field: String) async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let keyID = workspace.sample.signer.keyID
        let members = try BundleZip.replacing("signature", in: try workspace.members()) { data in
            switch field {
            case "signature value":
                // One bit of the raw Ed25519 signature, written back as base64 of the same length.
                let json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: String])
                let value = try #require(json["signature"])
                let raw = try #require(Data(base64Encoded: value)).flippingBit(at: 10)
                return try data.replacingFirst(value, with: raw.base64EncodedString())
            case "key id":
                return try data.replacingFirst(keyID, with: Self.changedKeyID(keyID))
            default:
                return try data.replacingFirst("\"ed25519\"", with: "\"ed25518\"")
            }
        }
        let result = try await workspace.verify(
            try workspace.write(members, as: "tampered.zip"), key: workspace.signerPublic)
        let detail =
            switch field {
            case "signature value":
                "the Ed25519 signature does not match manifest.json (the manifest was altered or re-signed)"
            case "key id": "the key id \(Self.changedKeyID(keyID)) does not match the public key it names"
            default: "the signature member is not an Ed25519 bundle signature"
            }
        expectTampered(result, step: "signature", detail: detail)
    }

    @Test(
        "a removed member",
        arguments: [
            ("report.xml", "files", "report.xml is listed but missing from the archive"),
            ("evidence:drill:.csv", "files", "%path% is listed but missing from the archive"),
            ("drreport.yaml", "files", "drreport.yaml is listed but missing from the archive"),
            ("signature", "signature", "the signature member is missing"),
            ("manifest.json", "manifest", "manifest.json is missing"),
        ])
    func removedMember(_ name: String, step: String, detail: String) async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let path = try Self.path(name, in: try workspace.manifest())
        let members = try workspace.members()
        #expect(members.contains { $0.path == path })
        let bundle = try workspace.write(members.filter { $0.path != path }, as: "tampered.zip")
        let result = try await workspace.verify(bundle, key: workspace.signerPublic)
        expectTampered(result, step: step, detail: detail.replacingOccurrences(of: "%path%", with: path))
    }

    @Test(
        "an added member, unlisted or duplicating a listed one",
        arguments: [
            ("notes.txt", "files", "notes.txt is in the archive but not in the manifest (an added member)"),
            (
                "evidence/0000000000000000000000000000000000000000000000000000000000000000/extra.jsonl", "files",
                "evidence/0000000000000000000000000000000000000000000000000000000000000000/extra.jsonl is in the archive but not in the manifest (an added member)"
            ),
            ("report.html", "archive", "member 'report.html' appears twice"),
        ])
    func addedMember(_ path: String, step: String, detail: String) async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let members = try workspace.members() + [BundleZip.Member(path: path, data: Data("added later\n".utf8))]
        let result = try await workspace.verify(
            try workspace.write(members, as: "tampered.zip"), key: workspace.signerPublic)
        expectTampered(result, step: step, detail: detail)
    }

    @Test("the same manifest JSON with its keys in another order: the signature is over bytes, so it no longer holds")
    func manifestKeysReordered() async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let original = try BundleZip.member("manifest.json", of: workspace.bundle)
        let object = try ManifestJSON(original).object
        // The top-level keys in reverse order, each value as JSON.
        var text = "{\n"
        text += try object.keys.sorted(by: >).map { key in
            let value = try JSONSerialization.data(
                withJSONObject: object[key] ?? NSNull(),
                options: [.fragmentsAllowed, .sortedKeys, .withoutEscapingSlashes])
            return "  \"\(key)\" : " + String(decoding: value, as: UTF8.self)
        }.joined(separator: ",\n")
        text += "\n}\n"
        let reordered = Data(text.utf8)
        // The premise: the same JSON document, other bytes.
        let same = try JSONSerialization.jsonObject(with: reordered) as? NSDictionary
        #expect(same?.isEqual(to: object) == true)
        #expect(reordered != original)
        try await Self.expectSignatureMismatch(workspace, replacing: ["manifest.json": reordered])
    }

    @Test("the manifest's files listed in another order: the signature no longer holds")
    func manifestFilesReordered() async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        var manifest = try ManifestJSON(try BundleZip.member("manifest.json", of: workspace.bundle))
        manifest.files.reverse()
        try await Self.expectSignatureMismatch(workspace, replacing: ["manifest.json": try manifest.encoded()])
    }

    @Test("verify --key with another key pair's public key: the signer is named and refused")
    func wrongKey() async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let result = try await workspace.verify(workspace.bundle, key: workspace.otherPublic)
        expectTampered(
            result, step: "signature",
            detail:
                "signed with key \(workspace.sample.signer.keyID), not with the trusted key \(workspace.sample.other.keyID)"
        )
    }

    @Test("report.xml edited to turn a fail into a pass, with the manifest's hash and size for it updated")
    func reportFailTurnedIntoPass() async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let forged = try Self.failTurnedIntoPass(try BundleZip.member("report.xml", of: workspace.bundle))
        var manifest = try ManifestJSON(try BundleZip.member("manifest.json", of: workspace.bundle))
        try manifest.update("report.xml", to: forged)
        try await Self.expectSignatureMismatch(
            workspace, replacing: ["report.xml": forged, "manifest.json": try manifest.encoded()])
    }

    /// The sample report with its first finding (the late core-banking-ledger restore) turned from fail into pass.
    static func failTurnedIntoPass(_ report: Data) throws -> Data {
        let finding = """
                  <Subject>core-banking-ledger@DR-2026-Q3-02#1</Subject>
                  <Status>fail</Status>
            """
        let forged = try report.replacingFirst(
            finding, with: finding.replacingOccurrences(of: ">fail<", with: ">pass<"))
        #expect(forged.count == report.count && forged != report)
        return forged
    }

    @Test(
        "one flipped byte in the archive file itself, no rebuild: the member's data no longer inflates to what its CRC says"
    )
    func rawByteFlipped() async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        // The middle of report.html's compressed data: find the member's name in its local header, then go past it.
        let bytes = workspace.sample.bundle
        let name = Data("report.html".utf8)
        let header = try #require(bytes.range(of: name))
        let damaged = bytes.flippingBit(at: header.upperBound + 2_000)
        let bundle = workspace.scratch.path("damaged.zip")
        try damaged.write(to: bundle)
        let result = try await workspace.verify(bundle, key: workspace.signerPublic)
        #expect(result.status == 3, "\(result)")
        let last = result.stdoutLines.last ?? ""
        #expect(
            last == "FAIL files      member 'report.html' cannot be read (corrupt or truncated)"
                || last == "FAIL files      member 'report.html' is corrupt (its CRC-32 or size does not match)",
            "\(result)")
    }
}
