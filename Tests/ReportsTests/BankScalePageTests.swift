import Foundation
import Testing

@testable import Evidence
@testable import Reports

/// A bank's quarter on the page and in `check --format json`: past ``HTMLView/passingRowsLimit``
/// passes a table lists what did not pass and counts the passes; the findings JSON encoded in slices
/// is byte for byte the JSON encoded whole.
@Suite("Bank-scale page and JSON")
struct BankScalePageTests {
    /// `count` passing consistency findings (and one failing), as a bank's quarter has them.
    static func tableChecks(_ count: Int, failing: String) -> [Finding] {
        let evidence = ContentHash.of(Data("consistency".utf8))
        func finding(_ table: String, _ status: FindingStatus, _ message: String) -> Finding {
            Finding(
                rule: .consistency, subject: "\(table)@cc-1", status: status, severity: .high, measuredSeconds: 0,
                targetSeconds: 900, message: message, evidence: [evidence],
                details: FindingDetails(dataLoss: DataLossDetails(
                    referenceTime: nil, referenceSource: nil,
                    tables: [TableLoss(table: table, checkRun: "cc-1", action: "none", version: 7, versionTime: nil, lossSeconds: 0)])))
        }
        return [finding(failing, .fail, "unrecoverable: no complete version")]
            + (0..<count).map { finding("main.passing_table_\($0)", .pass, "latest version 7 complete in \"north\" <&>\n\u{1}") }
    }

    @Test func pastTheLimitThePageListsWhatDidNotPassAndCountsThePasses() async throws {
        var model = try await HTMLFixtures.sampleModel()
        let checks = Self.tableChecks(HTMLView.passingRowsLimit + 1, failing: "main.lost_table")
        model.dataIntegrity = checks
        model.findings += checks
        let html = try HTMLFixtures.render(model)
        #expect(html.contains("main.lost_table"))
        #expect(!html.contains("main.passing_table_0<"))
        let passes = model.findings.filter { $0.status == .pass }.count
        #expect(html.contains("\(HTMLFormat.grouped(passes)) passing findings ("))
        #expect(html.contains("\(HTMLFormat.grouped(HTMLView.passingRowsLimit + 1)) passing table checks (consistency \(HTMLFormat.grouped(HTMLView.passingRowsLimit + 1))) are not listed here"))
        #expect(html.contains("<caption>Findings that did not pass</caption>"))
    }

    @Test func theDataIntegrityCaptionCountsWithSeparators() async throws {
        var model = try await HTMLFixtures.sampleModel()
        let checks = Self.tableChecks(1_200, failing: "main.lost_table")
        model.dataIntegrity = checks
        model.findings += checks
        let html = try HTMLFixtures.render(model)
        #expect(html.contains("— 1,201 table checks in 1 check run: 1 failing or indeterminate."))
    }

    @Test func upToTheLimitEveryPassIsListed() async throws {
        var model = try await HTMLFixtures.sampleModel()
        let alreadyPassing = model.findings.filter { $0.status == .pass }.count
        let checks = Self.tableChecks(HTMLView.passingRowsLimit - alreadyPassing, failing: "main.lost_table")
        model.dataIntegrity = checks
        model.findings += checks
        let html = try HTMLFixtures.render(model)
        #expect(html.contains("main.passing_table_0<"))
        #expect(html.contains("<caption>All findings</caption>"))
        #expect(!html.contains("are not listed here"))
    }

    @Test func thousandsAreGrouped() {
        #expect(HTMLFormat.grouped(0) == "0")
        #expect(HTMLFormat.grouped(999) == "999")
        #expect(HTMLFormat.grouped(1_000) == "1,000")
        #expect(HTMLFormat.grouped(83_349) == "83,349")
        #expect(HTMLFormat.grouped(1_234_567) == "1,234,567")
        #expect(HTMLFormat.grouped(-4_000) == "-4,000")
    }

    @Test func findingsWrittenInChunksAreTheFindingsEncodedWhole() async throws {
        var findings = Self.tableChecks(6_000, failing: "main.lost_table")
        // Empty arrays (a blank line inside) and nested details at several depths.
        findings.append(Finding(rule: .parity, subject: "ws-empty", status: .pass, severity: .medium, message: "", evidence: []))
        findings.insert(Finding(rule: .rto, subject: "p@d#1", status: .indeterminate, severity: .critical, message: "é\t\"/\\"), at: 3_001)
        let assessment = Assessment(
            period: "2026-Q3", periodStart: Instant(nanosecondsSinceEpoch: 0), periodEnd: Instant(nanosecondsSinceEpoch: 1_000_000_000),
            rules: RuleID.allCases, findings: findings, warnings: ["a warning"])
        #expect(JSONRenderer.streams(findings.count))
        var pieces: [Data] = []
        try await JSONRenderer.write(assessment) { pieces.append($0) }
        // The opening, one piece per chunk, the closing: never the whole document in one piece.
        #expect(pieces.count == 2 + JSONRenderer.chunks(assessment.findings).count)
        #expect(pieces.count > 4)
        #expect(pieces.map(\.count).max() ?? 0 < 1_000_000)
        let sliced = pieces.reduce(Data(), +)
        let whole = try JSONRenderer.renderWhole(assessment)
        #expect(sliced == whole)
        let parsed = try #require(try JSONSerialization.jsonObject(with: sliced) as? [String: Any])
        #expect((parsed["findings"] as? [Any])?.count == findings.count)
    }

    /// A data-loss finding of a drill lists every table of its process: it weighs as much as those
    /// tables, so the chunks after it are not held up behind it.
    @Test func chunksAreCutByWeight() async throws {
        var findings = Self.tableChecks(3_000, failing: "main.lost_table")
        let tables = (0..<5_000).map { TableLoss(table: "main.t\($0)", checkRun: "cc-1", action: "none", version: 1, versionTime: nil, lossSeconds: 60) }
        findings.insert(
            Finding(rule: .rpo, subject: "p@d#1", status: .pass, severity: .high, message: "",
                details: FindingDetails(dataLoss: DataLossDetails(referenceTime: nil, referenceSource: nil, tables: tables))),
            at: 10)
        let ranges = JSONRenderer.chunks(findings)
        #expect(ranges.first == 0..<11)
        // A finding of one table weighs 19: the chunks after the heavy one hold ⌈20,000 / 19⌉ each, the last the rest.
        #expect(ranges.dropFirst().dropLast().map(\.count) == [1_053, 1_053])
        #expect(ranges.last?.count == findings.count - 11 - 2 * 1_053)
        #expect(ranges.map(\.count).reduce(0, +) == findings.count)
        #expect(zip(ranges, ranges.dropFirst()).allSatisfy { $0.upperBound == $1.lowerBound })
        let assessment = Assessment(
            period: "2026-Q3", periodStart: Instant(nanosecondsSinceEpoch: 0), periodEnd: Instant(nanosecondsSinceEpoch: 1_000_000_000),
            rules: RuleID.allCases, findings: findings, warnings: [])
        var pieces: [Data] = []
        try await JSONRenderer.write(assessment) { pieces.append($0) }
        #expect(pieces.reduce(Data(), +) == (try JSONRenderer.renderWhole(assessment)))
    }

    @Test func aSmallQuarterIsEncodedWhole() async throws {
        #expect(!JSONRenderer.streams(1_999))
        let assessment = Assessment(
            period: "2026-Q3", periodStart: Instant(nanosecondsSinceEpoch: 0), periodEnd: Instant(nanosecondsSinceEpoch: 1),
            rules: [], findings: [], warnings: [])
        #expect(try await JSONRenderer.render(assessment) == JSONRenderer.renderWhole(assessment))
    }

    /// A finding is copied into every array of a bank's ~80,000 findings: the large detail sections it
    /// rarely has are held by reference, so it stays small (it was ~920 bytes with them inline).
    @Test func aFindingIsSmall() {
        #expect(MemoryLayout<Finding>.stride <= 320, "\(MemoryLayout<Finding>.stride) bytes")
        var details = FindingDetails()
        details.parity = ParityDetails(primary: nil, secondary: nil, compared: 3, differences: [])
        details.parity?.compared += 1
        #expect(details.parity?.compared == 4)
        #expect(details == FindingDetails(parity: ParityDetails(primary: nil, secondary: nil, compared: 4, differences: [])))
        #expect(details != FindingDetails())
    }

    /// The findings JSON spells its keys out; they are the keys a snake_case strategy would write.
    @Test func detailKeysAreSnakeCase() async throws {
        let hash = ContentHash.of(Data("state".utf8))
        let instant = Instant(nanosecondsSinceEpoch: 1_000_000_000, utcOffsetSeconds: 3_600)
        let event = EventReference(event: "disruption", time: instant, uncertaintySeconds: 5, evidence: hash, line: 3, region: "north")
        let state = StateReference(region: "north", evidence: hash, instant: instant, runID: 4, resources: 12)
        var finding = Finding(
            rule: .rto, subject: "p@d#1", status: .fail, severity: .critical, measuredSeconds: 90, targetSeconds: 60, message: "m",
            evidence: [hash],
            details: FindingDetails(
                recovery: RecoveryDetails(
                    clock: "disruption", disruption: event, declaration: event, restore: event, fromDeclarationSeconds: 1,
                    fromDisruptionSeconds: 2, declarationLatencySeconds: 3, lowerBoundSeconds: 4, upperBoundSeconds: 5, aborted: false),
                dataLoss: DataLossDetails(
                    referenceTime: instant, referenceSource: "disruption event",
                    tables: [TableLoss(table: "t", checkRun: "cc", action: "none", version: 1, versionTime: instant, lossSeconds: 9)]),
                parity: ParityDetails(
                    primary: state, secondary: state, compared: 1,
                    differences: [ParityDifference(kind: .changed, address: "a", type: "t", path: "p", primary: "1", secondary: "2")]),
                applyParity: ApplyParityDetails(
                    runID: 1, region: "north", commit: "c", finished: instant, counterpartRunID: 2, counterpartRegion: "south",
                    counterpartFinished: instant),
                checks: [CheckResult(check: "change exists", passed: nil, detail: "d")],
                cadence: CadenceDetails(windowStart: instant, lastPassingDrill: "d#1", lastPassingTime: instant, attempts: ["d#1"]),
                integrity: IntegrityDetails(entries: 1, head: hash, problems: ["p"]), requesters: ["r"], notes: ["n"]))
        finding.waiver = WaiverNote(id: "w", applied: true, reason: "r", originalStatus: .fail, expires: "2026-12-31", approvedBy: "cro")
        let strategy = JSONEncoder()
        strategy.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        strategy.keyEncodingStrategy = .convertToSnakeCase
        let assessment = Assessment(
            period: "2026-Q3", periodStart: instant, periodEnd: instant, rules: [.rto], findings: [finding], warnings: [])
        let written = try await JSONRenderer.render(assessment)
        #expect(String(decoding: written, as: UTF8.self).contains("\"counterpart_run_id\" : 2"))
        #expect(written == (try strategy.encode(JSONRenderer.Document(
            period: "2026-Q3", summary: JSONRenderer.Summary(pass: 0, fail: 1, indeterminate: 0, waived: 0),
            findings: [JSONRenderer.Item(finding)], warnings: []))))
    }
}
