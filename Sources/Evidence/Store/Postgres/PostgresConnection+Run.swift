import Foundation
import PostgresNIO
import Synchronization

extension PostgresConnection {
    /// Runs a statement and collects its rows, or fails as soon as the connection closes.
    ///
    /// A statement in flight, or written just after the server ended the session (e.g. by
    /// `pg_terminate_backend`), is not always answered by PostgresNIO once the channel is gone; waiting
    /// for it would hang the process. So the statement races the channel's close: whichever comes
    /// first decides, and a lost connection is reported as `serverClosedConnection`.
    func run(_ query: PostgresQuery, logger: Logger, table: String = "query") async throws -> [SQLRow] {
        try await racingClose {
            try await PostgresStatements.collect(self.query(query, logger: logger), table: table)
        }
    }

    /// Runs a statement whose rows do not matter (they are read and dropped, whatever their types).
    func perform(_ query: PostgresQuery, logger: Logger) async throws {
        try await racingClose {
            for try await _ in try await self.query(query, logger: logger) {}
        }
    }

    private func racingClose<Value: Sendable>(_ operation: @escaping @Sendable () async throws -> Value) async throws
        -> Value
    {
        let closeFuture = self.closeFuture
        return try await withCheckedThrowingContinuation { continuation in
            let once = ResumeOnce(continuation)
            let work = Task {
                do {
                    once.resume(.success(try await operation()))
                } catch {
                    once.resume(.failure(error))
                }
            }
            closeFuture.whenComplete { _ in
                once.resume(.failure(ConnectionClosed()))
                work.cancel()
            }
        }
    }
}

/// The connection closed before a statement was answered.
struct ConnectionClosed: Error {}

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
