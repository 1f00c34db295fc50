import Foundation
import Testing

@testable import Reports

/// The sample quarter's page in a real browser engine (headless Chromium): it renders to a
/// non-blank screenshot, prints to a PDF, and its DOM holds the executive summary. Without Chromium
/// the tests are skipped, unless `CI` is set: then they fail.
@Suite("HTML report in a headless browser")
struct HTMLBrowserTests {
    /// The browser, from `PATH`.
    static let browser: URL? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            for name in ["chromium", "chromium-browser", "google-chrome"] {
                let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent(name)
                if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            }
        }
        return nil
    }()

    static let runs = browser != nil || ProcessInfo.processInfo.environment["CI"] != nil

    /// The browser, or a recorded failure when it is missing (only reached under `CI`).
    func requireBrowser() throws -> URL {
        try #require(Self.browser, "chromium is not installed, but CI is set: the HTML report must be checked in a browser in CI")
    }

    @Test(.enabled(if: runs, "chromium is not installed (set CI to make this a failure)"))
    func thePageRendersToANonBlankScreenshot() async throws {
        let browser = try requireBrowser()
        let folder = try HTMLFixtures.scratchFolder("browser")
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = try await writeSamplePage(to: folder)
        let blank = folder.appendingPathComponent("blank.html")
        try Data("<!DOCTYPE html><html lang=\"en\"><head><title>blank</title></head><body></body></html>".utf8).write(to: blank)

        let shot = folder.appendingPathComponent("report.png")
        let blankShot = folder.appendingPathComponent("blank.png")
        try await run(browser, ["--screenshot=\(shot.path)", "--window-size=1280,2400", "--hide-scrollbars", page.absoluteString], folder: folder)
        try await run(browser, ["--screenshot=\(blankShot.path)", "--window-size=1280,2400", "--hide-scrollbars", blank.absoluteString], folder: folder)

        let png = try #require(FileManager.default.contents(atPath: shot.path), "no screenshot written")
        let blankPNG = try #require(FileManager.default.contents(atPath: blankShot.path), "no blank screenshot written")
        #expect(Array(png.prefix(8)) == [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A], "not a PNG")
        let size = Self.dimensions(png)
        #expect(size?.width == 1280)
        #expect(size?.height == 2400)
        // A blank page compresses to almost nothing; text, tables and charts do not.
        #expect(png.count > 100_000)
        #expect(png.count > blankPNG.count * 10, "the screenshot (\(png.count) bytes) is hardly larger than a blank page's (\(blankPNG.count))")
    }

    @Test(.enabled(if: runs, "chromium is not installed (set CI to make this a failure)"))
    func thePagePrintsToPDF() async throws {
        let browser = try requireBrowser()
        let folder = try HTMLFixtures.scratchFolder("browser-pdf")
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = try await writeSamplePage(to: folder)
        let pdf = folder.appendingPathComponent("report.pdf")
        try await run(browser, ["--print-to-pdf=\(pdf.path)", "--no-pdf-header-footer", page.absoluteString], folder: folder)
        let bytes = try #require(FileManager.default.contents(atPath: pdf.path), "no PDF written")
        #expect(bytes.prefix(5) == Data("%PDF-".utf8))
        #expect(bytes.count > 50_000)
    }

    @Test(.enabled(if: runs, "chromium is not installed (set CI to make this a failure)"))
    func theRenderedDOMHoldsTheSummary() async throws {
        let browser = try requireBrowser()
        let folder = try HTMLFixtures.scratchFolder("browser-dom")
        defer { try? FileManager.default.removeItem(at: folder) }
        let page = try await writeSamplePage(to: folder)
        let dom = try await run(browser, ["--dump-dom", page.absoluteString], folder: folder)
        #expect(dom.contains("<h2 id=\"summary-title\"><span class=\"secno\">1</span> Executive summary</h2>"))
        #expect(dom.contains("Banca Esempio S.p.A."))
        #expect(dom.contains("Objectives not demonstrated: 21 findings failed and 4 could not be determined from the evidence."))
        #expect(dom.contains("<title id=\"chart-rto-title\">"))
    }

    func writeSamplePage(to folder: URL) async throws -> URL {
        let url = folder.appendingPathComponent("report.html")
        try HTMLReportRenderer.render(try await HTMLFixtures.sampleModel(), templates: HTMLFixtures.templates).write(to: url)
        return url
    }

    /// Runs the headless browser with its own profile; returns its stdout. Fails after two minutes.
    @discardableResult
    func run(_ browser: URL, _ arguments: [String], folder: URL) async throws -> String {
        let profile = folder.appendingPathComponent("profile-\(UUID().uuidString)")
        let output = folder.appendingPathComponent("stdout-\(UUID().uuidString).txt")
        let errors = folder.appendingPathComponent("stderr-\(UUID().uuidString).txt")
        try Data().write(to: output)
        try Data().write(to: errors)
        let process = Process()
        process.executableURL = browser
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
            "--user-data-dir=\(profile.path)",
        ] + arguments
        process.standardOutput = try FileHandle(forWritingTo: output)
        process.standardError = try FileHandle(forWritingTo: errors)
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(100)) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
            Issue.record("chromium did not finish within 120 s: \(arguments.joined(separator: " "))")
        }
        let stderr = String(decoding: FileManager.default.contents(atPath: errors.path) ?? Data(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "chromium exited with \(process.terminationStatus): \(stderr.suffix(600))")
        return String(decoding: FileManager.default.contents(atPath: output.path) ?? Data(), as: UTF8.self)
    }

    /// Width and height from a PNG's IHDR chunk.
    static func dimensions(_ png: Data) -> (width: Int, height: Int)? {
        guard png.count >= 24 else { return nil }
        let bytes = [UInt8](png.prefix(24))
        func integer(_ offset: Int) -> Int { bytes[offset..<offset + 4].reduce(0) { $0 << 8 | Int($1) } }
        return (integer(16), integer(20))
    }
}
