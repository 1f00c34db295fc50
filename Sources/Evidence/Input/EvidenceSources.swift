import Foundation
import ZIPFoundation

/// Turns the paths a user names into evidence inputs: files, folders walked recursively (a folder
/// holding `run.json` is one apply record), and `.zip`/`.tar` archives of an apply record folder.
/// This is the only file I/O on the ingest path; parsers see names and bytes.
public enum EvidenceSources {
    /// One thing to read: a file, a record folder, or an archive.
    public enum Item: Sendable, Hashable {
        case file(String)
        case recordFolder(String)
        case archive(String)

        /// The path as the user named it (or as found under a folder the user named).
        public var path: String {
            switch self {
            case .file(let path), .recordFolder(let path), .archive(let path): path
            }
        }
    }

    /// Limits that keep a hostile archive or a wrong file from exhausting memory.
    public enum Limits {
        /// The largest single file or archive member read.
        public static let fileBytes = 1 << 30
        /// The most an archive may inflate to in total.
        public static let archiveBytes = 1 << 30
        /// The most entries an archive may hold.
        public static let archiveEntries = 10_000
    }

    /// Expands paths into items, in a stable order. A path that does not exist is an error item.
    public static func items(for paths: [String]) -> [Result<Item, EvidenceError>] {
        var items: [Result<Item, EvidenceError>] = []
        for path in paths {
            expand(path, into: &items, depth: 0)
        }
        return items
    }

    private static func expand(_ path: String, into items: inout [Result<Item, EvidenceError>], depth: Int) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            items.append(.failure(EvidenceError(.unreadable, source: path, "no such file or folder")))
            return
        }
        guard isDirectory.boolValue else {
            items.append(.success(isArchive(path) ? .archive(path) : .file(path)))
            return
        }
        if FileManager.default.fileExists(atPath: (path as NSString).appendingPathComponent(ApplyRecordParser.Member.run)) {
            items.append(.success(.recordFolder(path)))
            return
        }
        guard depth < 32 else {
            items.append(.failure(EvidenceError(.unreadable, source: path, "folders nested deeper than 32")))
            return
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            items.append(.failure(EvidenceError(.unreadable, source: path, "cannot list the folder")))
            return
        }
        for name in names.sorted() where !name.hasPrefix(".") {
            let child = (path as NSString).appendingPathComponent(name)
            // A symbolic link to a folder is not followed (it could loop); links to files are read.
            if let type = try? FileManager.default.attributesOfItem(atPath: child)[.type] as? FileAttributeType,
                type == .typeSymbolicLink
            {
                var target: ObjCBool = false
                if FileManager.default.fileExists(atPath: child, isDirectory: &target), target.boolValue { continue }
            }
            expand(child, into: &items, depth: depth + 1)
        }
    }

    static func isArchive(_ path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 512)) ?? Data()
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || head.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return true }
        return TarReader.looksLikeTar(head)
    }

    /// Reads an item into an input for the parsers.
    public static func load(_ item: Item) -> Result<EvidenceInput, EvidenceError> {
        Result { () throws(EvidenceError) -> EvidenceInput in
            switch item {
            case .file(let path):
                let bytes = try read(path)
                return EvidenceInput(source: path, name: (path as NSString).lastPathComponent, bytes: bytes)
            case .recordFolder(let path):
                var files: [String: Data] = [:]
                var ignored: [String] = []
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                for name in names.sorted() where !name.hasPrefix(".") {
                    if recordMembers.contains(name) {
                        files[name] = try read((path as NSString).appendingPathComponent(name))
                    } else {
                        ignored.append(name)
                    }
                }
                return EvidenceInput(source: path, files: files, ignoredFiles: ignored)
            case .archive(let path):
                let bytes = try read(path)
                let entries = bytes.starts(with: [0x50, 0x4B])
                    ? try ZipReader.entries(bytes, source: path) : try TarReader.entries(bytes, source: path)
                return try record(from: entries, source: path)
            }
        }
    }

    static let recordMembers: Set<String> = [
        ApplyRecordParser.Member.run, ApplyRecordParser.Member.apply, ApplyRecordParser.Member.state,
    ]

    static func read(_ path: String) throws(EvidenceError) -> Data {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        if let size = attributes?[.size] as? NSNumber, size.intValue > Limits.fileBytes {
            throw EvidenceError(.tooLarge, source: path, "\(size.intValue) bytes; files over 1 GiB are not evidence drreport reads")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw EvidenceError(.unreadable, source: path, "cannot read the file (permission?)")
        }
        return data
    }

    /// The apply record in an archive's entries: `run.json` etc. at the top, or inside one top folder.
    static func record(from rawEntries: [(path: String, bytes: Data)], source: String) throws(EvidenceError) -> EvidenceInput {
        // `tar -C folder -cf x.tar .` writes `./run.json`: `.` components carry no meaning.
        let entries = rawEntries.map { (path: normalised($0.path), bytes: $0.bytes) }
        var folders: [String: [String: Data]] = [:]
        for entry in entries {
            let components = entry.path.split(separator: "/").map(String.init)
            guard let name = components.last else { continue }
            let folder = components.dropLast().joined(separator: "/")
            folders[folder, default: [:]][name] = entry.bytes
        }
        let candidates = folders.filter { $0.value[ApplyRecordParser.Member.run] != nil }
        guard candidates.count == 1, let folder = candidates.first?.key else {
            throw EvidenceError(
                .notEvidence, source: source,
                candidates.isEmpty
                    ? "archive holds no run.json; expected an apply record (run.json, apply.jsonl, optional state.json)"
                    : "archive holds \(candidates.count) run.json files; expected one apply record per archive")
        }
        var members: [String: Data] = [:]
        var ignored: [String] = []
        for entry in entries {
            let components = entry.path.split(separator: "/").map(String.init)
            if components.dropLast().joined(separator: "/") == folder, let name = components.last, recordMembers.contains(name) {
                members[name] = entry.bytes
            } else {
                ignored.append(entry.path)
            }
        }
        return EvidenceInput(source: source, files: members, ignoredFiles: ignored)
    }

    /// A member path without `.` components or empty segments.
    static func normalised(_ path: String) -> String {
        path.split(separator: "/").filter { $0 != "." }.joined(separator: "/")
    }

    /// Whether a member is hidden (a component starting with `.`, other than `.` itself) or resource-fork litter.
    static func isHidden(_ path: String) -> Bool {
        path.hasPrefix("__MACOSX/") || path.split(separator: "/").contains { $0 != "." && $0.hasPrefix(".") }
    }

    /// Checks an archive member's path: relative, no `..`, no drive letters or backslashes.
    static func checkPath(_ path: String, source: String) throws(EvidenceError) {
        let components = path.split(separator: "/", omittingEmptySubsequences: false)
        if path.hasPrefix("/") || path.contains("\\") || path.contains(":") || components.contains("..") || path.isEmpty {
            throw EvidenceError(
                .invalidArchive, source: source, field: String(path.prefix(200)),
                "unsafe member path (absolute, '..' or a drive); refused")
        }
    }
}

/// Reads the regular files of a ZIP archive with ZIPFoundation, refusing links, unsafe paths and
/// archives that inflate past the limits.
enum ZipReader {
    static func entries(_ bytes: Data, source: String) throws(EvidenceError) -> [(path: String, bytes: Data)] {
        let archive: Archive
        do {
            archive = try Archive(data: bytes, accessMode: .read)
        } catch {
            throw EvidenceError(.invalidArchive, source: source, "not a readable ZIP archive (truncated or corrupt)")
        }
        var entries: [(path: String, bytes: Data)] = []
        var total = 0
        var count = 0
        for entry in archive {
            count += 1
            guard count <= EvidenceSources.Limits.archiveEntries else {
                throw EvidenceError(.tooLarge, source: source, "more than \(EvidenceSources.Limits.archiveEntries) entries")
            }
            let path = entry.path
            try EvidenceSources.checkPath(path, source: source)
            switch entry.type {
            case .directory:
                continue
            case .symlink:
                throw EvidenceError(.invalidArchive, source: source, field: path, "symbolic link in the archive; refused")
            case .file:
                break
            }
            if EvidenceSources.isHidden(path) { continue }
            guard Int(entry.uncompressedSize) <= EvidenceSources.Limits.archiveBytes - total else {
                throw EvidenceError(.tooLarge, source: source, field: path, "the archive inflates past 1 GiB; refused")
            }
            var data = Data()
            do {
                // The CRC-32 is zlib's, computed once the member is whole (the library's own is far slower).
                _ = try archive.extract(entry, bufferSize: 65_536, skipCRC32: true) { chunk in
                    guard data.count + chunk.count + total <= EvidenceSources.Limits.archiveBytes else {
                        throw EvidenceError(.tooLarge, source: source, field: path, "the archive inflates past 1 GiB; refused")
                    }
                    data.append(chunk)
                }
                guard ZIPChecksum.crc32(of: data) == entry.checksum else {
                    throw EvidenceError(.invalidArchive, source: source, field: path, "the member's bytes do not match its CRC-32 (corrupt archive)")
                }
            } catch let error as EvidenceError {
                throw error
            } catch {
                throw EvidenceError(.invalidArchive, source: source, field: path, "cannot extract the member (corrupt or truncated)")
            }
            total += data.count
            entries.append((path, data))
        }
        return entries
    }
}

/// Reads the regular files of a POSIX (ustar/GNU) tar archive. There is no tar library on the platform
/// drreport targets; the format is fixed-size headers, read here strictly: checksums verified, links
/// refused, paths checked, sizes bounded.
enum TarReader {
    static func looksLikeTar(_ head: Data) -> Bool {
        guard head.count >= 512 else { return false }
        let magic = head[head.startIndex + 257..<head.startIndex + 262]
        return magic.elementsEqual(Array("ustar".utf8))
    }

    static func entries(_ bytes: Data, source: String) throws(EvidenceError) -> [(path: String, bytes: Data)] {
        var entries: [(path: String, bytes: Data)] = []
        var offset = 0
        var longName: String?
        var total = 0
        let data = [UInt8](bytes)
        while offset + 512 <= data.count {
            let header = Array(data[offset..<offset + 512])
            if header.allSatisfy({ $0 == 0 }) { return entries }
            guard checksumMatches(header) else {
                throw EvidenceError(.invalidArchive, source: source, field: "offset \(offset)", "tar header checksum mismatch (corrupt archive)")
            }
            guard let size = octal(header[124..<136]), size >= 0 else {
                throw EvidenceError(.invalidArchive, source: source, field: "offset \(offset)", "tar header with an unreadable size")
            }
            let type = header[156]
            let start = offset + 512
            guard size <= data.count - start else {
                throw EvidenceError(.invalidArchive, source: source, "truncated tar archive")
            }
            let body = Array(data[start..<start + size])
            offset = start + (size + 511) / 512 * 512
            var name = longName ?? text(header[0..<100])
            longName = nil
            let prefix = text(header[345..<500])
            if !prefix.isEmpty, name == text(header[0..<100]) { name = prefix + "/" + name }
            switch type {
            case UInt8(ascii: "L"):
                longName = String(decoding: body.prefix { $0 != 0 }, as: UTF8.self)
                continue
            case UInt8(ascii: "x"), UInt8(ascii: "g"):
                continue
            case UInt8(ascii: "1"), UInt8(ascii: "2"):
                throw EvidenceError(.invalidArchive, source: source, field: name, "link in the archive; refused")
            case UInt8(ascii: "5"):
                try EvidenceSources.checkPath(name.hasSuffix("/") ? String(name.dropLast()) : name, source: source)
                continue
            case UInt8(ascii: "0"), 0:
                break
            default:
                throw EvidenceError(.invalidArchive, source: source, field: name, "special file in the archive; refused")
            }
            try EvidenceSources.checkPath(name, source: source)
            total += size
            guard total <= EvidenceSources.Limits.archiveBytes, entries.count < EvidenceSources.Limits.archiveEntries else {
                throw EvidenceError(.tooLarge, source: source, "the archive is over 1 GiB or 10,000 entries; refused")
            }
            if EvidenceSources.isHidden(name) { continue }
            entries.append((name, Data(body)))
        }
        throw EvidenceError(.invalidArchive, source: source, "truncated tar archive (no end-of-archive blocks)")
    }

    static func checksumMatches(_ header: [UInt8]) -> Bool {
        guard let stored = octal(header[148..<156]) else { return false }
        var sum = 0
        for (index, byte) in header.enumerated() {
            sum += (148..<156).contains(index) ? 32 : Int(byte)
        }
        return sum == stored
    }

    static func octal(_ field: ArraySlice<UInt8>) -> Int? {
        var value = 0
        var seen = false
        for byte in field {
            if byte == 0 || byte == 32 {
                if seen { break } else { continue }
            }
            guard byte >= 48, byte <= 55 else { return nil }
            seen = true
            value = value * 8 + Int(byte - 48)
            if value > Int(Int32.max) * 16 { return nil }
        }
        return seen ? value : 0
    }

    static func text(_ field: ArraySlice<UInt8>) -> String {
        String(decoding: field.prefix { $0 != 0 }, as: UTF8.self)
    }
}
