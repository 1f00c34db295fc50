import Foundation
import Testing

@testable import Evidence

/// Where the conformance suite finds its inputs, and small helpers to parse them and check the outcome.
///
/// Files are located from this source file (`#filePath`), not from the working directory, so the suite
/// runs the same from `swift test`, an IDE or CI.
enum Fixtures {
    /// `Tests/EvidenceTests`.
    static let testsDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()

    /// `Tests/EvidenceTests/Fixtures`.
    static let directory = testsDirectory.appendingPathComponent("Fixtures")

    /// The package root: the nearest folder above this file holding `Package.swift`.
    static let packageRoot: URL? = {
        var folder = testsDirectory
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                return folder
            }
            folder = folder.deletingLastPathComponent()
        }
        return nil
    }()

    /// Whether the suite runs in CI (`CI` set), where missing shared data is a failure, not a skip.
    static let isCI = ProcessInfo.processInfo.environment["CI"] != nil

    /// `../shared/reference` from the package root, when it exists.
    static let referenceDirectory: URL? = existingFolder(relativeToRoot: "../shared/reference")

    /// `samples/evidence` in the package, when it exists.
    static let samplesDirectory: URL? = existingFolder(relativeToRoot: "samples/evidence")

    /// Whether tests over the reference files should run: they must when the folder is there, and
    /// must fail (not skip) in CI when it is not.
    static let runReferenceTests = referenceDirectory != nil || isCI

    static func existingFolder(relativeToRoot path: String) -> URL? {
        guard let root = packageRoot else { return nil }
        let folder = root.appendingPathComponent(path).standardizedFileURL
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory), isDirectory.boolValue
        else { return nil }
        return folder
    }

    /// The bytes of a fixture, by path under `Fixtures/`.
    static func data(_ path: String) throws -> Data {
        try Data(contentsOf: directory.appendingPathComponent(path))
    }

    /// The bytes of a reference file, by path under `../shared/reference/`; fails clearly when absent.
    static func reference(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Data {
        let folder = try #require(
            referenceDirectory,
            "../shared/reference is missing (looked next to the package root \(packageRoot?.path ?? "?")); CI is set, so this is a failure",
            sourceLocation: sourceLocation)
        return try Data(contentsOf: folder.appendingPathComponent(path))
    }

    /// Parses one file as `drreport ingest` would, keeping the typed error.
    static func parse(_ bytes: Data, name: String, options: ParseOptions = ParseOptions()) -> Result<
        ParsedEvidence, EvidenceError
    > {
        Result { () throws(EvidenceError) -> ParsedEvidence in
            try EvidenceParser.parse(EvidenceInput(source: name, name: name, bytes: bytes), options: options)
        }
    }

    /// Parses a fixture file under `Fixtures/`.
    static func parseFixture(_ path: String, options: ParseOptions = ParseOptions()) throws -> Result<
        ParsedEvidence, EvidenceError
    > {
        parse(try data(path), name: (path as NSString).lastPathComponent, options: options)
    }

    /// Loads a folder or archive with ``EvidenceSources`` and parses it.
    static func load(_ item: EvidenceSources.Item, options: ParseOptions = ParseOptions()) -> Result<
        ParsedEvidence, EvidenceError
    > {
        EvidenceSources.load(item).flatMap { input in
            Result { () throws(EvidenceError) -> ParsedEvidence in try EvidenceParser.parse(input, options: options) }
        }
    }

    /// Options for a state ingested on its own.
    static let stateOptions = ParseOptions(kind: .state, workspace: "neprix-tech-prod", region: "westeurope")

    /// A fresh temporary folder; the caller removes it.
    static func temporaryDirectory() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "drreport-conformance-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// Runs a command-line tool (`zip`, `tar`) in a folder and fails the test if it does not exit 0.
    static func run(
        _ tool: String, _ arguments: [String], in folder: URL, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        process.currentDirectoryURL = folder
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(
            process.terminationStatus == 0,
            "\(tool) \(arguments.joined(separator: " ")) exited \(process.terminationStatus)",
            sourceLocation: sourceLocation)
    }

    /// An instant from RFC 3339 text, for expected values written the way a person reads them.
    static func instant(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> Instant {
        try #require(
            try? Timestamp.parseRFC3339(text).get(), "bad expected timestamp \(text)", sourceLocation: sourceLocation)
    }
}

/// The exact error an input must be refused with. `nil` location parts are not checked, except where a
/// case says they must be absent.
struct ExpectedError: Sendable, CustomStringConvertible {
    var code: EvidenceError.Code
    var line: Int?
    var column: Int?
    var field: String?
    /// Fragments the message must contain (what is wrong and what was expected).
    var mentions: [String] = []

    init(
        _ code: EvidenceError.Code, line: Int? = nil, column: Int? = nil, field: String? = nil, mentions: [String] = []
    ) {
        self.code = code
        self.line = line
        self.column = column
        self.field = field
        self.mentions = mentions
    }

    var description: String {
        var text = code.rawValue
        if let line { text += " line \(line)" }
        if let column { text += " column \(column)" }
        if let field { text += " field \(field)" }
        return text
    }
}

extension Result where Success == ParsedEvidence, Failure == EvidenceError {
    /// Checks the input was refused with exactly the expected error, and that the error names its source.
    func expectError(
        _ expected: ExpectedError, source: String? = nil, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        switch self {
        case .success(let evidence):
            Issue.record(
                "expected \(expected), but it parsed as \(evidence.kind.rawValue)", sourceLocation: sourceLocation)
        case .failure(let error):
            #expect(error.code == expected.code, "\(error)", sourceLocation: sourceLocation)
            if let line = expected.line { #expect(error.line == line, "\(error)", sourceLocation: sourceLocation) }
            if let column = expected.column {
                #expect(error.column == column, "\(error)", sourceLocation: sourceLocation)
            }
            if let field = expected.field { #expect(error.field == field, "\(error)", sourceLocation: sourceLocation) }
            for fragment in expected.mentions {
                #expect(
                    error.message.contains(fragment), "message lacks '\(fragment)': \(error)",
                    sourceLocation: sourceLocation)
            }
            if let source { #expect(error.source == source, "\(error)", sourceLocation: sourceLocation) }
            #expect(error.description.hasPrefix(error.source + ":"), "\(error)", sourceLocation: sourceLocation)
        }
    }

    /// The error, when the input was refused.
    var error: EvidenceError? {
        if case .failure(let error) = self { return error }
        return nil
    }
}

extension EvidenceContent {
    var drillLog: DrillLog? { if case .drill(let log) = self { return log } else { return nil } }
    var applyRecord: ApplyRecord? { if case .apply(let record) = self { return record } else { return nil } }
    var stateValue: (StateBinding, TerraformState)? {
        if case .state(let binding, let state) = self { return (binding, state) } else { return nil }
    }
    var changeExport: ChangeExport? { if case .change(let export) = self { return export } else { return nil } }
    var consistencyReport: ConsistencyReport? {
        if case .consistency(let report) = self { return report } else { return nil }
    }
}
