import Foundation

/// Where drreport writes: the product to stdout, everything else to stderr.
enum Terminal {
    /// Whether stderr is a terminal (for progress bars).
    static var stderrIsTerminal: Bool { isatty(STDERR_FILENO) != 0 }

    /// Whether stdout is a terminal (for colour).
    static var stdoutIsTerminal: Bool { isatty(STDOUT_FILENO) != 0 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil }

    /// Writes a line of product to stdout.
    static func out(_ text: String) {
        print(text)
    }

    /// Writes product bytes and a newline to stdout, without making a `String` of them first (the JSON
    /// findings of a bank's quarter are ~100 MB).
    static func out(_ data: Data) {
        write(data)
        write(Data("\n".utf8))
    }

    /// Writes product bytes to stdout as they are: a piece of a document written as it is made.
    static func write(_ data: Data) {
        fflush(nil)
        FileHandle.standardOutput.write(data)
    }

    /// Writes a line to stderr.
    static func err(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Writes `Error: message` to stderr.
    static func error(_ message: String) {
        err("Error: " + message)
    }

    /// Writes `Warning: message` to stderr.
    static func warning(_ message: String) {
        err("Warning: " + message)
    }
}

/// A one-line progress bar on stderr, drawn only when stderr is a terminal and the work is large.
struct ProgressBar {
    let total: Int
    let label: String
    let enabled: Bool
    private var lastDrawn = -1

    init(total: Int, label: String, threshold: Int = 20) {
        self.total = total
        self.label = label
        self.enabled = Terminal.stderrIsTerminal && total >= threshold
    }

    mutating func update(_ done: Int) {
        guard enabled else { return }
        let width = 30
        let filled = total == 0 ? width : done * width / total
        guard filled != lastDrawn || done == total else { return }
        lastDrawn = filled
        let bar = String(repeating: "█", count: filled) + String(repeating: "░", count: width - filled)
        FileHandle.standardError.write(Data("\r\(label) \(bar) \(done)/\(total)".utf8))
    }

    func finish() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[2K".utf8))
    }
}
