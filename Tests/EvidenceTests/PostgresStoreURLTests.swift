import Foundation
import Testing

@testable import Evidence

/// The PostgreSQL store's URL handling and SQL translation; no server needed.
@Suite("PostgreSQL store URL and statements")
struct PostgresStoreURLTests {
    @Test func readsEveryPartAndHidesThePassword() throws {
        let endpoint = try PostgresEndpoint(
            url: "postgres://ingest:s3cr%40t@db.bank.example:6432/evidence?sslmode=verify-full&connect_timeout=5",
            environment: [:])
        #expect(endpoint.host == "db.bank.example")
        #expect(endpoint.port == 6432)
        #expect(endpoint.user == "ingest")
        #expect(endpoint.password == "s3cr@t")
        #expect(endpoint.database == "evidence")
        #expect(endpoint.sslMode == .verifyFull)
        #expect(endpoint.connectTimeoutSeconds == 5)
        #expect(
            endpoint.redacted == "postgres://ingest@db.bank.example:6432/evidence?sslmode=verify-full&connect_timeout=5"
        )
        #expect(!String(describing: endpoint).contains("s3cr"))
        #expect(!String(reflecting: endpoint).contains("s3cr"))
        var dumped = ""
        dump(endpoint, to: &dumped)
        #expect(!dumped.contains("s3cr"))
    }

    @Test func defaultsFollowLibpq() throws {
        let endpoint = try PostgresEndpoint(
            url: "postgresql://pipeline@localhost/drreport", environment: ["PGPASSWORD": "from-env"])
        #expect(endpoint.port == 5432)
        #expect(endpoint.password == "from-env")
        #expect(endpoint.sslMode == .prefer)
        #expect(endpoint.applicationName == "drreport")
        #expect(!endpoint.redacted.contains("from-env"))
        let bare = try PostgresEndpoint(url: "postgres://", environment: ["USER": "alice"])
        #expect(bare.host == "localhost")
        #expect(bare.user == "alice")
        #expect(bare.database == "alice")
        let urlWins = try PostgresEndpoint(url: "postgres://u:inurl@h/d", environment: ["PGPASSWORD": "env"])
        #expect(urlWins.password == "inurl")
        #expect(PostgresEndpoint.isPostgresURL("POSTGRESQL://h/d"))
        #expect(!PostgresEndpoint.isPostgresURL("./postgres.db"))
    }

    @Test(arguments: [
        ("postgres://u:topsecret@h/d?sslmode=maybe", "sslmode 'maybe'"),
        ("postgres://u:topsecret@h/d?sslmod=require", "unknown URL parameter 'sslmod'"),
        ("postgres://u:topsecret@h/d/x", "one database name"),
        ("postgres://u:topsecret@h/d?connect_timeout=soon", "connect_timeout"),
        ("postgres://u:topsecret@h:99999/d", "port 99999 is out of range"),
    ])
    func refusesBadURLsWithoutThePassword(url: String, expected: String) {
        do {
            _ = try PostgresEndpoint(url: url, environment: [:])
            Issue.record("accepted \(url.replacingOccurrences(of: "topsecret", with: "***"))")
        } catch {
            #expect(error.code == .store)
            #expect(error.description.contains(expected), "\(error.description)")
            #expect(!error.description.contains("topsecret"))
        }
    }

    @Test func storeLocationHasNoPassword() throws {
        let store = try PostgresEvidenceStore(
            url: "postgres://u:hunter2@127.0.0.1:1/d?sslmode=disable", create: false, environment: [:])
        #expect(store.location == "postgres://u@127.0.0.1:1/d?sslmode=disable")
    }

    @Test func placeholdersAreNumberedOutsideQuotes() {
        #expect(
            PostgresStatements.numbered("SELECT a FROM t WHERE b = ? AND c IN (?, ?)")
                == "SELECT a FROM t WHERE b = $1 AND c IN ($2, $3)")
        #expect(PostgresStatements.numbered("SELECT '?' AS \"q?\", ? FROM t") == "SELECT '?' AS \"q?\", $1 FROM t")
        #expect(PostgresStatements.numbered("SELECT 'it''s ?', ?") == "SELECT 'it''s ?', $1")
    }

    @Test func insertsStayWithinTheParameterLimit() {
        let rows = Array(
            repeating: [SQLValue](repeating: .integer(1), count: Schema.resource.columns.count), count: 7_001)
        let queries = PostgresStatements.inserts(Schema.resource, rows)
        #expect(queries.allSatisfy { $0.binds.count <= PostgresStatements.maxParameters })
        #expect(queries.reduce(0) { $0 + $1.binds.count } == 7_001 * Schema.resource.columns.count)
        #expect(queries.first?.sql.hasPrefix("INSERT INTO tf_resource (evidence_id, ordinal,") == true)
    }
}
