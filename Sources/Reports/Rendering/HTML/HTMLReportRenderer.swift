import Foundation

/// `report.html` (DESIGN §7): the quarterly disaster-recovery test report for risk officers, the
/// management body and the regulator, as one self-contained page — inline CSS and SVG charts, no
/// script, no network, no external fonts or images — readable on screen and printed on A4.
///
/// The page comes from the Mustache templates of the folder the caller passes (`templates/`:
/// `report.mustache` and one partial per section). The renderer turns the ``ReportModel`` into a
/// presentation view (formatted strings, status words and CSS classes, charts) and Mustache escapes
/// every value for HTML. The same model gives the same bytes.
public enum HTMLReportRenderer {
    /// The HTML page of a report model.
    ///
    /// - Throws: ``ReportsError`` `.invalidTemplate` when the folder is missing, or a template is
    ///   missing, unreadable or does not parse (with the file, line and column).
    public static func render(_ model: ReportModel, templates: URL) throws(ReportsError) -> Data {
        let library = try HTMLTemplates.load(from: templates)
        let page = try library.render(HTMLView(model))
        return Data(page.utf8)
    }
}
