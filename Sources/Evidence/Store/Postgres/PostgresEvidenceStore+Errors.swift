import Foundation
import PostgresNIO

/// PostgresNIO's errors translated at the module boundary into `EvidenceError(.store, …)` with a message
/// that says what happened and what to do, and names the store by its redacted URL. A message never
/// carries the password, a bound value or the SQL text.
enum PostgresErrors {
    /// What the store was doing, for a message that tells whether anything was written.
    enum Phase: Sendable {
        /// Connecting, logging in, checking or migrating the schema.
        case connecting
        /// Reading.
        case reading
        /// Inside a store transaction that had not been committed: nothing of it was written.
        case storing(source: String)
        /// Waiting for COMMIT's answer: the outcome is unknown.
        case committing(source: String)
    }

    static func translate(_ error: any Error, endpoint: PostgresEndpoint, phase: Phase) -> EvidenceError {
        if let error = error as? EvidenceError { return error }
        let location = endpoint.redacted
        let message: String
        if error is ConnectionClosed {
            message = "the connection to the PostgreSQL server at \(endpoint.host):\(endpoint.port) was lost"
        } else if let error = error as? PSQLError {
            message = describe(error, endpoint: endpoint)
        } else if let error = error as? PostgresDecodingError {
            message = "a value of column '\(error.columnName)' could not be read (\(error.postgresType))"
        } else if let tls = tlsFailure(error, endpoint: endpoint) {
            message = tls
        } else {
            message = "unexpected error from the PostgreSQL client: \(type(of: error))"
        }
        return EvidenceError(.store, source: location, message + consequence(of: phase, error: error))
    }

    /// Whether the error means the connection is gone (so the session must not reuse it).
    static func isConnectionLost(_ error: any Error) -> Bool {
        if error is ConnectionClosed { return true }
        guard let error = error as? PSQLError else { return false }
        switch error.code {
        case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown, .connectionError:
            return true
        case .server:
            // 57P01 admin_shutdown (pg_terminate_backend), 57P02 crash_shutdown, 57P03 cannot_connect_now.
            return error.serverInfo?[.sqlState]?.hasPrefix("57P") == true
        default:
            return false
        }
    }

    private static func consequence(of phase: Phase, error: any Error) -> String {
        switch phase {
        case .connecting, .reading:
            return ""
        case .storing(let source):
            return "; nothing of \(source) was stored (the transaction was rolled back)"
        case .committing(let source):
            return "; the connection was lost while committing \(source), so it may or may not be stored: "
                + "ingest it again (stored bytes are reported as a duplicate) and run `drreport evidence verify`"
        }
    }

    private static func describe(_ error: PSQLError, endpoint: PostgresEndpoint) -> String {
        let server = "\(endpoint.host):\(endpoint.port)"
        switch error.code {
        case .server:
            return serverMessage(error, endpoint: endpoint)
        case .connectionError:
            if let underlying = error.underlying, let tls = tlsFailure(underlying, endpoint: endpoint) { return tls }
            let cause = error.underlying.map { String(describing: $0) } ?? "no answer"
            return "cannot connect to the PostgreSQL server at \(server) (\(cause)); is it running and reachable?"
        case .serverClosedConnection, .uncleanShutdown, .clientClosedConnection:
            return "the connection to the PostgreSQL server at \(server) was lost"
        case .sslUnsupported:
            return "the server at \(server) does not offer TLS, but sslmode=\(endpoint.sslMode.rawValue) requires it"
        case .failedToAddSSLHandler:
            return "TLS could not be set up for \(server); check sslmode and sslrootcert"
        case .authMechanismRequiresPassword:
            return "the server asks for a password for user '\(endpoint.user)'; give it in the URL or in PGPASSWORD"
        case .unsupportedAuthMechanism:
            return "the server asks for an authentication method drreport does not support; use scram-sha-256 or md5"
        case .saslError:
            return "password authentication (SCRAM) with \(server) failed for user '\(endpoint.user)'"
        case .queryCancelled:
            return "the query was cancelled"
        case .tooManyParameters:
            return "a statement had too many parameters (internal limit exceeded)"
        default:
            return "PostgreSQL client error (\(error.code))"
        }
    }

    /// A TLS failure, said in terms of sslmode and sslrootcert; nil for other errors.
    private static func tlsFailure(_ error: any Error, endpoint: PostgresEndpoint) -> String? {
        let server = "\(endpoint.host):\(endpoint.port)"
        let advice = "; check sslmode (now \(endpoint.sslMode.rawValue)) and sslrootcert"
        if let extra = error as? NIOSSLExtraError, extra == .failedToValidateHostname {
            return "the TLS certificate of \(server) was not issued for '\(endpoint.host)'" + advice
        }
        guard error is NIOSSLError || error is NIOSSLExtraError else { return nil }
        if String(describing: error).contains("CERTIFICATE_VERIFY_FAILED") {
            let trusted = endpoint.sslRootCertificate.map { "the CAs in \($0)" } ?? "the system's trusted CAs"
            return "the TLS certificate of \(server) is not signed by \(trusted)" + advice
        }
        return "the TLS handshake with \(server) failed" + advice
    }

    private static func serverMessage(_ error: PSQLError, endpoint: PostgresEndpoint) -> String {
        let state = error.serverInfo?[.sqlState] ?? "?????"
        let text = error.serverInfo?[.message] ?? "unknown error"
        switch state {
        case "28P01", "28000":
            return "authentication failed for user '\(endpoint.user)' on database '\(endpoint.database)' "
                + "(wrong password, or the role may not log in from here; the password comes from the URL or PGPASSWORD)"
        case "3D000":
            return "database '\(endpoint.database)' does not exist on \(endpoint.host):\(endpoint.port); "
                + "create it (CREATE DATABASE \(endpoint.database)) or name another in the URL"
        case "42501":
            return "permission denied (\(text)); see docs/postgresql.md for the privileges drreport needs"
        case "53300":
            return "the server has no free connection slots (too many clients)"
        case "57P01":
            return "the server terminated the connection (administrator command or shutdown)"
        case "57P02", "57P03":
            return "the server is shutting down, restarting or not accepting connections yet"
        case "22021":
            return
                "a text value holds a character PostgreSQL cannot store (NUL); such evidence can only be kept in an SQLite store"
        case "55P03", "40P01", "40001":
            return "the database could not complete the transaction (\(text)); try again"
        case "25006":
            return "the database is read-only (a standby?); point drreport at the primary"
        default:
            return "PostgreSQL error \(state): \(text)"
        }
    }
}
