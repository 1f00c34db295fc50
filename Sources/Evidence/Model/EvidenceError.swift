/// Why a piece of evidence was refused, and where: the one error type of the Evidence module.
///
/// Messages are lowercase fragments that name the subject and say what was expected. They never
/// carry a value read from a Terraform state, so a sensitive value cannot leak through an error.
public struct EvidenceError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of problem it is; stable, for callers and tests to match on.
    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// A file with no bytes.
        case empty
        /// Bytes that are not UTF-8 text.
        case binary
        /// Text that is none of the evidence kinds drreport reads.
        case notEvidence
        /// JSON that does not parse (syntax), including a truncated document.
        case invalidJSON
        /// A JSON value of the wrong type for its field.
        case wrongType
        /// A required field, column or member is absent.
        case missingField
        /// A field holds a value outside what the format allows.
        case invalidValue
        /// A drill log line names an event drreport does not know.
        case unknownEvent
        /// A timestamp without `Z` or an offset.
        case naiveTimestamp
        /// A timestamp that is not in the expected grammar or is out of range.
        case invalidTimestamp
        /// A CSV file that cannot be read as a table with the expected header.
        case invalidCSV
        /// The same record twice in one file.
        case duplicateRecord
        /// A format version drreport does not accept (e.g. Terraform JSON 2.x).
        case unsupportedFormat
        /// XML with a document type declaration (and hence possibly entities).
        case forbiddenDTD
        /// XML that does not parse, or not in a ServiceNow export shape.
        case invalidXML
        /// An archive that cannot be read, or unsafe (absolute paths, `..`, links).
        case invalidArchive
        /// An input beyond the size drreport accepts.
        case tooLarge
        /// Options that do not fit the input (e.g. a state without `--workspace`).
        case invalidOptions
        /// The file could not be read.
        case unreadable
        /// The evidence store cannot be opened, read or written.
        case store
        /// The store's schema is newer than this drreport understands.
        case storeVersion
    }

    /// The kind of problem.
    public var code: Code
    /// The file (or archive member) the problem is in, as the user named it.
    public var source: String
    /// The 1-based line, when known.
    public var line: Int?
    /// The 1-based column, when known.
    public var column: Int?
    /// The field, column or key path, when known (e.g. `templateParameters.region`).
    public var field: String?
    /// What is wrong and what was expected.
    public var message: String

    /// An error at a location in a source.
    public init(
        _ code: Code, source: String, line: Int? = nil, column: Int? = nil, field: String? = nil, _ message: String
    ) {
        self.code = code
        self.source = source
        self.line = line
        self.column = column
        self.field = field
        self.message = message
    }

    /// `source:line:column: field 'x': message`, the parts that are known.
    public var description: String {
        var text = source
        if let line {
            text += ":\(line)"
            if let column { text += ":\(column)" }
        }
        text += ": "
        if let field { text += "field '\(field)': " }
        return text + message
    }
}
