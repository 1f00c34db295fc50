/// The fictional bank of the synthetic quarter: twelve business processes, each on a technical and a
/// user production workspace and a UAT workspace (36 workspaces), deployed to two regions; the people
/// who request, implement and approve changes; and the sizes a `--scale` gives (DESIGN §9 at 1.0).
struct Bank {
    /// A business process of drreport.yaml.
    struct Process {
        /// Its id in drill logs and findings.
        var id: String
        /// Its name for people.
        var name: String
        /// `business-critical` or `important`.
        var criticality: String
        /// The Unity Catalog catalog of its tables (`catalog.*`).
        var catalog: String
        /// The prefix of its workspaces.
        var short: String
        /// The division that owns it.
        var division: String
        /// Its cost centre tag.
        var costCenter: String
        /// Whether the quarter's drills cover it.
        var drilled: Bool

        /// RTO and RPO in hours.
        var objectiveHours: Int { criticality == "business-critical" ? 4 : 24 }
    }

    /// A Databricks workspace, deployed to both regions.
    struct Workspace {
        /// Its position in `workspaces`.
        var index: Int
        /// `payments-tech-prod`.
        var id: String
        /// The process it serves.
        var process: Int
        /// `prod` or `uat`.
        var environment: String
        /// `technical` or `user`.
        var kind: String
    }

    /// A person with their identities in ServiceNow (sys_id, name) and Azure DevOps (e-mail).
    struct Person {
        /// The `people` id in drreport.yaml.
        var id: String
        /// Display name.
        var name: String
        /// ServiceNow sys_id.
        var sysID: String
        /// E-mail, the Azure DevOps uniqueName.
        var email: String
        /// A second, privileged ServiceNow account of the same person, if any.
        var admin: (sysID: String, name: String)?
    }

    /// The two regions.
    enum Region: Int, CaseIterable {
        case primary
        case secondary

        /// The Azure region.
        var name: String { self == .primary ? "westeurope" : "northeurope" }
        /// The short form in names.
        var short: String { self == .primary ? "weu" : "neu" }
    }

    /// The seed every random choice derives from.
    let seed: UInt64
    /// The size factor (1.0 = DESIGN §9).
    let scale: Double
    /// The processes, in drreport.yaml order.
    let processes: [Process]
    /// The workspaces, in drreport.yaml order.
    let workspaces: [Workspace]
    /// Developers, two per process (`developers[2p]`, `developers[2p+1]`).
    let developers: [Person]
    /// Technical leads, who give the first approval.
    let techLeads: [Person]
    /// Change managers, who approve at the CAB.
    let changeManagers: [Person]

    /// Deployment rounds per workspace (each: a primary and a secondary apply of one commit).
    let rounds: Int
    /// Terraform resources per state.
    let resourcesPerState: Int
    /// Delta tables checked by each consistency run.
    let tables: Int
    /// Change requests in the exports in all.
    let changeRequests: Int

    init(seed: UInt64, scale: Double) {
        self.seed = seed
        self.scale = scale
        // id, name, criticality, catalog/short, division, cost centre
        let table: [(String, String, String, String, String, String)] = [
            ("loan-origination", "Loan origination", "business-critical", "lending", "lending", "CC-4410"),
            ("payments", "SEPA and SWIFT payments", "business-critical", "payments", "retail", "CC-2210"),
            ("core-banking-ledger", "Core banking general ledger", "business-critical", "ledger", "corporate", "CC-3105"),
            ("customer-onboarding", "Customer onboarding and KYC", "business-critical", "onboarding", "retail", "CC-2230"),
            ("treasury-liquidity", "Treasury liquidity (LCR/NSFR) and ALM", "business-critical", "treasury", "treasury", "CC-5120"),
            ("cards-authorisation", "Card authorisation and clearing", "business-critical", "cards", "retail", "CC-2250"),
            ("fraud-detection", "Transaction fraud detection", "business-critical", "fraud", "risk", "CC-6130"),
            ("wealth-advisory", "Wealth advisory and portfolios", "important", "wealth", "wealth", "CC-7010"),
            ("trade-finance", "Trade finance and guarantees", "business-critical", "tradefin", "corporate", "CC-3140"),
            ("aml-screening", "AML and sanctions screening", "business-critical", "aml", "risk", "CC-6150"),
            ("regulatory-reporting", "COREP/FINREP regulatory reporting", "important", "regrep", "corporate", "CC-3190"),
            ("market-risk", "Market risk (VaR, FRTB)", "business-critical", "mktrisk", "treasury", "CC-5160"),
        ]
        processes = table.enumerated().map { index, row in
            Process(
                id: row.0, name: row.1, criticality: row.2, catalog: row.3, short: row.3, division: row.4,
                costCenter: row.5, drilled: index != Injections.undrilledProcess)
        }
        var workspaces: [Workspace] = []
        for (index, process) in processes.enumerated() {
            for (suffix, environment, kind) in [("tech-prod", "prod", "technical"), ("user-prod", "prod", "user"), ("tech-uat", "uat", "technical")] {
                workspaces.append(Workspace(
                    index: workspaces.count, id: "\(process.short)-\(suffix)", process: index, environment: environment, kind: kind))
            }
        }
        self.workspaces = workspaces

        var random = SeededRandom(seed, "people")
        func person(_ first: String, _ last: String) -> Person {
            let id = "\(first).\(last)".lowercased()
            return Person(id: id, name: "\(first) \(last)", sysID: random.hex(32), email: "\(id)@bank.example", admin: nil)
        }
        let firstNames = [
            "Giulia", "Marco", "Chiara", "Luca", "Sara", "Matteo", "Elena", "Davide", "Francesca", "Paolo", "Anna",
            "Stefano", "Marta", "Andrea", "Laura", "Simone", "Valentina", "Fabio", "Silvia", "Roberto", "Irene", "Enrico",
            "Alessia", "Nicola",
        ]
        let lastNames = [
            "Rinaldi", "Ferri", "Galli", "Conti", "Marchetti", "Costa", "Fontana", "Moretti", "Barbieri", "Lombardi",
            "Greco", "Bruno", "Gatti", "Villa", "Serra", "Longo", "Mariani", "Testa", "Caruso", "Pellegrini", "Vitale",
            "Bellini", "Riva", "Sala",
        ]
        var developers = zip(firstNames, lastNames).map { person($0, $1) }
        // The person who approves their own change under a second, admin account (change-approval injection).
        let selfApprover = Injections.selfApprovingDeveloper
        let initial = developers[selfApprover].name.prefix(1)
        let surname = developers[selfApprover].name.split(separator: " ").last.map(String.init) ?? ""
        developers[selfApprover].admin = (random.hex(32), "\(initial). \(surname) (admin)")
        self.developers = developers
        techLeads = [("Alberto", "Neri"), ("Beatrice", "Leone"), ("Carlo", "Gentile"), ("Daria", "Ferrara")].map { person($0.0, $0.1) }
        changeManagers = [("Ettore", "Basile"), ("Federica", "Monti"), ("Guido", "Orlando")].map { person($0.0, $0.1) }

        rounds = max(3, Int((3000 * scale / Double(workspaces.count * 2)).rounded()))
        resourcesPerState = max(50, Int((2500 * scale).rounded()))
        tables = max(processes.count * 4, Int((20_000 * scale).rounded()))
        changeRequests = Int((1500 * scale).rounded())
    }

    /// The workspace with an id.
    func workspace(_ id: String) -> Workspace {
        guard let found = workspaces.first(where: { $0.id == id }) else { preconditionFailure("no workspace \(id)") }
        return found
    }

    /// The developers of a process.
    func developers(of process: Int) -> [Person] {
        [developers[2 * process], developers[2 * process + 1]]
    }

    /// Everyone who appears in the evidence, for the `people` map.
    var everyone: [Person] { developers + techLeads + changeManagers }
}
