import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What a finished child process left behind.
struct ProcessResult: CustomStringConvertible {
    var status: Int32
    var stdoutData: Data
    var stderrData: Data

    var stdout: String { String(decoding: stdoutData, as: UTF8.self) }
    var stderr: String { String(decoding: stderrData, as: UTF8.self) }

    var description: String {
        "exit \(status)\n--- stdout\n\(stdout.prefix(3000))\n--- stderr\n\(stderr.prefix(3000))"
    }
}

/// Errors of the harness itself.
struct HarnessError: Error, CustomStringConvertible {
    var description: String
}

/// The executables SwiftPM built next to the test bundle (`drreport`, `drreport-bench`), run as a
/// user runs them. `DRREPORT_BINARY` and `DRREPORT_BENCH_BINARY` override the search.
enum Binary {
    static func locate(_ name: String) throws -> URL {
        let override = name == "drreport" ? "DRREPORT_BINARY" : "DRREPORT_BENCH_BINARY"
        if let path = ProcessInfo.processInfo.environment[override], !path.isEmpty {
            return URL(fileURLWithPath: path)
        }
        var folders: [URL] = []
        for bundle in Bundle.allBundles where bundle.bundleURL.pathExtension == "xctest" {
            folders.append(bundle.bundleURL.deletingLastPathComponent())
        }
        folders.append(Bundle.main.bundleURL)
        if let executable = Bundle.main.executableURL {
            folders.append(executable.resolvingSymlinksInPath().deletingLastPathComponent())
        }
        #if os(Linux)
            if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
                folders.append(URL(fileURLWithPath: exe).deletingLastPathComponent())
            }
        #endif
        for folder in folders {
            let candidate = folder.appendingPathComponent(name)
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        throw HarnessError(description: "\(name) was not found next to the test bundle; build it (swift build --build-tests) or set \(override)")
    }

    /// Runs a built executable to completion (killed after `timeout` seconds). Output goes to files so
    /// a chatty child never blocks on a full pipe.
    static func run(_ name: String, _ arguments: [String], in directory: URL, timeout: Double = 120) async throws -> ProcessResult {
        try await run(executable: try locate(name), arguments, in: directory, timeout: timeout)
    }

    /// Runs any executable to completion (killed after `timeout` seconds).
    static func run(executable: URL, _ arguments: [String], in directory: URL, timeout: Double = 120) async throws -> ProcessResult {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.currentDirectoryURL = directory
        var environment: [String: String] = ["NO_COLOR": "1"]
        for key in ["PATH", "HOME", "TMPDIR", "LANG"] { environment[key] = ProcessInfo.processInfo.environment[key] }
        process.environment = environment
        let stem = FileManager.default.temporaryDirectory.appendingPathComponent("drreport-bench-child-\(UUID().uuidString)")
        let out = stem.appendingPathExtension("out")
        let err = stem.appendingPathExtension("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: out)
            try? FileManager.default.removeItem(at: err)
        }
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        process.standardInput = FileHandle.nullDevice
        let finished = Finished()
        process.terminationHandler = { _ in finished.signal() }
        try process.run()
        let pid = process.processIdentifier
        let watchdog = Task {
            try await Task.sleep(nanoseconds: UInt64(timeout * 1e9))
            if pid > 0 { kill(pid, SIGKILL) }
        }
        await finished.wait()
        watchdog.cancel()
        return ProcessResult(
            status: process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus,
            stdoutData: (try? Data(contentsOf: out)) ?? Data(), stderrData: (try? Data(contentsOf: err)) ?? Data())
    }
}

/// A one-shot signal from the termination handler to the waiting test.
final class Finished: @unchecked Sendable {
    // @unchecked: `done` and `waiter` are only touched under `lock`.
    private let lock = NSLock()
    private var done = false
    private var waiter: CheckedContinuation<Void, Never>?

    func signal() {
        lock.lock()
        done = true
        let continuation = waiter
        waiter = nil
        lock.unlock()
        continuation?.resume()
    }

    func wait() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            lock.lock()
            if done {
                lock.unlock()
                continuation.resume()
            } else {
                waiter = continuation
                lock.unlock()
            }
        }
    }
}

/// A temporary folder for one test; call `remove()` in a `defer`.
struct TemporaryFolder {
    let url: URL

    init(_ name: String = #function) throws {
        let safe = name.filter { $0.isLetter || $0.isNumber }
        url = FileManager.default.temporaryDirectory.appendingPathComponent("drreport-bench-\(safe.prefix(40))-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func remove() {
        try? FileManager.default.removeItem(at: url)
    }

    /// Every file under a folder by relative path, with its bytes.
    static func contents(of folder: URL) throws -> [String: Data] {
        var files: [String: Data] = [:]
        let base = folder.resolvingSymlinksInPath().path
        guard let walker = FileManager.default.enumerator(atPath: base) else { return files }
        for case let relative as String in walker {
            var isDirectory: ObjCBool = false
            let path = base + "/" + relative
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files[relative] = try Data(contentsOf: URL(fileURLWithPath: path))
            }
        }
        return files
    }
}
