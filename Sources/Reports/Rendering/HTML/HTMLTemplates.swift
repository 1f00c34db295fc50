import Foundation
import Mustache

/// The HTML report's Mustache templates, loaded from a folder: `report.mustache` and the partials it
/// includes, each registered under its file name without the extension. Every problem stops the run
/// with a located ``ReportsError`` (`.invalidTemplate`): a missing folder, an unreadable or non-UTF-8
/// file, a parse error (file, line and column), a missing `report.mustache`, or a partial that a
/// template includes but the folder lacks (Mustache would silently render it as nothing).
struct HTMLTemplates {
    /// The template the page starts from.
    static let root = "report"

    let library: MustacheLibrary

    /// Loads and checks every `*.mustache` file of `folder`.
    static func load(from folder: URL) throws(ReportsError) -> HTMLTemplates {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isFolder) else {
            throw ReportsError(.invalidTemplate, source: folder.path, "the templates folder does not exist")
        }
        guard isFolder.boolValue else {
            throw ReportsError(.invalidTemplate, source: folder.path, "is not a folder; expected the templates folder holding \(root).mustache")
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: folder.path)
                .filter { $0.hasSuffix(".mustache") }
                .sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        } catch {
            throw ReportsError(.invalidTemplate, source: folder.path, "the templates folder cannot be listed")
        }

        var texts: [(name: String, file: String, text: String)] = []
        var templates: [String: MustacheTemplate] = [:]
        for fileName in names {
            let file = folder.appendingPathComponent(fileName).path
            let name = String(fileName.dropLast(".mustache".count))
            guard let data = FileManager.default.contents(atPath: file) else {
                throw ReportsError(.invalidTemplate, source: file, "the template cannot be read")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw ReportsError(.invalidTemplate, source: file, "the template is not UTF-8 text")
            }
            do {
                templates[name] = try MustacheTemplate(string: text)
            } catch let error as MustacheTemplate.ParserError {
                let context = error.context
                let excerpt = context.line.trimmingCharacters(in: .whitespaces)
                throw ReportsError(
                    .invalidTemplate, source: file, line: context.lineNumber,
                    "column \(context.columnNumber): \(describe(error.error)); the line reads '\(excerpt.prefix(80))'")
            } catch {
                throw ReportsError(.invalidTemplate, source: file, "the template does not parse")
            }
            texts.append((name, file, text))
        }

        guard templates[root] != nil else {
            throw ReportsError(
                .invalidTemplate, source: folder.appendingPathComponent(root + ".mustache").path,
                "the template is missing; the HTML report starts from it")
        }
        for template in texts {
            for include in partials(in: template.text) where templates[include.name] == nil {
                throw ReportsError(
                    .invalidTemplate, source: template.file, line: include.line,
                    "includes the partial '\(include.name)', but there is no \(include.name).mustache in the folder")
            }
        }
        return HTMLTemplates(library: MustacheLibrary(templates: templates))
    }

    /// The page for a view.
    func render(_ view: HTMLView) throws(ReportsError) -> String {
        guard let page = library.render(view, withTemplate: Self.root) else {
            throw ReportsError(.invalidTemplate, source: Self.root + ".mustache", "the template is missing")
        }
        return page
    }

    /// The partials a template includes (`{{> name}}`), with their lines.
    static func partials(in text: String) -> [(name: String, line: Int)] {
        var found: [(String, Int)] = []
        var rest = text[...]
        var line = 1
        while let open = rest.range(of: "{{>") {
            line += rest[..<open.lowerBound].reduce(0) { $1.isNewline ? $0 + 1 : $0 }
            rest = rest[open.upperBound...]
            guard let close = rest.range(of: "}}") else { break }
            let name = rest[..<close.lowerBound].trimmingCharacters(in: .whitespacesAndNewlines)
            line += rest[..<close.lowerBound].reduce(0) { $1.isNewline ? $0 + 1 : $0 }
            rest = rest[close.upperBound...]
            // `{{>*name}}` names its partial at render time; it cannot be checked here.
            if !name.isEmpty, !name.hasPrefix("*") { found.append((name, line)) }
        }
        return found
    }

    /// A parse error in words.
    static func describe(_ error: any Error) -> String {
        guard let error = error as? MustacheTemplate.Error else { return "the template does not parse" }
        switch error {
        case .sectionCloseNameIncorrect: return "a section is closed with a name other than the one it was opened with"
        case .unfinishedName: return "a tag is not closed with '}}'"
        case .expectedSectionEnd: return "a section is opened but never closed"
        case .invalidSetDelimiter: return "a set-delimiter tag is malformed"
        case .transformAppliedToInheritanceSection: return "a transform is applied to an inheritance section"
        case .illegalTokenInsideInheritSection: return "a tag that is not allowed inside an inheritance section"
        case .textInsideInheritSection: return "text inside an inheritance section"
        case .invalidConfigVariableSyntax: return "a pragma is malformed"
        case .unrecognisedConfigVariable: return "an unknown pragma"
        }
    }
}
