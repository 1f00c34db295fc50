import Foundation
import Testing

@testable import Evidence
@testable import Reports

/// The project's sample quarter (samples/), ingested into a fresh SQLite store in a temporary folder,
/// for tests that need real findings and a real report model.
struct SampleQuarter {
    /// The package root (the folder holding Package.swift).
    static let packageRoot: URL = {
        var url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while url.path != "/" {
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
            url.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
    }()

    static let samples = packageRoot.appendingPathComponent("samples")
    static let generatedAt = Instant(secondsSinceEpoch: 1_790_845_200)  // 2026-10-01T09:00:00Z

    let folder: URL
    let store: SQLiteEvidenceStore
    let policy: Policy
    let policyBytes: Data
    let period: Period

    /// Ingests every file of samples/evidence in a stable order.
    init() async throws {
        folder = FileManager.default.temporaryDirectory.appendingPathComponent("drreport-sample-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        store = try SQLiteEvidenceStore(path: folder.appendingPathComponent("store.db").path, create: true)
        let policyURL = Self.samples.appendingPathComponent("drreport.yaml")
        policyBytes = try Data(contentsOf: policyURL)
        policy = try Policy.load(yaml: String(decoding: policyBytes, as: UTF8.self), source: "samples/drreport.yaml")
        period = try Period(parsing: "2026-Q3", timeZone: policy.timeZone)
        let root = Self.packageRoot.path + "/"
        for item in EvidenceSources.items(for: [Self.samples.appendingPathComponent("evidence").path]) {
            let input = try EvidenceSources.load(try item.get()).get()
            var relative = input
            relative.source = input.source.hasPrefix(root) ? String(input.source.dropFirst(root.count)) : input.source
            _ = try await store.store(try EvidenceParser.parse(relative))
        }
    }

    /// The report model of 2026-Q3 as of ``generatedAt``.
    func model(toolVersion: String = "test") async throws -> ReportModel {
        try await ReportModel.build(
            store: store, policy: policy, policyBytes: policyBytes, period: period, generatedAt: Self.generatedAt,
            toolVersion: toolVersion)
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }
}
