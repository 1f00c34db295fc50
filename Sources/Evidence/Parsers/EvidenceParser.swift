import Foundation

/// What the caller gathered for one piece of evidence: a single file, or the files of an apply
/// record folder or archive. No file I/O happens past this point.
public struct EvidenceInput: Sendable {
    /// The path the user named (a file, a folder, an archive, or `archive!member`).
    public var source: String
    /// The files by name: one for a single file; `run.json`, `apply.jsonl`, ... for a record.
    public var files: [String: Data]
    /// Whether this is a folder or archive (a record) rather than one file.
    public var isRecord: Bool
    /// Files of the folder or archive that are not part of an apply record and were left out.
    public var ignoredFiles: [String]
    /// The SHA-256 of files whose hash the caller computed from these very bytes (the bundle verifier,
    /// which has just checked them against the manifest), by name; the others are hashed when parsed.
    package var hashes: [String: ContentHash] = [:]

    /// One file.
    public init(source: String, name: String, bytes: Data) {
        self.source = source
        self.files = [name: bytes]
        self.isRecord = false
        self.ignoredFiles = []
    }

    /// The files of a record folder or archive.
    public init(source: String, files: [String: Data], ignoredFiles: [String] = []) {
        self.source = source
        self.files = files
        self.isRecord = true
        self.ignoredFiles = ignoredFiles
    }
}

/// Options that steer parsing: a forced kind, and a state's binding.
public struct ParseOptions: Sendable, Hashable {
    /// The kind to parse as, instead of detecting it.
    public var kind: EvidenceKind?
    /// For a state on its own: its workspace.
    public var workspace: String?
    /// For a state on its own: its region.
    public var region: String?
    /// For a state on its own: the instant it describes.
    public var asOf: Instant?

    /// Options; all optional.
    public init(kind: EvidenceKind? = nil, workspace: String? = nil, region: String? = nil, asOf: Instant? = nil) {
        self.kind = kind
        self.workspace = workspace
        self.region = region
        self.asOf = asOf
    }
}

/// Detects the kind of evidence from its content (or takes the forced one) and hands the bytes to
/// that kind's parser.
public enum EvidenceParser {
    /// What is expected, for messages about unrecognised input.
    static let expected =
        "expected a drill log (JSON Lines or CSV), an apply record folder or archive, a Terraform state "
        + "(with --kind state), a ServiceNow export (JSON or XML) or a consistency-check output"

    /// Parses one input into evidence.
    public static func parse(_ input: EvidenceInput, options: ParseOptions = ParseOptions()) throws(EvidenceError) -> ParsedEvidence {
        if input.isRecord {
            if let kind = options.kind, kind != .apply {
                throw EvidenceError(
                    .invalidOptions, source: input.source,
                    "a folder or archive is an apply record; --kind \(kind.rawValue) needs a single file")
            }
            return try parseRecord(input)
        }
        guard let (name, bytes) = input.files.first, input.files.count == 1 else {
            throw EvidenceError(.notEvidence, source: input.source, "no file; " + expected)
        }
        let content = try parseFile(bytes, name: name, source: input.source, options: options)
        let member = EvidenceMember(name: name, bytes: bytes, hash: input.hashes[name])
        var members = [member]
        if case .state(let binding, _) = content {
            members = [EvidenceMember(name: ApplyRecordParser.Member.state, bytes: bytes, hash: member.hash),
                       EvidenceMember(name: "binding.json", bytes: binding.canonicalBytes)]
        }
        return ParsedEvidence(source: input.source, members: members, content: content)
    }

    private static func parseRecord(_ input: EvidenceInput) throws(EvidenceError) -> ParsedEvidence {
        let record = try ApplyRecordParser.parse(members: input.files, source: input.source)
        let known = [ApplyRecordParser.Member.run, ApplyRecordParser.Member.apply, ApplyRecordParser.Member.state]
        let members = known.compactMap { name in input.files[name].map { EvidenceMember(name: name, bytes: $0, hash: input.hashes[name]) } }
        let warnings = input.ignoredFiles.sorted().map { "\(input.source): ignored \($0), which is not part of an apply record" }
        return ParsedEvidence(source: input.source, members: members, content: .apply(record), warnings: warnings)
    }

    /// Parses the bytes of one file.
    static func parseFile(_ bytes: Data, name: String, source: String, options: ParseOptions) throws(EvidenceError) -> EvidenceContent {
        guard !bytes.isEmpty else {
            throw EvidenceError(.empty, source: source, "empty file (0 bytes); " + expected)
        }
        if let offset = binaryOffset(bytes) {
            throw EvidenceError(.binary, source: source, "binary content (byte \(offset) is not UTF-8 text); " + expected)
        }
        let first = firstSignificantByte(bytes)
        switch options.kind {
        case .apply?:
            throw EvidenceError(
                .invalidOptions, source: source,
                "--kind apply needs the run's folder or a .zip/.tar of it (run.json, apply.jsonl, optional state.json)")
        case .drill?:
            return first == UInt8(ascii: "{")
                ? .drill(try DrillLogParser.parseJSONLines(bytes, source: source))
                : .drill(try DrillLogParser.parseCSV(bytes, source: source))
        case .state?:
            return .state(try binding(options, source: source), try TerraformStateParser.parse(bytes, source: source))
        case .change?:
            return first == UInt8(ascii: "<")
                ? .change(try ServiceNowXMLParser.parse(bytes, source: source))
                : .change(try ServiceNowParser.parseJSON(bytes, source: source))
        case .consistency?:
            switch Result(catching: { () throws(JSONReader.SyntaxError) in try JSONReader.read(bytes) }) {
            case .success(let document) where document["tables"] != nil:
                return .consistency(try ConsistencyParser.parseDocument(document, source: source))
            case .success:
                return .consistency(try ConsistencyParser.parseJSONLines(bytes, source: source))
            case .failure(let error):
                // One JSON object per line is JSON Lines; otherwise it is a document that does not parse.
                guard let line = JSONLines.split(bytes).first,
                    (try? JSONReader.read(line.bytes, firstLine: line.number))?.objectValue != nil
                else { throw EvidenceError(syntax: error, source: source) }
                return .consistency(try ConsistencyParser.parseJSONLines(bytes, source: source))
            }
        case nil:
            return try detect(bytes, first: first, name: name, source: source, options: options)
        }
    }

    private static func detect(
        _ bytes: Data, first: UInt8?, name: String, source: String, options: ParseOptions
    ) throws(EvidenceError) -> EvidenceContent {
        switch first {
        case UInt8(ascii: "<"):
            return .change(try ServiceNowXMLParser.parse(bytes, source: source))
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            let document: JSONValue
            do {
                document = try JSONReader.read(bytes)
            } catch {
                // Not one document: perhaps JSON Lines. Decide from the first line, else report the syntax error.
                guard let line = JSONLines.split(bytes).first,
                    let object = (try? JSONReader.read(line.bytes, firstLine: line.number))?.objectValue
                else { throw EvidenceError(syntax: error, source: source) }
                if object["drill"] != nil, object["event"] != nil {
                    return .drill(try DrillLogParser.parseJSONLines(bytes, source: source))
                }
                if object["check_run"] != nil, object["table"] != nil {
                    return .consistency(try ConsistencyParser.parseJSONLines(bytes, source: source))
                }
                if object["@level"] != nil || object["@timestamp"] != nil {
                    throw EvidenceError(
                        .notEvidence, source: source,
                        "a Terraform apply stream on its own; ingest the run's folder or archive (run.json + apply.jsonl)")
                }
                throw EvidenceError(.notEvidence, source: source, line: line.number, "JSON Lines of an unknown kind; " + expected)
            }
            return try classify(document, bytes: bytes, source: source, options: options)
        case nil:
            throw EvidenceError(.empty, source: source, "only whitespace; " + expected)
        default:
            let header = headerLine(bytes).lowercased()
            let columns = Set(header.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: " \"\u{FEFF}\r")) })
            if columns.contains("drill") || columns.contains("event") || name.lowercased().hasSuffix(".csv") {
                return .drill(try DrillLogParser.parseCSV(bytes, source: source))
            }
            throw EvidenceError(.notEvidence, source: source, line: 1, "unrecognised text; " + expected)
        }
    }

    private static func classify(
        _ document: JSONValue, bytes: Data, source: String, options: ParseOptions
    ) throws(EvidenceError) -> EvidenceContent {
        guard case .object(let object) = document else {
            throw EvidenceError(.notEvidence, source: source, line: 1, "a JSON \(document.typeName); " + expected)
        }
        if object["format_version"] != nil || (object["lineage"] != nil && object["resources"] != nil) {
            if object["planned_values"] != nil || object["resource_changes"] != nil {
                throw EvidenceError(
                    .notEvidence, source: source, line: 1,
                    "a Terraform plan (planned_values, resource_changes); expected a state from `terraform show -json` after apply")
            }
            let state = try TerraformStateParser.parse(bytes, source: source)
            return .state(try binding(options, source: source), state)
        }
        if object["result"] != nil {
            return .change(try ServiceNowParser.parseJSON(document, source: source))
        }
        if object["tables"] != nil {
            return .consistency(try ConsistencyParser.parseDocument(document, source: source))
        }
        if object["check_run"] != nil, object["table"] != nil {
            return .consistency(try ConsistencyParser.parseJSONLines(bytes, source: source))
        }
        if object["drill"] != nil, object["event"] != nil {
            return .drill(try DrillLogParser.parseJSONLines(bytes, source: source))
        }
        if object["templateParameters"] != nil || (object["pipeline"] != nil && object["id"] != nil) {
            throw EvidenceError(
                .notEvidence, source: source,
                "an Azure DevOps run.json on its own; ingest the run's folder or archive (run.json + apply.jsonl [+ state.json])")
        }
        if object["@level"] != nil || object["@timestamp"] != nil {
            throw EvidenceError(
                .notEvidence, source: source,
                "a Terraform apply stream on its own; ingest the run's folder or archive (run.json + apply.jsonl)")
        }
        throw EvidenceError(.notEvidence, source: source, line: 1, "a JSON object of an unknown kind; " + expected)
    }

    private static func binding(_ options: ParseOptions, source: String) throws(EvidenceError) -> StateBinding {
        guard let workspace = options.workspace, let region = options.region, !workspace.isEmpty, !region.isEmpty else {
            throw EvidenceError(
                .invalidOptions, source: source,
                "a Terraform state on its own needs --workspace and --region (or ingest it in its apply record folder)")
        }
        return StateBinding(workspace: workspace, region: region, asOf: options.asOf)
    }

    /// The offset of the first byte that shows the data is not text at all: a NUL within the first
    /// 8 KiB, or a file whose very first significant byte is not UTF-8. Text with a stray bad byte
    /// later on is left to the parsers, which say where it is.
    static func binaryOffset(_ bytes: Data) -> Int? {
        let window = bytes.prefix(8192)
        let invalid = firstInvalidUTF8(window, complete: bytes.count <= 8192)
        if let nul = window.firstIndex(of: 0) {
            return min(nul - bytes.startIndex, invalid ?? .max)
        }
        var start = bytes.count >= 3 && bytes.prefix(3) == Data([0xEF, 0xBB, 0xBF]) ? 3 : 0
        while start < window.count, [0x20, 0x09, 0x0A, 0x0D].contains(window[window.startIndex + start]) { start += 1 }
        if let invalid, invalid == start { return invalid }
        return nil
    }

    /// The offset of the first invalid UTF-8 sequence; a sequence cut by the end of an incomplete
    /// window does not count.
    static func firstInvalidUTF8(_ window: Data, complete: Bool) -> Int? {
        var iterator = window.makeIterator()
        var decoder = UTF8()
        var consumed = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar):
                consumed += UTF8.width(scalar)
            case .emptyInput:
                return nil
            case .error:
                if !complete, consumed >= window.count - 3 { return nil }
                return consumed
            }
        }
    }

    static func firstSignificantByte(_ bytes: Data) -> UInt8? {
        var index = bytes.startIndex
        if bytes.count >= 3, bytes.prefix(3) == Data([0xEF, 0xBB, 0xBF]) { index += 3 }
        while index < bytes.endIndex {
            let byte = bytes[index]
            if byte != 0x20, byte != 0x09, byte != 0x0A, byte != 0x0D { return byte }
            index += 1
        }
        return nil
    }

    static func headerLine(_ bytes: Data) -> String {
        let line = bytes.prefix(4096).split(separator: UInt8(ascii: "\n"), maxSplits: 1).first ?? Data()
        return String(decoding: line, as: UTF8.self)
    }
}
