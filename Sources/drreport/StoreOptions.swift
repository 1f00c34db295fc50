import ArgumentParser
import Evidence
import Foundation
import Reports

/// `--store`: the evidence store, from the flag, else `DRREPORT_STORE`, else `./drreport.db`.
struct StoreOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The evidence store: an SQLite file path or a postgres:// URL.",
        discussion: "Defaults to $DRREPORT_STORE, then ./drreport.db.", valueName: "path"))
    var store: String?

    /// The store's location after the defaults apply.
    var location: String {
        if let store, !store.isEmpty { return store }
        if let environment = ProcessInfo.processInfo.environment["DRREPORT_STORE"], !environment.isEmpty {
            return environment
        }
        return "drreport.db"
    }

    /// Opens the store; `create` makes a new one where there is none.
    func open(create: Bool = false) throws(EvidenceError) -> any EvidenceStore {
        let location = location
        if location.hasPrefix("postgres://") || location.hasPrefix("postgresql://") {
            throw EvidenceError(.store, source: "postgres store", "PostgreSQL stores are not supported by this build")
        }
        return try SQLiteEvidenceStore(path: location, create: create)
    }
}

/// Runs a command body, turning errors into `Error: …` on stderr and the documented exit code.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as EvidenceError {
        Terminal.error(error.description)
        throw ExitCode(2)
    } catch let error as ReportsError {
        Terminal.error(error.description)
        throw ExitCode(2)
    }
}
