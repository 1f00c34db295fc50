import Foundation
import Testing

@testable import Evidence
@testable import Reports

/// What the HTML report tests share: the sample quarter's model (built once per test run from a
/// fresh store), the repository's templates folder, and helpers to render and to normalise.
enum HTMLFixtures {
    /// The repository's `templates/` folder.
    static let templates = SampleQuarter.packageRoot.appendingPathComponent("templates")

    /// The golden file of the sample quarter's page.
    static let golden = SampleQuarter.packageRoot.appendingPathComponent("Tests/ReportsTests/Golden/html/report.html")

    /// The sample quarter's model, built once.
    private static let sample = Task<ReportModel, any Error> {
        let quarter = try await SampleQuarter()
        defer { quarter.remove() }
        return try await quarter.model(toolVersion: "0.0.0-golden")
    }

    /// The sample quarter's report model (2026-Q3, generated at ``SampleQuarter/generatedAt``).
    static func sampleModel() async throws -> ReportModel {
        try await sample.value
    }

    /// The page of a model, as text.
    static func render(_ model: ReportModel, templates: URL = templates) throws -> String {
        String(decoding: try HTMLReportRenderer.render(model, templates: templates), as: UTF8.self)
    }

    /// The page with what depends on when the store was built replaced by placeholders: the
    /// ingestion instants of the evidence index, the ledger head (full and short) and the report id
    /// derived from it. Everything else must be stable.
    static func normalised(_ html: String, model: ReportModel) -> String {
        var text = html
        if let head = model.header.ledgerHead {
            text = text.replacingOccurrences(of: head.description, with: "sha256:LEDGER-HEAD")
            text = text.replacingOccurrences(of: head.hex, with: "LEDGER-HEAD")
            text = text.replacingOccurrences(of: head.short, with: "LEDGER-HEAD-SHORT")
        }
        text = text.replacingOccurrences(of: model.header.reportID, with: "DRR-REPORT-ID")
        let zone = TimeZone(identifier: model.header.timeZone) ?? .gmt
        for entry in model.evidenceIndex {
            text = text.replacingOccurrences(of: HTMLFormat.machineInstant(entry.ingestedAt, in: zone), with: "INGESTED-AT")
            text = text.replacingOccurrences(of: HTMLFormat.instant(entry.ingestedAt, in: zone), with: "INGESTED-AT")
        }
        return text
    }

    /// A scratch folder, removed by the caller.
    static func scratchFolder(_ name: String) throws -> URL {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("drreport-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder
    }

    /// The part of a page from `<section id="ID"` to its `</section>`.
    static func section(_ id: String, in html: String) -> String? {
        guard let start = html.range(of: "<section id=\"\(id)\"") else { return nil }
        guard let end = html.range(of: "</section>", range: start.upperBound..<html.endIndex) else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }

    /// The first line where two texts differ, both versions shown (shortened), for a readable failure.
    static func firstDifference(expected: String, actual: String) -> String? {
        let old = expected.split(separator: "\n", omittingEmptySubsequences: false)
        let new = actual.split(separator: "\n", omittingEmptySubsequences: false)
        for index in 0..<max(old.count, new.count) {
            let left = index < old.count ? String(old[index]) : "<end of file>"
            let right = index < new.count ? String(new[index]) : "<end of file>"
            guard left != right else { continue }
            let column = zip(left, right).prefix { $0 == $1 }.count
            func excerpt(_ line: String) -> String {
                let start = line.index(line.startIndex, offsetBy: max(0, column - 60), limitedBy: line.endIndex) ?? line.endIndex
                return String(line[start...].prefix(200))
            }
            return "first difference at line \(index + 1), column \(column + 1):\n  golden:   \(excerpt(left))\n  rendered: \(excerpt(right))"
        }
        return nil
    }
}
