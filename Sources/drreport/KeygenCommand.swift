import ArgumentParser
import Foundation
import Reports

struct KeygenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Create an Ed25519 key pair for signing evidence bundles: NAME.key (private, mode 0600) and NAME.pub.",
        discussion: "Keys are PEM (PKCS #8 and SubjectPublicKeyInfo), readable by OpenSSL. The key id is the SHA-256 of the raw public key.")

    @Option(help: ArgumentHelp("The path and base name of the key files.", valueName: "name"))
    var output: String

    func run() async throws {
        try await reportingErrors {
            let keyPath = output + ".key"
            let publicPath = output + ".pub"
            for path in [keyPath, publicPath] where FileManager.default.fileExists(atPath: path) {
                throw ReportsError(.output, source: path, "already exists; drreport never overwrites a key")
            }
            let pair = SigningKey.generate()
            // The private key is created with mode 0600 from the start: it is never readable by others.
            let descriptor = open(keyPath, O_WRONLY | O_CREAT | O_EXCL, 0o600)
            guard descriptor >= 0 else {
                throw ReportsError(.output, source: keyPath, "cannot create the key file (\(String(cString: strerror(errno))))")
            }
            let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
            do {
                try handle.write(contentsOf: Data(pair.privatePEM.utf8))
                try handle.close()
            } catch {
                try? FileManager.default.removeItem(atPath: keyPath)
                throw ReportsError(.output, source: keyPath, "cannot write the key file")
            }
            do {
                try Data(pair.publicPEM.utf8).write(to: URL(fileURLWithPath: publicPath), options: .withoutOverwriting)
            } catch {
                try? FileManager.default.removeItem(atPath: keyPath)
                throw ReportsError(.output, source: publicPath, "cannot write the public key file")
            }
            Terminal.out("private key  \(keyPath) (mode 0600; keep it secret)")
            Terminal.out("public key   \(publicPath) (give it to auditors)")
            Terminal.out("key id       \(pair.keyID)")
        }
    }
}
