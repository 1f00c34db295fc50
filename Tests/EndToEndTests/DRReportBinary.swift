import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a finished process left behind.
struct ProcessResult: Sendable, CustomStringConvertible {
    /// The exit status, or `128 + signal` when a signal ended it.
    var status: Int32
    /// Whether a signal ended it (SIGKILL from a test, or the timeout).
    var signalled: Bool
    /// Whether the timeout killed it.
    var timedOut: Bool
    /// Raw stdout.
    var stdoutData: Data
    /// Raw stderr.
    var stderrData: Data

    var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
    var stderr: String { String(decoding: stderrData, as: UTF8.self) }

    /// The non-empty lines of stdout.
    var stdoutLines: [String] { stdout.split(separator: "\n").map(String.init) }

    var description: String {
        "exit \(status)\(signalled ? " (signal)" : "")\(timedOut ? " (timed out)" : "")\n--- stdout\n\(stdout.prefix(4000))\n--- stderr\n\(stderr.prefix(4000))"
    }
}

/// Errors of the harness itself (not of drreport).
struct HarnessError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

/// A child process started by a test: stdout and stderr go to files (so a chatty child never blocks
/// on a full pipe), and the test can wait for it with a timeout or kill it.
final class ChildProcess: @unchecked Sendable {
    // @unchecked: `process` is only touched on start, kill and after termination; `finished` is guarded by `lock`.
    private let process = Process()
    private let stdoutURL: URL
    private let stderrURL: URL
    private let lock = NSLock()
    private var finished: CheckedContinuation<Void, Never>?
    private var hasTerminated = false

    init(executable: URL, arguments: [String], environment: [String: String], directory: URL, stdin: Data? = nil)
        throws
    {
        let outputs = FileManager.default.temporaryDirectory.appendingPathComponent(
            "drreport-child-\(UUID().uuidString)")
        stdoutURL = outputs.appendingPathExtension("out")
        stderrURL = outputs.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: stdoutURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: stderrURL.path, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        process.environment = environment
        process.currentDirectoryURL = directory
        process.standardOutput = try FileHandle(forWritingTo: stdoutURL)
        process.standardError = try FileHandle(forWritingTo: stderrURL)
        process.standardInput = FileHandle.nullDevice
        process.terminationHandler = { [weak self] _ in self?.didTerminate() }
        try process.run()
    }

    deinit {
        // A test that threw before `wait()` must not leave its child running or its output files behind.
        send(SIGKILL)
        try? FileManager.default.removeItem(at: stdoutURL)
        try? FileManager.default.removeItem(at: stderrURL)
    }

    /// The child's pid.
    var pid: Int32 { process.processIdentifier }

    /// Whether the child has exited.
    var isRunning: Bool {
        lock.lock()
        defer { lock.unlock() }
        return !hasTerminated
    }

    /// Sends `signal` to the child.
    func send(_ signal: Int32) {
        // A process that failed to launch has pid 0, and kill(0, …) would signal the whole process
        // group: the test runner and `swift test` with it.
        let pid = process.processIdentifier
        if isRunning, pid > 0 { kill(pid, signal) }
    }

    private func didTerminate() {
        lock.lock()
        hasTerminated = true
        let continuation = finished
        finished = nil
        lock.unlock()
        continuation?.resume()
    }

    private func terminated() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if hasTerminated {
                lock.unlock()
                continuation.resume()
            } else {
                finished = continuation
                lock.unlock()
            }
        }
    }

    /// Waits until the child exits; after `timeout` seconds it is killed and the result says so.
    func wait(timeout: Double = 120) async -> ProcessResult {
        let watchdog = Task { [weak self] in
            try await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
            self?.send(SIGKILL)
            return true
        }
        await terminated()
        watchdog.cancel()
        let timedOut = (try? await watchdog.value) ?? false
        defer {
            try? FileManager.default.removeItem(at: stdoutURL)
            try? FileManager.default.removeItem(at: stderrURL)
        }
        return ProcessResult(
            status: process.terminationReason == .uncaughtSignal
                ? 128 + process.terminationStatus : process.terminationStatus,
            signalled: process.terminationReason == .uncaughtSignal, timedOut: timedOut,
            stdoutData: (try? Data(contentsOf: stdoutURL)) ?? Data(),
            stderrData: (try? Data(contentsOf: stderrURL)) ?? Data())
    }
}

/// The `drreport` executable SwiftPM built next to the test bundle, run the way a user runs it.
enum DRReportBinary {
    /// The built binary. `DRREPORT_BINARY` overrides the search; otherwise the folder of the running
    /// test executable (Linux: `.build/debug/drreportPackageTests.xctest`; macOS: the folder holding the
    /// `.xctest` bundle) and `/proc/self/exe`'s folder are searched.
    static let url: URL? = locate()

    private static func locate() -> URL? {
        let fileManager = FileManager.default
        if let path = ProcessInfo.processInfo.environment["DRREPORT_BINARY"], !path.isEmpty {
            return fileManager.isExecutableFile(atPath: path) ? URL(fileURLWithPath: path) : nil
        }
        var folders: [URL] = []
        if let executable = Bundle.main.executableURL {
            folders.append(executable.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        folders.append(Bundle.main.bundleURL)
        folders.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            folders.append(bundle.bundleURL.deletingLastPathComponent())
        }
        if let argument = CommandLine.arguments.first, !argument.isEmpty {
            let url = URL(fileURLWithPath: argument, relativeTo: URL(fileURLWithPath: fileManager.currentDirectoryPath))
            folders.append(url.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        #if os(Linux)
            if let exe = try? fileManager.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
                folders.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
            }
        #endif
        for folder in folders {
            let candidate = folder.appendingPathComponent("drreport")
            var isDirectory: ObjCBool = false
            if fileManager.fileExists(atPath: candidate.path, isDirectory: &isDirectory), !isDirectory.boolValue,
                fileManager.isExecutableFile(atPath: candidate.path)
            {
                return candidate.standardizedFileURL
            }
        }
        return nil
    }

    /// The binary, or a test failure saying where it was looked for.
    static func require() throws -> URL {
        guard let url else {
            throw HarnessError(
                "the drreport executable was not found next to the test bundle (\(Bundle.main.bundleURL.path)); "
                    + "build it with `swift build --build-tests` or set DRREPORT_BINARY")
        }
        return url
    }

    /// A clean environment: PATH and HOME only, plus `extra` (no DRREPORT_STORE unless given).
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment: [String: String] = [:]
        let inherited = ProcessInfo.processInfo.environment
        for key in ["PATH", "HOME", "TMPDIR", "LANG"] { environment[key] = inherited[key] }
        environment["NO_COLOR"] = "1"
        return environment.merging(extra) { $1 }
    }

    /// Starts drreport without waiting for it.
    static func start(_ arguments: [String], in directory: URL, environment extra: [String: String] = [:]) throws
        -> ChildProcess
    {
        try ChildProcess(
            executable: try require(), arguments: arguments, environment: environment(extra), directory: directory)
    }

    /// Runs drreport to completion (killed after `timeout` seconds).
    static func run(
        _ arguments: [String], in directory: URL, environment extra: [String: String] = [:], timeout: Double = 120
    ) async throws -> ProcessResult {
        let child = try start(arguments, in: directory, environment: extra)
        let result = await child.wait(timeout: timeout)
        if result.timedOut {
            throw HarnessError("drreport \(arguments.joined(separator: " ")) timed out after \(timeout) s")
        }
        return result
    }
}

/// The Debian `sqlite3` command-line shell, used as an attacker or auditor would use it on the store file.
enum SQLiteShell {
    static let url: URL? = ["/usr/bin/sqlite3", "/usr/local/bin/sqlite3", "/opt/homebrew/bin/sqlite3"]
        .map(URL.init(fileURLWithPath:)).first { FileManager.default.isExecutableFile(atPath: $0.path) }

    /// Runs SQL against a database file; `-bail` stops at the first error.
    static func run(_ database: URL, _ sql: String) async throws -> ProcessResult {
        guard let url else {
            throw HarnessError("the sqlite3 command-line shell is not installed (apt-get install sqlite3)")
        }
        let child = try ChildProcess(
            executable: url, arguments: ["-bail", "-batch", database.path, sql],
            environment: DRReportBinary.environment(),
            directory: database.deletingLastPathComponent())
        let result = await child.wait(timeout: 60)
        if result.timedOut { throw HarnessError("sqlite3 timed out on: \(sql)") }
        return result
    }

    /// Runs SQL that must succeed and returns its output lines.
    @discardableResult
    static func exec(_ database: URL, _ sql: String) async throws -> [String] {
        let result = try await run(database, sql)
        guard result.status == 0 else { throw HarnessError("sqlite3 failed on \(sql): \(result)") }
        return result.stdoutLines
    }

    /// A single integer, e.g. `SELECT count(*) FROM evidence`.
    static func integer(_ database: URL, _ sql: String) async throws -> Int {
        let lines = try await exec(database, sql)
        guard lines.count == 1, let value = Int(lines[0]) else {
            throw HarnessError("expected one integer from \(sql), got \(lines)")
        }
        return value
    }
}
