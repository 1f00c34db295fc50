import Foundation
import Testing

/// A bundle is untrusted input: `verify` refuses archives that are cut short, that would write outside
/// a folder, that carry links, or that inflate to more than it will hold — before reading them — and
/// tells a file that is no bundle at all (exit 2) from a bundle that was tampered with (exit 3).
@Suite("Evidence bundles: hostile and foreign archives")
struct BundleHostileArchiveTests {
    @Test("a bundle cut in half: exit 3, its central directory cannot be read")
    func truncated() async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let bytes = workspace.sample.bundle
        let bundle = workspace.scratch.path("half.zip")
        try bytes.prefix(bytes.count / 2).write(to: bundle)
        let result = try await workspace.verify(bundle, key: workspace.signerPublic)
        expectTampered(
            result, step: "archive",
            detail: "the archive is truncated or corrupt (its central directory cannot be read)")
    }

    @Test(
        "a member whose path escapes the bundle: refused by name, nothing written anywhere",
        arguments: [
            ("../../x", "member '../../x' has an unsafe path ('..', '.' or empty segment)"),
            ("evidence/../../x", "member 'evidence/../../x' has an unsafe path ('..', '.' or empty segment)"),
            (
                "/tmp/drreport-escaped-x",
                "member '/tmp/drreport-escaped-x' has an unsafe path (absolute, drive or backslash)"
            ),
            ("evidence\\..\\..\\x", "member 'evidence\\..\\..\\x' has an unsafe path (absolute, drive or backslash)"),
        ])
    func escapingPath(_ path: String, detail: String) async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let members = try workspace.members() + [BundleZip.Member(path: path, data: Data("escaped\n".utf8))]
        let bundle = try workspace.write(members, as: "escape.zip")
        #expect(try BundleZip.members(of: bundle).last?.path == path, "the archive really holds the hostile name")
        // verify works in TMPDIR/drreport-verify-…/: '../../x' from there is outside/x.
        let outside = workspace.scratch.path("outside")
        let temporary = outside.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: temporary, withIntermediateDirectories: true)
        let result = try await DRReportBinary.run(
            ["verify", bundle.path, "--key", workspace.signerPublic.path], in: workspace.scratch.url,
            environment: ["TMPDIR": temporary.path + "/"])
        expectTampered(result, step: "archive", detail: detail)
        #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path) == ["tmp"], "nothing beside TMPDIR")
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.path) == [], "nothing left in TMPDIR")
        #expect(!FileManager.default.fileExists(atPath: "/tmp/drreport-escaped-x"))
    }

    @Test("a symbolic link member, in place of report.html or added: refused by name")
    func symlinkMember() async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        var members = try workspace.members()
        let index = try #require(members.firstIndex { $0.path == "report.html" })
        members[index] = BundleZip.Member(path: "report.html", data: Data("../../../etc/passwd".utf8), type: .symlink)
        let replaced = try workspace.write(members, as: "link.zip")
        #expect(try BundleZip.members(of: replaced)[index].type == .symlink, "the archive really holds a link")
        expectTampered(
            try await workspace.verify(replaced, key: workspace.signerPublic), step: "archive",
            detail: "member 'report.html' is a symbolic link; a bundle holds regular files only")

        let added = try workspace.write(
            try workspace.members() + [
                BundleZip.Member(path: "evidence/passwd", data: Data("/etc/passwd".utf8), type: .symlink)
            ],
            as: "added-link.zip")
        expectTampered(
            try await workspace.verify(added, key: workspace.signerPublic), step: "archive",
            detail: "member 'evidence/passwd' is a symbolic link; a bundle holds regular files only")
    }

    @Test("a directory entry: refused by name", arguments: ["evidence/more", "evidence/more/"])
    func directoryMember(_ path: String) async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let members = try workspace.members() + [BundleZip.Member(path: path, data: Data(), type: .directory)]
        let bundle = try workspace.write(members, as: "directory.zip")
        #expect(try BundleZip.members(of: bundle).last?.type == .directory)
        let result = try await workspace.verify(bundle, key: workspace.signerPublic)
        #expect(result.status == 3, "\(result)")
        // `zip -r` writes folders as `name/`, the form a bundle would really meet: named as a directory too.
        expectTampered(
            result, step: "archive", detail: "member '\(path)' is a directory entry; a bundle holds regular files only")
    }

    // MARK: Archive bombs

    /// Rebuilds a bundle with members of gigabytes of zeros that take a few megabytes: a deflate block of
    /// 1 MiB of zeros, fully flushed so the compressor restarts, repeats byte for byte; an empty final
    /// block closes the stream. Written member by member with its own headers, because the declared
    /// sizes are the point. Modes: `declared` adds a member of 3 GiB, declared as such; `total` adds five
    /// of 1.9 GiB (each under the member limit, together over the total); `lying` replaces report.html
    /// by 3 GiB of zeros while keeping its declared size and CRC.
    static let bombBuilder = #"""
        import struct, sys, zipfile, zlib

        source, target, mode = sys.argv[1], sys.argv[2], sys.argv[3]
        MIB = 1 << 20

        def zeros(mib):
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            block = c.compress(bytes(MIB)) + c.flush(zlib.Z_FULL_FLUSH)
            return block * mib + b"\x03\x00"

        def deflate(data):
            c = zlib.compressobj(9, zlib.DEFLATED, -15)
            return c.compress(data) + c.flush()

        members = []
        with zipfile.ZipFile(source) as archive:
            for info in archive.infolist():
                data = archive.read(info)
                if mode == "lying" and info.filename == "report.html":
                    members.append((info.filename, zeros(3072), info.CRC, info.file_size))
                else:
                    members.append((info.filename, deflate(data), zlib.crc32(data), len(data)))
        if mode == "declared":
            members.append(("evidence/zeros.bin", zeros(3072), 0, 3072 * MIB))
        elif mode == "total":
            for index in range(5):
                members.append(("evidence/zeros-%d.bin" % index, zeros(1900), 0, 1900 * MIB))

        out, central = bytearray(), bytearray()
        for name, raw, crc, size in members:
            encoded, offset = name.encode(), len(out)
            out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(raw), size, len(encoded), 0)
            out += encoded + raw
            central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 0x031E, 20, 0, 8, 0, 0x21, crc, len(raw), size,
                                   len(encoded), 0, 0, 0, 0, 0o100644 << 16, offset) + encoded
        start = len(out)
        out += central + struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(central), start, 0)
        with open(target, "wb") as file:
            file.write(out)
        """#

    @Test(
        "an archive bomb is refused quickly, without being inflated",
        .timeLimit(.minutes(2)),
        arguments: [
            (
                "declared", "archive",
                "member 'evidence/zeros.bin' inflates to 3221225472 bytes, over the limit of 2147483648 (an archive bomb?)"
            ),
            ("total", "archive", "the members inflate to more than 8589934592 bytes (an archive bomb?)"),
            ("lying", "files", "member 'report.html' inflates past its declared size (an archive bomb?)"),
        ])
    func archiveBomb(_ mode: String, step: String, detail: String) async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        try workspace.scratch.write("bomb.py", Data(Self.bombBuilder.utf8))
        let built = try await ExternalTool.run(
            "python3", ["bomb.py", "bundle.zip", "bomb.zip", mode], in: workspace.scratch.url)
        #expect(built.status == 0, "\(built)")
        let bomb = workspace.scratch.path("bomb.zip")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: bomb.path)[.size] as? Int)
        #expect(size < 16 << 20, "a small archive: \(size) bytes")

        // The bomb is real: Python's own reader sees the gigabytes it declares.
        if mode != "lying" {
            try workspace.scratch.write(
                "declared.py",
                Data(
                    "import sys, zipfile\nprint(sum(i.file_size for i in zipfile.ZipFile(sys.argv[1]).infolist()))\n"
                        .utf8))
            let declared = try await ExternalTool.run(
                "python3", ["declared.py", "bomb.zip"], in: workspace.scratch.url)
            #expect(
                (Int(declared.stdout.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0) > 3 << 30, "\(declared)")
        }

        let started = ContinuousClock.now
        let result = try await DRReportBinary.run(
            ["verify", bomb.path, "--key", workspace.signerPublic.path], in: workspace.scratch.url, timeout: 30)
        let elapsed = ContinuousClock.now - started
        expectTampered(result, step: step, detail: detail)
        // Inflating 3 GiB would take gigabytes of memory; no child of this test process ever held even one.
        #expect(largestChildResidentBytes() < 1 << 30, "largest child: \(largestChildResidentBytes()) bytes")
        #expect(elapsed < .seconds(30), "\(elapsed)")
    }

    // MARK: Not a bundle

    @Test(
        "a file that is no ZIP at all: exit 2, NOT A BUNDLE",
        arguments: [("notes.txt", "quarterly DR notes\n"), ("empty.zip", "")])
    func notAZip(_ name: String, content: String) async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let file = try workspace.scratch.write(name, Data(content.utf8))
        let result = try await workspace.verify(file, key: workspace.signerPublic)
        #expect(result.status == 2, "\(result)")
        #expect(
            result.stdoutLines == [
                "drreport verify — NOT A BUNDLE", "bundle        \(file.path)",
                "FAIL archive    not a ZIP archive, so not a drreport bundle",
            ])
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }

    @Test("an ordinary ZIP without manifest.json: exit 2, NOT A BUNDLE")
    func ordinaryZip() async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let zip = try workspace.write(
            [
                BundleZip.Member(path: "minutes/2026-09-30.txt", data: Data("BCM committee minutes\n".utf8)),
                BundleZip.Member(path: "report.html", data: Data("<html></html>\n".utf8)),
            ], as: "minutes.zip")
        let result = try await workspace.verify(zip, key: workspace.signerPublic)
        #expect(result.status == 2, "\(result)")
        #expect(
            result.stdoutLines == [
                "drreport verify — NOT A BUNDLE", "bundle        \(zip.path)",
                "ok   archive    2 members, all regular files with safe paths, within size limits",
                "FAIL manifest   manifest.json is missing",
            ])
        #expect(result.stderr.isEmpty, "\(result.stderr)")
    }

    @Test("a bundle path that does not exist: exit 2, an error on stderr and nothing on stdout")
    func missingFile() async throws {
        let workspace = try await BundleWorkspace.make()
        defer { workspace.remove() }
        let missing = workspace.scratch.path("q3-bundle.zip")
        let result = try await workspace.verify(missing, key: workspace.signerPublic)
        #expect(result.status == 2, "\(result)")
        #expect(result.stdout.isEmpty, "\(result.stdout)")
        #expect(result.stderr == "Error: \(missing.path): no such file\n")
    }
}
