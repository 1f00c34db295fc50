import Foundation
import Testing

@testable import Evidence

/// The evidence store contract (`EvidenceStore`), checked the same way on every backend.
@Suite("Evidence store conformance")
struct StoreConformanceTests {
    @Test("every kind is stored, listed in ledger order and read back exactly", arguments: StoreBackend.enabled)
    func storesEveryKind(backend: StoreBackend) async throws {
        try await StoreHarness.with(backend) { harness in
            let store = harness.store
            let samples = try ConformanceSamples.everyKind()
            #expect(Set(samples.map(\.kind)) == Set(EvidenceKind.allCases))
            var entries: [LedgerEntry] = []
            for sample in samples { entries.append(try await harness.storeNew(sample)) }
            #expect(entries.map(\.seq) == Array(1...Int64(samples.count)))
            #expect(entries.first?.prev == LedgerEntry.genesis)
            for (previous, entry) in zip(entries, entries.dropFirst()) { #expect(entry.prev == previous.hash) }

            let list = try await store.evidenceList()
            #expect(list.map(\.id) == samples.map(\.id))
            #expect(list.map(\.kind) == samples.map(\.kind))
            #expect(list.map(\.seq) == entries.map(\.seq))
            #expect(list.map(\.source) == samples.map(\.source))
            #expect(list.map(\.covers) == samples.map(\.content.covers))
            #expect(try await store.ledgerEntries() == entries)

            for sample in samples {
                let content = try #require(try await store.content(of: sample.id))
                #expect(content == sample.content, "\(sample.kind) content differs after the round trip")
                #expect(content.recordsDigest == sample.recordsDigest)
                let members = try await store.members(of: sample.id)
                #expect(members.map(\.name) == sample.members.map(\.name).sorted())
                for member in members {
                    #expect(member.bytes == sample.members.first { $0.name == member.name }?.bytes)
                }
                let summary = try #require(list.first { $0.id == sample.id })
                #expect(summary.members.map(\.hash) == members.map(\.hash))
            }
            #expect(try await store.content(of: ContentHash.of("not stored")) == nil)

            // Prefix lookup, with and without the scheme.
            let apply = samples[1]
            #expect(try await store.evidence(matching: String(apply.id.hex.prefix(12))).map(\.id) == [apply.id])
            #expect(try await store.evidence(matching: "sha256:" + apply.id.hex).map(\.id) == [apply.id])
            #expect(try await store.evidence(matching: "zz").isEmpty)

            // Another connection (process) sees the same store.
            let reopened = try await harness.reopen()
            #expect(try await reopened.evidenceList() == list)
            if let postgres = reopened as? PostgresEvidenceStore { await postgres.close() }

            let report = try await store.verify()
            #expect(report.intact, "\(report.problems)")
            #expect(report.entries == samples.count)
            #expect(report.evidence == samples.count)
            #expect(report.head == entries.last?.hash)
        }
    }

    @Test("the same bytes twice are one piece of evidence", arguments: StoreBackend.enabled)
    func duplicateIsDetected(backend: StoreBackend) async throws {
        try await StoreHarness.with(backend) { harness in
            let store = harness.store
            let first = try await harness.storeNew(try ConformanceSamples.drill())
            try await harness.storeNew(try ConformanceSamples.consistency())
            var again = try ConformanceSamples.drill()
            again.source = "elsewhere/drill-copy.jsonl"
            guard case .duplicate(let existing) = try await store.store(again) else {
                Issue.record("the same bytes were stored twice")
                return
            }
            #expect(existing.id == first.evidence)
            #expect(existing.seq == first.seq)
            #expect(existing.source == "samples/drill.jsonl")
            #expect(try await store.ledgerEntries().count == 2)
            #expect(try await store.evidenceList().count == 2)
            #expect(try await store.verify().intact)
        }
    }

    @Test("latest state of a workspace and region as of an instant", arguments: StoreBackend.enabled)
    func latestState(backend: StoreBackend) async throws {
        try await StoreHarness.with(backend) { harness in
            let store = harness.store
            let early = try ConformanceSamples.apply(
                run: 100, created: "2026-09-01T09:00:00Z", finished: "2026-09-01T10:00:00Z", stateResources: 1)
            let late = try ConformanceSamples.apply(
                run: 101, created: "2026-09-10T09:00:00Z", finished: "2026-09-10T10:00:00Z", stateResources: 3)
            let noState = try ConformanceSamples.apply(
                run: 102, created: "2026-09-11T09:00:00Z", finished: "2026-09-11T10:00:00Z", stateResources: nil)
            let secondary = try ConformanceSamples.boundState(
                region: "northeurope", asOf: "2026-09-05T00:00:00Z", resources: 2, tag: "ne")
            for evidence in [late, early, noState, secondary] { try await harness.storeNew(evidence) }

            func instant(_ text: String) throws -> Instant { try Timestamp.parseRFC3339(text).get() }
            let west = "westeurope"
            #expect(
                try await store.latestState(
                    workspace: "neprix-tech-prod", region: west, asOf: instant("2026-08-31T00:00:00Z")) == nil)
            let atEarly = try #require(
                try await store.latestState(
                    workspace: "neprix-tech-prod", region: west, asOf: instant("2026-09-01T10:00:00Z")))
            #expect(atEarly.evidence == early.id)
            #expect(atEarly.runID == 100)
            #expect(atEarly.state.resources.count == 1)
            let between = try #require(
                try await store.latestState(
                    workspace: "neprix-tech-prod", region: west, asOf: instant("2026-09-09T23:59:59Z")))
            #expect(between.evidence == early.id)
            let latest = try #require(
                try await store.latestState(
                    workspace: "neprix-tech-prod", region: west, asOf: instant("2026-12-31T00:00:00Z")))
            #expect(latest.evidence == late.id)
            #expect(latest.instant == (try instant("2026-09-10T10:00:00Z")))
            guard case .apply(let record) = late.content else { throw StoreTestFailure("not an apply record") }
            #expect(latest.state == record.state)

            let bound = try #require(
                try await store.latestState(
                    workspace: "neprix-tech-prod", region: "northeurope", asOf: instant("2026-09-30T00:00:00Z")))
            #expect(bound.evidence == secondary.id)
            #expect(bound.runID == nil)
            #expect(
                try await store.latestState(
                    workspace: "neprix-tech-prod", region: "northeurope", asOf: instant("2026-09-04T00:00:00Z")) == nil)
            #expect(
                try await store.latestState(workspace: "other", region: west, asOf: instant("2026-12-31T00:00:00Z"))
                    == nil)

            #expect(
                try await store.stateKeys() == [
                    StateKey(workspace: "neprix-tech-prod", region: "northeurope"),
                    StateKey(workspace: "neprix-tech-prod", region: "westeurope"),
                ])
        }
    }

    @Test("apply runs in a half-open range [from, to)", arguments: StoreBackend.enabled)
    func applyRunsHalfOpen(backend: StoreBackend) async throws {
        try await StoreHarness.with(backend) { harness in
            let store = harness.store
            let atFrom = try ConformanceSamples.apply(
                run: 1, created: "2026-06-30T21:00:00Z", finished: "2026-06-30T22:00:00Z", stateResources: nil)
            let inside = try ConformanceSamples.apply(
                run: 2, created: "2026-08-01T08:00:00Z", finished: "2026-08-01T09:00:00+02:00", stateResources: nil)
            let atTo = try ConformanceSamples.apply(
                run: 3, created: "2026-09-30T20:00:00Z", finished: "2026-09-30T22:00:00Z", stateResources: nil)
            let unfinished = try ConformanceSamples.apply(
                run: 4, created: "2026-08-15T08:00:00Z", finished: nil, result: "failed", stateResources: nil)
            let before = try ConformanceSamples.apply(
                run: 5, created: "2026-06-30T20:00:00Z", finished: "2026-06-30T21:59:59.999999999Z", stateResources: nil
            )
            for evidence in [atTo, inside, before, unfinished, atFrom] { try await harness.storeNew(evidence) }

            // 2026-Q3 in Europe/Rome: [2026-06-30T22:00Z, 2026-09-30T22:00Z).
            let from = try Timestamp.parseRFC3339("2026-07-01T00:00:00+02:00").get()
            let to = try Timestamp.parseRFC3339("2026-10-01T00:00:00+02:00").get()
            let runs = try await store.applyRuns(from: from, to: to)
            #expect(runs.map(\.run.id) == [1, 2, 4])
            #expect(runs.map(\.evidence) == [atFrom.id, inside.id, unfinished.id])
            #expect(runs[0].instant == from)
            #expect(runs[1].run.finishedDate?.utcOffsetSeconds == 7200)
            #expect(runs[1].succeeded)
            #expect(!runs[2].succeeded)
            #expect(runs.allSatisfy { !$0.hasState })
            #expect(try await store.applyRuns(from: to, to: to).isEmpty)
        }
    }

    @Test("drill events ordered by instant, then evidence, then line", arguments: StoreBackend.enabled)
    func drillEventsOrdering(backend: StoreBackend) async throws {
        try await StoreHarness.with(backend) { harness in
            let store = harness.store
            let main = try ConformanceSamples.drill()
            let ops = try ConformanceSamples.drillSupplement()
            let other = try ConformanceSamples.drill(drill: "DR-2026-Q2-01", tag: "q2")
            for evidence in [main, ops, other] { try await harness.storeNew(evidence) }

            #expect(try await store.drillIDs() == ["DR-2026-Q2-01", "DR-2026-Q3-01"])
            let events = try await store.drillEvents(drill: "DR-2026-Q3-01")
            #expect(
                events.map(\.value.event) == [
                    .disruption, .detected, .crisisDeclared, .planActivated, .serviceRestored,
                ])
            let times = events.map(\.value.time)
            #expect(times == times.sorted())
            // crisis_declared (08:09:40+02:00) and plan_activated (06:09:40Z) are the same instant: the
            // evidence ids decide, then the line.
            let tied = events.filter { $0.value.time == (try? Timestamp.parseRFC3339("2026-09-12T06:09:40Z").get()) }
            #expect(tied.count == 2)
            #expect(tied.map(\.evidence) == [main.id, ops.id].sorted())
            #expect(events.first { $0.value.event == .disruption }?.value.utcOffsetCheck == 7200)
            #expect(try await store.drillEvents(drill: "DR-none").isEmpty)
        }
    }

    @Test("change requests by number, every version; approvals by change", arguments: StoreBackend.enabled)
    func changesAndApprovals(backend: StoreBackend) async throws {
        try await StoreHarness.with(backend) { harness in
            let store = harness.store
            let first = try ConformanceSamples.changes()
            let update = try ConformanceSamples.changeUpdateWithApprovals()
            for evidence in [first, update] { try await harness.storeNew(evidence) }

            let changes = try await store.changeRequests(numbers: ["CHG0031889", "CHG0031889", "CHG9999999"])
            #expect(changes.map(\.value.number) == ["CHG0031889", "CHG0031889"])
            #expect(changes.map(\.evidence) == [first.id, update.id])
            #expect(changes.map(\.value.state) == ["-1", "3"])
            #expect(changes[0].value.requestedBy?.display == "Dev Two")
            #expect(changes[0].value.cabRequired == true)
            #expect(try await store.changeRequests(numbers: []).isEmpty)
            #expect(try await store.changeRequests(numbers: ["CHG0031890"]).map(\.value.type) == ["emergency"])

            let approvals = try await store.approvals(changeSysIDs: ["aaaa1111aaaa1111aaaa1111aaaa1111"])
            #expect(approvals.map(\.value.approver.value) == ["Risk Officer", "5555cccc5555cccc5555cccc5555cccc"])
            #expect(approvals.allSatisfy { $0.evidence == update.id })
            #expect(approvals[1].value.approver.display == "CAB Chair")
            #expect(approvals[1].value.comments == "ok")
            let both = try await store.approvals(changeSysIDs: [
                "aaaa1111aaaa1111aaaa1111aaaa1111", "bbbb2222bbbb2222bbbb2222bbbb2222",
            ])
            #expect(both.count == 3)
            #expect(try await store.approvals(changeSysIDs: ["nope"]).isEmpty)
        }
    }

    @Test("consistency runs by drill and by half-open range", arguments: StoreBackend.enabled)
    func consistencyRuns(backend: StoreBackend) async throws {
        try await StoreHarness.with(backend) { harness in
            let store = harness.store
            let drillRun = try ConformanceSamples.consistency()
            let later = try ConformanceSamples.consistency(
                checkRun: "cc-2026-10-01", drill: "DR-2026-Q4-01", checkedAt: "2026-09-30T22:00:00Z")
            for evidence in [later, drillRun] { try await harness.storeNew(evidence) }

            let byDrill = try await store.consistencyRuns(drill: "DR-2026-Q3-01")
            #expect(byDrill.map(\.value.checkRun) == ["cc-2026-09-12T0840"])
            #expect(byDrill.first?.evidence == drillRun.id)
            let tables = try #require(byDrill.first?.value.tables)
            #expect(tables.map(\.table) == ["neprix.silver.contracts", "neprix.gold.exposures"])
            #expect(tables[0].missingFiles == ["part-00003-1b2c.snappy.parquet"])
            #expect(tables[0].action == .restored)
            #expect(tables[0].restoredVersion == 1841)

            let from = try Timestamp.parseRFC3339("2026-06-30T22:00:00Z").get()
            let to = try Timestamp.parseRFC3339("2026-09-30T22:00:00Z").get()
            #expect(try await store.consistencyRuns(from: from, to: to).map(\.evidence) == [drillRun.id])
            let end = try Timestamp.parseRFC3339("2026-12-31T23:00:00Z").get()
            #expect(try await store.consistencyRuns(from: to, to: end).map(\.evidence) == [later.id])
            #expect(try await store.consistencyRuns(drill: "DR-none").isEmpty)

            // Both at once: a drill's runs whenever they ran, and the range's, each once, in check order.
            let drill = "DR-2026-Q3-01"
            #expect(try await store.consistencyRuns(drills: [drill], from: to, to: end).map(\.evidence) == [drillRun.id, later.id])
            #expect(try await store.consistencyRuns(drills: [drill, drill], from: from, to: to).map(\.evidence) == [drillRun.id])
            #expect(try await store.consistencyRuns(drills: [], from: from, to: end).map(\.evidence) == [drillRun.id, later.id])
            #expect(try await store.consistencyRuns(drills: ["DR-2026-Q4-01"], from: end, to: end).map(\.value.checkRun) == ["cc-2026-10-01"])
            #expect(try await store.consistencyRuns(drills: ["DR-none"], from: end, to: end).isEmpty)
        }
    }

    @Test("a record edited behind the store's back is found by verify", arguments: StoreBackend.enabled)
    func tamperingIsDetected(backend: StoreBackend) async throws {
        try await StoreHarness.with(backend) { harness in
            let store = harness.store
            var entries: [LedgerEntry] = []
            for sample in try ConformanceSamples.everyKind() { entries.append(try await harness.storeNew(sample)) }
            #expect(try await store.verify().intact)

            try await harness.execute("UPDATE drill_event SET note = 'nothing happened' WHERE event = 'disruption'")
            try await harness.execute(
                "UPDATE consistency_table SET complete = 1, action = 'none' WHERE table_name = 'neprix.silver.contracts'"
            )
            let report = try await store.verify()
            #expect(!report.intact)
            let drillSeq = try #require(entries.first { $0.kind == .drill }?.seq)
            let consistencySeq = try #require(entries.first { $0.kind == .consistency }?.seq)
            #expect(report.problems.first?.seq == drillSeq)
            #expect(report.problems.first?.message.contains("altered") == true)
            #expect(report.problems.contains { $0.seq == consistencySeq })

            // The ledger itself cannot be rewritten: the database refuses.
            await #expect(throws: (any Error).self) {
                try await harness.execute("UPDATE ledger SET source = 'forged' WHERE seq = 1")
            }
            await #expect(throws: (any Error).self) {
                try await harness.execute("DELETE FROM ledger WHERE seq = 2")
            }
        }
    }

    @Test("an evidence row changed behind the ledger's back breaks verify", arguments: StoreBackend.enabled)
    func evidenceRowTamperingIsDetected(backend: StoreBackend) async throws {
        try await StoreHarness.with(backend) { harness in
            let entry = try await harness.storeNew(try ConformanceSamples.changes())
            try await harness.execute("UPDATE evidence SET source = 'innocent.json'")
            let report = try await harness.store.verify()
            #expect(!report.intact)
            #expect(report.problems.map(\.seq) == [entry.seq])
        }
    }
}

extension DrillEvent {
    /// The input's UTC offset, kept for display.
    fileprivate var utcOffsetCheck: Int32 { time.utcOffsetSeconds }
}
