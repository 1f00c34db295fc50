import Foundation
import PropertyBased
import Testing

@testable import Evidence
@testable import Reports

/// A small deterministic generator (SplitMix64) to grow random JSON trees from one generated seed, so
/// the property library drives (and reports) the seed.
struct SplitMix {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    mutating func value(depth: Int = 0) -> JSONValue {
        switch below(depth > 3 ? 4 : 7) {
        case 0: return .string(["a", "b", "CAN_VIEW", "15.4.x-scala2.12", "Standard_D8ds_v5", "é"][below(6)])
        case 1: return .number(String(below(100)))
        case 2: return .bool(below(2) == 0)
        case 3: return .string("v\(below(1000))")
        case 4, 5:
            var members: [JSONObject.Member] = []
            for index in 0..<(1 + below(4)) { members.append(JSONObject.Member(key: "k\(index)\(below(3))", value: value(depth: depth + 1))) }
            return .object(JSONObject(members))
        default:
            return .array((0..<(1 + below(4))).map { _ in .object(JSONObject([JSONObject.Member(key: "x", value: value(depth: depth + 2)), JSONObject.Member(key: "n", value: .number(String(below(9))))])) })
        }
    }

    /// The value with one leaf somewhere inside it replaced by another.
    mutating func perturbed(_ value: JSONValue) -> JSONValue {
        switch value {
        case .object(let object) where !object.members.isEmpty:
            var members = object.members
            let index = below(members.count)
            members[index] = JSONObject.Member(key: members[index].key, value: perturbed(members[index].value))
            return .object(JSONObject(members))
        case .array(let elements) where !elements.isEmpty:
            var copy = elements
            let index = below(copy.count)
            copy[index] = perturbed(copy[index])
            return .array(copy)
        default:
            return self.value(depth: 4)
        }
    }

    mutating func shuffled(_ value: JSONValue) -> JSONValue {
        switch value {
        case .array(let elements):
            var copy = elements.map { shuffled($0) }
            for index in stride(from: copy.count - 1, to: 0, by: -1) { copy.swapAt(index, below(index + 1)) }
            return .array(copy)
        case .object(let object):
            return .object(JSONObject(object.members.map { JSONObject.Member(key: $0.key, value: shuffled($0.value)) }.reversed()))
        default:
            return value
        }
    }
}

@Suite("properties of the parity normaliser")
struct NormaliserPropertyTests {
    static let ignore: @Sendable (String) -> [IgnorePath] = { _ in [IgnorePath("id"), IgnorePath("provider_config.*.workspace_id")] }

    func state(_ seed: UInt64, resources count: Int) -> TerraformState {
        var random = SplitMix(state: seed)
        let resources = (0..<count).map { index -> TerraformResource in
            guard case .object(let object) = random.value(depth: 1) else {
                return TerraformResource(address: "t.r\(index)", type: "t", name: "r\(index)", values: .object(JSONObject([])))
            }
            var members = object.members
            members.append(JSONObject.Member(key: "id", value: .string("id-\(random.next())")))
            members.append(JSONObject.Member(key: "provider_config", value: .array([.object(JSONObject([JSONObject.Member(key: "workspace_id", value: .string("\(random.next())"))]))])))
            return TerraformResource(address: "t.r\(index)", type: "t", name: "r\(index)", values: .object(JSONObject(members)))
        }
        return TerraformState(formatVersion: "1.0", resources: resources)
    }

    @Test func aStateEqualsItselfReorderedWithDifferentIgnoredValues() async {
        await propertyCheck(count: 200, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 1...12)) { seed, count in
            let primary = state(seed, resources: count)
            var random = SplitMix(state: seed ^ 0xDEAD_BEEF)
            // Same values, every array and object reordered, ids and workspace ids regenerated.
            let secondary = TerraformState(formatVersion: "1.0", resources: primary.resources.reversed().map { resource in
                var copy = resource
                copy.values = random.shuffled(ParityComparator.removing(Self.ignore("t"), from: resource.values))
                return copy
            })
            let result = ParityComparator.compare(primary: primary, secondary: secondary, ignoring: Self.ignore)
            #expect(result.differences == [])
            #expect(result.compared == count)
        }
    }

    @Test func comparisonIsSymmetric() async {
        await propertyCheck(count: 200, input: Gen.uint64(in: 0...UInt64.max), Gen.uint64(in: 0...UInt64.max)) { first, second in
            let a = state(first, resources: 4)
            let b = state(second, resources: 4)
            let forward = ParityComparator.compare(primary: a, secondary: b, ignoring: Self.ignore).differences
            let backward = ParityComparator.compare(primary: b, secondary: a, ignoring: Self.ignore).differences
            #expect(forward.count == backward.count)
            #expect(forward.isEmpty == backward.isEmpty)
            #expect(Set(forward.map { "\($0.address) \($0.path) \($0.primary ?? "-") \($0.secondary ?? "-")" })
                == Set(backward.map { "\($0.address) \($0.path) \($0.secondary ?? "-") \($0.primary ?? "-")" }))
        }
    }

    @Test func findingsAreOrderedByRuleStatusAndSubjectBytesAndTiesKeepTheirOrder() async {
        await propertyCheck(count: 200, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 0...60)) { seed, count in
            var random = SplitMix(state: seed)
            let subjects = ["", "a", "a@cc-1", "a@cc-10", "a@cc-2", "é", "e\u{301}", "Z", "z", "lending.t1@cc-1"]
            let findings = (0..<count).map { index in
                Finding(
                    rule: RuleID.allCases[random.below(RuleID.allCases.count)], subject: subjects[random.below(subjects.count)],
                    status: FindingStatus.allCases[random.below(FindingStatus.allCases.count)], severity: .high, message: "\(index)")
            }
            func key(_ finding: Finding) -> [Int] {
                [RuleID.allCases.firstIndex(of: finding.rule)!, FindingStatus.allCases.firstIndex(of: finding.status)!]
            }
            let expected = findings.enumerated().sorted { a, b in
                if key(a.element) != key(b.element) { return key(a.element).lexicographicallyPrecedes(key(b.element)) }
                if a.element.subject.utf8.elementsEqual(b.element.subject.utf8) { return a.offset < b.offset }
                return a.element.subject.utf8.lexicographicallyPrecedes(b.element.subject.utf8)
            }
            #expect(Assessment.ordered(findings).map(\.message) == expected.map(\.element.message))
        }
    }

    @Test func theReportListsFindingsWorstFirstAndTiesKeepTheirOrder() async {
        await propertyCheck(count: 200, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 0...60)) { seed, count in
            var random = SplitMix(state: seed)
            let subjects = ["", "a", "a@cc-1", "a@cc-10", "a@cc-2", "é", "e\u{301}", "Z", "z"]
            let findings = (0..<count).map { index in
                Finding(
                    rule: RuleID.allCases[random.below(RuleID.allCases.count)], subject: subjects[random.below(subjects.count)],
                    status: FindingStatus.allCases[random.below(FindingStatus.allCases.count)],
                    severity: Severity.allCases[random.below(Severity.allCases.count)], message: "\(index)")
            }
            let expected = findings.enumerated().sorted { a, b in
                let (x, y) = (a.element, b.element)
                if x.status != y.status { return x.status < y.status }
                if x.severity != y.severity { return x.severity < y.severity }
                if x.rule != y.rule { return x.rule < y.rule }
                if !x.subject.utf8.elementsEqual(y.subject.utf8) { return x.subject.utf8.lexicographicallyPrecedes(y.subject.utf8) }
                return a.offset < b.offset
            }
            #expect(ReportModel.worstFirst(findings).map(\.message) == expected.map(\.element.message))
        }
    }

    @Test func aChangedLeafIsAlwaysFoundAndASensitiveOneNever() async {
        await propertyCheck(count: 200, input: Gen.uint64(in: 0...UInt64.max), Gen.bool) { seed, sensitive in
            let primary = state(seed, resources: 3)
            var secondary = primary
            let marker = "secret-\(seed)"
            let first = secondary.resources[0]
            guard case .object(let object) = first.values else { return }
            let leaf: JSONValue = sensitive ? .string(TerraformResource.sensitiveMarker) : .string(marker)
            secondary.resources[0].values = .object(JSONObject(object.members + [JSONObject.Member(key: "zz_added", value: leaf)]))
            var left = primary
            if sensitive, case .object(let original) = left.resources[0].values {
                left.resources[0].values = .object(JSONObject(original.members + [JSONObject.Member(key: "zz_added", value: .string(TerraformResource.sensitiveMarker))]))
            }
            let differences = ParityComparator.compare(primary: left, secondary: secondary, ignoring: Self.ignore).differences
            if sensitive {
                #expect(differences.isEmpty)
            } else {
                #expect(differences.map(\.path) == ["zz_added"])
                #expect(differences.first?.secondary == "\"\(marker)\"")
            }
        }
    }
}

@Suite("properties of the attribute-by-attribute parity comparison")
struct AttributeComparisonPropertyTests {
    static let pathSets: [[IgnorePath]] = [
        [], [IgnorePath("id")], [IgnorePath("k00"), IgnorePath("k11.k00")], [IgnorePath("*")],
        [IgnorePath("k10.*.x"), IgnorePath("k20.n")], [IgnorePath("k0*"), IgnorePath("k31")],
    ]

    @Test func comparingAttributeByAttributeFindsWhatComparingWholeValuesFinds() async {
        await propertyCheck(count: 400, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 0...(Self.pathSets.count - 1))) { seed, pathSet in
            var random = SplitMix(state: seed)
            guard case .object(let left) = random.value(depth: 1) else { return }
            // The secondary keeps some attributes, changes, drops or reorders others, and adds one.
            var members: [JSONObject.Member] = []
            for member in left.members {
                switch random.below(5) {
                case 0: members.append(JSONObject.Member(key: member.key, value: random.value(depth: 2)))
                case 1: continue
                case 2: members.append(JSONObject.Member(key: member.key, value: random.shuffled(member.value)))
                default: members.append(member)
                }
            }
            if random.below(3) == 0 { members.append(JSONObject.Member(key: "k\(random.below(4))\(random.below(3))", value: random.value(depth: 2))) }
            let unique = Dictionary(members.map { ($0.key, $0) }, uniquingKeysWith: { first, _ in first })
            let first = TerraformResource(address: "t.r", type: "t", name: "r", values: .object(left))
            let second = TerraformResource(address: "t.r", type: "t", name: "r", values: .object(JSONObject(Array(unique.values))))
            var byAttribute: [ParityDifference] = []
            var whole: [ParityDifference] = []
            ParityComparator.compareValues(first, second, paths: Self.pathSets[pathSet], address: "t.r", into: &byAttribute)
            ParityComparator.compareWhole(first, second, paths: Self.pathSets[pathSet], address: "t.r", into: &whole)
            #expect(byAttribute == whole, "\(first.valuesText) vs \(second.valuesText)")
        }
    }

    /// Paths that reach inside members: through arrays by `*` and by name, and into nested objects.
    static let innerPathSets: [[IgnorePath]] = [
        [IgnorePath("k10.*.x")], [IgnorePath("*.*.n"), IgnorePath("k00.k10")], [IgnorePath("k20.x"), IgnorePath("k11.*")],
        [IgnorePath("*.k00.*.x"), IgnorePath("k01.n")], [IgnorePath("k10.0.x")], [IgnorePath("*.x.*.n"), IgnorePath("*.*.x")],
    ]

    /// Two values that differ in one leaf, often inside a member a path reaches into: the comparison
    /// that skips members the same outside the paths must find what stripping whole values finds.
    @Test func aLeafChangedWherePathsReachIsFoundAsStrippingFindsIt() async {
        await propertyCheck(count: 600, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 0...(Self.innerPathSets.count - 1))) { seed, pathSet in
            var random = SplitMix(state: seed)
            guard case .object(let left) = random.value(depth: 1) else { return }
            let first = TerraformResource(address: "t.r", type: "t", name: "r", values: .object(left))
            let second = TerraformResource(address: "t.r", type: "t", name: "r", values: random.perturbed(.object(left)))
            var byAttribute: [ParityDifference] = []
            var whole: [ParityDifference] = []
            ParityComparator.compareValues(first, second, paths: Self.innerPathSets[pathSet], address: "t.r", into: &byAttribute)
            ParityComparator.compareWhole(first, second, paths: Self.innerPathSets[pathSet], address: "t.r", into: &whole)
            #expect(byAttribute == whole, "\(first.valuesText) vs \(second.valuesText)")
        }
    }
}

@Suite("properties of the multiset difference of arrays")
struct MultisetPropertyTests {
    @Test func matchingByValueLeavesWhatCountingByTextLeaves() async {
        await propertyCheck(count: 500, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 0...12), Gen.int(in: 0...12)) { seed, leftCount, rightCount in
            var random = SplitMix(state: seed)
            // Elements drawn from a small pool, so both sides repeat values and share some.
            let pool = (0..<(1 + random.below(5))).map { _ in random.value(depth: 2) }
            let left = (0..<leftCount).map { _ in pool[random.below(pool.count)] }
            let right = (0..<rightCount).map { _ in pool[random.below(pool.count)] }
            let byValue = ParityComparator.unmatched(left, right)
            let expected = ParityComparator.unmatchedByText(left, right)
            #expect(byValue.left == expected.left && byValue.right == expected.right)
        }
    }
}

@Suite("properties of duration arithmetic with clock uncertainty")
struct IntervalPropertyTests {
    @Test func verdictMatchesTheBounds() async {
        await propertyCheck(count: 500, input: Gen.int64(in: -100...30_000), Gen.int64(in: 0...60), Gen.int64(in: 0...20_000)) { measured, uncertainty, target in
            let verdict = UncertainDuration.verdict(measured: measured, uncertainty: uncertainty, target: target)
            switch verdict {
            case .pass: #expect(measured + uncertainty <= target)
            case .fail: #expect(measured - uncertainty > target)
            case .indeterminate: #expect(measured + uncertainty > target && measured - uncertainty <= target)
            case .waived: Issue.record("a duration is never waived")
            }
            if uncertainty == 0 { #expect(verdict == (measured <= target ? .pass : .fail)) }
        }
    }

    @Test func moreTimeNeverImprovesTheVerdict() async {
        await propertyCheck(count: 500, input: Gen.int64(in: 0...30_000), Gen.int64(in: 0...60), Gen.int64(in: 0...20_000), Gen.int64(in: 0...500)) { measured, uncertainty, target, extra in
            let before = UncertainDuration.verdict(measured: measured, uncertainty: uncertainty, target: target)
            let after = UncertainDuration.verdict(measured: measured + extra, uncertainty: uncertainty, target: target)
            let rank: [FindingStatus: Int] = [.pass: 0, .indeterminate: 1, .fail: 2]
            #expect((rank[after] ?? 0) >= (rank[before] ?? 0))
        }
    }

    @Test func moreUncertaintyOnlyMovesTowardIndeterminate() async {
        await propertyCheck(count: 500, input: Gen.int64(in: 0...30_000), Gen.int64(in: 0...60), Gen.int64(in: 0...20_000), Gen.int64(in: 0...120)) { measured, uncertainty, target, extra in
            let before = UncertainDuration.verdict(measured: measured, uncertainty: uncertainty, target: target)
            let after = UncertainDuration.verdict(measured: measured, uncertainty: uncertainty + extra, target: target)
            #expect(after == before || after == .indeterminate)
        }
    }

    @Test func durationsDoNotDependOnTheOffsetsTheyWereWrittenIn() async {
        await propertyCheck(count: 500, input: Gen.int64(in: 1_700_000_000...1_900_000_000), Gen.int64(in: 0...200_000), Gen.int(in: -14...14), Gen.int(in: -14...14)) { start, length, first, second in
            let a = Instant(secondsSinceEpoch: start)
            let b = Instant(secondsSinceEpoch: start + length)
            let shown = UncertainDuration.seconds(from: a.withOffset(Int32(first * 3600)), to: b.withOffset(Int32(second * 3600)))
            #expect(shown == length)
            // Written out and read back in any offset, the instants measure the same.
            let reparsedA = try Timestamp.parseRFC3339(a.withOffset(Int32(first * 3600)).rfc3339()).get()
            let reparsedB = try Timestamp.parseRFC3339(b.withOffset(Int32(second * 3600)).rfc3339()).get()
            #expect(UncertainDuration.seconds(from: reparsedA, to: reparsedB) == length)
        }
    }
}

@Suite("properties of the findings JSON")
struct FindingsJSONPropertyTests {
    /// Every byte the encoder escapes, slashes it does not, and text beyond ASCII.
    static let texts: [String] = [
        "", "a", "main.lost_table", "\"quoted\"", "back\\slash", "a/b", "line\nbreak\r\n\ttab", "\u{8}\u{C}",
        String(decoding: (0..<32).map { UInt8($0) }, as: UTF8.self), "\u{7F}", "é", "e\u{301}", "\u{2028}", "😀", "CHG0050065 (emergency)",
    ]

    static func finding(_ random: inout SplitMix) -> Finding {
        func text() -> String { texts[random.below(texts.count)] }
        func maybe<T>(_ value: @autoclosure () -> T) -> T? { random.below(2) == 0 ? nil : value() }
        func seconds() -> Int64 { [0, 1, -1, 59, 14_460, Int64.max, Int64.min][random.below(7)] }
        func instant() -> Instant {
            Instant(nanosecondsSinceEpoch: Int64(random.below(2_000_000_000)) * 1_000_000_000 + Int64(random.below(3)) * 771_003_000,
                utcOffsetSeconds: [0, 3_600, -18_000][random.below(3)])
        }
        let hash = ContentHash.of(Data(text().utf8))
        let event = EventReference(event: text(), time: instant(), uncertaintySeconds: seconds(), evidence: hash, line: random.below(99), region: maybe(text()))
        let state = StateReference(region: text(), evidence: hash, instant: instant(), runID: maybe(random.below(99)), resources: random.below(3_000))
        let details = FindingDetails(
            recovery: maybe(RecoveryDetails(
                clock: text(), disruption: maybe(event), declaration: maybe(event), restore: maybe(event), fromDeclarationSeconds: maybe(seconds()),
                fromDisruptionSeconds: maybe(seconds()), declarationLatencySeconds: maybe(seconds()), lowerBoundSeconds: maybe(seconds()),
                upperBoundSeconds: maybe(seconds()), aborted: random.below(2) == 0)),
            dataLoss: maybe(DataLossDetails(
                referenceTime: maybe(instant()), referenceSource: maybe(text()),
                tables: (0..<random.below(4)).map { _ in
                    TableLoss(table: text(), checkRun: text(), action: text(), version: maybe(seconds()), versionTime: maybe(instant()), lossSeconds: maybe(seconds()))
                })),
            parity: maybe(ParityDetails(
                primary: maybe(state), secondary: maybe(state), compared: random.below(3_000),
                differences: (0..<random.below(3)).map { _ in
                    ParityDifference(kind: .changed, address: text(), type: text(), path: text(), primary: maybe(text()), secondary: maybe(text()))
                })),
            applyParity: maybe(ApplyParityDetails(
                runID: random.below(50_000), region: text(), commit: maybe(text()), finished: instant(), counterpartRunID: maybe(random.below(50_000)),
                counterpartRegion: text(), counterpartFinished: maybe(instant()))),
            checks: maybe((0..<random.below(3)).map { _ in CheckResult(check: text(), passed: maybe(random.below(2) == 0), detail: text()) }),
            cadence: maybe(CadenceDetails(windowStart: instant(), lastPassingDrill: maybe(text()), lastPassingTime: maybe(instant()), attempts: (0..<random.below(3)).map { _ in text() })),
            integrity: maybe(IntegrityDetails(entries: random.below(9), head: maybe(hash), problems: (0..<random.below(3)).map { _ in text() })),
            requesters: maybe((0..<random.below(3)).map { _ in text() }), notes: maybe((0..<random.below(3)).map { _ in text() }))
        var finding = Finding(
            rule: RuleID.allCases[random.below(RuleID.allCases.count)], subject: text(),
            status: FindingStatus.allCases[random.below(FindingStatus.allCases.count)], severity: Severity.allCases[random.below(Severity.allCases.count)],
            measuredSeconds: maybe(seconds()), targetSeconds: maybe(seconds()), message: text(),
            evidence: (0..<random.below(3)).map { _ in ContentHash.of(Data(text().utf8)) }, details: details)
        finding.waiver = maybe(WaiverNote(
            id: text(), applied: random.below(2) == 0, reason: text(), originalStatus: .fail, expires: text(), approvedBy: text()))
        return finding
    }

    static func assessment(_ findings: [Finding], _ random: inout SplitMix) -> Assessment {
        Assessment(
            period: texts[random.below(texts.count)], periodStart: Instant(nanosecondsSinceEpoch: 0),
            periodEnd: Instant(nanosecondsSinceEpoch: 1), rules: RuleID.allCases, findings: findings,
            warnings: (0..<random.below(3)).map { _ in texts[random.below(texts.count)] })
    }

    @Test func writtenFindingsAreTheEncodersBytes() async throws {
        await propertyCheck(count: 300, input: Gen.uint64(in: 0...UInt64.max), Gen.int(in: 0...12)) { seed, count in
            var random = SplitMix(state: seed)
            let findings = (0..<count).map { _ in Self.finding(&random) }
            let assessment = Self.assessment(findings, &random)
            let written = try? await JSONRenderer.render(assessment)
            let encoded = try? JSONRenderer.renderWhole(assessment)
            #expect(written != nil)
            #expect(written == encoded)
        }
    }

    /// A bank's findings are written in chunks on both cores: joined, they are the encoder's bytes.
    @Test func findingsWrittenInChunksAreTheEncodersBytes() async throws {
        var random = SplitMix(state: 7)
        let findings = (0..<(2 * JSONRenderer.chunkSize + 500)).map { _ in Self.finding(&random) }
        let assessment = Self.assessment(findings, &random)
        #expect(JSONRenderer.streams(findings.count))
        var pieces: [Data] = []
        try await JSONRenderer.write(assessment) { pieces.append($0) }
        #expect(pieces.count == 2 + JSONRenderer.chunks(findings).count)
        #expect(pieces.reduce(Data(), +) == (try JSONRenderer.renderWhole(assessment)))
    }
}
