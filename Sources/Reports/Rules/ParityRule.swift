import Evidence

/// `parity`, per `workspace` (DESIGN §5): the latest state of the workspace in the primary region
/// equals the latest in the secondary as of period end, after ignoring configured attributes and
/// sensitive values. Every difference is listed. Workspaces are compared one at a time (two at once
/// on two cores), so only two states are in memory per worker.
public enum ParityRule {
    /// Findings for every workspace of the parity environments, from the policy and the instant
    /// alone: parity needs nothing else of the rule context, so it can run while that is read.
    public static func evaluate(policy: Policy, asOf: Instant, store: any EvidenceStore) async throws(EvidenceError) -> [Finding] {
        let workspaces = policy.workspaces.filter { policy.parity.applies(to: $0.environment) }
        let results = await withTaskGroup(of: (Int, Result<Finding, EvidenceError>).self) { group in
            var next = 0
            var results: [Result<Finding, EvidenceError>?] = Array(repeating: nil, count: workspaces.count)
            func add() {
                guard next < workspaces.count else { return }
                let index = next
                let workspace = workspaces[index]
                next += 1
                group.addTask {
                    (index, await .awaiting { () async throws(EvidenceError) in
                        try await evaluate(workspace, policy: policy, asOf: asOf, store: store)
                    })
                }
            }
            for _ in 0..<2 { add() }
            for await (index, result) in group {
                results[index] = result
                add()
            }
            return results
        }
        var findings: [Finding] = []
        for result in results {
            if let result { findings.append(try result.get()) }
        }
        return findings
    }

    /// The finding for one workspace.
    public static func evaluate(
        _ workspace: Policy.Workspace, policy: Policy, asOf: Instant, store: any EvidenceStore
    ) async throws(EvidenceError) -> Finding {
        // Both regions' states are read at once: a store reads them on connections of their own.
        async let secondary = Result.awaiting { () async throws(EvidenceError) in
            try await store.latestState(workspace: workspace.id, region: policy.secondaryRegion, asOf: asOf)
        }
        let primary = try await store.latestState(workspace: workspace.id, region: policy.primaryRegion, asOf: asOf)
        return evaluate(workspace, primary: primary, secondary: try await secondary.get(), policy: policy)
    }

    /// The finding for one workspace from its two states.
    public static func evaluate(_ workspace: Policy.Workspace, primary: StoredState?, secondary: StoredState?, policy: Policy) -> Finding {
        let severity: Severity = workspace.environment == "prod" ? .high : .medium
        func reference(_ stored: StoredState?) -> StateReference? {
            stored.map {
                StateReference(
                    region: $0.key.region, evidence: $0.evidence, instant: $0.instant, runID: $0.runID,
                    resources: ParityComparator.managedCount($0.state.resources))
            }
        }
        var details = ParityDetails(primary: reference(primary), secondary: reference(secondary), compared: 0, differences: [])
        let evidence = [primary?.evidence, secondary?.evidence].compactMap { $0 }
        func finding(_ status: FindingStatus, _ message: String) -> Finding {
            Finding(
                rule: .parity, subject: workspace.id, status: status, severity: severity, message: message, evidence: evidence,
                details: FindingDetails(parity: details))
        }
        switch (primary, secondary) {
        case (nil, nil):
            return finding(.indeterminate, "no state of the workspace in either region as of period end; parity is not evidenced")
        case (nil, _?):
            return finding(.indeterminate, "no state in the primary region \(policy.primaryRegion) as of period end; only \(policy.secondaryRegion) is evidenced")
        case (_?, nil):
            return finding(.indeterminate, "no state in the secondary region \(policy.secondaryRegion) as of period end; the standby cannot be shown to match")
        case (let primary?, let secondary?):
            let result = ParityComparator.compare(primary: primary.state, secondary: secondary.state) { policy.parity.ignored(for: $0) }
            details.compared = result.compared
            details.differences = result.differences
            guard !result.differences.isEmpty else {
                return finding(.pass, "\(result.compared) resources identical in \(policy.primaryRegion) and \(policy.secondaryRegion) (ignoring configured attributes and sensitive values)")
            }
            let missingSecondary = result.differences.filter { $0.kind == .missingInSecondary }.count
            let missingPrimary = result.differences.filter { $0.kind == .missingInPrimary }.count
            let changed = result.differences.count - missingSecondary - missingPrimary
            var parts: [String] = []
            if missingSecondary > 0 { parts.append("\(missingSecondary) resource\(missingSecondary == 1 ? "" : "s") missing in \(policy.secondaryRegion)") }
            if missingPrimary > 0 { parts.append("\(missingPrimary) missing in \(policy.primaryRegion)") }
            if changed > 0 { parts.append("\(changed) attribute difference\(changed == 1 ? "" : "s")") }
            let first = result.differences[0]
            let example = first.path.isEmpty ? first.address : "\(first.address) \(first.path): \(first.primary ?? "unset") ≠ \(first.secondary ?? "unset")"
            return finding(.fail, parts.joined(separator: ", ") + "; e.g. " + example)
        }
    }
}
