import Crypto
import Foundation

/// Deterministic UUIDs for OSCAL objects, so the same model gives byte-identical documents.
///
/// Each is a name-based UUID version 5 (RFC 4122 §4.3, RFC 9562 §5.5: SHA-1 over the namespace's 16
/// bytes and the name's UTF-8 bytes, version and variant bits set), which the OSCAL schema's
/// `UUIDDatatype` accepts (version 4 or 5) and anyone can recompute, e.g. in Python:
/// `uuid.uuid5(uuid.uuid5(uuid.NAMESPACE_URL, "urn:drreport:oscal:1"), name)`.
/// SHA-1 serves here only to derive identifiers, as RFC 4122 specifies; nothing relies on it for
/// integrity (evidence is identified by SHA-256).
enum OSCALUUID {
    /// RFC 4122's namespace for URLs, `6ba7b811-9dad-11d1-80b4-00c04fd430c8`.
    static let urlNamespace: [UInt8] = [
        0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
    ]

    /// drreport's namespace: `uuid5(NAMESPACE_URL, "urn:drreport:oscal:1")`.
    static let namespace: [UInt8] = bytes(namespace: urlNamespace, name: "urn:drreport:oscal:1")

    /// The UUID of a name in drreport's namespace, lowercase `xxxxxxxx-xxxx-5xxx-yxxx-xxxxxxxxxxxx`.
    static func make(_ name: String) -> String {
        format(bytes(namespace: namespace, name: name))
    }

    static func bytes(namespace: [UInt8], name: String) -> [UInt8] {
        var hasher = Insecure.SHA1()
        hasher.update(data: namespace)
        hasher.update(data: Data(name.utf8))
        var bytes = Array(hasher.finalize().prefix(16))
        bytes[6] = (bytes[6] & 0x0F) | 0x50
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        return bytes
    }

    static func format(_ bytes: [UInt8]) -> String {
        let hex = bytes.map { byte -> String in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }
        return [0..<4, 4..<6, 6..<8, 8..<10, 10..<16].map { hex[$0].joined() }.joined(separator: "-")
    }
}
