import Crypto
import Foundation

/// A SHA-256 digest, written `sha256:<64 lowercase hex digits>`.
public struct ContentHash: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    /// The 64 lowercase hexadecimal digits.
    public let hex: String

    /// A hash from its hex digits; `nil` unless exactly 64 hex digits.
    public init?(hex: String) {
        let lowered = hex.lowercased()
        guard lowered.utf8.count == 64, lowered.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) })
        else { return nil }
        self.hex = lowered
    }

    /// A hash from `sha256:<hex>` or bare hex.
    public init?(parsing text: String) {
        self.init(hex: text.hasPrefix("sha256:") ? String(text.dropFirst(7)) : text)
    }

    /// All zeros: the `prev` of the first ledger entry.
    init(zeros: Void) {
        self.hex = String(repeating: "0", count: 64)
    }

    /// A hash from a finished SHA-256.
    public init(digest: SHA256.Digest) {
        self.hex = digest.map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }.joined()
    }

    /// `sha256:<hex>`.
    public var description: String { "sha256:" + hex }

    /// The first 12 hex digits, for people.
    public var short: String { String(hex.prefix(12)) }

    /// The hash of bytes, fed to SHA-256 in fixed-size chunks.
    public static func of(_ bytes: Data) -> ContentHash {
        var hasher = SHA256()
        let chunk = 1 << 20
        var offset = bytes.startIndex
        while offset < bytes.endIndex {
            let end = bytes.index(offset, offsetBy: chunk, limitedBy: bytes.endIndex) ?? bytes.endIndex
            bytes[offset..<end].withUnsafeBytes { hasher.update(bufferPointer: $0) }
            offset = end
        }
        return ContentHash(digest: hasher.finalize())
    }

    /// The hash of UTF-8 text.
    public static func of(_ text: String) -> ContentHash {
        of(Data(text.utf8))
    }

    /// The identity of evidence made of several named files (an apply record folder): SHA-256 over
    /// `drreport-tree-v1\n` and one line `<hex> <size> <name>\n` per member in name order. The same
    /// files give the same identity whether they arrive as a folder, a .zip or a .tar.
    public static func tree(_ members: [(name: String, hash: ContentHash, size: Int)]) -> ContentHash {
        var text = "drreport-tree-v1\n"
        for member in members.sorted(by: { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) }) {
            text += "\(member.hash.hex) \(member.size) \(member.name)\n"
        }
        return of(text)
    }

    public static func < (lhs: ContentHash, rhs: ContentHash) -> Bool { lhs.hex < rhs.hex }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let hash = ContentHash(parsing: text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "expected sha256:<64 hex digits>")
        }
        self = hash
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
