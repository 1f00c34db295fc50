import Evidence

/// Why a run of the Reports module stopped: a bad policy, period or template, or an unwritable
/// output. What is wrong in the bank's estate is never an error; it is a ``Finding``.
public struct ReportsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of problem, stable for callers and tests.
    public enum Code: String, Sendable, Equatable {
        /// drreport.yaml is not valid.
        case invalidPolicy
        /// A period that is not `YYYY-Qn`.
        case invalidPeriod
        /// A template missing or broken.
        case invalidTemplate
        /// Output that cannot be written.
        case output
        /// A document failed its own schema (a bug in drreport).
        case schemaViolation
        /// An evidence bundle that is not one.
        case invalidBundle
        /// A key that cannot be read or used.
        case invalidKey
    }

    /// The kind of problem.
    public var code: Code
    /// The file or value concerned (e.g. `drreport.yaml`).
    public var source: String
    /// The 1-based line, when known.
    public var line: Int?
    /// The key path (`processes[2].rto`) or element, when known.
    public var path: String?
    /// What is wrong and what was expected.
    public var message: String

    /// An error.
    public init(_ code: Code, source: String, line: Int? = nil, path: String? = nil, _ message: String) {
        self.code = code
        self.source = source
        self.line = line
        self.path = path
        self.message = message
    }

    /// `source:line: path: message`.
    public var description: String {
        var text = source
        if let line { text += ":\(line)" }
        text += ": "
        if let path { text += "\(path): " }
        return text + message
    }
}
