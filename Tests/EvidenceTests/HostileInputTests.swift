import Foundation
import Testing

@testable import Evidence

/// Truncated, wrong-typed, malformed and hostile inputs: each is refused with exactly the error written
/// here (code, line, column or field where known, and a message that says what was expected), and none
/// crashes or hangs.
@Suite("Hostile inputs")
struct HostileInputTests {
    struct Case: Sendable, CustomTestStringConvertible {
        /// A file under `Fixtures/hostile/`.
        var file: String
        var options = ParseOptions()
        var expected: ExpectedError
        var testDescription: String { file + (options.kind.map { " --kind \($0.rawValue)" } ?? "") }
    }

    static let cases: [Case] = [
        Case(
            file: "truncated.json",
            expected: ExpectedError(.invalidJSON, line: 4, column: 52, mentions: ["truncated JSON", "end of input"])),
        Case(
            file: "truncated.json", options: ParseOptions(kind: .consistency),
            expected: ExpectedError(.invalidJSON, line: 4, column: 52, mentions: ["truncated JSON", "end of input"])),
        Case(
            file: "wrong-type-consistency.json",
            expected: ExpectedError(
                .wrongType, line: 7, field: "tables[1].latest_version",
                mentions: ["expected an integer", "found a string"])),
        Case(
            file: "wrong-type-drill.jsonl",
            expected: ExpectedError(
                .wrongType, line: 2, field: "attempt", mentions: ["expected an integer", "found a string"])),
        Case(
            file: "wrong-type-state-index.json",
            expected: ExpectedError(
                .wrongType, line: 11, field: "values.root_module.resources[0].index",
                mentions: ["expected a number or a string", "found a boolean"])),
        Case(
            file: "wrong-type-state-index.json", options: Fixtures.stateOptions,
            expected: ExpectedError(.wrongType, line: 11, field: "values.root_module.resources[0].index")),
        Case(
            file: "wrong-type-servicenow.json",
            expected: ExpectedError(
                .wrongType, line: 2, field: "result", mentions: ["expected a record or an array of records"])),
        Case(
            file: "drill-missing-columns.csv",
            expected: ExpectedError(
                .missingField, line: 1, field: "time", mentions: ["CSV header", "expected at least drill, time, event"])
        ),
        Case(
            file: "drill-short-row.csv",
            expected: ExpectedError(.invalidCSV, line: 3, mentions: ["row has 2 fields", "the header has 4"])),
        Case(
            file: "drill-unknown-event.jsonl",
            expected: ExpectedError(
                .unknownEvent, line: 2, field: "event",
                mentions: ["crisis_declard", "expected one of", "crisis_declared"])),
        Case(
            file: "drill-naive-timestamp.jsonl",
            expected: ExpectedError(
                .naiveTimestamp, line: 3, field: "time", mentions: ["no offset", "expected Z or ±hh:mm"])),
        Case(
            file: "drill-ten-fraction-digits.jsonl",
            expected: ExpectedError(
                .invalidTimestamp, line: 1, field: "time", mentions: ["fraction digits", "expected"])),
        Case(
            file: "state-format-2.json",
            expected: ExpectedError(
                .unsupportedFormat, line: 2, field: "format_version", mentions: ["2.0", "expected 1.x"])),
        Case(
            file: "state-format-2.json", options: Fixtures.stateOptions,
            expected: ExpectedError(.unsupportedFormat, line: 2, field: "format_version")),
        Case(
            file: "state-duplicate-address.json", options: Fixtures.stateOptions,
            expected: ExpectedError(
                .duplicateRecord, line: 8, field: "values.root_module.resources[1].address",
                mentions: ["databricks_group.admins", "appears twice", "expected unique"])),
        Case(
            file: "doctype-external-entity.xml",
            expected: ExpectedError(.forbiddenDTD, line: 2, mentions: ["DOCTYPE", "refused"])),
        Case(
            file: "doctype-external-entity.xml", options: ParseOptions(kind: .change),
            expected: ExpectedError(.forbiddenDTD, line: 2)),
        Case(
            file: "billion-laughs.xml",
            expected: ExpectedError(.forbiddenDTD, line: 2, mentions: ["DOCTYPE", "refused"])),
        Case(
            file: "not-well-formed.xml",
            expected: ExpectedError(
                .invalidXML, line: 4, mentions: ["invalid XML", "expected a ServiceNow XML export"])),
        Case(
            file: "undefined-entity.xml",
            expected: ExpectedError(.invalidXML, line: 6, mentions: ["secret", "expected a ServiceNow XML export"])),
        Case(
            file: "whitespace-only.txt",
            expected: ExpectedError(.empty, mentions: ["only whitespace", "expected a drill log"])),
        Case(
            file: "readme.md",
            expected: ExpectedError(.notEvidence, line: 1, mentions: ["unrecognised text", "expected a drill log"])),
        Case(
            file: "array.json",
            expected: ExpectedError(.notEvidence, line: 1, mentions: ["a JSON array", "expected a drill log"])),
        Case(
            file: "config.yaml",
            expected: ExpectedError(.notEvidence, line: 1, mentions: ["expected a drill log"])),
        Case(
            file: "drill-duplicate-line.jsonl",
            expected: ExpectedError(
                .duplicateRecord, line: 3, mentions: ["duplicate of line 1", "must be logged once"])),
        Case(
            file: "drill-unknown-field.jsonl",
            expected: ExpectedError(
                .invalidValue, line: 2, field: "severity", mentions: ["unknown field", "expected one of"])),
        Case(
            file: "drill-restored-without-process.jsonl",
            expected: ExpectedError(
                .missingField, line: 2, field: "process", mentions: ["a service_restored event must name the process"])),
        Case(
            file: "consistency-none-incomplete.json",
            expected: ExpectedError(
                .invalidValue, line: 7, field: "tables[0].action",
                mentions: ["not complete", "expected restored or unrecoverable"])),
        Case(
            file: "consistency-duplicate-table.json",
            expected: ExpectedError(
                .duplicateRecord, line: 8, field: "table",
                mentions: ["neprix.gold.exposures", "appears twice", "first at line 4"])),
        Case(
            file: "servicenow-other-table.json",
            expected: ExpectedError(
                .notEvidence, line: 3, field: "result[0]", mentions: ["not a change_request", "sysapproval_approver"])),
        Case(
            file: "servicenow-incident.json",
            expected: ExpectedError(.notEvidence, field: "result[0]", mentions: ["not a change_request"])),
        Case(
            file: "drill-unterminated-quote.csv",
            expected: ExpectedError(.invalidCSV, line: 2, mentions: ["row has 2 fields", "the header has 3"])),
        Case(
            file: "servicenow-bad-datetime.json",
            expected: ExpectedError(
                .invalidTimestamp, line: 9, field: "result[0].end_date",
                mentions: ["10/09/2026", "expected yyyy-MM-dd HH:mm:ss"])),
        Case(
            file: "duplicate-keys.json",
            expected: ExpectedError(.invalidJSON, line: 7, column: 3, mentions: ["duplicate key", "check_run"])),
        Case(
            file: "lone-surrogate.jsonl",
            expected: ExpectedError(
                .invalidJSON, line: 2, column: 100, mentions: ["lone low surrogate", "not a character"])),
    ]

    @Test("a hostile file is refused with its exact error", arguments: cases)
    func refused(_ hostile: Case) throws {
        let bytes = try Fixtures.data("hostile/" + hostile.file)
        let result = Fixtures.parse(bytes, name: hostile.file, options: hostile.options)
        let check = { result.expectError(hostile.expected, source: hostile.file) }
        check()
    }

    @Test("every file in Fixtures/hostile has an expected error")
    func everyFixtureUsed() throws {
        let names = try FileManager.default.contentsOfDirectory(
            atPath: Fixtures.directory.appendingPathComponent("hostile").path
        ).filter { !$0.hasPrefix(".") }
        #expect(Set(names) == Set(Self.cases.map(\.file)))
    }

    // MARK: Generated inputs

    @Test("a 0-byte file is empty")
    func zeroBytes() {
        Fixtures.parse(Data(), name: "empty.jsonl")
            .expectError(ExpectedError(.empty, mentions: ["0 bytes", "expected a drill log"]), source: "empty.jsonl")
        Fixtures.parse(Data(), name: "empty.json", options: ParseOptions(kind: .drill))
            .expectError(ExpectedError(.empty, mentions: ["0 bytes"]))
    }

    @Test("random bytes with NULs are binary")
    func randomBytes() {
        var generator = SplitMix64(seed: 0x5EED_CAFE)
        var bytes = (0..<4096).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        bytes[17] = 0
        bytes[0] = UInt8(ascii: "{")
        for kind in [nil, EvidenceKind.drill, .state, .change, .consistency] {
            Fixtures.parse(
                Data(bytes), name: "noise.bin", options: ParseOptions(kind: kind, workspace: "w", region: "r")
            )
            .expectError(ExpectedError(.binary, mentions: ["binary content", "expected"]))
        }
    }

    @Test("a PNG is binary, refused at byte 0")
    func pngHeader() {
        let png: [UInt8] = [
            0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52,
            0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F, 0x15, 0xC4, 0x89,
        ]
        Fixtures.parse(Data(png), name: "logo.png")
            .expectError(ExpectedError(.binary, mentions: ["byte 0", "expected"]), source: "logo.png")
    

    }

    @Test("a UTF-16 drill log (NULs between ASCII) is binary")
    func utf16() throws {
        let text = #"{"drill":"DR-1","time":"2026-09-12T08:03:11Z","event":"disruption"}"#
        let bytes = try #require(text.data(using: .utf16LittleEndian))
        Fixtures.parse(bytes, name: "drill.jsonl").expectError(ExpectedError(.binary))
    }

    @Test("10,000 nested arrays: invalidJSON at the depth limit, no crash")
    func deepArrays() {
        let bytes = Data(repeating: UInt8(ascii: "["), count: 10_000)
        // (--kind drill reads anything not starting with '{' as CSV; deep JSON Lines is tested below.)
        for kind in [nil, EvidenceKind.state, .change, .consistency] {
            Fixtures.parse(bytes, name: "deep.json", options: ParseOptions(kind: kind, workspace: "w", region: "r"))
                .expectError(ExpectedError(.invalidJSON, line: 1, column: 513, mentions: ["nesting deeper than 512"]))
        }
    }

    @Test("10,000 nested objects in a JSON Lines drill log: invalidJSON on that line, no crash")
    func deepObjectsInJSONLines() {
        let first = #"{"drill":"DR-1","time":"2026-09-12T08:03:11Z","event":"disruption"}"#
        let deep = String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        let bytes = Data((first + "\n" + #"{"drill":"DR-1","note":"# + deep + "}\n").utf8)
        for kind in [nil, EvidenceKind.drill] {
            Fixtures.parse(bytes, name: "deep.jsonl", options: ParseOptions(kind: kind))
                .expectError(ExpectedError(.invalidJSON, line: 2, column: 2_579, mentions: ["nesting deeper than 512"]))
        }
    }

    @Test("XML nested 10,000 deep: invalidXML, no crash")
    func deepXML() {
        let xml =
            "<unload>" + String(repeating: "<a>", count: 10_000) + String(repeating: "</a>", count: 10_000)
            + "</unload>"
        Fixtures.parse(Data(xml.utf8), name: "deep.xml")
            .expectError(ExpectedError(.invalidXML, line: 1, mentions: ["expected a ServiceNow XML export"]))
    }

    @Test("the billion-laughs XML is refused fast")
    func billionLaughsIsFast() throws {
        let bytes = try Fixtures.data("hostile/billion-laughs.xml")
        let clock = ContinuousClock()
        var result: Result<ParsedEvidence, EvidenceError>?
        let elapsed = clock.measure { result = Fixtures.parse(bytes, name: "billion-laughs.xml") }
        #expect(result?.error?.code == .forbiddenDTD)
        #expect(elapsed < .seconds(2), "took \(elapsed)")
    }

    @Test("an undefined entity is an error even with the DOCTYPE check bypassed by kind")
    func undefinedEntityForcedKind() throws {
        Fixtures.parse(
            try Fixtures.data("hostile/undefined-entity.xml"), name: "undefined-entity.xml",
            options: ParseOptions(kind: .change)
        )
        .expectError(ExpectedError(.invalidXML, line: 6))
    }

    /// `{"drill":"DR-1","time":"…","event":"disruption","note":"caf<0xE9> …"}`: Latin-1 text in a UTF-8 log.
    static func latin1Line(_ number: Int) -> [UInt8] {
        Array(#"{"drill":"DR-1","time":"2026-09-12T08:03:11Z","event":"disruption","note":"caf"#.utf8) + [0xE9]
            + Array(#" \#(number)"}"#.utf8)
    }

    @Test("invalid UTF-8 inside a JSON string in the first 64 KiB: invalidJSON at its line and column")
    func invalidUTF8Early() {
        let good = Array(#"{"drill":"DR-1","time":"2026-09-12T08:00:00Z","event":"drill_started"}"#.utf8)
        let bytes = Data(good + [0x0A] + Self.latin1Line(2) + [0x0A])
        Fixtures.parse(bytes, name: "drill.jsonl")
            .expectError(ExpectedError(.invalidJSON, line: 2, column: 79, mentions: ["UTF-8"]))
    

    }

    @Test("invalid UTF-8 inside a JSON string past 64 KiB: invalidJSON at its line and column")
    func invalidUTF8Late() {
        var bytes: [UInt8] = []
        var line = 0
        while bytes.count < 70_000 {
            line += 1
            let minute = line / 60 % 60
            let second = line % 60
            let hour = line / 3600
            let time =
                "2026-09-12T\(hour < 10 ? "0" : "")\(hour):\(minute < 10 ? "0" : "")\(minute):\(second < 10 ? "0" : "")\(second)Z"
            bytes += Array(#"{"drill":"DR-1","time":"\#(time)","event":"milestone","process":"p"}"#.utf8) + [0x0A]
        }
        bytes += Self.latin1Line(line + 1) + [0x0A]
        Fixtures.parse(Data(bytes), name: "drill.jsonl")
            .expectError(ExpectedError(.invalidJSON, line: line + 1, column: 79, mentions: ["UTF-8"]))
    }
}

/// A small seeded generator, so the "random" bytes are the same on every run.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
