import Evidence
import Foundation

/// The sections of `report.xml`, in the order of DESIGN §7 and `templates/drreport-report.xsd`.
/// Each writes what the model holds; nothing is judged or computed here beyond formatting.
extension XMLReportRenderer {
    /// An instant as `xs:dateTime` in UTC.
    static func utc(_ instant: Instant) -> String {
        instant.rfc3339(utc: true)
    }

    static func writeHeader(_ header: ReportModel.Header, to writer: XMLWriter) {
        writer.start("Header")
        writer.element("Entity", header.entity)
        writer.element("LEI", header.lei)
        writer.element("ReportID", header.reportID)
        writer.element("Period", header.period)
        writer.element("PeriodStart", utc(header.periodStart))
        writer.element("PeriodEnd", utc(header.periodEnd))
        writer.element("TimeZone", header.timeZone)
        writer.element("GeneratedAt", utc(header.generatedAt))
        writer.element("ToolVersion", header.toolVersion)
        writer.element("LedgerHead", header.ledgerHead?.description)
        writer.element("PolicyHash", header.policyHash.description)
        writer.end()
    }

    static func writeRegulatoryBasis(_ references: [ReportModel.RegulatoryReference], to writer: XMLWriter) {
        writer.start("RegulatoryBasis")
        for reference in references {
            writer.start("Reference")
            writer.element("Citation", reference.reference)
            writer.element("Requirement", reference.requirement)
            writer.element("AnsweredIn", reference.section)
            writer.end()
        }
        writer.end()
    }

    static func writeScope(_ scope: ReportModel.Scope, to writer: XMLWriter) {
        writer.start("Scope")
        writer.element("PrimaryRegion", scope.primaryRegion)
        writer.element("SecondaryRegion", scope.secondaryRegion)
        writer.element("RTOClock", scope.rtoClock)
        writer.element("ClockUncertaintySeconds", String(scope.clockUncertaintySeconds))
        writer.start("Processes")
        for process in scope.processes {
            writer.start("Process")
            writer.attribute("id", process.id)
            writer.element("Name", process.name)
            writer.element("Criticality", process.criticality)
            writer.element("RTOSeconds", String(process.rtoSeconds))
            writer.element("RPOSeconds", String(process.rpoSeconds))
            for workspace in process.workspaces { writer.element("Workspace", workspace) }
            for table in process.tables { writer.element("TablePattern", table) }
            writer.element("Drilled", boolean(process.drilled))
            writer.end()
        }
        writer.end()
        writer.start("Workspaces")
        for workspace in scope.workspaces {
            writer.start("Workspace")
            writer.attribute("id", workspace.id)
            writer.element("Division", workspace.division)
            writer.element("Environment", workspace.environment)
            writer.element("Kind", workspace.kind)
            writer.element("ParityApplies", boolean(workspace.parityApplies))
            writer.end()
        }
        writer.end()
        for exclusion in scope.exclusions { writer.element("Exclusion", exclusion) }
        writer.end()
    }

    static func writeScenario(_ drills: [ReportModel.Drill], to writer: XMLWriter) {
        writer.start("Scenario")
        for drill in drills {
            writer.start("Attempt")
            attempt(drill.drill, drill.attempt, to: writer)
            writer.element("Scenario", drill.scenario)
            writer.element("Trigger", drill.trigger)
            writer.element("Start", utc(drill.start))
            writer.element("End", utc(drill.end))
            writer.element("Aborted", boolean(drill.aborted))
            for process in drill.processes { writer.element("Process", process) }
            writer.element("SecondaryOperationSeconds", drill.secondaryOperationSeconds.map { String($0) })
            writer.element("FailbackCompleted", boolean(drill.failbackCompleted))
            writer.element("FailbackSeconds", drill.failbackSeconds.map { String($0) })
            writer.end()
        }
        writer.end()
    }

    static func writeTimeline(_ drills: [ReportModel.Drill], to writer: XMLWriter) {
        writer.start("Timeline")
        for drill in drills {
            writer.start("Attempt")
            attempt(drill.drill, drill.attempt, to: writer)
            for event in drill.events {
                writer.start("Event")
                writer.element("Time", utc(event.time))
                writer.element("OffsetSeconds", String(event.offsetSeconds))
                writer.element("Type", event.event)
                writer.element("Process", event.process)
                writer.element("Region", event.region)
                writer.element("Actor", event.actor)
                writer.element("Clock", event.clock)
                writer.element("Note", event.note)
                source(event, to: writer)
                writer.end()
            }
            writer.end()
        }
        writer.end()
    }

    static func writeRecoveryResults(_ model: ReportModel, ids: FindingIDs, to writer: XMLWriter) {
        writer.start("RecoveryResults")
        for recovery in model.recovery {
            writer.start("Recovery")
            writer.attribute("process", recovery.process)
            attempt(recovery.drill, recovery.attempt, to: writer)
            writer.element("ProcessName", recovery.processName)
            if let rto = recovery.rto {
                let details = rto.details.recovery
                writer.start("RTO")
                writer.attribute("finding", ids.id(of: rto))
                verdict(rto, to: writer)
                writer.element("Clock", details?.clock ?? model.scope.rtoClock)
                writer.element("FromDeclarationSeconds", details?.fromDeclarationSeconds.map { String($0) })
                writer.element("FromDisruptionSeconds", details?.fromDisruptionSeconds.map { String($0) })
                writer.element("DeclarationLatencySeconds", details?.declarationLatencySeconds.map { String($0) })
                writer.element("LowerBoundSeconds", details?.lowerBoundSeconds.map { String($0) })
                writer.element("UpperBoundSeconds", details?.upperBoundSeconds.map { String($0) })
                writer.element("Aborted", boolean(details?.aborted ?? false))
                eventReference("Disruption", details?.disruption, to: writer)
                eventReference("Declaration", details?.declaration, to: writer)
                eventReference("Restore", details?.restore, to: writer)
                writer.end()
            }
            if let rpo = recovery.rpo {
                writer.start("RPO")
                writer.attribute("finding", ids.id(of: rpo))
                verdict(rpo, to: writer)
                dataLoss(rpo.details.dataLoss, to: writer)
                writer.end()
            }
            writer.end()
        }
        writer.end()
    }

    static func writeDataIntegrity(_ model: ReportModel, ids: FindingIDs, to writer: XMLWriter) {
        writer.start("DataIntegrity")
        for drill in model.drills {
            for event in drill.events where event.event == DrillEventType.integrityVerified.rawValue {
                writer.start("Verification")
                attempt(drill.drill, drill.attempt, to: writer)
                writer.element("Time", utc(event.time))
                writer.element("Process", event.process)
                writer.element("Region", event.region)
                writer.element("Actor", event.actor)
                writer.element("Note", event.note)
                source(event, to: writer)
                writer.end()
            }
        }
        for finding in model.dataIntegrity {
            writer.start("TableCheck")
            writer.attribute("finding", ids.id(of: finding))
            writer.element("Subject", finding.subject)
            verdict(finding, to: writer)
            dataLoss(finding.details.dataLoss, to: writer)
            writer.end()
        }
        writer.end()
    }

    static func writeRedundancyParity(_ findings: [Finding], ids: FindingIDs, to writer: XMLWriter) {
        writer.start("RedundancyParity")
        for finding in findings {
            let details = finding.details.parity
            writer.start("Workspace")
            writer.attribute("id", finding.subject)
            writer.attribute("finding", ids.id(of: finding))
            verdict(finding, to: writer)
            stateReference("PrimaryState", details?.primary, to: writer)
            stateReference("SecondaryState", details?.secondary, to: writer)
            writer.element("ResourcesCompared", String(details?.compared ?? 0))
            for difference in details?.differences ?? [] {
                writer.start("Difference")
                writer.attribute("kind", difference.kind.rawValue)
                writer.element("Address", difference.address)
                writer.element("ResourceType", difference.type)
                writer.element("Path", difference.path.isEmpty ? nil : difference.path)
                writer.element("PrimaryValue", difference.primary)
                writer.element("SecondaryValue", difference.secondary)
                writer.end()
            }
            writer.end()
        }
        writer.end()
    }

    static func writeChangeManagement(_ change: ReportModel.ChangeManagement, ids: FindingIDs, to writer: XMLWriter) {
        writer.start("ChangeManagement")
        writer.start("ApprovalRequired")
        for environment in change.approvalRequired { writer.element("Environment", environment) }
        writer.end()
        writer.element("Population", String(change.population))
        writer.element("Exceptions", String(change.exceptions))
        writer.start("ChangeApproval")
        for finding in change.findings {
            writer.start("Run")
            writer.attribute("finding", ids.id(of: finding))
            writer.element("Subject", finding.subject)
            verdict(finding, to: writer)
            for check in finding.details.checks ?? [] {
                writer.start("Check")
                writer.attribute("outcome", check.passed.map { $0 ? "pass" : "fail" } ?? "indeterminate")
                writer.element("Name", check.check)
                writer.element("Detail", check.detail)
                writer.end()
            }
            writer.end()
        }
        writer.end()
        writer.start("ApplyParity")
        for finding in change.applyParity {
            let details = finding.details.applyParity
            writer.start("Run")
            writer.attribute("finding", ids.id(of: finding))
            writer.element("Subject", finding.subject)
            verdict(finding, to: writer)
            writer.element("RunID", details.map { String($0.runID) })
            writer.element("Region", details?.region)
            writer.element("Commit", details?.commit)
            writer.element("Finished", details.map { utc($0.finished) })
            writer.element("CounterpartRunID", details?.counterpartRunID.map { String($0) })
            writer.element("CounterpartRegion", details?.counterpartRegion)
            writer.element("CounterpartFinished", details?.counterpartFinished.map(utc))
            writer.end()
        }
        writer.end()
        writer.end()
    }

    static func writeFindings(_ model: ReportModel, ids: FindingIDs, to writer: XMLWriter) {
        writer.start("Findings")
        counts(model.totals, to: writer)
        for (scope, verdicts) in [("process", model.byProcess), ("rule", model.byRule)] {
            for line in verdicts {
                writer.start("Verdict")
                writer.attribute("scope", scope)
                writer.attribute("subject", line.subject)
                writer.attribute("status", line.status.rawValue)
                counts(line.counts, to: writer)
                writer.text(line.title)
                writer.end()
            }
        }
        for (finding, id) in zip(model.findings, ids.ordered) {
            writer.start("Finding")
            writer.attribute("id", id)
            writer.element("Rule", finding.rule.rawValue)
            writer.element("Subject", finding.subject)
            verdict(finding, to: writer)
            writer.element("Message", finding.message)
            for evidence in finding.evidence { writer.element("Evidence", evidence.description) }
            if let waiver = finding.waiver {
                writer.start("Waiver")
                writer.attribute("id", waiver.id)
                writer.attribute("applied", boolean(waiver.applied))
                writer.element("OriginalStatus", waiver.originalStatus.rawValue)
                writer.element("Reason", waiver.reason)
                writer.element("ApprovedBy", waiver.approvedBy)
                writer.element("Expires", waiver.expires)
                writer.end()
            }
            for note in finding.details.notes ?? [] { writer.element("Note", note) }
            if let cadence = finding.details.cadence {
                writer.start("Cadence")
                writer.element("WindowStart", utc(cadence.windowStart))
                writer.element("LastPassingDrill", cadence.lastPassingDrill)
                writer.element("LastPassingTime", cadence.lastPassingTime.map(utc))
                for attempt in cadence.attempts { writer.element("Attempt", attempt) }
                writer.end()
            }
            if let integrity = finding.details.integrity {
                writer.start("LedgerVerification")
                writer.element("Entries", String(integrity.entries))
                writer.element("Head", integrity.head?.description)
                for problem in integrity.problems { writer.element("Problem", problem) }
                writer.end()
            }
            writer.end()
        }
        for warning in model.warnings { writer.element("Warning", warning) }
        writer.end()
    }

    static func writeEvidenceIndex(_ entries: [ReportModel.EvidenceEntry], to writer: XMLWriter) {
        writer.start("EvidenceIndex")
        for entry in entries {
            writer.start("Evidence")
            writer.attribute("sha256", entry.id.description)
            writer.attribute("seq", String(entry.seq))
            writer.element("Kind", entry.kind)
            writer.element("Source", entry.source)
            writer.element("IngestedAt", utc(entry.ingestedAt))
            writer.element("Covers", entry.covers)
            writer.end()
        }
        writer.end()
    }

    // MARK: - Shared parts

    private static func boolean(_ value: Bool) -> String {
        value ? "true" : "false"
    }

    private static func attempt(_ drill: String, _ attempt: Int, to writer: XMLWriter) {
        writer.attribute("drill", drill)
        writer.attribute("attempt", String(attempt))
    }

    private static func counts(_ counts: ReportModel.Counts, to writer: XMLWriter) {
        writer.attribute("pass", String(counts.pass))
        writer.attribute("fail", String(counts.fail))
        writer.attribute("indeterminate", String(counts.indeterminate))
        writer.attribute("waived", String(counts.waived))
    }

    private static func verdict(_ finding: Finding, to writer: XMLWriter) {
        writer.element("Status", finding.status.rawValue)
        writer.element("Severity", finding.severity.rawValue)
        writer.element("MeasuredSeconds", finding.measuredSeconds.map { String($0) })
        writer.element("TargetSeconds", finding.targetSeconds.map { String($0) })
    }

    private static func source(_ event: ReportModel.TimelineEvent, to writer: XMLWriter) {
        writer.start("Source")
        writer.attribute("evidence", event.evidence.description)
        writer.attribute("line", String(event.line))
        writer.text(event.source)
        writer.end()
    }

    private static func eventReference(_ name: String, _ reference: EventReference?, to writer: XMLWriter) {
        guard let reference else { return }
        writer.start(name)
        writer.attribute("evidence", reference.evidence.description)
        writer.attribute("line", String(reference.line))
        writer.element("Time", utc(reference.time))
        writer.element("UncertaintySeconds", String(reference.uncertaintySeconds))
        writer.element("Region", reference.region)
        writer.end()
    }

    private static func dataLoss(_ details: DataLossDetails?, to writer: XMLWriter) {
        guard let details else { return }
        writer.element("ReferenceTime", details.referenceTime.map(utc))
        writer.element("ReferenceSource", details.referenceSource)
        for table in details.tables {
            writer.start("TableLoss")
            writer.element("Table", table.table)
            writer.element("CheckRun", table.checkRun)
            writer.element("Action", table.action)
            writer.element("Version", table.version.map { String($0) })
            writer.element("VersionTime", table.versionTime.map(utc))
            writer.element("LossSeconds", table.lossSeconds.map { String($0) })
            writer.end()
        }
    }

    private static func stateReference(_ name: String, _ reference: StateReference?, to writer: XMLWriter) {
        guard let reference else { return }
        writer.start(name)
        writer.attribute("evidence", reference.evidence.description)
        writer.element("Region", reference.region)
        writer.element("Instant", utc(reference.instant))
        writer.element("RunID", reference.runID.map { String($0) })
        writer.element("Resources", String(reference.resources))
        writer.end()
    }
}
