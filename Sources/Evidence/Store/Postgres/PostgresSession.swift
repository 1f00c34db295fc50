import Foundation
import PostgresNIO
import Synchronization

/// The store's one connection, opened on first use (and again after it was lost), with the schema
/// checked and migrated once, and lent to one operation at a time: a transaction must never share
/// the connection with another statement.
actor PostgresSession {
    let endpoint: PostgresEndpoint
    private let create: Bool
    private let logger: Logger
    private var link: PostgresLink?
    private var schemaReady = false
    private var closed = false
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    init(endpoint: PostgresEndpoint, create: Bool) {
        self.endpoint = endpoint
        self.create = create
        var logger = Logger(label: "drreport.postgres")
        // The client's own log lines would go to stderr at info level; every failure reaches the user
        // as an EvidenceError instead.
        logger.logLevel = .critical
        self.logger = logger
    }

    /// Waits for the connection to be free, connects (and migrates) when needed, and lends it. The
    /// caller must `giveBack` it.
    func lease() async throws(EvidenceError) -> PostgresLink {
        await acquire()
        do throws(EvidenceError) {
            return try await connected()
        } catch {
            release()
            throw error
        }
    }

    /// Returns the connection; a connection that was lost is dropped, so the next lease reconnects.
    func giveBack(_ lent: PostgresLink, lost: Bool) async {
        if lost || lent.isClosed, link?.connection === lent.connection {
            link = nil
            try? await lent.connection.close()
        }
        release()
    }

    /// Closes the connection after the operation in progress; later operations fail.
    func close() async {
        await acquire()
        closed = true
        if let link {
            self.link = nil
            do {
                try await link.connection.closeGracefully()
            } catch {
                try? await link.connection.close()
            }
        }
        release()
    }

    /// A connection of its own, outside the shared one, for a long read transaction. The schema must
    /// already be checked (the store connects first).
    func openDedicated() async throws(EvidenceError) -> PostgresLink {
        if closed {
            throw EvidenceError(.store, source: endpoint.redacted, "the store was closed")
        }
        let configuration = try PostgresConnector.configuration(for: endpoint)
        do {
            return PostgresLink(
                try await PostgresConnection.connect(configuration: configuration, id: PostgresConnector.nextID(), logger: logger),
                logger: logger)
        } catch {
            throw PostgresErrors.translate(error, endpoint: endpoint, phase: .connecting)
        }
    }

    private func connected() async throws(EvidenceError) -> PostgresLink {
        if closed {
            throw EvidenceError(.store, source: endpoint.redacted, "the store was closed")
        }
        if let link, !link.isClosed { return link }
        link = nil
        let configuration = try PostgresConnector.configuration(for: endpoint)
        let opened: PostgresLink
        do {
            opened = PostgresLink(
                try await PostgresConnection.connect(
                    configuration: configuration, id: PostgresConnector.nextID(), logger: logger),
                logger: logger)
        } catch {
            throw PostgresErrors.translate(error, endpoint: endpoint, phase: .connecting)
        }
        if !schemaReady {
            do {
                try await PostgresMigrator.migrate(opened, endpoint: endpoint, create: create)
            } catch {
                try? await opened.connection.close()
                throw PostgresErrors.translate(error, endpoint: endpoint, phase: .connecting)
            }
            schemaReady = true
        }
        link = opened
        return opened
    }

    private func acquire() async {
        guard busy else {
            busy = true
            return
        }
        // Ownership passes directly from `release` to the first waiter, so `busy` stays set.
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty {
            busy = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}

/// Turns an endpoint into PostgresNIO's connection configuration, TLS included.
enum PostgresConnector {
    private static let lastID = Mutex(0)

    /// Connection ids for the client's logs; unique within the process.
    static func nextID() -> Int {
        lastID.withLock { value in
            value += 1
            return value
        }
    }

    static func configuration(for endpoint: PostgresEndpoint) throws(EvidenceError) -> PostgresConnection.Configuration
    {
        var configuration = PostgresConnection.Configuration(
            host: endpoint.host, port: endpoint.port, username: endpoint.user, password: endpoint.password,
            database: endpoint.database, tls: try tls(for: endpoint))
        configuration.options.connectTimeout = .seconds(Int64(endpoint.connectTimeoutSeconds))
        configuration.options.additionalStartupParameters = [("application_name", endpoint.applicationName)]
        return configuration
    }

    private static func tls(for endpoint: PostgresEndpoint) throws(EvidenceError)
        -> PostgresConnection.Configuration.TLS
    {
        var tls = TLSConfiguration.makeClientConfiguration()
        switch endpoint.sslMode {
        case .disable:
            return .disable
        case .prefer, .require:
            // libpq's meaning: encrypt, but do not check who answers.
            tls.certificateVerification = .none
        case .verifyCA:
            tls.certificateVerification = .noHostnameVerification
        case .verifyFull:
            tls.certificateVerification = .fullVerification
        }
        if let path = endpoint.sslRootCertificate, endpoint.sslMode == .verifyCA || endpoint.sslMode == .verifyFull {
            guard FileManager.default.isReadableFile(atPath: path) else {
                throw EvidenceError(.store, source: endpoint.redacted, "sslrootcert '\(path)' is not a readable file")
            }
            tls.trustRoots = .file(path)
        }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: tls)
        } catch {
            throw EvidenceError(.store, source: endpoint.redacted, "cannot set up TLS: \(error)")
        }
        return endpoint.sslMode == .prefer ? .prefer(context) : .require(context)
    }
}
