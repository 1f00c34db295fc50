import Foundation
import Testing

/// An auditor need not trust drreport to check a bundle: the signature verifies with OpenSSL alone and
/// every file's SHA-256 with `sha256sum`, on members extracted by Python's zipfile.
@Suite("Evidence bundles: checked without drreport")
struct BundleOfflineTests {
    /// The bundle extracted with `python3 -m zipfile -e` into `folder`.
    static func extract(_ workspace: BundleWorkspace, into folder: String) async throws -> URL {
        let extracted = try await ExternalTool.run(
            "python3", ["-m", "zipfile", "-e", "bundle.zip", folder], in: workspace.scratch.url)
        #expect(extracted.status == 0, "\(extracted)")
        return workspace.scratch.path(folder)
    }

    @Test("openssl pkeyutl verifies the signature over manifest.json with NAME.pub, and refuses an altered manifest")
    func signatureWithOpenSSL() async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let folder = try await Self.extract(workspace, into: "extracted")
        let signature = try JSONSerialization.jsonObject(
            with: try Data(contentsOf: folder.appendingPathComponent("signature")))
        let fields = try #require(signature as? [String: String])
        #expect(fields["algorithm"] == "ed25519")
        #expect(fields["key_id"] == workspace.sample.signer.keyID)
        #expect(fields["public_key"].map { Data($0.utf8) } == workspace.sample.signer.publicPEM)
        let value = try #require(fields["signature"])
        let raw = try #require(Data(base64Encoded: value))
        #expect(raw.count == 64)
        try raw.write(to: workspace.scratch.path("sig.bin"))

        let verified = try await ExternalTool.run(
            "openssl",
            [
                "pkeyutl", "-verify", "-pubin", "-inkey", "signer.pub", "-rawin", "-in", "extracted/manifest.json",
                "-sigfile", "sig.bin",
            ],
            in: workspace.scratch.url)
        #expect(verified.status == 0, "\(verified)")
        #expect(verified.stdout == "Signature Verified Successfully\n")

        // The same check fails for another key and for a manifest with one bit changed.
        let wrongKey = try await ExternalTool.run(
            "openssl",
            [
                "pkeyutl", "-verify", "-pubin", "-inkey", "other.pub", "-rawin", "-in", "extracted/manifest.json",
                "-sigfile", "sig.bin",
            ],
            in: workspace.scratch.url)
        #expect(wrongKey.status != 0, "\(wrongKey)")
        let manifest = try Data(contentsOf: folder.appendingPathComponent("manifest.json"))
        try workspace.scratch.write("altered.json", manifest.flippingBit(at: manifest.count / 3))
        let altered = try await ExternalTool.run(
            "openssl",
            [
                "pkeyutl", "-verify", "-pubin", "-inkey", "signer.pub", "-rawin", "-in", "altered.json", "-sigfile",
                "sig.bin",
            ],
            in: workspace.scratch.url)
        #expect(altered.status != 0, "\(altered)")
        #expect(altered.stdout.contains("Signature Verification Failure"), "\(altered)")
    }

    @Test(
        "every file's SHA-256 and size in the manifest match sha256sum and the extracted member; nothing else was extracted"
    )
    func hashesWithSha256sum() async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let folder = try await Self.extract(workspace, into: "extracted")
        let manifest = try BundleManifestView.decode(
            try Data(contentsOf: folder.appendingPathComponent("manifest.json")))
        let summed = try await ExternalTool.run("sha256sum", ["--"] + manifest.files.map(\.path), in: folder)
        #expect(summed.status == 0, "\(summed)")
        var sums: [String: String] = [:]
        for line in summed.stdoutLines {
            let parts = line.split(separator: " ", maxSplits: 1)
            sums[String(parts[1].drop { $0 == " " || $0 == "*" })] = "sha256:" + parts[0]
        }
        #expect(sums.count == manifest.files.count)
        for file in manifest.files {
            #expect(sums[file.path] == file.sha256, "\(file.path)")
            let size =
                try FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(file.path).path)[.size]
                as? Int
            #expect(size == file.size, "\(file.path)")
        }
        // Single-file evidence is named by its own hash (DESIGN §3.5): sha256sum of the file is its folder name.
        for entry in manifest.ledger where entry.kind != "apply" && entry.kind != "state" {
            let files = manifest.files(of: entry)
            #expect(files.count == 1, "\(entry.evidence)")
            #expect(files.first.map { sums[$0.path] } == entry.evidence, "\(entry.evidence)")
        }
        // The archive held nothing beyond the listed files, the manifest and the signature.
        let enumerator = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.isRegularFileKey])
        var extracted: [String] = []
        while let url = enumerator?.nextObject() as? URL {
            if (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true {
                extracted.append(
                    String(url.standardizedFileURL.path.dropFirst(folder.standardizedFileURL.path.count + 1)))
            }
        }
        #expect(extracted.sorted() == (manifest.files.map(\.path) + ["manifest.json", "signature"]).sorted())
    }
}
