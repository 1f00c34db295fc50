import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `drreport report` as a risk officer runs it each quarter (DESIGN §6, §7): three files or none, the
/// XML valid against the shipped schema, the same bytes every time, and a clear exit 2 otherwise.
@Suite("report command")
struct ReportCommandTests {
    static let reportFiles = ["oscal-ar.xml", "report.html", "report.xml"]

    /// A scratch folder with a copy of the sample store.
    static func workspace(_ name: String = #function) async throws -> Scratch {
        let sample = try await SampleBundle.get()
        let scratch = try Scratch(name)
        try scratch.write("evidence.db", sample.store)
        return scratch
    }

    static func contents(_ folder: URL) throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
    }

    /// A folder's files other than the store's own (`evidence.db-wal`, `-shm`: opening a store makes them).
    static func written(_ folder: URL) throws -> [String] {
        try contents(folder).filter { !$0.hasPrefix("evidence.db-") }
    }

    /// `xmllint --schema` with the shipped XSD, independent of drreport's own validation.
    static func validate(_ report: URL) async throws -> ProcessResult {
        let schema = SampleBundle.templates.appendingPathComponent("drreport-report.xsd")
        return try await ExternalTool.run(
            "xmllint", ["--noout", "--schema", schema.path, report.lastPathComponent],
            in: report.deletingLastPathComponent())
    }

    @Test("report writes exactly report.html, report.xml and oscal-ar.xml, prints them and the verdicts; exit 0")
    func writesTheThreeReports() async throws {
        let scratch = try await Self.workspace()
        defer { scratch.remove() }
        let output = scratch.path("q3")
        let result = try await DRReportBinary.run(
            SampleBundle.reportArguments(store: scratch.store, output: output), in: scratch.url)
        #expect(result.status == 0, "\(result)")
        #expect(result.stderr.isEmpty, "\(result.stderr)")
        #expect(try Self.contents(output) == Self.reportFiles)
        #expect(result.stdoutLines.count == 4, "\(result)")
        #expect(
            Array(result.stdoutLines.prefix(3)) == [
                "report.html  \(output.path)/report.html", "report.xml   \(output.path)/report.xml",
                "oscal-ar.xml \(output.path)/oscal-ar.xml",
            ])
        let summary = result.stdoutLines.last ?? ""
        let expected = "2026-Q3: 108 findings — \(SampleBundle.findings) (report DRR-2026-Q3-"
        #expect(
            summary.hasPrefix(expected) && summary.hasSuffix(")") && summary.count == expected.count + 13, "\(summary)")

        let validated = try await Self.validate(output.appendingPathComponent("report.xml"))
        #expect(validated.status == 0, "\(validated)")
        #expect(validated.stderr == "report.xml validates\n")
        // The HTML is one self-contained page; the OSCAL file is OSCAL assessment results.
        let html = String(decoding: try Data(contentsOf: output.appendingPathComponent("report.html")), as: UTF8.self)
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(!html.contains("<script") && !html.contains("<link ") && !html.contains("src=\"http"))
        let oscal = String(decoding: try Data(contentsOf: output.appendingPathComponent("oscal-ar.xml")), as: UTF8.self)
        #expect(oscal.contains("<assessment-results") && oscal.contains("http://csrc.nist.gov/ns/oscal/1.0"))
    }

    @Test("the reports a bundle carries are the ones report writes for the same store, period and instant")
    func bundleCarriesTheReports() async throws {
        let scratch = try await Self.workspace()
        defer { scratch.remove() }
        let sample = try await SampleBundle.get()
        try scratch.write("bundle.zip", sample.bundle)
        let result = try await DRReportBinary.run(
            SampleBundle.reportArguments(store: scratch.store, output: scratch.path("q3")), in: scratch.url)
        #expect(result.status == 0, "\(result)")
        let bundled = try BundleZip.members(of: scratch.path("bundle.zip"))
        for name in Self.reportFiles {
            let member = try #require(bundled.first { $0.path == name }, "\(name)")
            #expect(member.data == (try Data(contentsOf: scratch.path("q3/\(name)"))), "\(name)")
        }
    }

    /// A folder that nobody may write to, and why creating a folder in it fails: `/sys` for root on
    /// Linux (root ignores modes; sysfs refuses new entries), otherwise a folder of the scratch with mode 0555.
    static func readOnlyFolder(in scratch: Scratch) throws -> (folder: URL, reason: String) {
        #if os(Linux)
            if geteuid() == 0 { return (URL(fileURLWithPath: "/sys"), "Operation not permitted") }
        #endif
        let folder = scratch.path("read-only")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: folder.path)
        return (folder, "Permission denied")
    }

    @Test(
        "an output that cannot be a folder or cannot be created: exit 2, a clear error, nothing written",
        arguments: ["a file where the folder should be", "a folder under a file", "a folder under a read-only folder"])
    func unwritableOutput(_ situation: String) async throws {
        let scratch = try await Self.workspace()
        defer {
            try? FileManager.default.setAttributes(
                [.posixPermissions: 0o755], ofItemAtPath: scratch.path("read-only").path)
            scratch.remove()
        }
        try scratch.write("q3", Data("not a folder\n".utf8))
        let output: URL
        let message: String
        switch situation {
        case "a file where the folder should be":
            output = scratch.path("q3")
            message = "Error: \(output.path): exists and is not a folder\n"
        case "a folder under a file":
            output = scratch.path("q3/reports")
            message = "Error: \(output.path): cannot create the output folder (Not a directory)\n"
        default:
            let (folder, reason) = try Self.readOnlyFolder(in: scratch)
            output = folder.appendingPathComponent("drreport-\(UUID().uuidString.prefix(8))")
            message = "Error: \(output.path): cannot create the output folder (\(reason))\n"
        }
        let before = try Self.written(scratch.url)
        let result = try await DRReportBinary.run(
            SampleBundle.reportArguments(store: scratch.store, output: output), in: scratch.url)
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        // The reason in words (STYLE: foreign errors are translated), not a Foundation error code.
        #expect(result.stderr == message, "\(result.stderr)")
        #expect(
            !FileManager.default.fileExists(atPath: output.path) || situation == "a file where the folder should be")
        #expect(try Self.written(scratch.url) == before, "nothing written, no temporary file left")
        #expect(try Data(contentsOf: scratch.path("q3")) == Data("not a folder\n".utf8))
    }

    /// A copy of the shipped templates with one change.
    static func templates(in scratch: Scratch, editing name: String, _ change: (String) -> String) throws -> URL {
        let folder = scratch.path("templates")
        try FileManager.default.copyItem(at: SampleBundle.templates, to: folder)
        let file = folder.appendingPathComponent(name)
        let text = try String(contentsOf: file, encoding: .utf8)
        let changed = change(text)
        #expect(changed != text, "the template really changed")
        try Data(changed.utf8).write(to: file)
        return folder
    }

    @Test(
        "a broken template: exit 2 naming the template, line and column; last quarter's report in the folder untouched")
    func brokenTemplate() async throws {
        let scratch = try await Self.workspace()
        defer { scratch.remove() }
        let templates = try Self.templates(in: scratch, editing: "report.mustache") {
            $0.replacingOccurrences(of: "{{#drills}}", with: "{{#drills}")
        }
        let output = scratch.path("q3")
        var earlier: [String: Data] = [:]
        for name in Self.reportFiles {
            earlier[name] = Data("an earlier \(name)\n".utf8)
            try scratch.write("q3/\(name)", Data("an earlier \(name)\n".utf8))
        }
        let result = try await DRReportBinary.run(
            SampleBundle.reportArguments(store: scratch.store, output: output) + ["--templates", templates.path],
            in: scratch.url)
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(
            result.stderr
                == "Error: \(templates.path)/report.mustache:45: column 10: a tag is not closed with '}}'; "
                + "the line reads '{{#drills}'\n")
        #expect(try Self.contents(output) == Self.reportFiles, "no new or temporary file")
        for name in Self.reportFiles {
            #expect(try Data(contentsOf: output.appendingPathComponent(name)) == earlier[name], "\(name)")
        }
    }

    @Test("--templates naming a folder that does not exist: exit 2, named, no report written")
    func missingTemplatesFolder() async throws {
        let scratch = try await Self.workspace()
        defer { scratch.remove() }
        let templates = scratch.path("templates")
        let output = scratch.path("q3")
        let result = try await DRReportBinary.run(
            SampleBundle.reportArguments(store: scratch.store, output: output) + ["--templates", templates.path],
            in: scratch.url)
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "Error: \(templates.path): the templates folder does not exist\n")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test(
        "a bad period: exit 2 (or 64 for a malformed flag), nothing written",
        arguments: [
            (
                ["--period", "2026-Q5"], 2,
                "Error: --period: '2026-Q5' is not a quarter; expected YYYY-Qn, e.g. 2026-Q3\n"
            ),
            (
                ["--period", "Q3-2026"], 2,
                "Error: --period: 'Q3-2026' is not a quarter; expected YYYY-Qn, e.g. 2026-Q3\n"
            ),
            (
                ["--generated-at", "2026-10-01 09:00"], 64,
                "Error: --generated-at '2026-10-01 09:00' is not an RFC 3339 timestamp with an offset\n"
            ),
        ])
    func badPeriod(_ override: [String], status: Int32, message: String) async throws {
        let scratch = try await Self.workspace()
        defer { scratch.remove() }
        let output = scratch.path("q3")
        var arguments = SampleBundle.reportArguments(store: scratch.store, output: output)
        let flag = try #require(arguments.firstIndex(of: override[0]))
        arguments[flag + 1] = override[1]
        let result = try await DRReportBinary.run(arguments, in: scratch.url)
        #expect(result.status == status, "\(result)")
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.hasPrefix(message), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: output.path))
    }

    @Test("a period with no evidence still renders, and the HTML's first section says so")
    func periodWithoutEvidence() async throws {
        let scratch = try await Self.workspace()
        defer { scratch.remove() }
        let output = scratch.path("q1")
        let result = try await DRReportBinary.run(
            SampleBundle.reportArguments(store: scratch.store, output: output, period: "2025-Q1"), in: scratch.url)
        #expect(result.status == 0, "\(result)")
        #expect(try Self.contents(output) == Self.reportFiles)
        #expect(result.stdoutLines.last?.hasPrefix("2025-Q1: ") == true, "\(result)")
        let html = String(decoding: try Data(contentsOf: output.appendingPathComponent("report.html")), as: UTF8.self)
        let sections = html.components(separatedBy: "<section ").dropFirst()
        let first = try #require(sections.first)
        #expect(first.hasPrefix("id=\"summary\""), "\(first.prefix(80))")
        #expect(
            first.contains(
                "<strong>This period has no evidence.</strong> No evidence was recorded for 2025-Q1: no drill, no pipeline run, no change record and no consistency check."
            ))
        let validated = try await Self.validate(output.appendingPathComponent("report.xml"))
        #expect(validated.status == 0, "\(validated)")
    }

    @Test("report run again into the folder of an earlier run replaces its three files")
    func rerunIntoTheSameFolder() async throws {
        let scratch = try await Self.workspace()
        defer { scratch.remove() }
        let output = scratch.path("q3")
        let first = try await DRReportBinary.run(
            SampleBundle.reportArguments(store: scratch.store, output: output), in: scratch.url)
        #expect(first.status == 0, "\(first)")
        var earlier: [String: Data] = [:]
        for name in Self.reportFiles { earlier[name] = try Data(contentsOf: output.appendingPathComponent(name)) }

        // The earlier files marked, so the test sees they were replaced and not left in place.
        for name in Self.reportFiles {
            try Data("an earlier draft\n".utf8).write(to: output.appendingPathComponent(name))
        }
        let again = try await DRReportBinary.run(
            SampleBundle.reportArguments(store: scratch.store, output: output), in: scratch.url)
        #expect(again.status == 0, "\(again)")
        #expect(again.stderr.isEmpty, "\(again.stderr)")
        #expect(try Self.contents(output) == Self.reportFiles, "the three files, no temporary file left")
        for name in Self.reportFiles {
            #expect(try Data(contentsOf: output.appendingPathComponent(name)) == earlier[name], "\(name)")
        }
    }
}
