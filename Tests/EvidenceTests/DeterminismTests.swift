import Foundation
import Testing

@testable import Evidence

/// The same input always gives the same evidence identity and records digest, and a value Terraform
/// marks sensitive never comes out of the parser, neither in records nor in an error.
@Suite("Determinism and secrecy")
struct DeterminismTests {
    static let files = [
        "good/drill.jsonl", "good/drill.csv", "good/drill-timestamps.jsonl", "good/consistency.json",
        "good/consistency.jsonl", "good/servicenow-array.json", "good/servicenow-object.json",
        "good/servicenow-unload.xml", "good/servicenow-response.xml", "good/state-nested-modules.json",
    ]

    @Test("parsing the same file twice gives equal id and recordsDigest", arguments: files)
    func sameFileTwice(_ file: String) throws {
        let options = file.contains("state") ? Fixtures.stateOptions : ParseOptions()
        let first = try Fixtures.parseFixture(file, options: options).get()
        let second = try Fixtures.parseFixture(file, options: options).get()
        #expect(first.id == second.id)
        #expect(first.recordsDigest == second.recordsDigest)
        #expect(first.content == second.content)
        #expect(first.id.description.hasPrefix("sha256:") && first.id.hex.count == 64)
    }

    @Test("parsing the same record folder twice gives equal id and recordsDigest")
    func sameRecordTwice() throws {
        let folder = Fixtures.directory.appendingPathComponent("good/apply-record").path
        let first = try Fixtures.load(.recordFolder(folder)).get()
        let second = try Fixtures.load(.recordFolder(folder)).get()
        #expect(first.id == second.id)
        #expect(first.recordsDigest == second.recordsDigest)
    }

    @Test("different files give different ids and digests")
    func differentFilesDiffer() throws {
        let parsed = try Self.files.map { file in
            try Fixtures.parseFixture(file, options: file.contains("state") ? Fixtures.stateOptions : ParseOptions())
                .get()
        }
        #expect(Set(parsed.map(\.id)).count == Self.files.count)
        #expect(Set(parsed.map(\.recordsDigest)).count == Self.files.count)
    }

    @Test("the records digest does not depend on key order or whitespace")
    func digestIgnoresLayout() throws {
        let compact =
            #"{"check_run":"cc-1","checked_at":"2026-09-12T08:40:02Z","tables":[{"table":"t","complete":true,"action":"none","latest_version_time":1789192711000}]}"#
        let reordered = """
            {
              "tables": [ { "action": "none", "latest_version_time": 1789192711000, "complete": true, "table": "t" } ],
              "checked_at": "2026-09-12T08:40:02Z",
              "check_run": "cc-1"
            }
            """
        let first = try Fixtures.parse(Data(compact.utf8), name: "a.json").get()
        let second = try Fixtures.parse(Data(reordered.utf8), name: "b.json").get()
        #expect(first.id != second.id, "the identity is the bytes")
        // Only the table's line differs (1 vs 3), and lines are part of the records.
        var normalised = try #require(second.content.consistencyReport)
        normalised.runs[0].tables[0].line = 1
        #expect(EvidenceContent.consistency(normalised).recordsDigest == first.recordsDigest)
    }

    @Test("a sensitive value never reaches the parsed records, whether the mask follows the values or precedes them", arguments: [false, true])
    func sensitiveValueNotInRecords(maskFirst: Bool) throws {
        let marker = "RECORD-SECRET-0c5f1e"
        let valuesMember = #""values":{"string_value":"\#(marker)","nested":[{"password":"\#(marker)","user":"svc"}],"map":{"k":"\#(marker)"}}"#
        let mask = #""sensitive_values":{"string_value":true,"nested":[{"password":true}],"map":true}"#
        let state =
            #"{"format_version":"1.0","values":{"root_module":{"resources":[{"address":"databricks_secret.a","mode":"managed","type":"databricks_secret","name":"a","#
            + (maskFirst ? mask + "," + valuesMember : valuesMember + "," + mask) + "}]}}}"
        let evidence = try Fixtures.parse(Data(state.utf8), name: "state.json", options: Fixtures.stateOptions).get()
        let values = try #require(evidence.content.stateValue?.1.resources.first?.values)
        #expect(values["string_value"] == .string(TerraformResource.sensitiveMarker))
        #expect(values["map"] == .string(TerraformResource.sensitiveMarker))
        #expect(
            values["nested"]
                == .array([
                    .object(
                        JSONObject(["password": .string(TerraformResource.sensitiveMarker), "user": .string("svc")]))
                ]))
        let encoded = String(decoding: try JSONEncoder().encode(evidence.content), as: UTF8.self)
        #expect(!encoded.contains(marker))
        #expect(!evidence.content.covers.contains(marker))
        #expect(
            evidence.members.contains { String(decoding: $0.bytes, as: UTF8.self).contains(marker) },
            "the raw file is kept verbatim")
    }

    @Test("a resource's members are read the same whatever their keys' spelling, and a mask is read only when it marks something")
    func resourceMembersAndMasks() throws {
        func resource(_ members: String) throws -> TerraformResource {
            let state = #"{"format_version":"1.0","values":{"root_module":{"resources":[{"# + members + "}]}}}"
            let evidence = try Fixtures.parse(Data(state.utf8), name: "state.json", options: Fixtures.stateOptions).get()
            return try #require(evidence.content.stateValue?.1.resources.first)
        }
        let plain = try resource(#""address":"a.b","mode":"managed","type":"a","name":"b","schema_version":0,"values":{"k":"v"}"#)
        // Escaped keys name the same members, and members the parser does not keep are skipped.
        let escaped = try resource(#""address":"a.b","mode":"managed","type":"a","name":"b","depends_on":["x"],"values":{"k":"v"}"#)
        #expect(escaped == plain)
        // A mask whose keys spell `true` but that marks nothing keeps the values; `true` deep inside marks.
        let unmarked = try resource(#""address":"a.b","mode":"managed","type":"a","name":"b","values":{"true":"v","k":[{"s":"v"}]},"sensitive_values":{"true":{},"k":[{"s":false}]}"#)
        #expect(unmarked.valuesText == #"{"k":[{"s":"v"}],"true":"v"}"#)
        let marked = try resource(#""address":"a.b","mode":"managed","type":"a","name":"b","values":{"true":"v","k":[{"s":"v"}]},"sensitive_values":{"true":{},"k":[{"s":true}]}"#)
        #expect(marked.valuesText == #"{"k":[{"s":"(sensitive)"}],"true":"v"}"#)
        // A repeated key is refused in a skipped member, in a mask, and among the members themselves.
        for members in [
            #""address":"a.b","mode":"managed","type":"a","name":"b","depends_on":{"x":1,"x":2}"#,
            #""address":"a.b","mode":"managed","type":"a","name":"b","sensitive_values":{"k":{},"k":{}}"#,
            #""address":"a.b","mode":"managed","type":"a","name":"b","name":"c""#,
            #""address":"a.b","mode":"managed","type":"a","name":"b","depends_on":[],"depends_on":[]"#,
        ] {
            #expect {
                try resource(members)
            } throws: { error in
                guard let error = error as? EvidenceError else { return false }
                return error.code == .invalidJSON && error.message.contains("duplicate key")
            }
        }
        // A repeated key in a skipped member is located at its opening quote, as the reader locates it.
        #expect {
            try resource("\"address\":\"a.b\",\n\"depends_on\":{\"x\":1,  \"x\":2}")
        } throws: { error in
            guard let error = error as? EvidenceError else { return false }
            return error.line == 2 && error.column == 23
        }
        // A mask of the wrong type is named as before.
        #expect {
            try resource(#""address":"a.b","mode":"managed","type":"a","name":"b","sensitive_values":[true]"#)
        } throws: { error in
            (error as? EvidenceError)?.message == "expected an object, found an array"
        }
    }

    @Test("a sensitive value never appears in an error message")
    func sensitiveValueNotInErrors() throws {
        let marker = "STATE-SECRET-d41d8cd9"
        // A state whose first resource holds a sensitive value, with an error later in the file.
        let states = [
            // A wrong type after the secret.
            #"{"format_version":"1.0","values":{"root_module":{"resources":[{"address":"databricks_secret.a","mode":"managed","type":"databricks_secret","name":"a","values":{"string_value":"\#(marker)"},"sensitive_values":{"string_value":true}},{"address":"databricks_secret.b","mode":"managed","type":"databricks_secret","name":"b","index":[1]}]}}}"#,
            // A bad mode after the secret.
            #"{"format_version":"1.0","values":{"root_module":{"resources":[{"address":"databricks_secret.a","mode":"managed","type":"databricks_secret","name":"a","values":{"string_value":"\#(marker)"},"sensitive_values":{"string_value":true}},{"address":"databricks_secret.b","mode":"\#(marker)","type":"databricks_secret","name":"b"}]}}}"#,
            // A syntax error right after the secret.
            #"{"format_version":"1.0","values":{"root_module":{"resources":[{"address":"databricks_secret.a","values":{"string_value":"\#(marker)" "x"}}]}}}"#,
            // A truncated document that ends inside the secret.
            #"{"format_version":"1.0","values":{"root_module":{"resources":[{"address":"databricks_secret.a","values":{"string_value":"\#(marker)"#,
            // The secret followed by an invalid escape.
            #"{"format_version":"1.0","values":{"root_module":{"resources":[{"values":{"string_value":"\#(marker)\q"}}]}}}"#,
            // A duplicate key holding the secret.
            #"{"format_version":"1.0","values":{"root_module":{"resources":[{"values":{"string_value":"\#(marker)","string_value":"\#(marker)"}}]}}}"#,
        ]
        for (index, state) in states.enumerated() {
            for options in [Fixtures.stateOptions, ParseOptions()] {
                let result = Fixtures.parse(Data(state.utf8), name: "state-\(index).json", options: options)
                let error = try #require(result.error, "state \(index) should be refused")
                #expect(!error.description.contains(marker), "state \(index) leaks the secret: \(error)")
                #expect(
                    !error.description.contains("STATE-SECRET"), "state \(index) leaks part of the secret: \(error)")
            }
        }
    }
}
