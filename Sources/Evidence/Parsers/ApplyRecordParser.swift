import Foundation

/// Reads a pipeline apply record (DESIGN §3.2): the Azure DevOps `run.json`, the Terraform
/// `apply.jsonl` stream and an optional `state.json`. The caller gathers the members from a folder or
/// an archive; this parser sees only names and bytes.
public enum ApplyRecordParser {
    /// The member names an apply record is made of.
    public enum Member {
        /// The pipeline run.
        public static let run = "run.json"
        /// The Terraform apply stream.
        public static let apply = "apply.jsonl"
        /// The state after the apply.
        public static let state = "state.json"
    }

    /// Reads a record from its members; `source` names the folder or archive.
    public static func parse(members: [String: Data], source: String) throws(EvidenceError) -> ApplyRecord {
        guard let runBytes = members[Member.run] else {
            throw EvidenceError(
                .missingField, source: source, field: Member.run,
                "an apply record needs run.json (the Azure DevOps pipeline run)")
        }
        guard let applyBytes = members[Member.apply] else {
            throw EvidenceError(
                .missingField, source: source, field: Member.apply,
                "an apply record needs apply.jsonl (the output of terraform apply -json)")
        }
        let run = try parseRun(runBytes, source: source + "/" + Member.run)
        let apply = try parseApplyStream(applyBytes, source: source + "/" + Member.apply)
        var state: TerraformState?
        if let stateBytes = members[Member.state] {
            state = try TerraformStateParser.parse(stateBytes, source: source + "/" + Member.state)
        }
        return ApplyRecord(run: run, apply: apply, state: state)
    }

    /// Reads an Azure DevOps pipeline run (`GET _apis/pipelines/{id}/runs/{runId}`).
    public static func parseRun(_ bytes: Data, source: String) throws(EvidenceError) -> PipelineRun {
        let document: JSONValue
        do {
            document = try JSONReader.read(bytes)
        } catch {
            throw EvidenceError(syntax: error, source: source)
        }
        let root = try JSONFields(document, source: source, line: 1)
        let id = try root.int("id")
        let parameters = try root.objectField("templateParameters")
        let pipeline = try root.optionalObject("pipeline")
        let repository = try root.optionalObject("resources")?.optionalObject("repositories")?.optionalObject("self")
        let environment = try parameters.string("environment")
        return PipelineRun(
            id: Int(id), name: try root.optionalString("name") ?? String(id), state: try root.string("state"),
            result: try root.optionalString("result"), createdDate: try root.instant("createdDate"),
            finishedDate: try root.optionalInstant("finishedDate"),
            pipelineID: try pipeline?.optionalInt("id").map { Int($0) }, pipelineName: try pipeline?.optionalString("name"),
            branch: try repository?.optionalString("refName"), commit: try repository?.optionalString("version"),
            workspace: try parameters.string("workspace"), region: try parameters.string("region"),
            environment: environment.lowercased(), changeRequest: try parameters.optionalString("changeRequest"),
            requestedBy: try parameters.optionalString("requestedBy"))
    }

    /// Reads the machine-readable UI stream of `terraform apply -json`. Lines that are not JSON objects
    /// (CI banners) are skipped; a line that starts like one but does not parse is an error.
    public static func parseApplyStream(_ bytes: Data, source: String) throws(EvidenceError) -> ApplyStream {
        var stream = ApplyStream(outcome: .incomplete)
        var failed = false
        var closed = false
        for line in JSONLines.split(bytes) {
            guard line.bytes.first(where: { $0 != 0x20 && $0 != 0x09 }) == UInt8(ascii: "{") else { continue }
            let value: JSONValue
            do {
                value = try JSONReader.read(line.bytes, firstLine: line.number)
            } catch {
                throw EvidenceError(syntax: error, source: source)
            }
            let fields = try JSONFields(value, source: source, line: line.number)
            let type = try fields.string("type")
            let timestamp = try fields.instant("@timestamp")
            stream.messageCount += 1
            if stream.firstTimestamp.map({ timestamp < $0 }) ?? true { stream.firstTimestamp = timestamp }
            if stream.lastTimestamp.map({ timestamp > $0 }) ?? true { stream.lastTimestamp = timestamp }
            let level = try fields.optionalString("@level")
            switch type {
            case "version":
                stream.terraformVersion = try fields.optionalString("terraform")
            case "apply_errored":
                failed = true
                stream.errors.append(summary(try fields.optionalString("@message") ?? "apply errored"))
            case "diagnostic":
                let diagnostic = try fields.optionalObject("diagnostic")
                let severity = try diagnostic?.optionalString("severity")
                if level == "error" || severity == "error" {
                    failed = true
                    var text = try diagnostic?.optionalString("summary")
                    if text == nil { text = try fields.optionalString("@message") }
                    stream.errors.append(summary(text ?? "error diagnostic"))
                }
            case "change_summary":
                let changes = try fields.objectField("changes")
                if try changes.optionalString("operation") == "apply" {
                    closed = true
                    stream.added = try changes.optionalInt("add").map { Int($0) }
                    stream.changed = try changes.optionalInt("change").map { Int($0) }
                    stream.removed = try changes.optionalInt("remove").map { Int($0) }
                }
            default:
                break
            }
        }
        guard stream.messageCount > 0 else {
            throw EvidenceError(
                .notEvidence, source: source, "no Terraform JSON messages; expected the output of terraform apply -json")
        }
        stream.outcome = failed ? .failed : (closed ? .succeeded : .incomplete)
        return stream
    }

    private static func summary(_ text: String) -> String {
        text.count > 300 ? String(text.prefix(300)) + "…" : text
    }
}
