/// The NIST SP 800-53 Rev. 5 control each drreport rule assesses, for OSCAL's `reviewed-controls` and
/// each finding's `target`. OSCAL needs a control catalog and DORA has none in OSCAL; these are the
/// closest SP 800-53 controls to what each rule checks (the legal basis stays DORA and the RTS, as
/// report.xml states):
///
/// | rule | control | why |
/// |---|---|---|
/// | `rto` | `cp-10` System Recovery and Reconstitution | recovery within the recovery time objective |
/// | `rpo` | `cp-9` System Backup | copies consistent with the recovery point objective |
/// | `consistency` | `cp-9.1` Testing for Reliability and Integrity | restored data verified complete |
/// | `parity` | `cp-7` Alternate Processing Site | the secondary region configured to take over |
/// | `apply-parity` | `cp-7` Alternate Processing Site | changes reach the alternate site too |
/// | `change-approval` | `cm-3` Configuration Change Control | approved changes, segregation of duties |
/// | `drill-cadence` | `cp-4` Contingency Plan Testing | the plan tested at the required frequency |
/// | `evidence-integrity` | `au-9` Protection of Audit Information | tamper-evident records |
enum OSCALControl {
    /// The control id (`cp-10`) in the SP 800-53 Rev. 5 OSCAL catalog's form.
    static func control(for rule: RuleID) -> String {
        switch rule {
        case .rto: "cp-10"
        case .rpo: "cp-9"
        case .consistency: "cp-9.1"
        case .parity, .applyParity: "cp-7"
        case .changeApproval: "cm-3"
        case .drillCadence: "cp-4"
        case .evidenceIntegrity: "au-9"
        }
    }

    /// The control's assessment objective (`cp-10_obj`), a finding's target.
    static func objective(for rule: RuleID) -> String {
        control(for: rule) + "_obj"
    }

    /// The controls the given rules assess, once each, in rule order.
    static func controls(for rules: [RuleID]) -> [String] {
        var seen: Set<String> = []
        return rules.sorted().map(control(for:)).filter { seen.insert($0).inserted }
    }
}
