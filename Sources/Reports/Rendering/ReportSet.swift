import Foundation

/// The three report files of a period, rendered from one model: `report.html` (people),
/// `report.xml` (machines; validated against the shipped XSD and sealed), `oscal-ar.xml` (OSCAL
/// assessment results). The templates folder holds the HTML templates and the report schema.
public enum ReportSet {
    /// The schema's file name in the templates folder.
    public static let schemaName = "drreport-report.xsd"

    /// One report file; `allCases` in the order they are written.
    public enum File: String, Sendable, CaseIterable {
        case html = "report.html"
        case xml = "report.xml"
        case oscal = "oscal-ar.xml"

        /// Its name in the output folder or bundle.
        public var name: String { rawValue }

        /// Its bytes.
        public func render(_ model: ReportModel, templates: URL) throws(ReportsError) -> Data {
            switch self {
            case .html: try HTMLReportRenderer.render(model, templates: templates)
            case .xml: try XMLReportRenderer.render(model, schema: templates.appendingPathComponent(schemaName))
            case .oscal: try OSCALRenderer.render(model)
            }
        }
    }
}
