import ArgumentParser
import Crypto
import Evidence
import Foundation
import Reports

struct BundleCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Write a signed evidence bundle of a period for auditors: evidence, policy, reports, manifest, signature.",
        discussion: "The store is verified first; a store that fails its integrity check is not bundled (exit 3).")

    @OptionGroup var storeOptions: StoreOptions

    @OptionGroup var inputs: ReportInputs

    @Option(help: ArgumentHelp("The Ed25519 private key (NAME.key from `drreport keygen`).", valueName: "file"))
    var key: String

    @Option(help: ArgumentHelp("The bundle file to write (.zip).", valueName: "file"))
    var output: String

    func run() async throws {
        // Its report.xml is sealed and validated on two threads while the model is held: with their
        // arenas shared, the peak stays well under 512 MiB at bank scale (HeapTrim.shareArenas).
        HeapTrim.shareArenas()
        var broken = false
        try await reportingErrors {
            let (policy, policyBytes, period, instant, templatesURL) = try inputs.load()
            guard let keyText = try? String(contentsOfFile: key, encoding: .utf8) else {
                throw ReportsError(.invalidKey, source: key, "cannot read the key file")
            }
            let signingKey = try SigningKey.privateKey(pem: keyText, source: key)
            let store = try await storeOptions.open().snapshot()
            let integrity = try await store.verify()
            guard integrity.intact else {
                broken = true
                Terminal.error("the store fails its integrity check; first broken: \(integrity.problems[0])")
                return
            }
            let ledger = try await store.ledgerEntries()
            let (model, context) = try await ReportModel.buildWithContext(
                store: store, policy: policy, policyBytes: policyBytes, period: period, generatedAt: instant,
                toolVersion: DRReportVersion.current, ledger: ledger, integrity: integrity)
            let evidence = try await context.evidenceUsed(store: store)
            // The reports are rendered one at a time to files the bundle is then written from.
            let rendered = FileManager.default.temporaryDirectory
                .appendingPathComponent("drreport-bundle-\(UUID().uuidString.prefix(8).lowercased())")
            defer { try? FileManager.default.removeItem(at: rendered) }
            do {
                try FileManager.default.createDirectory(at: rendered, withIntermediateDirectories: true)
            } catch {
                throw ReportsError(.output, source: rendered.path, "cannot create a folder for the rendered reports (\(FileOutput.reason(error)))")
            }
            var reports: [String: BundleWriter.RenderedFile] = [:]
            for file in ReportSet.File.allCases {
                reports[file.name] = try BundleWriter.RenderedFile(
                    writing: try file.render(model, templates: templatesURL), to: rendered.appendingPathComponent(file.name))
                HeapTrim.now()
            }
            let summary = try await BundleWriter.write(
                BundleWriter.Inputs(
                    period: period, toolVersion: DRReportVersion.current, generatedAt: instant, policyBytes: policyBytes,
                    reports: reports, ledger: ledger, evidence: evidence),
                store: store, key: signingKey, to: URL(fileURLWithPath: output))
            Terminal.out("bundle        \(output)")
            Terminal.out("period        \(period)")
            Terminal.out("manifest      \(summary.manifestHash)")
            Terminal.out("signed by     \(summary.keyID)")
            Terminal.out("contents      \(summary.files) files, \(summary.bytes) bytes; \(summary.evidence) evidence items; \(ledger.count) ledger entries")
        }
        if broken { throw ExitCode(3) }
    }
}

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Verify an evidence bundle offline: signature, every file, the ledger chain, and that the rules reproduce report.xml.",
        discussion: "Exit 0 intact; 3 when anything was altered, removed, added or signed by another key; 2 when the file is not a bundle.")

    @Argument(help: "The bundle file.")
    var bundle: String

    @Option(help: ArgumentHelp("The signer's public key (NAME.pub); without it the key id is reported but not trusted.", valueName: "file"))
    var key: String?

    func run() async throws {
        var exitCode: Int32 = 0
        try await reportingErrors {
            var trusted: Curve25519.Signing.PublicKey?
            if let key {
                guard let text = try? String(contentsOfFile: key, encoding: .utf8) else {
                    throw ReportsError(.invalidKey, source: key, "cannot read the public key file")
                }
                trusted = try SigningKey.publicKey(pem: text, source: key)
            }
            guard FileManager.default.fileExists(atPath: bundle) else {
                throw ReportsError(.invalidBundle, source: bundle, "no such file")
            }
            let work = FileManager.default.temporaryDirectory.appendingPathComponent("drreport-verify-\(UUID().uuidString.prefix(8).lowercased())")
            defer { try? FileManager.default.removeItem(at: work) }
            let verdict = await BundleVerifier.verify(
                URL(fileURLWithPath: bundle), trustedKey: trusted, workDirectory: work,
                reproduction: BundleVerifier.Reproduction(
                    renderXML: { model throws(ReportsError) in try XMLReportRenderer.reproduce(model) },
                    integrityHolds: { data throws(ReportsError) in try XMLReportRenderer.verifyIntegrity(data) }))
            let title: String
            switch verdict.outcome {
            case .intact:
                title = "INTACT"
            case .tampered:
                title = "INTEGRITY FAILURE"
                exitCode = 3
            case .notABundle:
                title = "NOT A BUNDLE"
                exitCode = 2
            }
            Terminal.out("drreport verify — \(title)")
            Terminal.out("bundle        \(bundle)")
            if let period = verdict.period { Terminal.out("period        \(period)") }
            if let hash = verdict.manifestHash { Terminal.out("manifest      \(hash)") }
            if let keyID = verdict.keyID {
                Terminal.out("signed by     \(keyID)" + (verdict.keyChecked ? " (trusted key given)" : " (not checked against a trusted key)"))
            }
            for step in verdict.steps {
                Terminal.out("\(step.passed ? "ok  " : "FAIL") \(step.name.padding(toLength: 10, withPad: " ", startingAt: 0)) \(step.detail)")
            }
            if verdict.outcome == .intact {
                Terminal.out("verified with drreport \(DRReportVersion.current) on \(Instant.now.rfc3339(utc: true, fractionDigits: 0))")
            }
        }
        if exitCode != 0 { throw ExitCode(exitCode) }
    }
}
