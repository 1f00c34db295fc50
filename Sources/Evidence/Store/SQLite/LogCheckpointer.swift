import Dispatch
import Foundation
import GRDBSQLite
import Synchronization

/// Copies a store's write-ahead log into the database on a thread of its own, while the writer goes on.
///
/// SQLite's automatic checkpoint runs on the writing connection at the end of a commit: it waits for
/// the log to reach the disk, copies the log's pages into the database and waits for the disk again.
/// In a bank's ingest (~700 MB of log and database writes) the writer spent ~1.8 s of ~7 s in those
/// waits while the parsing cores stood idle behind it. Here the writer's commits only note how long the
/// log has grown (``install(on:)``); every step (``step`` bytes of log) a connection of this thread runs a
/// PASSIVE checkpoint, which never blocks the writer nor a reader: it copies what was committed when
/// it started, and the writer appends behind it.
///
/// Durability is as before: a commit is on disk once a checkpoint has synced the log (the store runs
/// with `synchronous = NORMAL`), and the last connection to close checkpoints what is left. A checkpoint
/// that finds another one running (another process ingesting) is skipped: that one does the work.
final class LogCheckpointer: Sendable {
    /// Bytes of log between two checkpoints, as SQLite's automatic checkpoint was set to before.
    static let step = 64 << 20

    private struct State {
        /// The log's length, in frames, when a checkpoint was last asked for.
        var requested = 0
        var running = false
        var stopping = false
    }

    private let path: String
    private let stepFrames: Int
    private let state = Mutex(State())
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)

    /// A checkpointer for the store at `path`, checkpointing every `step` bytes of log.
    init(path: String, step: Int, pageSize: Int) {
        self.path = path
        stepFrames = max(1, step / pageSize)
    }

    /// Has the connection's commits report the log's length here instead of checkpointing (SQLite's
    /// automatic checkpoint is this same hook, which this replaces). The connection must not outlive
    /// the checkpointer: the store's connections hold it through their configuration.
    func install(on connection: OpaquePointer) {
        sqlite3_wal_hook(connection, { context, _, _, frames in
            if let context { Unmanaged<LogCheckpointer>.fromOpaque(context).takeUnretainedValue().logHas(frames: Int(frames)) }
            return SQLITE_OK
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// Notes the log's length after a commit; wakes the thread (starting it the first time) once it
    /// has grown by a step since the last checkpoint was asked for.
    func logHas(frames: Int) {
        let start: Bool? = state.withLock { state in
            // A log shorter than before was restarted from its beginning by the commit.
            if frames < state.requested { state.requested = 0 }
            guard !state.stopping, frames - state.requested >= stepFrames else { return nil }
            state.requested = frames
            defer { state.running = true }
            return !state.running
        }
        guard let start else { return }
        if start {
            let thread = Thread { [self] in run() }
            thread.name = "drreport checkpointer"
            thread.start()
        }
        wake.signal()
    }

    /// Stops the thread, after the checkpoint it is running, if any.
    func stop() {
        let running = state.withLock { state in
            state.stopping = true
            return state.running
        }
        guard running else { return }
        wake.signal()
        stopped.wait()
    }

    private func run() {
        var connection: OpaquePointer?
        defer {
            sqlite3_close_v2(connection)
            stopped.signal()
        }
        guard sqlite3_open_v2(path, &connection, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK else {
            // Without this connection the log is copied when the store closes, as SQLite would.
            while !state.withLock({ $0.stopping }) { wake.wait() }
            return
        }
        sqlite3_exec(connection, "PRAGMA synchronous = NORMAL", nil, nil, nil)
        // How long the restart below may wait for the writer's transaction or for readers to move on.
        sqlite3_busy_timeout(connection, 250)
        // SQLite syncs the database only after a checkpoint that reaches the end of the log; when the
        // restart below cannot, the pages copied so far are synced here rather than all at the close.
        let database = open(path, O_RDONLY | O_CLOEXEC)
        defer { if database >= 0 { close(database) } }
        while true {
            wake.wait()
            if state.withLock({ $0.stopping }) { return }
            guard sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, nil, nil) == SQLITE_OK else { continue }
            // The writer appended behind the long copy. A second, short checkpoint copies those few
            // frames while holding the writer back, so that its next commit starts the log again from
            // the beginning: the log stays one step long instead of growing to the whole ingest (whose
            // deletion at the close alone took ~0.4 s).
            if sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_RESTART, nil, nil) != SQLITE_OK, database >= 0 {
                fdatasync(database)
            }
        }
    }
}
