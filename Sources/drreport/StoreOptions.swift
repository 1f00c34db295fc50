import ArgumentParser
import Evidence
import Foundation
import Reports
import Synchronization

/// `--store`: the evidence store, from the flag, else `DRREPORT_STORE`, else `./drreport.db`.
struct StoreOptions: ParsableArguments {
    @Option(
        name: .long,
        help: ArgumentHelp(
            "The evidence store: an SQLite file path or a postgres:// URL.",
            discussion: """
                Defaults to $DRREPORT_STORE, then ./drreport.db. A postgres://user@host:port/database?sslmode=… \
                (or postgresql://) URL selects a shared PostgreSQL store; its password comes from the URL or \
                $PGPASSWORD and is never printed.
                """, valueName: "path-or-url"))
    var store: String?

    /// The store's location after the defaults apply.
    var location: String {
        if let store, !store.isEmpty { return store }
        if let environment = ProcessInfo.processInfo.environment["DRREPORT_STORE"], !environment.isEmpty {
            return environment
        }
        return "drreport.db"
    }

    /// Opens the store; `create` makes a new one where there is none. A PostgreSQL store connects on
    /// first use and is closed by `reportingErrors` when the command ends.
    func open(create: Bool = false) throws(EvidenceError) -> any EvidenceStore {
        let location = location
        if PostgresEndpoint.isPostgresURL(location) {
            let store = try PostgresEvidenceStore(url: location, create: create)
            OpenStores.register(store)
            return store
        }
        return try SQLiteEvidenceStore(path: location, create: create)
    }
}

/// The PostgreSQL stores a command opened, so their connections are closed before the process exits.
enum OpenStores {
    private static let stores = Mutex<[PostgresEvidenceStore]>([])

    static func register(_ store: PostgresEvidenceStore) {
        stores.withLock { $0.append(store) }
    }

    /// Closes every registered store and forgets it.
    static func closeAll() async {
        let open = stores.withLock { stores in
            defer { stores.removeAll() }
            return stores
        }
        for store in open { await store.close() }
    }
}

/// Runs a command body, turning errors into `Error: …` on stderr and the documented exit code, and
/// closes the stores it opened whatever happened.
func reportingErrors(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch let error as EvidenceError {
        await OpenStores.closeAll()
        Terminal.error(error.description)
        throw ExitCode(2)
    } catch let error as ReportsError {
        await OpenStores.closeAll()
        Terminal.error(error.description)
        throw ExitCode(2)
    } catch {
        await OpenStores.closeAll()
        throw error
    }
    await OpenStores.closeAll()
}
