import Foundation
import Testing

@testable import Evidence

/// The project's sample quarter (`samples/evidence/`) is enumerated at test time: every file and every
/// run folder must parse, and its kind must match the folder it is in.
@Suite("Samples (samples/evidence)")
struct SamplesTests {
    /// The kind each top-level folder of `samples/evidence` holds.
    static let kindOfFolder: [String: EvidenceKind] = [
        "drills": .drill, "consistency": .consistency, "runs": .apply, "servicenow": .change,
    ]

    struct Sample: Sendable, CustomTestStringConvertible {
        /// The path below `samples/evidence`.
        var path: String
        var item: EvidenceSources.Item
        /// The kind its folder says it must be, or nil for a folder this suite does not know.
        var expected: EvidenceKind?
        var testDescription: String { path }
    }

    /// Everything under `samples/evidence`: files of each kind folder (recursively), and each entry of
    /// `runs/` as one apply record (a folder, or a .zip/.tar of one).
    static func samples() -> [Sample] {
        guard let root = Fixtures.samplesDirectory else { return [] }
        let manager = FileManager.default
        var samples: [Sample] = []
        let folders = ((try? manager.contentsOfDirectory(atPath: root.path)) ?? []).filter { !$0.hasPrefix(".") }
            .sorted()
        for folder in folders {
            let url = root.appendingPathComponent(folder)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
                samples.append(Sample(path: folder, item: .file(url.path), expected: nil))
                continue
            }
            let expected = kindOfFolder[folder]
            if expected == .apply {
                let runs = ((try? manager.contentsOfDirectory(atPath: url.path)) ?? []).filter { !$0.hasPrefix(".") }
                    .sorted()
                for run in runs {
                    let path = url.appendingPathComponent(run).path
                    var runIsDirectory: ObjCBool = false
                    _ = manager.fileExists(atPath: path, isDirectory: &runIsDirectory)
                    let item: EvidenceSources.Item =
                        runIsDirectory.boolValue
                        ? .recordFolder(path) : (EvidenceSources.isArchive(path) ? .archive(path) : .file(path))
                    samples.append(Sample(path: "\(folder)/\(run)", item: item, expected: .apply))
                }
                continue
            }
            let walker = manager.enumerator(atPath: url.path)
            while let relative = walker?.nextObject() as? String {
                let path = url.appendingPathComponent(relative).path
                var fileIsDirectory: ObjCBool = false
                _ = manager.fileExists(atPath: path, isDirectory: &fileIsDirectory)
                if fileIsDirectory.boolValue || (relative as NSString).lastPathComponent.hasPrefix(".") { continue }
                samples.append(Sample(path: "\(folder)/\(relative)", item: .file(path), expected: expected))
            }
        }
        return samples
    }

    @Test(
        "the samples folder exists",
        .enabled(
            if: Fixtures.samplesDirectory != nil || Fixtures.isCI,
            "samples/evidence does not exist yet (written on another branch); skipped because CI is not set"))
    func samplesFolderExists() {
        #expect(
            Fixtures.samplesDirectory != nil,
            "samples/evidence does not exist under \(Fixtures.packageRoot?.path ?? "?"); CI is set, so this is a failure"
        )
    }

    @Test(
        "the samples cover every kind folder",
        .enabled(if: Fixtures.samplesDirectory != nil, "samples/evidence does not exist yet"))
    func everyKindFolderHasSamples() {
        let samples = Self.samples()
        for (folder, kind) in Self.kindOfFolder.sorted(by: { $0.key < $1.key }) {
            #expect(
                samples.contains { $0.path.hasPrefix(folder + "/") },
                "samples/evidence/\(folder) has no \(kind.rawValue) evidence")
        }
    }

    @Test("every sample parses as the kind of its folder", arguments: samples())
    func sampleParses(_ sample: Sample) throws {
        let expected = try #require(
            sample.expected,
            "samples/evidence/\(sample.path) is not in a known kind folder (\(Self.kindOfFolder.keys.sorted().joined(separator: ", ")))"
        )
        let evidence = try Fixtures.load(sample.item).get()
        #expect(evidence.kind == expected, "samples/evidence/\(sample.path)")
        #expect(evidence.warnings == [], "samples should carry no stray files")
    }
}
