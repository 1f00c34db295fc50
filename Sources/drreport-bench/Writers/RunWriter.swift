/// The artefact of one pipeline run: `run.json` as `GET _apis/pipelines/{id}/runs/{runId}` returns it,
/// and `apply.jsonl`, the machine-readable UI stream of `terraform apply -json` (Terraform 1.9.8).
enum RunWriter {
    static let organisation = "https://dev.azure.com/bancaesempio/3f6c2a1e-8d4b-4c7a-9e2f-5b1d0c8a7e63"

    /// `run.json`.
    static func runJSON(_ run: QuarterPlan.Run, bank: Bank) -> [UInt8] {
        let workspace = bank.workspaces[run.workspace]
        let process = bank.processes[workspace.process]
        let pipelineID = 20 + workspace.process
        let revision = 4 + (process.costCenter.utf8.last.map(Int.init) ?? 0) % 11
        let value: JSONText = .object([
            .init("_links", .object([
                .init("self", .object([.init("href", .string("\(organisation)/_apis/pipelines/\(pipelineID)/runs/\(run.id)"))])),
                .init("web", .object([.init("href", .string("\(organisation)/_build/results?buildId=\(run.id)"))])),
                .init("pipeline.web", .object([.init("href", .string("\(organisation)/_build/definition?definitionId=\(pipelineID)"))])),
                .init("pipeline", .object([.init("href", .string("\(organisation)/_apis/pipelines/\(pipelineID)?revision=\(revision)"))])),
            ])),
            .init("templateParameters", .object([
                .init("workspace", .string(workspace.id)), .init("region", .string(run.region.name)),
                .init("environment", .string(workspace.environment)), .init("changeRequest", .string(run.change)),
                .init("requestedBy", .string(run.implementer)),
            ])),
            .init("pipeline", .object([
                .init("url", .string("\(organisation)/_apis/pipelines/\(pipelineID)?revision=\(revision)")),
                .init("id", .int(Int64(pipelineID))), .init("revision", .int(Int64(revision))),
                .init("name", .string("dbx-\(process.short)-deploy")), .init("folder", .string("\\databricks")),
            ])),
            .init("state", .string("completed")), .init("result", .string(run.succeeded ? "succeeded" : "failed")),
            .init("createdDate", .string(run.created.rfc3339(fractionDigits: 7))),
            .init("finishedDate", .string(run.finished.rfc3339(fractionDigits: 7))),
            .init("url", .string("\(organisation)/_apis/pipelines/\(pipelineID)/runs/\(run.id)")),
            .init("resources", .object([
                .init("repositories", .object([
                    .init("self", .object([
                        .init("repository", .object([
                            .init("id", .string("b7e4d1c9-2a6f-4e3b-8c5d-0f9a1b2c3d4e")), .init("type", .string("azureReposGit")),
                        ])),
                        .init("refName", .string("refs/heads/main")), .init("version", .string(run.commit)),
                    ])),
                ])),
            ])),
            .init("id", .int(Int64(run.id))), .init("name", .string(run.name)),
        ])
        var writer = JSONWriter(capacity: 2048)
        writer.pretty(value)
        writer.raw("\n")
        return writer.bytes
    }

    /// `apply.jsonl`: the version line when the apply starts, start/progress/complete hooks for the
    /// resources it changes, then `change_summary` and `outputs` — or, for a failed run, an
    /// `apply_errored` hook and an error diagnostic instead of the summary.
    static func applyStream(_ run: QuarterPlan.Run, inventory: ResourceInventory, context: RegionContext, bank: Bank) -> [UInt8] {
        var random = SeededRandom(bank.seed, "apply", String(run.id))
        var writer = JSONWriter(escapeHTML: true, capacity: 16_384)
        let banners = inventory.process.division == "retail"
        if banners {
            writer.raw("##[section]Starting: terraform apply (\(run.region.name))\n")
            writer.raw("/usr/local/bin/terraform apply -json -input=false tfplan\n")
        }
        func line(_ level: String, _ message: String, _ time: Moment, _ rest: [JSONText.Member]) {
            writer.compact(.object(
                [.init("@level", .string(level)), .init("@message", .string(message)), .init("@module", .string("terraform.ui")),
                 .init("@timestamp", .string(time.rfc3339(fractionDigits: 6)))] + rest))
            writer.raw("\n")
        }
        line("info", "Terraform 1.9.8", run.applyStart, [.init("terraform", .string("1.9.8")), .init("type", .string("version")), .init("ui", .string("1.2"))])

        // The resources this apply touches; clusters first when the run fails (the usual culprit).
        let candidates = inventory.specs.filter { $0.type != "azurerm_databricks_workspace" }
        let count = min(candidates.count, random.int(2...8))
        var touched: [ResourceSpec] = []
        var picked = Set<String>()
        while touched.count < count {
            let spec = candidates[random.below(candidates.count)]
            if picked.insert(spec.address).inserted { touched.append(spec) }
        }
        if !run.succeeded, let cluster = inventory.specs.first(where: { $0.type == "databricks_cluster" }) {
            touched.removeAll { $0.address == cluster.address }
            touched.append(cluster)
        }
        let window = run.applyEnd.nanoseconds - run.applyStart.nanoseconds
        let slot = window / Int64(touched.count + 1)
        var added = 0, changed = 0
        for (index, spec) in touched.enumerated() {
            let creating = run.succeeded && random.chance(0.15)
            let action = creating ? "create" : "update"
            let id = spec.type == "databricks_cluster" ? context.clusterID(spec.address) : context.numericID(spec.address)
            let start = run.applyStart.adding(slot * Int64(index) + Int64(random.int(30...400)) * 1_000_000)
            let failing = !run.succeeded && index == touched.count - 1
            let duration = failing ? slot : slot * Int64(random.int(40...85)) / 100
            var resource: [JSONText.Member] = [
                .init("addr", .string(spec.address)), .init("module", .string(spec.module ?? "")),
                .init("resource", .string(spec.resourceInModule)), .init("implied_provider", .string(spec.type.hasPrefix("azurerm") ? "azurerm" : "databricks")),
                .init("resource_type", .string(spec.type)), .init("resource_name", .string(spec.name)),
            ]
            switch spec.key {
            case .none: break
            case .number(let number): resource.append(.init("resource_key", .int(Int64(number))))
            case .name(let key): resource.append(.init("resource_key", .string(key)))
            }
            let hookResource = JSONText.object(resource)
            let verb = creating ? "Creating..." : "Modifying... [id=\(id)]"
            var startHook: [JSONText.Member] = [.init("resource", hookResource), .init("action", .string(action))]
            if !creating { startHook += [.init("id_key", .string("id")), .init("id_value", .string(id))] }
            line("info", "\(spec.address): \(verb)", start, [.init("hook", .object(startHook)), .init("type", .string("apply_start"))])
            var elapsed: Int64 = 10
            while elapsed * Moment.second < duration {
                let note = creating ? "Still creating... [\(elapsed)s elapsed]" : "Still modifying... [id=\(id), \(elapsed)s elapsed]"
                line("info", "\(spec.address): \(note)", start.adding(elapsed * Moment.second + 3_010_000),
                     [.init("hook", .object([.init("resource", hookResource), .init("action", .string(action)), .init("elapsed_seconds", .int(elapsed))])),
                      .init("type", .string("apply_progress"))])
                elapsed += 10
            }
            let seconds = duration / Moment.second
            let end = start.adding(duration)
            if failing {
                line("info", "\(spec.address): Modification errored after \(seconds / 60 > 0 ? "\(seconds / 60)m\(seconds % 60)s" : "\(seconds)s")", end,
                     [.init("hook", .object([.init("resource", hookResource), .init("action", .string(action)), .init("elapsed_seconds", .int(seconds))])),
                      .init("type", .string("apply_errored"))])
                let summary = "cannot update cluster: INVALID_STATE: Cluster \(id) is in unexpected state Pending."
                line("error", "Error: \(summary)", run.applyEnd, [
                    .init("diagnostic", .object([
                        .init("severity", .string("error")), .init("summary", .string(summary)), .init("detail", .string("")),
                        .init("address", .string(spec.address)),
                        .init("range", .object([
                            .init("filename", .string("modules/compute/clusters.tf")),
                            .init("start", .object([.init("line", .int(1)), .init("column", .int(42)), .init("byte", .int(41))])),
                            .init("end", .object([.init("line", .int(1)), .init("column", .int(43)), .init("byte", .int(42))])),
                        ])),
                    ])),
                    .init("type", .string("diagnostic")),
                ])
                break
            }
            let done = creating ? "Creation complete after \(seconds)s [id=\(id)]" : "Modifications complete after \(seconds)s [id=\(id)]"
            line("info", "\(spec.address): \(done)", end, [
                .init("hook", .object([
                    .init("resource", hookResource), .init("action", .string(action)), .init("id_key", .string("id")),
                    .init("id_value", .string(id)), .init("elapsed_seconds", .int(seconds)),
                ])),
                .init("type", .string("apply_complete")),
            ])
            if creating { added += 1 } else { changed += 1 }
        }
        if run.succeeded {
            line("info", "Apply complete! Resources: \(added) added, \(changed) changed, 0 destroyed.", run.applyEnd.adding(-400_000_000), [
                .init("changes", .object([
                    .init("add", .int(Int64(added))), .init("change", .int(Int64(changed))), .init("import", .int(0)),
                    .init("remove", .int(0)), .init("operation", .string("apply")),
                ])),
                .init("type", .string("change_summary")),
            ])
            line("info", "Outputs: 2", run.applyEnd, [
                .init("outputs", .object([
                    .init("workspace_id", .object([.init("sensitive", .bool(false)), .init("type", .string("string")), .init("value", .string(context.workspaceID))])),
                    .init("workspace_url", .object([.init("sensitive", .bool(false)), .init("type", .string("string")), .init("value", .string("https://\(context.host)"))])),
                ])),
                .init("type", .string("outputs")),
            ])
        }
        if banners {
            writer.raw("##[section]Finishing: terraform apply (\(run.region.name))\n")
        }
        return writer.bytes
    }
}
