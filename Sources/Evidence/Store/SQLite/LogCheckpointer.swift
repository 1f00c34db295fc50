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

    /// PASSIVE checkpoints at most, one after the other, before the checkpointer holds the writer back.
    static let passes = 8

    /// How far PASSIVE checkpoints got.
    private enum Progress {
        /// The whole log is in the database.
        case caughtUp
        /// The writer kept appending behind every pass.
        case behind
        /// A checkpoint could not run (another connection's was running).
        case skipped
    }

    /// Copies the log into the database in PASSIVE checkpoints until one finds nothing left behind it:
    /// each copies what the writer appended during the one before, so they grow shorter.
    private func catchUp(_ connection: OpaquePointer?) -> Progress {
        for _ in 0..<Self.passes {
            var frames: Int32 = 0
            var copied: Int32 = 0
            guard sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_PASSIVE, &frames, &copied) == SQLITE_OK else {
                return .skipped
            }
            if copied >= frames { return .caughtUp }
        }
        return .behind
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
        // How long the restart below may wait for the writer's transaction or for readers to move on:
        // a quarter of a second, in short steps, for the gap between two of the writer's transactions.
        sqlite3_busy_handler(connection, { _, tries in LockWait.retry(after: Int(tries), upTo: .milliseconds(250)) ? 1 : 0 }, nil)
        // SQLite syncs the database only after a checkpoint that reaches the end of the log; when the
        // restart below cannot, the pages copied so far are synced here rather than all at the close.
        let database = open(path, O_RDONLY | O_CLOEXEC)
        defer { if database >= 0 { close(database) } }
        while true {
            wake.wait()
            if state.withLock({ $0.stopping }) { return }
            // The log stays about one step long instead of growing to the whole ingest (whose deletion at
            // the close alone took ~0.4 s): once the PASSIVE passes have copied (nearly) all of it, a
            // RESTART checkpoint copies the last few frames while holding the writer back, so that its
            // next commit starts the log again from the beginning. It used to follow a single long pass,
            // and to hold the writer back for as long as that pass had let it append, the parsing cores
            // standing idle behind the writer meanwhile.
            let progress = catchUp(connection)
            guard progress != .skipped else { continue }
            // A checkpoint syncs the database once it has copied the whole log. When the passes never
            // did, the pages they copied are synced here, before the writer is held back, rather than by
            // the restart while it is (~0.1 s for a step's pages on a virtual disk).
            if progress == .behind, database >= 0 { fdatasync(database) }
            if sqlite3_wal_checkpoint_v2(connection, nil, SQLITE_CHECKPOINT_RESTART, nil, nil) != SQLITE_OK, database >= 0 {
                fdatasync(database)
            }
        }
    }
}

/// How a connection waits for a lock that another holds: in steps of a tenth of a millisecond for the
/// first ten milliseconds, then of a millisecond for a second, then of ten. SQLite's own timeout sleeps
/// 1, 2, 5, … then 100 ms at a time: a writer held back by the checkpointer for a few milliseconds slept
/// for tens of them, and the parsing cores behind it stood idle.
enum LockWait {
    /// Waits before the next try, and returns true; returns false once `limit` has been waited.
    static func retry(after tries: Int, upTo limit: Duration) -> Bool {
        let (short, medium) = (100, 1_100)
        let waited: Duration =
            tries < short
            ? .microseconds(100 * tries)
            : tries < medium ? .milliseconds(10 + (tries - short)) : .milliseconds(1_010 + 10 * (tries - medium))
        guard waited < limit else { return false }
        usleep(tries < short ? 100 : tries < medium ? 1_000 : 10_000)
        return true
    }
}
