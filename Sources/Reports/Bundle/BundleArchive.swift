import Crypto
import Evidence
import Foundation
@preconcurrency import ZIPFoundation

/// A bundle's ZIP archive read defensively: every member checked before any is read — relative
/// paths only, no `..`, no links or special entries, no duplicate names, bounded sizes — and every
/// member read into memory with its size and CRC enforced, so a hostile archive can neither escape
/// a folder nor exhaust memory. Nothing is ever extracted to disk.
///
/// Members can be read on any thread at once: each read opens its own handle on the file (a ZIP
/// reader keeps a file position) and finds the member where the checked directory says it is.
public struct BundleArchive: Sendable {
    /// Sizes beyond which a bundle is refused as an archive bomb.
    public struct Limits: Sendable {
        /// The largest member, inflated.
        public var memberBytes: Int64
        /// All members together, inflated.
        public var totalBytes: Int64
        /// The most members.
        public var entries: Int

        /// The defaults: 2 GiB per member, 8 GiB in all, 1,000,000 members.
        public static let standard = Limits(memberBytes: 2 << 30, totalBytes: 8 << 30, entries: 1_000_000)

        /// Limits.
        public init(memberBytes: Int64, totalBytes: Int64, entries: Int) {
            self.memberBytes = memberBytes
            self.totalBytes = totalBytes
            self.entries = entries
        }
    }

    /// Why an archive is refused: not a bundle at all (exit 2), or a bundle that was damaged or
    /// tampered with (exit 3).
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// Not a ZIP archive.
        case notAnArchive(String)
        /// An archive whose structure or members are unsafe or corrupt.
        case unsafe(String)

        public var description: String {
            switch self {
            case .notAnArchive(let message), .unsafe(let message): message
            }
        }
    }

    private let url: URL
    /// Member paths in archive order.
    public let paths: [String]
    private let entries: [String: Entry]
    private let limits: Limits

    /// Opens and checks an archive.
    public init(url: URL, limits: Limits = .standard) throws(Failure) {
        self.limits = limits
        let head: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            head = try handle.read(upToCount: 4) ?? Data()
            try handle.close()
        } catch {
            throw .notAnArchive("cannot read \(url.path)")
        }
        let looksLikeZip = head.starts(with: [0x50, 0x4B])
        self.url = url
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw looksLikeZip
                ? .unsafe("the archive is truncated or corrupt (its central directory cannot be read)")
                : .notAnArchive("not a ZIP archive, so not a drreport bundle")
        }
        var paths: [String] = []
        var entries: [String: Entry] = [:]
        var total: Int64 = 0
        for entry in archive {
            let path = entry.path
            guard paths.count < limits.entries else { throw .unsafe("more than \(limits.entries) members") }
            // The kind first: a directory entry is written `name/`, which the path check would misname.
            switch entry.type {
            case .file: break
            case .symlink: throw .unsafe("member '\(path.prefix(200))' is a symbolic link; a bundle holds regular files only")
            case .directory: throw .unsafe("member '\(path.prefix(200))' is a directory entry; a bundle holds regular files only")
            }
            try Self.check(path)
            guard entries[path] == nil else { throw .unsafe("member '\(path)' appears twice") }
            let size = Int64(entry.uncompressedSize)
            guard size <= limits.memberBytes else {
                throw .unsafe("member '\(path)' inflates to \(size) bytes, over the limit of \(limits.memberBytes) (an archive bomb?)")
            }
            total += size
            guard total <= limits.totalBytes else {
                throw .unsafe("the members inflate to more than \(limits.totalBytes) bytes (an archive bomb?)")
            }
            paths.append(path)
            entries[path] = entry
        }
        self.paths = paths
        self.entries = entries
    }

    /// A member's bytes, with its declared size and CRC-32 enforced.
    public func data(_ path: String) throws(Failure) -> Data {
        var data = Data()
        // Room for the declared size (up to 256 MiB: a larger claim is only believed as it inflates).
        try inflate(path, declared: { data.reserveCapacity(Int(min($0, 1 << 28))) }) { data.append($0) }
        return data
    }

    /// A member's size and SHA-256, computed as it inflates, with its declared size and CRC-32 enforced.
    /// Nothing of it is held: how the verifier checks the files it does not keep (a bank's report.xml
    /// alone inflates to ~125 MB).
    public func digest(_ path: String) throws(Failure) -> (size: Int64, sha256: ContentHash) {
        var hasher = SHA256()
        let size = try inflate(path) { chunk in chunk.withUnsafeBytes { hasher.update(bufferPointer: $0) } }
        return (size, ContentHash(digest: hasher.finalize()))
    }

    /// Inflates a member piece by piece into `consume`, after telling `declared` the size it declares;
    /// returns the size. It fails when the member inflates past that size or the member limit, or when
    /// its size or CRC-32 at the end is not the declared one.
    @discardableResult
    private func inflate(_ path: String, declared: (Int64) -> Void = { _ in }, _ consume: (Data) -> Void) throws(Failure) -> Int64 {
        guard let entry = entries[path] else { throw .unsafe("member '\(path)' is missing") }
        let archive: Archive
        do {
            archive = try Archive(url: url, accessMode: .read)
        } catch {
            throw .unsafe("the archive can no longer be read")
        }
        let size = Int64(entry.uncompressedSize)
        declared(size)
        let limit = min(size, limits.memberBytes)
        var count: Int64 = 0
        var crc: UInt32 = 0
        do {
            // The CRC-32 is zlib's, computed as the member inflates (the library's own is far slower).
            _ = try archive.extract(entry, bufferSize: 1 << 16, skipCRC32: true) { chunk in
                guard count + Int64(chunk.count) <= limit else {
                    throw Failure.unsafe("member '\(path)' inflates past its declared size (an archive bomb?)")
                }
                count += Int64(chunk.count)
                crc = ZIPChecksum.crc32(of: chunk, continuing: crc)
                consume(chunk)
            }
            guard count == size, crc == entry.checksum else {
                throw Failure.unsafe("member '\(path)' is corrupt (its CRC-32 or size does not match)")
            }
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .unsafe("member '\(path)' cannot be read (corrupt or truncated)")
        }
        return count
    }

    /// The size a member declares (what it must inflate to), or nil when there is no such member.
    public func declaredSize(_ path: String) -> Int? { entries[path].map { Int($0.uncompressedSize) } }

    /// Whether the archive has a member.
    public func contains(_ path: String) -> Bool { entries[path] != nil }

    /// Refuses absolute paths, `..`, backslashes, drive letters and empty or `.` segments.
    ///
    /// On the path's bytes: a quarter's bundle has thousands of members, and Foundation's substring
    /// search took ~0.1 s of verify's start for them. A byte is found even where a combining mark
    /// follows it, which a search by characters would miss.
    static func check(_ path: String) throws(Failure) {
        let bytes = path.utf8
        if bytes.isEmpty || bytes.first == UInt8(ascii: "/")
            || bytes.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: ":") || $0 == 0 })
        {
            throw .unsafe("member '\(path.prefix(200))' has an unsafe path (absolute, drive or backslash)")
        }
        let dot = UInt8(ascii: ".")
        for segment in bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        where segment.isEmpty || segment.elementsEqual([dot]) || segment.elementsEqual([dot, dot]) {
            throw .unsafe("member '\(path.prefix(200))' has an unsafe path ('..', '.' or empty segment)")
        }
    }
}
