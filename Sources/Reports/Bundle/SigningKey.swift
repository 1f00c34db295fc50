import Crypto
import Evidence
import Foundation

/// Ed25519 keys for signing evidence bundles, stored as PEM the way OpenSSL writes them (PKCS #8
/// private keys, SubjectPublicKeyInfo public keys), so an auditor can check a signature with
/// `openssl pkeyutl -verify` without trusting drreport. A key's id is the SHA-256 of its 32 raw
/// public-key bytes, written `sha256:<hex>`.
public enum SigningKey {
    /// DER of PKCS #8 `PrivateKeyInfo` for Ed25519 (RFC 8410), before the 32-byte seed.
    static let privatePrefix: [UInt8] = [0x30, 0x2E, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20]
    /// DER of `SubjectPublicKeyInfo` for Ed25519, before the 32-byte key.
    static let publicPrefix: [UInt8] = [0x30, 0x2A, 0x30, 0x05, 0x06, 0x03, 0x2B, 0x65, 0x70, 0x03, 0x21, 0x00]

    /// A new key pair as PEM text: the private key and the public key.
    public static func generate() -> (privatePEM: String, publicPEM: String, keyID: ContentHash) {
        let key = Curve25519.Signing.PrivateKey()
        return (
            pem("PRIVATE KEY", privatePrefix + key.rawRepresentation), publicPEM(key.publicKey),
            keyID(key.publicKey)
        )
    }

    /// The PEM of a public key.
    public static func publicPEM(_ key: Curve25519.Signing.PublicKey) -> String {
        pem("PUBLIC KEY", publicPrefix + key.rawRepresentation)
    }

    /// The key id: SHA-256 of the raw public key.
    public static func keyID(_ key: Curve25519.Signing.PublicKey) -> ContentHash {
        ContentHash.of(Data(key.rawRepresentation))
    }

    /// Reads a private key PEM.
    public static func privateKey(pem text: String, source: String) throws(ReportsError) -> Curve25519.Signing.PrivateKey {
        let der = try decode(text, label: "PRIVATE KEY", source: source)
        guard der.count == privatePrefix.count + 32, Array(der.prefix(privatePrefix.count)) == privatePrefix else {
            throw ReportsError(.invalidKey, source: source, "not an Ed25519 private key (PKCS #8); expected the .key file of `drreport keygen`")
        }
        do {
            return try Curve25519.Signing.PrivateKey(rawRepresentation: der.suffix(32))
        } catch {
            throw ReportsError(.invalidKey, source: source, "the Ed25519 private key is not valid")
        }
    }

    /// Reads a public key PEM.
    public static func publicKey(pem text: String, source: String) throws(ReportsError) -> Curve25519.Signing.PublicKey {
        let der = try decode(text, label: "PUBLIC KEY", source: source)
        guard der.count == publicPrefix.count + 32, Array(der.prefix(publicPrefix.count)) == publicPrefix else {
            throw ReportsError(.invalidKey, source: source, "not an Ed25519 public key; expected the .pub file of `drreport keygen`")
        }
        do {
            return try Curve25519.Signing.PublicKey(rawRepresentation: der.suffix(32))
        } catch {
            throw ReportsError(.invalidKey, source: source, "the Ed25519 public key is not valid")
        }
    }

    static func pem(_ label: String, _ der: [UInt8]) -> String {
        let body = Data(der).base64EncodedString(options: [.lineLength64Characters, .endLineWithLineFeed])
        return "-----BEGIN \(label)-----\n\(body)\n-----END \(label)-----\n"
    }

    static func decode(_ text: String, label: String, source: String) throws(ReportsError) -> [UInt8] {
        let begin = "-----BEGIN \(label)-----"
        let end = "-----END \(label)-----"
        guard let start = text.range(of: begin), let stop = text.range(of: end), start.upperBound <= stop.lowerBound else {
            throw ReportsError(.invalidKey, source: source, "no PEM block '\(label)'; expected a key written by `drreport keygen`")
        }
        let body = text[start.upperBound..<stop.lowerBound].filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: String(body)) else {
            throw ReportsError(.invalidKey, source: source, "the PEM body is not base64")
        }
        return Array(der)
    }
}
