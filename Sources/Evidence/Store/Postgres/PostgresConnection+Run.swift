import Foundation
import PostgresNIO
import Synchronization

/// A connection lent by the session, with what it takes to run statements on it safely.
///
/// A statement in flight, or written just after the server ended the session (e.g. by
/// `pg_terminate_backend`), is not always answered by PostgresNIO once the channel is gone; waiting
/// for it would hang the process. So every statement races the channel's close: whichever comes first
/// decides, and a lost connection is reported as `ConnectionClosed`.
struct PostgresLink: Sendable {
    let connection: PostgresConnection
    let logger: Logger
    let watch: CloseWatch

    /// A link for a freshly opened connection.
    init(_ connection: PostgresConnection, logger: Logger) {
        self.connection = connection
        self.logger = logger
        self.watch = CloseWatch(connection)
    }

    /// Whether the channel is closed.
    var isClosed: Bool { connection.isClosed }

    /// Runs a statement and collects its rows.
    func run(_ query: PostgresQuery, table: String = "query") async throws -> [SQLRow] {
        let connection = connection
        let logger = logger
        return try await racingClose {
            try await PostgresStatements.collect(connection.query(query, logger: logger), table: table)
        }
    }

    /// Runs a statement whose rows do not matter (they are read and dropped, whatever their types).
    func perform(_ query: PostgresQuery) async throws {
        let connection = connection
        let logger = logger
        try await racingClose {
            for try await _ in try await connection.query(query, logger: logger) {}
        }
    }

    private func racingClose<Value: Sendable>(
        _ operation: @escaping @Sendable () async throws -> Value
    ) async throws -> Value {
        let watch = watch
        return try await withCheckedThrowingContinuation { continuation in
            let once = ResumeOnce(continuation)
            guard let id = watch.register({ once.resume(.failure(ConnectionClosed())) }) else {
                once.resume(.failure(ConnectionClosed()))
                return
            }
            Task {
                do {
                    once.resume(.success(try await operation()))
                } catch {
                    once.resume(.failure(error))
                }
                watch.unregister(id)
            }
        }
    }
}

/// The connection closed before a statement was answered.
struct ConnectionClosed: Error {}

/// Fails the statements waiting on a connection when its channel closes. One callback per connection
/// on the close future; statements register and unregister, so nothing accumulates.
final class CloseWatch: Sendable {
    private struct State {
        var closed = false
        var next = 0
        var waiting: [Int: @Sendable () -> Void] = [:]
    }

    private let state = Mutex(State())

    init(_ connection: PostgresConnection) {
        connection.closeFuture.whenComplete { [self] _ in fire() }
    }

    /// Registers what to do on close; nil when the connection is already closed.
    func register(_ onClose: @escaping @Sendable () -> Void) -> Int? {
        state.withLock { state in
            guard !state.closed else { return nil }
            state.next += 1
            state.waiting[state.next] = onClose
            return state.next
        }
    }

    func unregister(_ id: Int) {
        _ = state.withLock { $0.waiting.removeValue(forKey: id) }
    }

    private func fire() {
        let waiting = state.withLock { state in
            state.closed = true
            defer { state.waiting = [:] }
            return Array(state.waiting.values)
        }
        for onClose in waiting { onClose() }
    }
}

/// Resumes a continuation once; later results are dropped.
private final class ResumeOnce<Value: Sendable>: Sendable {
    private let continuation: Mutex<CheckedContinuation<Value, any Error>?>

    init(_ continuation: CheckedContinuation<Value, any Error>) {
        self.continuation = Mutex(continuation)
    }

    func resume(_ result: Result<Value, any Error>) {
        continuation.withLock { $0.take() }?.resume(with: result)
    }
}
