import ArgumentParser
import Evidence

struct InitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "init", abstract: "Create an evidence store (or bring an existing one to the current schema).")

    @OptionGroup var storeOptions: StoreOptions

    func run() async throws {
        try await reportingErrors {
            let store = try storeOptions.open(create: true)
            let entries = try await store.ledgerEntries()
            Terminal.out("evidence store ready at \(store.location) (\(entries.count) ledger entr\(entries.count == 1 ? "y" : "ies"))")
        }
    }
}
