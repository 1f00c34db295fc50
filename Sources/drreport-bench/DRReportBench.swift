import ArgumentParser
import Foundation

@main
struct DRReportBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "drreport-bench",
        abstract: "Generate bank-scale synthetic quarters of DR evidence for drreport's benchmarks and scale tests.",
        discussion: "Not part of drreport. scripts/benchmark.py drives it; see BENCHMARKS.md.",
        version: "format \(QuarterGenerator.formatVersion)",
        subcommands: [GenerateCommand.self]
    )
}

struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a synthetic quarter (2026-Q3) in drreport's real input formats, with planted violations.",
        discussion: """
            At --scale 1.0 (DESIGN §9): 36 workspaces × 2 regions, ~2,500 Terraform resources per state, \
            ~3,000 pipeline runs, ~1,500 change requests, 4 drills × 11 drilled processes, ~20,000 tables × 4 \
            consistency runs. The same seed and scale give byte-identical files. expected.json lists every \
            finding drreport check must report as fail, indeterminate or waived.
            """)

    @Option(help: ArgumentHelp("The folder to create (must not exist, unless --force).", valueName: "dir"))
    var output: String

    @Option(help: "Size factor: 1.0 is the bank of DESIGN §9; 0.125, 2 scale every count.")
    var scale: Double = 1.0

    @Option(help: "Seed of every random choice.")
    var seed: UInt64 = 42

    @Flag(help: "Replace the output folder if it exists.")
    var force = false

    func validate() throws {
        guard scale > 0, scale <= 16 else { throw ValidationError("--scale must be in (0, 16]") }
    }

    func run() throws {
        let url = URL(fileURLWithPath: output)
        if FileManager.default.fileExists(atPath: url.path) {
            guard force else { throw ValidationError("\(output) exists; pass --force to replace it") }
            try FileManager.default.removeItem(at: url)
        }
        let started = Date()
        let generator = QuarterGenerator(seed: seed, scale: scale)
        let totals = try generator.write(to: url) { step in
            FileHandle.standardError.write(Data("generating \(step)…\n".utf8))
        }
        let bytes = totals.bytes.values.reduce(0, +)
        let seconds = Date().timeIntervalSince(started)
        print("quarter     \(output)")
        print("seed/scale  \(seed) / \(scale)")
        print("evidence    \(totals.files) files, \(String(format: "%.1f", Double(bytes) / 1_048_576)) MiB")
        for kind in totals.bytes.keys.sorted() {
            print("  \(kind.padding(toLength: 12, withPad: " ", startingAt: 0)) \(String(format: "%8.1f", Double(totals.bytes[kind] ?? 0) / 1_048_576)) MiB  \(totals.records[kind] ?? 0) records")
        }
        print("runs        \(generator.plan.runs.count) (\(generator.plan.runs.filter(\.carriesState).count) with state.json)")
        print("changes     \(generator.plan.changes.count)")
        print("generated in \(String(format: "%.1f", seconds)) s")
    }
}
