import Mustache

/// Mustache reads a view's fields by name, by default through reflection (`Mirror`) on every
/// lookup, including every miss on the way up the context stack; on a bank's quarter that was most
/// of the time `report` took. Each view type instead lists its stored properties once, by key path.
/// `HTMLViewFieldsTests` holds every list to the type's stored properties.
protocol MustacheFields: MustacheParent {
    static var fields: [String: PartialKeyPath<Self> & Sendable] { get }
}

extension MustacheFields {
    func child(named name: String) -> Any? {
        guard let path = Self.fields[name] else { return nil }
        return self[keyPath: path]
    }
}

extension HTMLView.CheckRow: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["check": \.check, "outcome": \.outcome, "css": \.css, "detail": \.detail]
}

extension HTMLView.ChangeRow: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["run": \.run, "status": \.status, "checks": \.checks, "message": \.message, "waivers": \.waivers]
}

extension HTMLView.ApplyRow: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["subject": \.subject, "status": \.status, "run": \.run, "region": \.region, "commit": \.commit, "finished": \.finished, "counterpart": \.counterpart, "gap": \.gap, "window": \.window, "message": \.message, "waivers": \.waivers]
}

extension HTMLView.Change: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["approvalRequired": \.approvalRequired, "population": \.population, "exceptions": \.exceptions, "passed": \.passed, "hasRuns": \.hasRuns, "runs": \.runs, "hasApplies": \.hasApplies, "applies": \.applies, "applyExceptions": \.applyExceptions]
}

extension HTMLView.CadenceRow: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["process": \.process, "status": \.status, "lastPassing": \.lastPassing, "windowStart": \.windowStart, "attempts": \.attempts, "hasAttempts": \.hasAttempts, "message": \.message, "waivers": \.waivers]
}

extension HTMLView.Cadence: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["hasRows": \.hasRows, "rows": \.rows]
}

extension HTMLView.EventRow: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["number": \.number, "time": \.time, "offset": \.offset, "event": \.event, "process": \.process, "hasProcess": \.hasProcess, "region": \.region, "actor": \.actor, "clock": \.clock, "hasClock": \.hasClock, "note": \.note, "source": \.source, "evidence": \.evidence, "usedForRTO": \.usedForRTO]
}

extension HTMLView.DrillView: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["anchor": \.anchor, "chartID": \.chartID, "drill": \.drill, "attempt": \.attempt, "outcome": \.outcome, "scenario": \.scenario, "trigger": \.trigger, "processes": \.processes, "start": \.start, "end": \.end, "duration": \.duration, "chart": \.chart, "events": \.events]
}

extension HTMLView.Drills: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["hasDrills": \.hasDrills, "count": \.count, "items": \.items]
}

extension HTMLView.SustainedRow: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["drill": \.drill, "outcome": \.outcome, "failoverCompleted": \.failoverCompleted, "secondaryOperation": \.secondaryOperation, "failbackStarted": \.failbackStarted, "failback": \.failback, "failbackCompleted": \.failbackCompleted, "failbackCSS": \.failbackCSS]
}

extension HTMLView.Sustained: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["hasRows": \.hasRows, "secondaryRegion": \.secondaryRegion, "rows": \.rows]
}

extension HTMLView.FindingRow: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["number": \.number, "status": \.status, "severity": \.severity, "rule": \.rule, "ruleTitle": \.ruleTitle, "subject": \.subject, "comparison": \.comparison, "hasComparison": \.hasComparison, "message": \.message, "waivers": \.waivers, "evidence": \.evidence]
}

extension HTMLView.Findings: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["hasRows": \.hasRows, "hasListed": \.hasListed, "caption": \.caption, "rows": \.rows, "hasOmitted": \.hasOmitted, "omitted": \.omitted]
}

extension HTMLView.RemediationRow: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["id": \.id, "rule": \.rule, "subject": \.subject, "severity": \.severity, "owner": \.owner, "dueDate": \.dueDate]
}

extension HTMLView.Remediation: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["hasRows": \.hasRows, "rows": \.rows]
}

extension HTMLView.SignOffRow: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["role": \.role, "name": \.name, "date": \.date]
}

extension HTMLView.EvidenceRow: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["seq": \.seq, "kind": \.kind, "source": \.source, "covers": \.covers, "ingestedAt": \.ingestedAt, "hash": \.hash, "anchor": \.anchor]
}

extension HTMLView.EvidenceIndex: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["hasRows": \.hasRows, "count": \.count, "rows": \.rows]
}

extension HTMLView.Ledger: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["head": \.head, "policyHash": \.policyHash, "hasFinding": \.hasFinding, "status": \.status, "message": \.message, "entries": \.entries, "hasProblems": \.hasProblems, "problems": \.problems]
}

extension HTMLView.ConsistencyRow: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["table": \.table, "checkRun": \.checkRun, "status": \.status, "action": \.action, "version": \.version, "versionTime": \.versionTime, "loss": \.loss, "target": \.target, "message": \.message, "waivers": \.waivers]
}

extension HTMLView.ReconciliationRow: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["drill": \.drill, "process": \.process, "time": \.time, "actor": \.actor, "note": \.note, "source": \.source, "evidence": \.evidence]
}

extension HTMLView.Integrity: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["hasTables": \.hasTables, "tables": \.tables, "summary": \.summary, "hasOmitted": \.hasOmitted, "omitted": \.omitted, "hasReconciliations": \.hasReconciliations, "reconciliations": \.reconciliations]
}

extension HTMLView.DifferenceRow: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["kind": \.kind, "address": \.address, "path": \.path, "primary": \.primary, "secondary": \.secondary]
}

extension HTMLView.ParityRow: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["workspace": \.workspace, "environment": \.environment, "status": \.status, "primaryState": \.primaryState, "secondaryState": \.secondaryState, "compared": \.compared, "differences": \.differences, "message": \.message, "waivers": \.waivers, "hasDetail": \.hasDetail, "anchor": \.anchor]
}

extension HTMLView.ParityDetail: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["workspace": \.workspace, "anchor": \.anchor, "status": \.status, "message": \.message, "waivers": \.waivers, "hasDifferences": \.hasDifferences, "count": \.count, "differences": \.differences]
}

extension HTMLView.Parity: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["hasRows": \.hasRows, "primaryRegion": \.primaryRegion, "secondaryRegion": \.secondaryRegion, "rows": \.rows, "hasDetails": \.hasDetails, "details": \.details]
}

extension HTMLView.RTORow: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["process": \.process, "processName": \.processName, "drill": \.drill, "status": \.status, "clock": \.clock, "fromDeclaration": \.fromDeclaration, "fromDisruption": \.fromDisruption, "latency": \.latency, "interval": \.interval, "target": \.target, "message": \.message, "waivers": \.waivers]
}

extension HTMLView.LossRow: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["table": \.table, "checkRun": \.checkRun, "action": \.action, "version": \.version, "versionTime": \.versionTime, "loss": \.loss]
}

extension HTMLView.RPORow: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["process": \.process, "processName": \.processName, "drill": \.drill, "status": \.status, "loss": \.loss, "target": \.target, "reference": \.reference, "referenceSource": \.referenceSource, "tables": \.tables, "hasTables": \.hasTables, "hasMoreTables": \.hasMoreTables, "moreTables": \.moreTables, "message": \.message, "waivers": \.waivers]
}

extension HTMLView.Recovery: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["hasRows": \.hasRows, "rtoClock": \.rtoClock, "otherClock": \.otherClock, "rtoChart": \.rtoChart, "rpoChart": \.rpoChart, "rto": \.rto, "rpo": \.rpo]
}

extension HTMLView.Header: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["entity": \.entity, "lei": \.lei, "reportID": \.reportID, "period": \.period, "periodStart": \.periodStart, "periodEnd": \.periodEnd, "timeZone": \.timeZone, "generatedAt": \.generatedAt, "toolVersion": \.toolVersion, "ledgerHead": \.ledgerHead, "hasLedgerHead": \.hasLedgerHead, "policyHash": \.policyHash]
}

extension HTMLView.Tile: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["word": \.word, "count": \.count, "css": \.css]
}

extension HTMLView.VerdictRow: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["subject": \.subject, "title": \.title, "status": \.status, "pass": \.pass, "fail": \.fail, "indeterminate": \.indeterminate, "waived": \.waived, "total": \.total]
}

extension HTMLView.Fact: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["label": \.label, "value": \.value]
}

extension HTMLView.Summary: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["noEvidence": \.noEvidence, "overall": \.overall, "conclusion": \.conclusion, "tiles": \.tiles, "total": \.total, "facts": \.facts, "byProcess": \.byProcess, "byRule": \.byRule, "hasWarnings": \.hasWarnings, "warnings": \.warnings]
}

extension HTMLView.BasisRow: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["reference": \.reference, "requirement": \.requirement, "section": \.section]
}

extension HTMLView.ProcessRow: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["id": \.id, "name": \.name, "criticality": \.criticality, "rto": \.rto, "rpo": \.rpo, "workspaces": \.workspaces, "tables": \.tables, "drilled": \.drilled, "drilledCSS": \.drilledCSS]
}

extension HTMLView.WorkspaceRow: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["id": \.id, "division": \.division, "environment": \.environment, "kind": \.kind, "parity": \.parity]
}

extension HTMLView.Scope: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["primaryRegion": \.primaryRegion, "secondaryRegion": \.secondaryRegion, "rtoClock": \.rtoClock, "otherClock": \.otherClock, "uncertainty": \.uncertainty, "processes": \.processes, "workspaces": \.workspaces, "hasExclusions": \.hasExclusions, "exclusions": \.exclusions]
}

extension HTMLView: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["documentTitle": \.documentTitle, "header": \.header, "summary": \.summary, "basis": \.basis, "scope": \.scope, "drills": \.drills, "recovery": \.recovery, "sustained": \.sustained, "integrity": \.integrity, "parity": \.parity, "change": \.change, "cadence": \.cadence, "findings": \.findings, "remediation": \.remediation, "signOff": \.signOff, "evidence": \.evidence, "ledger": \.ledger]
}

extension HTMLView.Status: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["word": \.word, "css": \.css]
}

extension HTMLView.Stamp: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["text": \.text, "machine": \.machine]
}

extension HTMLView.EvidenceLink: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["short": \.short, "full": \.full, "anchor": \.anchor]
}

extension HTMLView.Waiver: MustacheFields {
    static let fields: [String: PartialKeyPath<Self> & Sendable] = ["id": \.id, "outcome": \.outcome, "css": \.css, "reason": \.reason, "approvedBy": \.approvedBy, "expires": \.expires, "originalStatus": \.originalStatus]
}
