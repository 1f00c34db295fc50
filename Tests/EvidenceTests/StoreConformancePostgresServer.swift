import Foundation
import PostgresNIO
import Testing

@testable import Evidence

/// The PostgreSQL server the tests use: `DRREPORT_TEST_POSTGRES_URL`, a superuser URL on a throwaway
/// server (`eval "$(bash .ci/postgres start)"`). Each test gets its own database, dropped afterwards.
///
/// Without the variable the PostgreSQL tests are skipped on a developer's machine, and fail in CI
/// (`CI` set), where a missing server must not pass unnoticed.
enum PostgresTestServer {
    static let variable = "DRREPORT_TEST_POSTGRES_URL"

    static var url: String? {
        guard let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty else { return nil }
        return value
    }

    static var inCI: Bool { ProcessInfo.processInfo.environment["CI"].map { !$0.isEmpty } ?? false }

    /// Whether the PostgreSQL tests run (and, without a URL, fail).
    static var shouldRun: Bool { url != nil || inCI }

    static let skipReason: Comment =
        "DRREPORT_TEST_POSTGRES_URL is not set: PostgreSQL tests skipped (start a server with `eval \"$(bash .ci/postgres start)\"`)"

    static func requireURL() throws -> String {
        guard let url else {
            throw StoreTestFailure(
                "\(variable) is not set, but CI is: the PostgreSQL tests need a server; "
                    + "run `eval \"$(bash .ci/postgres start)\"` before `swift test`")
        }
        return url
    }

    /// The CA that signed the test server's TLS certificate (`.ci/postgres` exports it).
    static var certificateAuthority: String? {
        guard let value = ProcessInfo.processInfo.environment["DRREPORT_TEST_POSTGRES_CA"], !value.isEmpty else {
            return nil
        }
        return value
    }

    /// Whether the TLS test runs (and, without a CA, fails).
    static var tlsShouldRun: Bool { certificateAuthority != nil || inCI }

    static func requireCertificateAuthority() throws -> String {
        guard let certificateAuthority else {
            throw StoreTestFailure(
                "DRREPORT_TEST_POSTGRES_CA is not set: the TLS test needs the test server's CA (`.ci/postgres start` exports it)"
            )
        }
        return certificateAuthority
    }

    static let logger: Logger = {
        var logger = Logger(label: "drreport.tests.postgres")
        logger.logLevel = .critical
        return logger
    }()

    /// A connection as the test superuser to `database` (the URL's own when nil).
    static func connect(database: String? = nil) async throws -> PostgresConnection {
        var endpoint = try PostgresEndpoint(url: try requireURL())
        if let database { endpoint.database = database }
        return try await PostgresConnection.connect(
            configuration: PostgresConnector.configuration(for: endpoint), id: PostgresConnector.nextID(),
            logger: logger)
    }

    /// A new empty database `drreport_test_<random>`.
    static func createDatabase() async throws -> TestDatabase {
        let name = "drreport_test_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let admin = try await connect()
        do {
            try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger)
        } catch {
            try? await admin.close()
            throw error
        }
        try? await admin.close()
        guard var components = URLComponents(string: try requireURL()) else {
            throw StoreTestFailure("\(variable) is not a URL")
        }
        components.path = "/" + name
        guard let url = components.string else { throw StoreTestFailure("cannot name database \(name) in a URL") }
        return TestDatabase(name: name, url: url)
    }
}

/// A throwaway database on the test server.
struct TestDatabase: Sendable {
    let name: String
    /// The superuser URL of this database (with the password).
    let url: String

    /// The URL with a different password (or none).
    func url(password: String?) -> String {
        // `url` was built by URLComponents, so it parses and prints again.
        guard var components = URLComponents(string: url) else { return url }
        components.password = password
        return components.string ?? url
    }

    /// Runs one statement in this database and returns the rows.
    @discardableResult
    func execute(_ sql: String) async throws -> [SQLRow] {
        let connection = try await PostgresTestServer.connect(database: name)
        do {
            let rows = try await PostgresStatements.collect(
                connection.query(PostgresQuery(unsafeSQL: sql), logger: PostgresTestServer.logger), table: "test")
            try await connection.close()
            return rows
        } catch {
            try? await connection.close()
            throw error
        }
    }

    /// Drops the database, ending any session still connected to it.
    func drop() async {
        guard let admin = try? await PostgresTestServer.connect() else { return }
        _ = try? await admin.query(
            PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(name) WITH (FORCE)"), logger: PostgresTestServer.logger)
        try? await admin.close()
    }

    /// Runs `body` with a new database, dropping it afterwards whatever happens.
    static func with(_ body: (TestDatabase) async throws -> Void) async throws {
        let database = try await PostgresTestServer.createDatabase()
        do {
            try await body(database)
        } catch {
            await database.drop()
            throw error
        }
        await database.drop()
    }
}
