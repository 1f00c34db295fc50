import Foundation
import Testing

@testable import Evidence

/// Apply records as folders, .zip and .tar: the same files give the same evidence, and unsafe or broken
/// archives are refused (quickly) with a located error.
@Suite("Apply record folders and archives")
struct ArchiveTests {
    /// The tree hash of `Fixtures/good/apply-record`, computed outside Swift with
    /// `{ printf 'drreport-tree-v1\n'; for f in apply.jsonl run.json state.json; do printf '%s %s %s\n' "$(sha256sum $f | cut -d' ' -f1)" "$(stat -c %s $f)" $f; done; } | sha256sum`.
    static let recordID = "sha256:0bf2ecb4dd180faf50434182a1f098e21ab059ed87a31e3de179dbb59f3e3160"

    static var recordFolder: URL { Fixtures.directory.appendingPathComponent("good/apply-record") }

    /// A temporary copy of the good record under `name`, for archiving with the command-line tools.
    static func stage(_ name: String = "apply-record") throws -> (root: URL, folder: URL) {
        let root = try Fixtures.temporaryDirectory()
        let folder = root.appendingPathComponent(name)
        try FileManager.default.copyItem(at: recordFolder, to: folder)
        return (root, folder)
    }

    @Test("a CRC-32 computed piece by piece is that of the whole: zlib's check value, and any split of the bytes")
    func crcInPieces() {
        // The CRC-32 check value of "123456789" (ISO 3309, as ZIP uses it).
        #expect(ZIPChecksum.crc32(of: Data("123456789".utf8)) == 0xCBF4_3926)
        let bytes = Data((0..<200_000).map { UInt8(truncatingIfNeeded: $0 &* 2_654_435_761 >> 13) })
        let whole = ZIPChecksum.crc32(of: bytes)
        for split in [0, 1, 65_536, 123_457, bytes.count] {
            let first = ZIPChecksum.crc32(of: bytes.prefix(split))
            #expect(ZIPChecksum.crc32(of: bytes.dropFirst(split), continuing: first) == whole, "split at \(split)")
        }
        #expect(ZIPChecksum.crc32(of: bytes.dropFirst(1), continuing: 0) != whole)
    }

    // MARK: Good records

    @Test("the record folder parses exactly")
    func folder() throws {
        let evidence = try Fixtures.load(.recordFolder(Self.recordFolder.path)).get()
        #expect(evidence.kind == .apply)
        #expect(evidence.id.description == Self.recordID)
        #expect(evidence.members.map(\.name) == ["run.json", "apply.jsonl", "state.json"])
        #expect(evidence.warnings == [])
        let record = try #require(evidence.content.applyRecord)
        let run = record.run
        #expect(run.id == 20417)
        #expect(run.name == "20260910.3")
        #expect(run.state == "completed")
        #expect(run.result == "succeeded")
        #expect(run.createdDate == (try Fixtures.instant("2026-09-10T08:04:51.1234567Z")))
        #expect(run.finishedDate == (try Fixtures.instant("2026-09-10T08:12:03.52Z")))
        #expect(run.pipelineID == 42)
        #expect(run.pipelineName == "databricks-terraform-apply")
        #expect(run.branch == "refs/heads/main")
        #expect(run.commit == "9f2c4b1e8a7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b")
        #expect(run.workspace == "neprix-tech-prod")
        #expect(run.region == "westeurope")
        #expect(run.environment == "prod", "Prod is normalised to prod")
        #expect(run.changeRequest == "CHG0040001")
        #expect(run.requestedBy == "dev.two@bank.example")

        let stream = record.apply
        #expect(stream.outcome == .succeeded)
        #expect(stream.terraformVersion == "1.9.8")
        #expect(stream.messageCount == 5, "the two ##[section] banner lines are skipped")
        #expect(stream.firstTimestamp == (try Fixtures.instant("2026-09-10T08:06:00.000001Z")))
        #expect(stream.lastTimestamp == (try Fixtures.instant("2026-09-10T08:06:07.0001Z")))
        #expect(stream.added == 1)
        #expect(stream.changed == 2)
        #expect(stream.removed == 0)
        #expect(stream.errors == [])
        #expect(record.succeeded)

        let state = try #require(record.state)
        #expect(state.resources.count == 6)
        #expect(
            state.resources.filter { $0.type == "databricks_secret" }.map { $0.values["string_value"] } == [
                .string(TerraformResource.sensitiveMarker), .string(TerraformResource.sensitiveMarker),
            ])
    }

    @Test(
        "a folder, a .zip and a .tar of the same record have the same evidence id",
        arguments: [
            ["zip", "-q", "-X", "-r", "record.zip", "apply-record"],
            [
                "zip", "-q", "-X", "-j", "record.zip", "apply-record/run.json", "apply-record/apply.jsonl",
                "apply-record/state.json",
            ],
            ["tar", "--format=gnu", "-cf", "record.tar", "apply-record"],
            ["tar", "--format=ustar", "-cf", "record.tar", "apply-record"],
            ["tar", "--format=pax", "-cf", "record.tar", "apply-record"],
            [
                "tar", "--format=ustar", "-cf", "record.tar", "-C", "apply-record", "run.json", "apply.jsonl",
                "state.json",
            ],
        ])
    func sameIdentity(_ command: [String]) throws {
        let (root, _) = try Self.stage()
        defer { try? FileManager.default.removeItem(at: root) }
        try Fixtures.run(command[0], Array(command.dropFirst()), in: root)
        let archive = root.appendingPathComponent(command[0] == "zip" ? "record.zip" : "record.tar").path
        #expect(EvidenceSources.isArchive(archive))
        let fromArchive = try Fixtures.load(.archive(archive)).get()
        let fromFolder = try Fixtures.load(.recordFolder(Self.recordFolder.path)).get()
        #expect(fromArchive.id.description == Self.recordID)
        #expect(fromArchive.id == fromFolder.id)
        #expect(fromArchive.recordsDigest == fromFolder.recordsDigest)
        #expect(fromArchive.kind == .apply)
        #expect(fromArchive.source == archive)
    }

    @Test("a record archived from inside its folder ('./run.json' members) has the record's identity")
    func dotSlashMembers() throws {
        let (root, _) = try Self.stage()
        defer { try? FileManager.default.removeItem(at: root) }
        // `tar -C folder -cf record.tar .`: the usual way to archive a folder's contents; members are ./run.json, ...
        try Fixtures.run("tar", ["-cf", "record.tar", "-C", "apply-record", "."], in: root)
        let state = try Fixtures.data("good/apply-record/state.json")
        let zip = ZipBuilder.archive(
            try Self.members(state: ("state.json", state)).map { ZipBuilder.Entry(name: "./" + $0.0, bytes: $0.1) })
        try zip.write(to: root.appendingPathComponent("record.zip"))
        for name in ["record.tar", "record.zip"] {
            let path = root.appendingPathComponent(name).path
            let result = Fixtures.load(.archive(path))
            let evidence = try result.get()
            #expect(evidence.id.description == Self.recordID, "\(name)")
        

        }
    }

    @Test("EvidenceSources.items finds the record folder and the archives as one item each")
    func itemsExpansion() throws {
        let (root, folder) = try Self.stage()
        defer { try? FileManager.default.removeItem(at: root) }
        try Fixtures.run("zip", ["-q", "-r", "record.zip", "apply-record"], in: root)
        try Fixtures.run("tar", ["-cf", "record.tar", "apply-record"], in: root)
        let items = EvidenceSources.items(for: [root.path]).compactMap { try? $0.get() }
        #expect(
            items == [
                .recordFolder(folder.path), .archive(root.appendingPathComponent("record.tar").path),
                .archive(root.appendingPathComponent("record.zip").path),
            ])
    }

    @Test("a stray file in a record folder is left out with a warning")
    func strayFile() throws {
        let (root, folder) = try Self.stage()
        defer { try? FileManager.default.removeItem(at: root) }
        try Data("notes".utf8).write(to: folder.appendingPathComponent("notes.txt"))
        let evidence = try Fixtures.load(.recordFolder(folder.path)).get()
        #expect(evidence.id.description == Self.recordID)
        #expect(evidence.warnings.count == 1)
        #expect(evidence.warnings.first?.contains("notes.txt") == true)
    }

    // MARK: Broken records

    @Test("a record folder without apply.jsonl is refused")
    func missingApplyStream() throws {
        let (root, folder) = try Self.stage()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("apply.jsonl"))
        Fixtures.load(.recordFolder(folder.path))
            .expectError(
                ExpectedError(.missingField, field: "apply.jsonl", mentions: ["needs apply.jsonl"]), source: folder.path
            )
    }

    @Test("a record folder whose run.json has a wrong-typed field names the member and field")
    func wrongTypedRun() throws {
        let (root, folder) = try Self.stage()
        defer { try? FileManager.default.removeItem(at: root) }
        let run =
            #"{"id": 1, "state": "completed", "createdDate": "2026-09-10T08:04:51Z", "templateParameters": "neprix-tech-prod"}"#
        try Data(run.utf8).write(to: folder.appendingPathComponent("run.json"))
        Fixtures.load(.recordFolder(folder.path))
            .expectError(
                ExpectedError(
                    .wrongType, line: 1, field: "templateParameters",
                    mentions: ["expected a JSON object", "found a string"]),
                source: folder.path + "/run.json")
    }

    @Test("a record folder with a naive createdDate names the member, line and field")
    func naiveRunDate() throws {
        let (root, folder) = try Self.stage()
        defer { try? FileManager.default.removeItem(at: root) }
        let text = try String(contentsOf: folder.appendingPathComponent("run.json"), encoding: .utf8)
            .replacingOccurrences(of: "2026-09-10T08:04:51.1234567Z", with: "2026-09-10T08:04:51.1234567")
        try Data(text.utf8).write(to: folder.appendingPathComponent("run.json"))
        Fixtures.load(.recordFolder(folder.path))
            .expectError(
                ExpectedError(.naiveTimestamp, line: 13, field: "createdDate"), source: folder.path + "/run.json")
    }

    @Test("a record whose apply.jsonl has a broken JSON line names the member and line")
    func brokenStreamLine() throws {
        let (root, folder) = try Self.stage()
        defer { try? FileManager.default.removeItem(at: root) }
        let url = folder.appendingPathComponent("apply.jsonl")
        var text = try String(contentsOf: url, encoding: .utf8)
        text = text.replacingOccurrences(of: #""type":"apply_start"}"#, with: #""type":"apply_start""#)
        try Data(text.utf8).write(to: url)
        Fixtures.load(.recordFolder(folder.path))
            .expectError(
                ExpectedError(.invalidJSON, line: 3, mentions: ["truncated JSON"]), source: folder.path + "/apply.jsonl"
            )
    }

    @Test("an archive without run.json is not an apply record", arguments: ["zip", "tar"])
    func archiveWithoutRun(_ tool: String) throws {
        let (root, folder) = try Self.stage()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("run.json"))
        let name = "record." + tool
        try Fixtures.run(
            tool, tool == "zip" ? ["-q", "-r", name, "apply-record"] : ["-cf", name, "apply-record"], in: root)
        let path = root.appendingPathComponent(name).path
        Fixtures.load(.archive(path))
            .expectError(
                ExpectedError(.notEvidence, mentions: ["no run.json", "expected an apply record"]), source: path)
    }

    @Test("an archive with two records is refused")
    func archiveWithTwoRecords() throws {
        let (root, _) = try Self.stage()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.copyItem(at: Self.recordFolder, to: root.appendingPathComponent("second"))
        try Fixtures.run("tar", ["-cf", "two.tar", "apply-record", "second"], in: root)
        let path = root.appendingPathComponent("two.tar").path
        Fixtures.load(.archive(path))
            .expectError(
                ExpectedError(.notEvidence, mentions: ["2 run.json", "expected one apply record"]), source: path)
    }

    // MARK: Unsafe archives

    static func members(state: (name: String, bytes: Data)? = nil) throws -> [(String, Data)] {
        var members = [
            ("run.json", try Fixtures.data("good/apply-record/run.json")),
            ("apply.jsonl", try Fixtures.data("good/apply-record/apply.jsonl")),
        ]
        if let state { members.append((state.name, state.bytes)) }
        return members
    }

    static func write(_ bytes: Data, _ name: String) throws -> (root: URL, path: String) {
        let root = try Fixtures.temporaryDirectory()
        let url = root.appendingPathComponent(name)
        try bytes.write(to: url)
        return (root, url.path)
    }

    @Test(
        "a zip member path that escapes the folder is refused",
        arguments: ["../evil/state.json", "/etc/state.json", "a/../../state.json", "C:\\temp\\state.json"])
    func zipUnsafePath(_ member: String) throws {
        let zip = ZipBuilder.archive(
            try Self.members().map { ZipBuilder.Entry(name: $0.0, bytes: $0.1) } + [
                ZipBuilder.Entry(name: member, bytes: Data("{}".utf8))
            ])
        let (root, path) = try Self.write(zip, "unsafe.zip")
        defer { try? FileManager.default.removeItem(at: root) }
        Fixtures.load(.archive(path))
            .expectError(
                ExpectedError(.invalidArchive, field: member, mentions: ["unsafe member path", "refused"]), source: path
            )
    }

    @Test("a tar member path that escapes the folder is refused", arguments: ["../evil/state.json", "/etc/state.json"])
    func tarUnsafePath(_ member: String) throws {
        let tar = TarBuilder.archive(
            try Self.members().map { TarBuilder.Entry(name: $0.0, bytes: $0.1) } + [
                TarBuilder.Entry(name: member, bytes: Data("{}".utf8))
            ])
        let (root, path) = try Self.write(tar, "unsafe.tar")
        defer { try? FileManager.default.removeItem(at: root) }
        Fixtures.load(.archive(path))
            .expectError(
                ExpectedError(.invalidArchive, field: member, mentions: ["unsafe member path", "refused"]), source: path
            )
    }

    @Test("a zip with a symbolic link member is refused (zip -y and hand-built)")
    func zipSymlink() throws {
        let (root, folder) = try Self.stage()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("state.json"))
        try FileManager.default.createSymbolicLink(
            atPath: folder.appendingPathComponent("state.json").path, withDestinationPath: "/etc/hostname")
        try Fixtures.run("zip", ["-q", "-y", "-r", "link.zip", "apply-record"], in: root)
        let path = root.appendingPathComponent("link.zip").path
        Fixtures.load(.archive(path))
            .expectError(
                ExpectedError(
                    .invalidArchive, field: "apply-record/state.json", mentions: ["symbolic link", "refused"]),
                source: path)

        let built = ZipBuilder.archive(
            try Self.members().map { ZipBuilder.Entry(name: $0.0, bytes: $0.1) } + [
                ZipBuilder.Entry(name: "state.json", bytes: Data("/etc/passwd".utf8), mode: 0o120777)
            ])
        let (builtRoot, builtPath) = try Self.write(built, "link.zip")
        defer { try? FileManager.default.removeItem(at: builtRoot) }
        Fixtures.load(.archive(builtPath))
            .expectError(
                ExpectedError(.invalidArchive, field: "state.json", mentions: ["symbolic link"]), source: builtPath)
    }

    @Test("a tar with a symbolic or hard link member is refused", arguments: [UInt8(ascii: "2"), UInt8(ascii: "1")])
    func tarLink(_ type: UInt8) throws {
        let tar = TarBuilder.archive(
            try Self.members().map { TarBuilder.Entry(name: $0.0, bytes: $0.1) } + [
                TarBuilder.Entry(name: "state.json", bytes: Data(), type: type, linkName: "/etc/passwd")
            ])
        let (root, path) = try Self.write(tar, "link.tar")
        defer { try? FileManager.default.removeItem(at: root) }
        Fixtures.load(.archive(path))
            .expectError(
                ExpectedError(.invalidArchive, field: "state.json", mentions: ["link in the archive", "refused"]),
                source: path)
    }

    @Test("a tar made by tar(1) with a symbolic link is refused")
    func tarSymlinkFromTool() throws {
        let (root, folder) = try Self.stage()
        defer { try? FileManager.default.removeItem(at: root) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("state.json"))
        try FileManager.default.createSymbolicLink(
            atPath: folder.appendingPathComponent("state.json").path, withDestinationPath: "/etc/hostname")
        try Fixtures.run("tar", ["-cf", "link.tar", "apply-record"], in: root)
        let path = root.appendingPathComponent("link.tar").path
        Fixtures.load(.archive(path))
            .expectError(
                ExpectedError(.invalidArchive, field: "apply-record/state.json", mentions: ["link"]), source: path)
    }

    @Test("a zip declaring a member past the inflate limit is refused quickly")
    func zipBomb() throws {
        let declared = UInt32(EvidenceSources.Limits.archiveBytes) + 1
        #expect(Int(declared) > EvidenceSources.Limits.archiveBytes)
        let zip = ZipBuilder.archive(
            try Self.members().map { ZipBuilder.Entry(name: $0.0, bytes: $0.1) } + [
                ZipBuilder.Entry(name: "state.json", bytes: Data(repeating: 0x20, count: 64), declaredSize: declared)
            ])
        #expect(zip.count < 4096, "the bomb itself is small")
        let (root, path) = try Self.write(zip, "bomb.zip")
        defer { try? FileManager.default.removeItem(at: root) }
        var result: Result<ParsedEvidence, EvidenceError>?
        let elapsed = ContinuousClock().measure { result = Fixtures.load(.archive(path)) }
        result?.expectError(
            ExpectedError(.tooLarge, field: "state.json", mentions: ["1 GiB", "refused"]), source: path)
        #expect(elapsed < .seconds(2), "took \(elapsed)")
    }

    @Test("a zip with more than 10,000 entries is refused")
    func zipTooManyEntries() throws {
        var entries = try Self.members().map { ZipBuilder.Entry(name: $0.0, bytes: $0.1) }
        for index in 0..<EvidenceSources.Limits.archiveEntries {
            entries.append(ZipBuilder.Entry(name: "x/\(index)", bytes: Data()))
        }
        let (root, path) = try Self.write(ZipBuilder.archive(entries), "many.zip")
        defer { try? FileManager.default.removeItem(at: root) }
        Fixtures.load(.archive(path))
            .expectError(ExpectedError(.tooLarge, mentions: ["more than 10000 entries"]), source: path)
    }

    @Test("a truncated zip is refused")
    func truncatedZip() throws {
        let zip = ZipBuilder.archive(try Self.members().map { ZipBuilder.Entry(name: $0.0, bytes: $0.1) })
        let (root, path) = try Self.write(zip.prefix(zip.count / 2), "cut.zip")
        defer { try? FileManager.default.removeItem(at: root) }
        Fixtures.load(.archive(path))
            .expectError(ExpectedError(.invalidArchive, mentions: ["not a readable ZIP archive"]), source: path)
    }

    @Test("zlib's CRC-32 is the one ZIP declares: the standard check value, and a bitwise reference on every length")
    func zipChecksum() {
        #expect(ZIPChecksum.crc32(of: Data("123456789".utf8)) == 0xCBF4_3926)
        #expect(ZIPChecksum.crc32(of: Data()) == 0)
        var generator = SystemRandomNumberGenerator()
        for length in [1, 7, 8, 63, 64, 65, 4095, 65_537] {
            let data = Data((0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) })
            #expect(ZIPChecksum.crc32(of: data) == CRC32.checksum(data), "length \(length)")
        }
    }

    @Test("a zip member whose bytes do not match its CRC-32 is refused")
    func zipBadCRC() throws {
        var entries = try Self.members().map { ZipBuilder.Entry(name: $0.0, bytes: $0.1) }
        // One bit flipped in transit: the banner line's first '#' becomes '"'; the CRC-32 is the original's.
        entries[1].crcOverride = CRC32.checksum(entries[1].bytes)
        entries[1].bytes[entries[1].bytes.startIndex] ^= 0x01
        let (root, path) = try Self.write(ZipBuilder.archive(entries), "crc.zip")
        defer { try? FileManager.default.removeItem(at: root) }
        Fixtures.load(.archive(path))
            .expectError(ExpectedError(.invalidArchive, field: "apply.jsonl", mentions: ["corrupt"]), source: path)
    

    }

    @Test("a hand-built zip of the record has the record's identity")
    func handBuiltZip() throws {
        let state = try Fixtures.data("good/apply-record/state.json")
        let zip = ZipBuilder.archive(
            try Self.members(state: ("state.json", state)).map { ZipBuilder.Entry(name: $0.0, bytes: $0.1) })
        let (root, path) = try Self.write(zip, "record.zip")
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(try Fixtures.load(.archive(path)).get().id.description == Self.recordID)
    }

    @Test("a truncated tar is refused", arguments: [700, 1024, 2048 + 512])
    func truncatedTar(_ length: Int) throws {
        let tar = TarBuilder.archive(try Self.members().map { TarBuilder.Entry(name: $0.0, bytes: $0.1) })
        #expect(length < tar.count)
        let (root, path) = try Self.write(tar.prefix(length), "cut.tar")
        defer { try? FileManager.default.removeItem(at: root) }
        Fixtures.load(.archive(path))
            .expectError(ExpectedError(.invalidArchive, mentions: ["truncated tar archive"]), source: path)
    }

    @Test("a tar with a bad header checksum is refused")
    func tarBadChecksum() throws {
        var tar = TarBuilder.archive(try Self.members().map { TarBuilder.Entry(name: $0.0, bytes: $0.1) })
        tar[tar.startIndex + 3] ^= 0x01  // "run.json" becomes "ruo.json" without fixing the checksum
        let (root, path) = try Self.write(tar, "sum.tar")
        defer { try? FileManager.default.removeItem(at: root) }
        Fixtures.load(.archive(path))
            .expectError(ExpectedError(.invalidArchive, field: "offset 0", mentions: ["checksum"]), source: path)
    }

    @Test("a hand-built tar of the record has the record's identity")
    func handBuiltTar() throws {
        let state = try Fixtures.data("good/apply-record/state.json")
        let tar = TarBuilder.archive(
            try Self.members(state: ("state.json", state)).map { TarBuilder.Entry(name: $0.0, bytes: $0.1) })
        let (root, path) = try Self.write(tar, "record.tar")
        defer { try? FileManager.default.removeItem(at: root) }
        #expect(try Fixtures.load(.archive(path)).get().id.description == Self.recordID)
    }

    @Test("a folder or archive forced to another kind is refused")
    func recordWithOtherKind() {
        Fixtures.load(.recordFolder(Self.recordFolder.path), options: ParseOptions(kind: .drill))
            .expectError(ExpectedError(.invalidOptions, mentions: ["apply record", "--kind drill"]))
    }
}

/// Writes ZIP archives byte by byte (stored members), so a test can make the archives no well-behaved
/// tool would: paths with `..`, links, sizes that lie, wrong checksums.
enum ZipBuilder {
    struct Entry {
        var name: String
        var bytes: Data
        /// Unix mode in the external attributes (`0o100644` a file, `0o120777` a link).
        var mode: UInt32 = 0o100644
        /// The uncompressed size to declare instead of the real one.
        var declaredSize: UInt32?
        var crcOverride: UInt32?
    }

    static func archive(_ entries: [Entry]) -> Data {
        var body = Data()
        var directory = Data()
        for entry in entries {
            let name = Data(entry.name.utf8)
            let crc = entry.crcOverride ?? CRC32.checksum(entry.bytes)
            let size = UInt32(entry.bytes.count)
            let declared = entry.declaredSize ?? size
            let offset = UInt32(body.count)
            body.append(le32: 0x0403_4B50)
            body.append(le16: 20)
            body.append(le16: 0)
            body.append(le16: 0)  // stored
            body.append(le16: 0)
            body.append(le16: 0x5B2A)  // 2025-09-10
            body.append(le32: crc)
            body.append(le32: size)
            body.append(le32: declared)
            body.append(le16: UInt16(name.count))
            body.append(le16: 0)
            body.append(name)
            body.append(entry.bytes)

            directory.append(le32: 0x0201_4B50)
            directory.append(le16: 3 << 8 | 20)  // made by Unix
            directory.append(le16: 20)
            directory.append(le16: 0)
            directory.append(le16: 0)
            directory.append(le16: 0)
            directory.append(le16: 0x5B2A)
            directory.append(le32: crc)
            directory.append(le32: size)
            directory.append(le32: declared)
            directory.append(le16: UInt16(name.count))
            directory.append(le16: 0)
            directory.append(le16: 0)
            directory.append(le16: 0)
            directory.append(le16: 0)
            directory.append(le32: entry.mode << 16)
            directory.append(le32: offset)
            directory.append(name)
        }
        var end = Data()
        end.append(le32: 0x0605_4B50)
        end.append(le16: 0)
        end.append(le16: 0)
        end.append(le16: UInt16(entries.count))
        end.append(le16: UInt16(entries.count))
        end.append(le32: UInt32(directory.count))
        end.append(le32: UInt32(body.count))
        end.append(le16: 0)
        return body + directory + end
    }
}

/// Writes ustar archives byte by byte, for links, unsafe paths and broken checksums.
enum TarBuilder {
    struct Entry {
        var name: String
        var bytes: Data
        var type = UInt8(ascii: "0")
        var linkName = ""
    }

    static func archive(_ entries: [Entry]) -> Data {
        var data = Data()
        for entry in entries {
            var header = [UInt8](repeating: 0, count: 512)
            func put(_ text: String, at offset: Int, width: Int) {
                for (index, byte) in text.utf8.prefix(width).enumerated() { header[offset + index] = byte }
            }
            func octal(_ value: Int, width: Int) -> String {
                let digits = String(value, radix: 8)
                return String(repeating: "0", count: width - 1 - digits.count) + digits
            }
            put(entry.name, at: 0, width: 100)
            put(octal(0o644, width: 8), at: 100, width: 8)
            put(octal(0, width: 8), at: 108, width: 8)
            put(octal(0, width: 8), at: 116, width: 8)
            put(octal(entry.bytes.count, width: 12), at: 124, width: 12)
            put(octal(1_789_000_000, width: 12), at: 136, width: 12)
            header[156] = entry.type
            put(entry.linkName, at: 157, width: 100)
            put("ustar", at: 257, width: 6)
            put("00", at: 263, width: 2)
            for index in 148..<156 { header[index] = 0x20 }
            let sum = header.reduce(0) { $0 + Int($1) }
            put(octal(sum, width: 7), at: 148, width: 7)
            header[155] = 0x20
            data.append(contentsOf: header)
            data.append(entry.bytes)
            data.append(Data(count: (512 - entry.bytes.count % 512) % 512))
        }
        data.append(Data(count: 1024))
        return data
    }
}

enum CRC32 {
    static let table: [UInt32] = (0..<256).map { index -> UInt32 in
        var value = UInt32(index)
        for _ in 0..<8 { value = value & 1 == 1 ? 0xEDB8_8320 ^ (value >> 1) : value >> 1 }
        return value
    }

    static func checksum(_ data: Data) -> UInt32 {
        ~data.reduce(~UInt32(0)) { table[Int(($0 ^ UInt32($1)) & 0xFF)] ^ ($0 >> 8) }
    }
}

extension Data {
    mutating func append(le16 value: UInt16) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
    mutating func append(le32 value: UInt32) {
        Swift.withUnsafeBytes(of: value.littleEndian) { append(contentsOf: $0) }
    }
}
