import Evidence

/// `evidence-integrity`, subject `store` (DESIGN §5): the ledger chain, every blob hash, every
/// evidence identity and every record digest verify.
public enum EvidenceIntegrityRule {
    /// The finding from a verification report.
    public static func evaluate(_ report: IntegrityReport) -> Finding {
        let details = IntegrityDetails(
            entries: report.entries, head: report.head, problems: report.problems.map(\.description))
        if report.intact {
            return Finding(
                rule: .evidenceIntegrity, subject: "store", status: .pass, severity: .critical,
                message: "\(report.entries) ledger entries verify, with every file, identity and record they cover; ledger head \(report.head?.short ?? "empty")",
                details: FindingDetails(integrity: details))
        }
        return Finding(
            rule: .evidenceIntegrity, subject: "store", status: .fail, severity: .critical,
            message: "\(report.problems.count) integrity problem\(report.problems.count == 1 ? "" : "s"); first: \(report.problems[0])",
            details: FindingDetails(integrity: details))
    }
}
