import Foundation

/// The three report files of a period, rendered from one model: `report.html` (people),
/// `report.xml` (machines; validated against the shipped XSD and sealed), `oscal-ar.xml` (OSCAL
/// assessment results). The templates folder holds the HTML templates and the report schema.
public enum ReportSet {
    /// The schema's file name in the templates folder.
    public static let schemaName = "drreport-report.xsd"

    /// The files, by name, in a stable order.
    public static func render(_ model: ReportModel, templates: URL) throws(ReportsError) -> [(name: String, data: Data)] {
        [
            ("report.html", try HTMLReportRenderer.render(model, templates: templates)),
            ("report.xml", try XMLReportRenderer.render(model, schema: templates.appendingPathComponent(schemaName))),
            ("oscal-ar.xml", try OSCALRenderer.render(model)),
        ]
    }
}
