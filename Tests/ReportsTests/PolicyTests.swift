import Foundation
import Testing

@testable import Reports

@Suite("drreport.yaml: typed, validated, located errors")
struct PolicyTests {
    @Test func theFullPolicyLoads() throws {
        let policy = try Support.policy()
        #expect(policy.organization.lei == "8156000EXAMPLEBNK042")
        #expect(policy.timeZone.identifier == "Europe/Rome")
        #expect(policy.processes.map(\.id) == ["loan-origination", "payments"])
        #expect(policy.processes[1].rpo == 15 * 60)
        #expect(policy.parity.ignored(for: "databricks_cluster").map(\.description) == ["id", "provider_config.*.workspace_id", "cluster_id", "url", "state", "default_tags"])
        #expect(policy.changeControl.emergencyApprovalWithin == 72 * 3600)
        #expect(policy.drillEvery == PolicyDuration(months: 12))
        #expect(policy.waivers.map(\.id) == ["W-2026-004", "W-2026-001"])
        #expect(policy.samePerson("DEV.TWO@bank.example", "3333aaaa3333aaaa3333aaaa3333aaaa"))
        #expect(!policy.samePerson("dev.one@bank.example", "Dev Two"))
        #expect(policy.process("loan-origination")?.owns(table: "neprix.silver.contracts") == true)
        #expect(policy.process("payments")?.owns(table: "retail.cards.ledger") == false)
    }

    /// Identities are matched without surrounding spaces (tabs and Unicode spaces included, line
    /// breaks not), ignoring case; the shortcut for identities without spaces at either end agrees.
    @Test(arguments: [
        "Dev.Two@bank.example", " Dev.Two@bank.example ", "\tDEV.TWO@bank.example", "dev.two@bank.example\u{3000}",
        "\u{A0}Dev Two\u{2003}", "\nDev Two", "Dev Two\n", "", "   ", "É", " \u{301}x", "x\u{301} ",
    ])
    func identitiesAreKeyedAsTrimmedAndLowerCased(_ identity: String) throws {
        #expect(Policy.identityKey(identity) == identity.trimmingCharacters(in: .whitespaces).lowercased())
        let policy = try Support.policy()
        #expect(policy.samePerson(identity, "  \(identity.uppercased())\t") == !identity.trimmingCharacters(in: .whitespaces).isEmpty)
    }

    @Test(arguments: [
        ("processes:\n  - id: x\n    criticality: business-critical\n    rto: 4h\n    rpo: 4h\n    workspaces: [nope]\n", "processes[0].workspaces[0]", "unknown workspace 'nope'"),
        ("processes:\n  - id: x\n    criticality: business-critical\n    rto: 4 hours\n    rpo: 4h\n", "processes[0].rto", "is not a duration"),
        ("processes:\n  - id: x\n    criticality: vital\n    rto: 4h\n    rpo: 4h\n", "processes[0].criticality", "expected business-critical"),
        ("processes:\n  - id: x\n    criticality: standard\n    rto: 4h\n    rpo: 4h\n    owner: me\n", "processes[0].owner", "unknown key"),
        ("processes:\n  - id: x\n    criticality: standard\n    rto: 12mo\n    rpo: 4h\n", "processes[0].rto", "is not a duration"),
    ])
    func badProcessesAreLocated(processes: String, path: String, message: String) throws {
        let yaml = """
            organization: {name: Bank, lei: 8156000EXAMPLEBNK042}
            timezone: Europe/Rome
            regions: {primary: westeurope, secondary: northeurope}
            workspaces:
              - {id: ws, division: d, environment: prod}
            \(processes)
            """
        let error = try #require(throws: ReportsError.self) { try Policy.load(yaml: yaml, source: "p.yaml") }
        #expect(error.code == .invalidPolicy)
        #expect(error.path == path)
        #expect(error.message.contains(message))
        #expect(error.line != nil)
    }

    @Test func waiverForAnUnknownRuleNamesItsLine() throws {
        let yaml = Support.policyYAML + "\n  - {id: W-9, rule: uptime, subject: x, reason: r, approved_by: CRO, approved_on: 2026-01-01, expires: 2026-12-31}\n"
        let error = try #require(throws: ReportsError.self) { try Policy.load(yaml: yaml, source: "p.yaml") }
        #expect(error.path == "waivers[2].rule")
        #expect(error.message.contains("unknown rule 'uptime'"))
        #expect(error.line == yaml.split(separator: "\n", omittingEmptySubsequences: false).count - 1)
    }

    @Test func unknownTopLevelKeyAndBadYAML() throws {
        let unknown = try #require(throws: ReportsError.self) { try Policy.load(yaml: Support.policyYAML + "\nsla: 99.9\n", source: "p.yaml") }
        #expect(unknown.path == "sla")
        let broken = try #require(throws: ReportsError.self) {
            try Policy.load(yaml: "timezone: Europe/Rome\nregions: {primary: a\nworkspaces: []\n", source: "p.yaml")
        }
        #expect(broken.message.hasPrefix("not valid YAML"))
        #expect(broken.line == 3)
        let zone = try #require(throws: ReportsError.self) {
            try Policy.load(yaml: Support.policyYAML.replacingOccurrences(of: "Europe/Rome", with: "Europe/Atlantis"), source: "p.yaml")
        }
        #expect(zone.path == "timezone")
    }

    @Test(arguments: [("4h", 0, Int64(14_400)), ("30m", 0, 1800), ("1h30m", 0, 5400), ("1d", 0, 86_400), ("12mo", 12, 0), ("90s", 0, 90)])
    func durations(text: String, months: Int, seconds: Int64) throws {
        let duration = try #require(PolicyDuration(parsing: text))
        #expect(duration.months == months)
        #expect(duration.seconds == seconds)
    }

    @Test(arguments: ["", "4", "h", "4x", "-4h", "4.5h", "4 h"])
    func badDurations(text: String) {
        #expect(PolicyDuration(parsing: text) == nil)
    }
}

@Suite("periods: quarters bounded in the policy's time zone")
struct PeriodTests {
    let rome = TimeZone(identifier: "Europe/Rome")!

    @Test func thirdQuarterInRome() throws {
        let period = try Period(parsing: "2026-Q3", timeZone: rome)
        #expect(period.start.rfc3339() == "2026-06-30T22:00:00Z")
        #expect(period.end.rfc3339() == "2026-09-30T22:00:00Z")
        #expect(period.description == "2026-Q3")
    }

    @Test func fourthQuarterEndsInWinterTime() throws {
        let period = try Period(parsing: "2026-q4", timeZone: rome)
        #expect(period.start.rfc3339() == "2026-09-30T22:00:00Z")
        #expect(period.end.rfc3339() == "2026-12-31T23:00:00Z")
    }

    @Test(arguments: ["2026-Q5", "2026Q3", "Q3-2026", "2026-Q", "26-Q3", "", "2026-H1"])
    func badPeriods(text: String) {
        #expect(throws: ReportsError.self) { try Period(parsing: text, timeZone: rome) }
    }

    @Test func twelveMonthsBeforeTheEnd() throws {
        let period = try Period(parsing: "2026-Q3", timeZone: rome)
        #expect(period.instant(PolicyDuration(months: 12), before: period.end).rfc3339() == "2025-09-30T22:00:00Z")
    }
}
