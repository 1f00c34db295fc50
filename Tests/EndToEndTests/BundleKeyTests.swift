import Evidence
import Foundation
import Testing

/// `drreport keygen` and the keys `bundle` and `verify` accept (DESIGN §6), and `bundle`'s refusal of a
/// store that fails its integrity check.
@Suite("Evidence bundles: keys, inputs and the store they are made from")
struct BundleKeyTests {
    static func mode(_ url: URL) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: url.path)[.posixPermissions] as? Int)
    }

    @Test("keygen writes NAME.key with mode 0600 and a readable NAME.pub, both parsed by OpenSSL")
    func keygenWritesOpenSSLKeys() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let result = try await DRReportBinary.run(
            ["keygen", "--output", "keys/bank"], in: scratch.url, environment: [:])
        // The folder does not exist: keygen makes no folders.
        #expect(result.status == 2, "\(result)")
        #expect(result.stderr.hasPrefix("Error: keys/bank.key: cannot create the key file ("), "\(result.stderr)")
        #expect(result.stdout.isEmpty)

        let made = try await DRReportBinary.run(["keygen", "--output", "bank"], in: scratch.url)
        #expect(made.status == 0, "\(made)")
        #expect(made.stderr.isEmpty)
        #expect(made.stdoutLines.count == 3)
        #expect(
            made.stdoutLines.prefix(2) == [
                "private key  bank.key (mode 0600; keep it secret)", "public key   bank.pub (give it to auditors)",
            ])
        let keyID = try #require(made.stdoutLines.last?.split(separator: " ").last.map(String.init))
        #expect(keyID.hasPrefix("sha256:") && keyID.count == 71)

        #expect(try Self.mode(scratch.path("bank.key")) == 0o600)
        #expect(try Self.mode(scratch.path("bank.pub")) & 0o044 == 0o044, "the public key is readable by others")

        let privateKey = try await ExternalTool.run("openssl", ["pkey", "-in", "bank.key", "-noout"], in: scratch.url)
        #expect(privateKey.status == 0, "\(privateKey)")
        let publicKey = try await ExternalTool.run(
            "openssl", ["pkey", "-pubin", "-in", "bank.pub", "-noout"], in: scratch.url)
        #expect(publicKey.status == 0, "\(publicKey)")
        // OpenSSL derives the same public key from the private one.
        let derived = try await ExternalTool.run("openssl", ["pkey", "-in", "bank.key", "-pubout"], in: scratch.url)
        #expect(derived.stdoutData == (try Data(contentsOf: scratch.path("bank.pub"))))
        // The key id is the SHA-256 of the 32 raw public-key bytes: the DER's last 32 bytes.
        let der = try await ExternalTool.run(
            "openssl", ["pkey", "-pubin", "-in", "bank.pub", "-outform", "DER"], in: scratch.url)
        #expect(der.stdoutData.count == 44)
        #expect(ContentHash.of(Data(der.stdoutData.suffix(32))).description == keyID)
    }

    @Test(
        "keygen refuses to overwrite either file of an existing key: exit 2, files unchanged",
        arguments: ["key", "pub"])
    func keygenNeverOverwrites(_ existing: String) async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let before: [String: Data]
        if existing == "key" {
            let first = try await DRReportBinary.run(["keygen", "--output", "bank"], in: scratch.url)
            #expect(first.status == 0, "\(first)")
            before = [
                "bank.key": try Data(contentsOf: scratch.path("bank.key")),
                "bank.pub": try Data(contentsOf: scratch.path("bank.pub")),
            ]
        } else {
            // Only a public key of that name is there (say, another bank's).
            try scratch.write("bank.pub", Data("someone else's key\n".utf8))
            before = ["bank.pub": try Data(contentsOf: scratch.path("bank.pub"))]
        }
        let again = try await DRReportBinary.run(["keygen", "--output", "bank"], in: scratch.url)
        #expect(again.status == 2, "\(again)")
        #expect(again.stdout.isEmpty)
        #expect(again.stderr == "Error: bank.\(existing): already exists; drreport never overwrites a key\n")
        let after = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted()
        #expect(after == before.keys.sorted())
        for (name, bytes) in before {
            #expect(try Data(contentsOf: scratch.path(name)) == bytes, "\(name)")
        }
    }

    @Test(
        "bundle --key with a public key, a garbage file or a missing file: exit 2, a clear message, no bundle",
        arguments: [
            ("signer.pub", "no PEM block 'PRIVATE KEY'; expected a key written by `drreport keygen`"),
            ("garbage.key", "no PEM block 'PRIVATE KEY'; expected a key written by `drreport keygen`"),
            ("rsa.key", "not an Ed25519 private key (PKCS #8); expected the .key file of `drreport keygen`"),
            ("missing.key", "cannot read the key file"),
        ])
    func bundleRefusesABadKey(_ name: String, message: String) async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let scratch = workspace.scratch
        try scratch.write("garbage.key", Data("this is not a key\n\u{00}\u{01}\u{02}".utf8))
        // A PKCS #8 PEM of another algorithm: an RSA-shaped body under the right label.
        try scratch.write(
            "rsa.key",
            Data(
                "-----BEGIN PRIVATE KEY-----\nMIIBVQIBADANBgkqhkiG9w0BAQEFAASCAT8wggE7AgEAAkEA\n-----END PRIVATE KEY-----\n"
                    .utf8))
        let result = try await DRReportBinary.run(
            SampleBundle.bundleArguments(store: scratch.store, key: scratch.path(name), output: scratch.path("q3.zip")),
            in: scratch.url)
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(result.stderr == "Error: \(scratch.path(name).path): \(message)\n", "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("q3.zip").path))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter { $0.hasSuffix(".tmp") } == [])
    }

    @Test(
        "verify --key with a private key or a garbage file: exit 2 before reading the bundle",
        arguments: [
            ("signer.key", "signer.key: no PEM block 'PUBLIC KEY'; expected a key written by `drreport keygen`"),
            ("garbage.pub", "garbage.pub: no PEM block 'PUBLIC KEY'; expected a key written by `drreport keygen`"),
            ("missing.pub", "missing.pub: cannot read the public key file"),
        ])
    func verifyRefusesABadKey(_ name: String, message: String) async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        try workspace.scratch.write("garbage.pub", Data("not a key\n".utf8))
        let result = try await DRReportBinary.run(["verify", "bundle.zip", "--key", name], in: workspace.scratch.url)
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(result.stderr == "Error: \(message)\n", "\(result.stderr)")
    }

    @Test("a key pair made by OpenSSL signs a bundle that verifies with OpenSSL's public key")
    func openSSLKeyPair() async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let scratch = workspace.scratch
        let generated = try await ExternalTool.run(
            "openssl", ["genpkey", "-algorithm", "ed25519", "-out", "ossl.key"], in: scratch.url)
        #expect(generated.status == 0, "\(generated)")
        let exported = try await ExternalTool.run(
            "openssl", ["pkey", "-in", "ossl.key", "-pubout", "-out", "ossl.pub"], in: scratch.url)
        #expect(exported.status == 0, "\(exported)")
        let bundled = try await DRReportBinary.run(
            SampleBundle.bundleArguments(
                store: scratch.store, key: scratch.path("ossl.key"), output: scratch.path("q3.zip")),
            in: scratch.url)
        #expect(bundled.status == 0, "\(bundled)")
        let verified = try await workspace.verify(scratch.path("q3.zip"), key: scratch.path("ossl.pub"))
        #expect(verified.status == 0, "\(verified)")
        #expect(verified.stdoutLines.first == "drreport verify — INTACT")
    }

    @Test("bundle refuses a store whose rows were edited behind drreport's back: exit 3, no bundle written")
    func bundleRefusesATamperedStore() async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let scratch = workspace.scratch
        // Restore every service an hour earlier, as someone hiding a late recovery would.
        try await SQLiteShell.exec(
            scratch.store, "UPDATE drill_event SET time_ns = time_ns - 3600000000000 WHERE event = 'service_restored';")
        let before = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).sorted()
        let result = try await DRReportBinary.run(
            SampleBundle.bundleArguments(
                store: scratch.store, key: scratch.path("signer.key"), output: scratch.path("q3.zip")),
            in: scratch.url)
        #expect(result.status == 3, "\(result)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        // The first drill log in the ledger is the first broken entry.
        let drill = try #require(try workspace.manifest().ledger.first { $0.kind == "drill" })
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 1, "\(result.stderr)")
        let prefix =
            "Error: the store fails its integrity check; first broken: ledger entry \(drill.seq) (\(drill.evidence)): "
            + "its normalised records were altered (rows digest to "
        #expect(lines.first?.hasPrefix(prefix) == true, "\(result.stderr)")
        #expect(
            lines.first?.hasSuffix(", the ledger says \(drill.records.dropFirst("sha256:".count).prefix(12))…)")
                == true, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("q3.zip").path))
        let after = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter {
            !$0.hasPrefix("evidence.db-")
        }.sorted()
        #expect(after == before.filter { !$0.hasPrefix("evidence.db-") }, "nothing written, not even a temporary file")
    }

    @Test(
        "bundle with a bad period, a missing store or a missing output folder: exit 2, a clear message, nothing written",
        arguments: ["period", "store", "folder"])
    func bundleRefusesBadInput(_ what: String) async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let scratch = workspace.scratch
        var output = scratch.path("q3.zip")
        var arguments = SampleBundle.bundleArguments(
            store: scratch.store, key: scratch.path("signer.key"), output: output)
        let message: String
        switch what {
        case "period":
            arguments[try #require(arguments.firstIndex(of: "--period")) + 1] = "2026-Q7"
            message = "Error: --period: '2026-Q7' is not a quarter; expected YYYY-Qn, e.g. 2026-Q3\n"
        case "store":
            arguments[try #require(arguments.firstIndex(of: "--store")) + 1] = "elsewhere.db"
            message = "Error: elsewhere.db: no evidence store here; run `drreport init` or name one with --store\n"
        default:
            output = scratch.path("bundles/q3.zip")
            arguments[try #require(arguments.firstIndex(of: "--output")) + 1] = output.path
            message = "Error: \(output.path): cannot write the bundle (No such file or directory)\n"
        }
        let before = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter {
            !$0.hasPrefix("evidence.db-")
        }.sorted()
        let result = try await DRReportBinary.run(arguments, in: scratch.url)
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(result.stderr == message, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
        let after = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter {
            !$0.hasPrefix("evidence.db-")
        }.sorted()
        #expect(after == before)
    }

    @Test("bundle over an existing file replaces it, with the same bytes as the earlier run: bundles are deterministic")
    func bundleReplacesAnExistingFile() async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let scratch = workspace.scratch
        try scratch.write("q3.zip", Data("last quarter's draft\n".utf8))
        let result = try await DRReportBinary.run(
            SampleBundle.bundleArguments(
                store: scratch.store, key: scratch.path("signer.key"), output: scratch.path("q3.zip")),
            in: scratch.url)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        #expect(try Data(contentsOf: scratch.path("q3.zip")) == workspace.sample.bundle)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter { $0.hasSuffix(".tmp") } == [])
    }
}
