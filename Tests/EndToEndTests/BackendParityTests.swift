import Foundation
import Testing

/// SQLite and PostgreSQL stores give the same `check` for the same evidence.
@Suite("check on SQLite and on PostgreSQL")
struct BackendParityTests {
    static var postgresURL: String? {
        ProcessInfo.processInfo.environment["DRREPORT_TEST_POSTGRES_URL"].flatMap { $0.isEmpty ? nil : $0 }
    }

    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } ?? false }

    /// The findings of `check --format json`, with the one value that must differ between two stores
    /// (the ledger head: its entries carry each store's own ingestion instants) masked.
    static func findings(_ stdout: Data) throws -> String {
        let text = String(decoding: stdout, as: UTF8.self)
        return text.replacingOccurrences(of: #"ledger head [0-9a-f]{12}"#, with: "ledger head <head>", options: .regularExpression)
            .replacingOccurrences(of: #""head" : "sha256:[0-9a-f]{64}""#, with: #""head" : "<head>""#, options: .regularExpression)
    }

    @Test func theSameEvidenceGivesTheSameFindings() async throws {
        guard let server = Self.postgresURL else {
            if Self.inCI {
                Issue.record("DRREPORT_TEST_POSTGRES_URL is not set, but CI is: run `eval \"$(bash .ci/postgres start)\"` first")
            }
            return
        }
        let scratch = try Scratch()
        defer { scratch.remove() }
        let samples = CheckCommandTests.packageRoot.appendingPathComponent("samples/evidence").path
        let policy = CheckCommandTests.policy

        // A database of its own on the test server.
        let database = "drreport_parity_\(UUID().uuidString.prefix(8).lowercased())"
        try await runTool("/usr/bin/psql", [server, "-q", "-c", "CREATE DATABASE \(database)"], in: scratch.url)
        guard var components = URLComponents(string: server) else { throw HarnessError("bad test server URL") }
        components.path = "/" + database
        let postgres = try #require(components.string)
        defer {
            // Not in the scratch folder: it is removed before this task runs psql.
            Task {
                try? await runTool(
                    "/usr/bin/psql", [server, "-q", "-c", "DROP DATABASE IF EXISTS \(database)"], in: FileManager.default.temporaryDirectory)
            }
        }

        var outputs: [String] = []
        for store in [scratch.store.path, postgres] {
            let ingest = try await DRReportBinary.run(["ingest", "--store", store, samples], in: scratch.url)
            #expect(ingest.status == 0, "\(ingest)")
            let check = try await DRReportBinary.run(
                ["check", "--store", store, "--config", policy, "--period", "2026-Q3", "--format", "json"], in: scratch.url)
            #expect(check.status == 1, "\(check)")
            outputs.append(try Self.findings(check.stdoutData))
        }
        #expect(outputs[0].count > 10_000)
        #expect(outputs[0] == outputs[1], "the two stores' findings differ")
    }
}
