import Foundation

/// Writes a synthetic quarter into a folder:
///
/// ```
/// drreport.yaml        the bank's policy
/// expected.json        every failing, indeterminate or waived finding, and the subjects per rule
/// manifest.json        sizes and record counts (for throughput figures)
/// evidence/            what `drreport ingest` reads
///   drills/            four drill logs (three JSON Lines, one CSV)
///   consistency/       four consistency-check outputs (three JSON documents, one JSON Lines)
///   runs/<id>-<workspace>-<region>/   run.json, apply.jsonl, state.json on the latest run of each region
///   servicenow/        change_request and sysapproval_approver exports
/// ```
///
/// The folder is written under a temporary name and renamed when complete, so a cache never holds a
/// half-written quarter.
struct QuarterGenerator {
    /// The version of the generated data; a change of shape or content bumps it (benchmark caches key on it).
    static let formatVersion = "1"

    let bank: Bank
    let plan: QuarterPlan

    init(seed: UInt64, scale: Double) {
        bank = Bank(seed: seed, scale: scale)
        plan = QuarterPlan(bank: bank)
    }

    /// What was written, for the summary line and manifest.json.
    struct Totals {
        var files = 0
        var bytes: [String: Int] = [:]
        var records: [String: Int] = [:]

        mutating func add(_ kind: String, bytes count: Int, records: Int = 0) {
            files += 1
            bytes[kind, default: 0] += count
            self.records[kind, default: 0] += records
        }
    }

    /// Writes the quarter to `output` (which must not exist).
    func write(to output: URL, progress: (String) -> Void) throws -> Totals {
        let fileManager = FileManager.default
        let staging = output.deletingLastPathComponent()
            .appendingPathComponent(".\(output.lastPathComponent).partial-\(ProcessInfo.processInfo.processIdentifier)")
        try? fileManager.removeItem(at: staging)
        let evidence = staging.appendingPathComponent("evidence")
        var totals = Totals()
        func save(_ bytes: [UInt8], _ relative: String, kind: String, records: Int = 0) throws {
            let url = staging.appendingPathComponent(relative)
            try fileManager.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(bytes).write(to: url)
            if relative.hasPrefix("evidence/") { totals.add(kind, bytes: bytes.count, records: records) }
        }
        do {
            try fileManager.createDirectory(at: evidence, withIntermediateDirectories: true)
            try save(PolicyWriter.yaml(plan), "drreport.yaml", kind: "policy")

            progress("drills")
            for (index, drill) in plan.drills.enumerated() {
                let events = DrillWriter.events(drill, bank: bank, index: index).count
                if index == plan.drills.count - 1 {
                    try save(DrillWriter.csv(drill, bank: bank, index: index), "evidence/drills/\(drill.id).csv", kind: "drill", records: events)
                } else {
                    try save(DrillWriter.jsonLines(drill, bank: bank, index: index), "evidence/drills/\(drill.id).jsonl", kind: "drill", records: events)
                }
            }

            progress("consistency checks")
            let tables = ConsistencyWriter.tables(bank)
            for (index, drill) in plan.drills.enumerated() {
                let file = ConsistencyWriter.file(tables, drill: drill, index: index, bank: bank)
                try save(file.bytes, "evidence/consistency/\(file.name)", kind: "consistency", records: file.tables)
            }

            progress("change requests")
            for file in ServiceNowWriter.files(plan) {
                try save(file.bytes, "evidence/servicenow/\(file.name)", kind: "change", records: file.changes + file.approvals)
            }

            progress("pipeline runs and states")
            let inventories = bank.workspaces.map { ResourceInventory(bank: bank, workspace: $0) }
            for run in plan.runs {
                let workspace = bank.workspaces[run.workspace]
                let inventory = inventories[run.workspace]
                let context = RegionContext(bank: bank, workspace: workspace, region: run.region)
                let folder = "evidence/runs/\(run.id)-\(workspace.id)-\(run.region.name)"
                try save(RunWriter.runJSON(run, bank: bank), "\(folder)/run.json", kind: "run", records: 1)
                let stream = RunWriter.applyStream(run, inventory: inventory, context: context, bank: bank)
                try save(stream, "\(folder)/apply.jsonl", kind: "apply-stream", records: stream.lazy.filter { $0 == 0x0A }.count)
                if run.carriesState {
                    let state = StateRenderer.render(inventory, context: context)
                    let resources = inventory.specs.count
                        + (context.isSecondary && workspace.id == Injections.parityMissingInSecondary ? -1 : 0)
                        + (context.isSecondary && workspace.id == Injections.parityMissingInPrimary ? 1 : 0)
                    try save(state, "\(folder)/state.json", kind: "state", records: resources)
                }
            }

            let expected = expectedFindings(tables: tables)
            try save(expected, "expected.json", kind: "expected")
            try save(manifest(totals), "manifest.json", kind: "manifest")
            try fileManager.moveItem(at: staging, to: output)
        } catch {
            try? fileManager.removeItem(at: staging)
            throw error
        }
        return totals
    }

    // MARK: - expected.json

    /// The findings `drreport check --period 2026-Q3` must report other than `pass`.
    func expected(tables: [ConsistencyWriter.Table]) -> [ExpectedFinding] {
        var findings: [ExpectedFinding] = [
            ExpectedFinding(rule: "parity", subject: Injections.parityNestedDifference, status: "fail",
                            injection: "job in module.jobs.module.alerting runs another spark_version in northeurope"),
            ExpectedFinding(rule: "parity", subject: Injections.parityMissingInSecondary, status: "fail",
                            injection: "a databricks_group_member missing in northeurope"),
            ExpectedFinding(rule: "parity", subject: Injections.parityMissingInPrimary, status: "fail",
                            injection: "a databricks_user only in northeurope's state"),
            ExpectedFinding(rule: "parity", subject: Injections.parityNoSecondaryState, status: "indeterminate",
                            injection: "the latest northeurope run published no state.json"),
            ExpectedFinding(rule: "parity", subject: Injections.parityWaivedGPU, status: "waived",
                            injection: "GPU cluster node_type_id differs, waived by W-2026-004"),
        ]
        func runs(_ injection: (String, Int)) -> [QuarterPlan.Run] {
            plan.runs(workspace: injection.0, round: injection.1)
        }
        func subject(_ run: QuarterPlan.Run) -> String { "\(bank.workspaces[run.workspace].id)@\(run.id)" }

        for run in runs(Injections.lateSecondaryApply) {
            findings.append(ExpectedFinding(rule: "apply-parity", subject: subject(run), status: "fail",
                                            injection: "secondary applied the commit 30 hours after the primary"))
            if run.region == .secondary {
                findings.append(ExpectedFinding(rule: "change-approval", subject: String(run.id), status: "fail",
                                                injection: "the late secondary apply ran outside the change's planned window"))
            }
        }
        for run in runs(Injections.failedSecondaryApply) where !run.succeeded {
            findings.append(ExpectedFinding(rule: "apply-parity", subject: subject(run), status: "fail",
                                            injection: "secondary apply failed (retried successfully an hour later)"))
        }
        for run in runs(Injections.missingSecondaryApply) {
            findings.append(ExpectedFinding(rule: "apply-parity", subject: subject(run), status: "fail",
                                            injection: "commit never applied in the secondary; waiver W-2026-011 approved by the change's requester is refused"))
        }
        for run in runs(Injections.approvedAfterApplyStart) where run.region == .primary {
            findings.append(ExpectedFinding(rule: "change-approval", subject: String(run.id), status: "fail",
                                            injection: "CAB approval recorded 61 s after the apply started"))
        }
        for run in runs(Injections.requesterApproves) {
            findings.append(ExpectedFinding(rule: "change-approval", subject: String(run.id), status: "fail",
                                            injection: "the requester approved under an admin account listed in people"))
        }
        for run in runs(Injections.missingChange) {
            findings.append(ExpectedFinding(rule: "change-approval", subject: String(run.id), status: "fail",
                                            injection: "the run names \(run.change), which is in no ServiceNow export"))
        }
        for run in runs(Injections.lateEmergencyApproval) {
            findings.append(ExpectedFinding(rule: "change-approval", subject: String(run.id), status: "fail",
                                            injection: "emergency change approved about 80 hours after the apply (limit 72h)"))
        }

        func drillSubject(_ injection: (process: Int, drill: Int)) -> String {
            "\(bank.processes[injection.process].id)@\(plan.drills[injection.drill].id)#1"
        }
        findings += [
            ExpectedFinding(rule: "rto", subject: drillSubject(Injections.rtoOverTarget), status: "fail",
                            injection: "minimum service restored 4h01m00s after the crisis was declared"),
            ExpectedFinding(rule: "rto", subject: drillSubject(Injections.rtoNeverRestored), status: "indeterminate",
                            injection: "no service_restored in the drill"),
            ExpectedFinding(rule: "rto", subject: drillSubject(Injections.rtoWithinUncertainty), status: "indeterminate",
                            injection: "restored 3h59m58s after declaration, within ±7 s of the 4h target"),
            ExpectedFinding(rule: "rpo", subject: drillSubject(Injections.unrecoverableTable), status: "fail",
                            injection: "an unrecoverable table"),
            ExpectedFinding(rule: "rpo", subject: drillSubject(Injections.restoredBeyondRPO), status: "fail",
                            injection: "a table restored 4h12m05s before the disruption"),
            ExpectedFinding(rule: "rpo", subject: drillSubject(Injections.noConsistencyEvidence), status: "indeterminate",
                            injection: "the drill's consistency check covers none of the process's tables"),
        ]
        for (injection, text) in [(Injections.unrecoverableTable, "no complete version left"), (Injections.restoredBeyondRPO, "restored 4h12m05s back")] {
            if let table = tables.first(where: { $0.catalog == injection.process }) {
                findings.append(ExpectedFinding(
                    rule: "consistency", subject: "\(table.name)@\(plan.drills[injection.drill].checkRun)", status: "fail", injection: text))
            }
        }
        findings.append(ExpectedFinding(
            rule: "drill-cadence", subject: bank.processes[Injections.undrilledProcess].id, status: "fail",
            injection: "business-critical process in no drill; its waiver W-2025-017 expired"))
        return findings.sorted()
    }

    /// How many findings each rule gives for the quarter.
    func subjects(tables: [ConsistencyWriter.Table]) -> [(String, Int)] {
        let drilled = bank.processes.filter(\.drilled).count
        let consistency = plan.drills.indices.map { ConsistencyWriter.covered(tables, index: $0).count }.reduce(0, +)
        return [
            ("rto", plan.drills.count * drilled), ("rpo", plan.drills.count * drilled), ("consistency", consistency),
            ("parity", bank.workspaces.count), ("apply-parity", plan.runs.count),
            ("change-approval", plan.runs.filter { bank.workspaces[$0.workspace].environment == "prod" }.count),
            ("drill-cadence", bank.processes.filter { $0.criticality == "business-critical" }.count), ("evidence-integrity", 1),
        ]
    }

    private func expectedFindings(tables: [ConsistencyWriter.Table]) -> [UInt8] {
        let findings = expected(tables: tables)
        // Parity differences per workspace (what scripts/parity_baseline.py must count too).
        let differences: [JSONText.Member] = bank.workspaces.map { workspace in
            let id = workspace.id
            if id == Injections.parityNoSecondaryState { return .init(id, .null) }
            let planted = [Injections.parityNestedDifference, Injections.parityMissingInSecondary, Injections.parityMissingInPrimary,
                           Injections.parityWaivedGPU].contains(id)
            return .init(id, .int(planted ? 1 : 0))
        }
        var writer = JSONWriter()
        writer.pretty(.object([
            .init("generator", .object([
                .init("format", .string(Self.formatVersion)), .init("seed", .int(Int64(bitPattern: bank.seed))),
                .init("scale", .number(String(bank.scale))),
            ])),
            .init("period", .string("2026-Q3")),
            .init("subjects", .object(subjects(tables: tables).map { .init($0.0, .int(Int64($0.1))) })),
            .init("findings", .array(findings.map(\.json))),
            .init("parity_differences", .object(differences)),
        ]))
        writer.raw("\n")
        return writer.bytes
    }

    private func manifest(_ totals: Totals) -> [UInt8] {
        let kinds = totals.bytes.keys.sorted()
        var writer = JSONWriter()
        writer.pretty(.object([
            .init("generator", .object([
                .init("format", .string(Self.formatVersion)), .init("seed", .int(Int64(bitPattern: bank.seed))),
                .init("scale", .number(String(bank.scale))),
            ])),
            .init("files", .int(Int64(totals.files))),
            .init("bytes", .int(Int64(totals.bytes.values.reduce(0, +)))),
            .init("records", .int(Int64(totals.records.values.reduce(0, +)))),
            .init("by_kind", .object(kinds.map { kind in
                .init(kind, .object([
                    .init("bytes", .int(Int64(totals.bytes[kind] ?? 0))), .init("records", .int(Int64(totals.records[kind] ?? 0))),
                ]))
            })),
            .init("workspaces", .int(Int64(bank.workspaces.count))),
            .init("rounds_per_workspace", .int(Int64(bank.rounds))),
            .init("resources_per_state", .int(Int64(bank.resourcesPerState))),
            .init("runs", .int(Int64(plan.runs.count))),
            .init("states", .int(Int64(plan.runs.filter(\.carriesState).count))),
            .init("change_requests", .int(Int64(plan.changes.count))),
            .init("approvals", .int(Int64(plan.changes.map(\.approvals.count).reduce(0, +)))),
            .init("drills", .int(Int64(plan.drills.count))),
            .init("tables", .int(Int64(ConsistencyWriter.tables(bank).count))),
        ]))
        writer.raw("\n")
        return writer.bytes
    }
}
