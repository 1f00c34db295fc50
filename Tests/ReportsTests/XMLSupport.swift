import Foundation
import FoundationXML
import Testing

@testable import Evidence
@testable import Reports

/// Shared pieces of the XML and OSCAL report tests: the sample quarter's model (built once), the
/// shipped schema, the NIST reference schemas, xmllint, golden files and hostile strings.
enum XMLSupport {
    /// The sample quarter's report model, built once for every test that needs it.
    static let sample = Task<ReportModel, any Error> {
        let quarter = try await SampleQuarter()
        defer { quarter.remove() }
        return try await quarter.model(toolVersion: "0.0.0-test")
    }

    static func model() async throws -> ReportModel {
        try await sample.value
    }

    /// The shipped report schema.
    static let schema = SampleQuarter.packageRoot.appendingPathComponent("templates/drreport-report.xsd")

    /// `../shared/reference/oscal` from the package root (never copied into the project).
    static let oscalReference = SampleQuarter.packageRoot.deletingLastPathComponent()
        .appendingPathComponent("shared/reference/oscal")

    static func nistSchema(_ version: String) -> URL {
        oscalReference.appendingPathComponent("oscal_assessment-results_schema_v\(version).xsd")
    }

    /// Whether the environment is CI, where a missing tool or reference file fails instead of skipping.
    static var isCI: Bool { ProcessInfo.processInfo.environment["CI"] != nil }

    static var referencesPresent: Bool {
        FileManager.default.fileExists(atPath: nistSchema("1.2.2").path)
    }

    /// xmllint on PATH, when installed (Debian: libxml2-utils).
    static let xmllint: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("xmllint")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }()

    /// Runs xmllint with arguments; returns its exit status, stdout and stderr.
    static func runXMLLint(_ arguments: [String]) throws -> (status: Int32, stdout: Data, stderr: String) {
        let tool = try #require(xmllint, "xmllint is not installed (apt-get install libxml2-utils)")
        let process = Process()
        process.executableURL = tool
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, stdout, String(decoding: stderr, as: UTF8.self))
    }

    /// A fresh temporary folder.
    static func temporaryFolder() throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drreport-xml-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    // MARK: - Golden files

    static let goldenFolder = SampleQuarter.packageRoot.appendingPathComponent("Tests/ReportsTests/Golden/xml")

    /// The placeholders golden files use for what depends on when the store was built.
    static let placeholderInstant = Instant(secondsSinceEpoch: 0)
    static let placeholderHead = ContentHash(zeros: ())

    /// The model with what depends on when the sample store was built (ingestion instants, hence the
    /// ledger head, the report id derived from it, and the evidence-integrity finding that cites the
    /// head) replaced by fixed placeholders; everything else is as built.
    static func normalised(_ model: ReportModel) throws -> ReportModel {
        var result = model
        if let head = model.header.ledgerHead {
            result = try mapStrings(result) { _, text in
                text.replacingOccurrences(of: head.hex, with: placeholderHead.hex)
                    .replacingOccurrences(of: head.short, with: placeholderHead.short)
            }
            result.header.ledgerHead = placeholderHead
        }
        result.header.reportID = "DRR-\(model.header.period)-000000000000"
        result.evidenceIndex = result.evidenceIndex.map { entry in
            var entry = entry
            entry.ingestedAt = placeholderInstant
            return entry
        }
        return result
    }

    /// The model of a quarter with nothing in it: no evidence, drills, findings, processes or
    /// workspaces, no ledger head; what the schemas must accept as much as a full one.
    static func emptied(_ model: ReportModel) -> ReportModel {
        var empty = model
        empty.header.ledgerHead = nil
        empty.regulatoryBasis = []
        empty.scope.processes = []
        empty.scope.workspaces = []
        empty.scope.exclusions = []
        empty.drills = []
        empty.recovery = []
        empty.dataIntegrity = []
        empty.integrityChecks = []
        empty.parity = []
        empty.changeManagement = ReportModel.ChangeManagement(
            approvalRequired: [], population: 0, exceptions: 0, findings: [], applyParity: [])
        empty.cadence = []
        empty.evidenceIntegrity = nil
        empty.findings = []
        empty.remediation = []
        empty.evidenceIndex = []
        empty.totals = ReportModel.Counts([])
        empty.byProcess = []
        empty.byRule = []
        empty.warnings = []
        return empty
    }

    /// Compares bytes with a golden file, or records it when `DRREPORT_RECORD_GOLDEN=1`.
    static func expectGolden(_ actual: Data, named name: String, sourceLocation: SourceLocation = #_sourceLocation)
        throws
    {
        let url = goldenFolder.appendingPathComponent(name)
        if ProcessInfo.processInfo.environment["DRREPORT_RECORD_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: goldenFolder, withIntermediateDirectories: true)
            try actual.write(to: url)
            return
        }
        guard let expected = FileManager.default.contents(atPath: url.path) else {
            Issue.record(
                "no golden file \(url.path); record it with DRREPORT_RECORD_GOLDEN=1", sourceLocation: sourceLocation)
            return
        }
        if let difference = firstDifference(expected: expected, actual: actual) {
            Issue.record("\(name) differs from its golden file: \(difference)", sourceLocation: sourceLocation)
        }
    }

    /// Where two documents first differ, as line, column and both lines; nil when identical.
    static func firstDifference(expected: Data, actual: Data) -> String? {
        guard expected != actual else { return nil }
        let expectedLines = String(decoding: expected, as: UTF8.self).components(separatedBy: "\n")
        let actualLines = String(decoding: actual, as: UTF8.self).components(separatedBy: "\n")
        for index in 0..<max(expectedLines.count, actualLines.count) {
            let wanted = index < expectedLines.count ? expectedLines[index] : "(end of file)"
            let got = index < actualLines.count ? actualLines[index] : "(end of file)"
            guard wanted != got else { continue }
            let column = zip(wanted, got).prefix { $0 == $1 }.count + 1
            return "first difference at line \(index + 1), column \(column)\n  expected: \(wanted)\n  actual:   \(got)"
        }
        return "the bytes differ (\(expected.count) expected, \(actual.count) actual) but every line is equal"
    }

    // MARK: - Rewriting every string of a model

    /// The model with `transform` applied to every string value of its JSON form (the keys of the
    /// objects it is nested in are given, outermost first), then decoded back.
    static func mapStrings(_ model: ReportModel, _ transform: ([String], String) -> String) throws -> ReportModel {
        let object = try JSONSerialization.jsonObject(with: JSONEncoder().encode(model), options: [.fragmentsAllowed])
        func walk(_ value: Any, path: [String]) -> Any {
            switch value {
            case let text as String: return transform(path, text)
            case let array as [Any]: return array.map { walk($0, path: path) }
            case let object as [String: Any]:
                return Dictionary(uniqueKeysWithValues: object.map { ($0.key, walk($0.value, path: path + [$0.key])) })
            default: return value
            }
        }
        let data = try JSONSerialization.data(withJSONObject: walk(object, path: []), options: [.fragmentsAllowed])
        return try JSONDecoder().decode(ReportModel.self, from: data)
    }

    // MARK: - Hostile strings

    /// Markup, a CDATA terminator, an ampersand and characters XML 1.0 cannot carry.
    static let hostile = " <script>alert(1)</script> \"><img onerror=alert(2)> ]]> & \u{0}\u{1B}\u{7}\u{FFFE} x\r\n\ty"

    /// Codes the schemas constrain, which a hostile string must not replace: statuses, severities,
    /// rules, kinds, event types, scenarios, criticalities, clocks, actions.
    static let codes: Set<String> = {
        var codes = Set<String>()
        codes.formUnion(FindingStatus.allCases.map(\.rawValue))
        codes.formUnion(Severity.allCases.map(\.rawValue))
        codes.formUnion(RuleID.allCases.map(\.rawValue))
        codes.formUnion(EvidenceKind.allCases.map(\.rawValue))
        codes.formUnion(DrillEventType.allCases.map(\.rawValue))
        codes.formUnion(DrillScenario.allCases.map(\.rawValue))
        codes.formUnion(ConsistencyAction.allCases.map(\.rawValue))
        codes.formUnion(Policy.Criticality.allCases.map(\.rawValue))
        codes.formUnion(Policy.RTOClock.allCases.map(\.rawValue))
        codes.formUnion(["missing-in-secondary", "missing-in-primary", "changed"])
        return codes
    }()

    /// Whether a string is something the schemas constrain by type or pattern rather than text.
    static func isConstrained(_ text: String) -> Bool {
        if codes.contains(text) || ContentHash(parsing: text) != nil { return true }
        if case .success = Timestamp.parseRFC3339(text) { return true }
        let patterns = [
            #"^[A-Z0-9]{20}$"#, #"^\d{4}-Q[1-4]$"#, #"^DRR-\d{4}-Q[1-4]-[0-9A-F]{12}$"#, #"^\d{4}-\d{2}-\d{2}$"#,
        ]
        return patterns.contains { text.range(of: $0, options: .regularExpression) != nil }
    }

    /// Parts of the model no XML document shows: the identities of the people behind a change (used
    /// only to judge waivers) and the HTML report's remediation and sign-off tables.
    static let unrendered: Set<String> = ["requesters", "remediation", "signOff"]

    /// The model with ``hostile`` appended to every free-text string (evidence-derived and policy
    /// text alike), and the strings that a document must show, as they were made.
    static func hostileModel(_ model: ReportModel) throws -> (model: ReportModel, strings: Set<String>) {
        var strings = Set<String>()
        let mutated = try mapStrings(model) { path, text in
            guard !isConstrained(text) else { return text }
            let hostileText = text + hostile
            if unrendered.isDisjoint(with: path) { strings.insert(hostileText) }
            return hostileText
        }
        return (mutated, strings)
    }

    // MARK: - Reading documents back

    /// A document parsed by Foundation's XMLDocument (a parser independent of drreport's code).
    static func parse(_ data: Data) throws -> FoundationXML.XMLDocument {
        try FoundationXML.XMLDocument(data: data, options: [.nodePreserveWhitespace])
    }

    /// Every text of the leaf elements and every attribute value of a document.
    static func texts(of document: FoundationXML.XMLDocument) -> Set<String> {
        var texts = Set<String>()
        func visit(_ element: XMLElement) {
            for attribute in element.attributes ?? [] {
                if let value = attribute.stringValue { texts.insert(value) }
            }
            let children = element.children?.compactMap { $0 as? XMLElement } ?? []
            if children.isEmpty, let value = element.stringValue { texts.insert(value) }
            children.forEach(visit)
        }
        if let root = document.rootElement() { visit(root) }
        return texts
    }

    /// An attribute's value by name (Foundation's `attribute(forName:)` misses unprefixed attributes
    /// of elements in a default namespace).
    static func attribute(_ name: String, of element: XMLElement) -> String? {
        element.attributes?.first { $0.name == name || $0.localName == name }?.stringValue
    }

    /// The elements with a local name, anywhere in the document.
    static func elements(_ name: String, in document: FoundationXML.XMLDocument) throws -> [XMLElement] {
        try document.nodes(forXPath: "//*[local-name()='\(name)']").compactMap { $0 as? XMLElement }
    }
}
