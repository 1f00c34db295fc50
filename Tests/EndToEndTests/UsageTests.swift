import Foundation
import Testing

/// DESIGN §6: 64 for command-line usage errors, with the message on stderr and nothing written.
@Suite("Command-line usage errors")
struct UsageTests {
    @Test(
        "usage errors exit 64 and touch no store",
        arguments: [
            (["ingest", "--bogus", "drill.jsonl"], "Unknown option '--bogus'"),
            (
                ["ingest", "--workspace", "neprix-tech-prod", "state.json"],
                "--workspace, --region and --as-of go with --kind state"
            ),
            (
                ["ingest", "--kind", "drill", "--region", "westeurope", "drill.jsonl"],
                "--workspace, --region and --as-of go with --kind state"
            ),
            (
                ["ingest", "--kind", "state", "--workspace", "neprix-tech-prod", "state.json"],
                "--kind state needs --workspace and --region"
            ),
            (
                [
                    "ingest", "--kind", "state", "--workspace", "w", "--region", "r", "--as-of", "2026-09-12T08:00:00",
                    "state.json",
                ],
                "--as-of '2026-09-12T08:00:00' is not an RFC 3339 timestamp with an offset"
            ),
            (["ingest", "--kind", "plan", "drill.jsonl"], "plan"),
            (["ingest"], "Missing expected argument '<paths> ...'"),
            (["evidence", "list", "--format", "xml"], "xml"),
            (["evidence", "show"], "Missing expected argument '<id>'"),
            (["evidence", "frobnicate"], "frobnicate"),
            (["frobnicate"], "frobnicate"),
        ])
    func usageError(arguments: [String], message: String) async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        try scratch.write("drill.jsonl", Fixtures.drillLog("DR-USAGE"))
        try scratch.write("state.json", Fixtures.state(resources: 1))

        // An unknown subcommand is reported before any option, so it gets no --store.
        let store = arguments.contains("frobnicate") ? [] : scratch.storeArguments
        let result = try await DRReportBinary.run(arguments + store, in: scratch.url)
        #expect(result.status == 64, "\(result)")
        #expect(result.stderr.contains("Error: "), "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(!FileManager.default.fileExists(atPath: scratch.store.path), "a usage error writes nothing")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("drreport.db").path))
    }

    @Test("a state with --kind state, --workspace and --region is accepted")
    func stateWithBinding() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let state = Fixtures.state(resources: 2)
        try scratch.write("state.json", state)
        let result = try await DRReportBinary.run(
            [
                "ingest", "--kind", "state", "--workspace", "neprix-tech-prod", "--region", "northeurope",
                "--as-of", "2026-09-30T22:00:00+02:00", "state.json",
            ] + scratch.storeArguments,
            in: scratch.url)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdoutLines.last == "1 new, 0 duplicate, 0 rejected")
        let listed = try await StoreProbe.list(scratch)
        #expect(listed.map(\.covers) == ["state neprix-tech-prod@northeurope (2 resources)"])
        #expect(listed.first?.files.map(\.name) == ["binding.json", "state.json"])
        #expect(
            try await SQLiteShell.exec(scratch.store, "SELECT workspace, region, as_of_ns, as_of_off FROM tf_state;")
                == ["neprix-tech-prod|northeurope|1790798400000000000|7200"])
    }

    @Test("--help and --version exit 0 on stdout")
    func helpAndVersion() async throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let help = try await DRReportBinary.run(["--help"], in: scratch.url)
        #expect(help.status == 0, "\(help)")
        #expect(help.stdout.contains("USAGE: drreport"))
        #expect(help.stdout.contains("Exit codes: 0 every selected finding passes"))
        #expect(help.stderr.isEmpty)
        let version = try await DRReportBinary.run(["--version"], in: scratch.url)
        #expect(version.status == 0, "\(version)")
        #expect(version.stdout == "0.1.0\n")
    }
}
