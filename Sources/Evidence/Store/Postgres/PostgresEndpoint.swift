import Foundation

/// Where a PostgreSQL evidence store is and how to reach it, read from a
/// `postgres://user:password@host:port/database?sslmode=…` URL (`postgresql://` too).
///
/// The password comes from the URL, else from `PGPASSWORD`. It is never part of ``redacted``, which
/// is what every message and the store's `location` show.
public struct PostgresEndpoint: Sendable, Hashable {
    /// How the connection is protected, with libpq's names and meanings.
    public enum SSLMode: String, Sendable, Hashable, CaseIterable {
        /// Plain TCP.
        case disable
        /// TLS when the server offers it, else plain; the certificate is not checked (libpq's default).
        case prefer
        /// TLS or no connection; the certificate is not checked (as libpq without a root certificate).
        case require
        /// TLS with a certificate signed by a trusted authority; the host name is not checked.
        case verifyCA = "verify-ca"
        /// TLS with a trusted certificate issued for the host: the mode for a shared production store.
        case verifyFull = "verify-full"
    }

    /// The server's host name or address.
    public var host: String
    /// The TCP port.
    public var port: Int
    /// The role to log in as.
    public var user: String
    /// The password, when the URL or `PGPASSWORD` gives one.
    public var password: String?
    /// The database.
    public var database: String
    /// The TLS mode.
    public var sslMode: SSLMode
    /// A PEM file of trusted certificate authorities (`sslrootcert`), for `verify-ca` and `verify-full`.
    public var sslRootCertificate: String?
    /// Seconds to wait for the server to answer a connection attempt.
    public var connectTimeoutSeconds: Int
    /// The name the connection shows in `pg_stat_activity`.
    public var applicationName: String

    /// The URL without the password: what messages and `location` show.
    public var redacted: String

    /// Whether a store location names PostgreSQL rather than an SQLite file.
    public static func isPostgresURL(_ location: String) -> Bool {
        let lower = location.lowercased()
        return lower.hasPrefix("postgres://") || lower.hasPrefix("postgresql://")
    }

    /// The query parameters drreport understands; any other is refused, so a typo does not silently
    /// weaken the connection (e.g. `sslmod=verify-full`).
    static let parameters: Set<String> = ["sslmode", "sslrootcert", "connect_timeout", "application_name"]

    /// Reads a URL. `environment` supplies `PGPASSWORD` (and `PGUSER`, `USER` for a URL without a user).
    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws(EvidenceError)
    {
        // Never echo the input: it may hold the password. Messages name the redacted form or the scheme.
        guard Self.isPostgresURL(text), let components = URLComponents(string: text) else {
            throw EvidenceError(
                .store, source: "postgres store",
                "not a valid postgres:// URL; expected postgres://user:password@host:port/database?sslmode=…")
        }
        var shown = components
        shown.password = nil
        let redacted = shown.string ?? "postgres://(unprintable URL)"
        func refuse(_ message: String) -> EvidenceError { EvidenceError(.store, source: redacted, message) }

        var host = components.host ?? ""
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "localhost" }
        let port = components.port ?? 5432
        guard (1...65_535).contains(port) else { throw refuse("port \(port) is out of range") }
        let user = components.user.flatMap { $0.isEmpty ? nil : $0 } ?? environment["PGUSER"] ?? environment["USER"]
        guard let user, !user.isEmpty else { throw refuse("no user in the URL (postgres://USER@host/database)") }
        let password = components.password ?? environment["PGPASSWORD"]
        var database = components.path
        if database.hasPrefix("/") { database.removeFirst() }
        if database.isEmpty { database = user }
        guard !database.contains("/") else { throw refuse("the path must be one database name, not '\(database)'") }

        var sslMode = SSLMode.prefer
        var rootCertificate: String?
        var timeout = 10
        var applicationName = "drreport"
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "sslmode":
                if value == "allow" {
                    sslMode = .prefer
                } else if let mode = SSLMode(rawValue: value) {
                    sslMode = mode
                } else {
                    throw refuse(
                        "sslmode '\(value)' is not one of "
                            + SSLMode.allCases.map(\.rawValue).joined(separator: ", "))
                }
            case "sslrootcert":
                rootCertificate = value
            case "connect_timeout":
                guard let seconds = Int(value), seconds > 0 else {
                    throw refuse("connect_timeout '\(value)' is not a positive number of seconds")
                }
                timeout = seconds
            case "application_name":
                applicationName = value
            default:
                throw refuse(
                    "unknown URL parameter '\(item.name)'; drreport understands "
                        + Self.parameters.sorted().joined(separator: ", "))
            }
        }
        self.host = host
        self.port = port
        self.user = user
        self.password = password
        self.database = database
        self.sslMode = sslMode
        self.sslRootCertificate = rootCertificate
        self.connectTimeoutSeconds = timeout
        self.applicationName = applicationName
        self.redacted = redacted
    }
}

extension PostgresEndpoint: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The URL without the password.
    public var description: String { redacted }
    /// The URL without the password.
    public var debugDescription: String { redacted }
    /// Reflection shows the redacted URL only, so `dump` or string interpolation never prints the password.
    public var customMirror: Mirror { Mirror(self, children: ["url": redacted]) }
}
