import CZlibChecksum
import Foundation

/// The CRC-32 a ZIP member declares for its inflated bytes, computed by zlib.
public enum ZIPChecksum {
    /// The CRC-32 (ISO 3309, as ZIP and gzip use it) of `data`; with `crc`, that of the bytes `crc` was
    /// computed over followed by `data` (a member checked piece by piece as it inflates).
    public static func crc32(of data: Data, continuing crc: UInt32 = 0) -> UInt32 {
        data.withUnsafeBytes { buffer in
            var crc = UInt(crc)
            var rest = buffer.bindMemory(to: UInt8.self)[...]
            // zlib takes a 32-bit length: a member larger than 4 GiB is fed in pieces.
            while !rest.isEmpty {
                let piece = rest.prefix(Int(UInt32.max))
                crc = drreport_zlib_crc32(crc, UnsafeBufferPointer(rebasing: piece).baseAddress, UInt32(piece.count))
                rest = rest.dropFirst(piece.count)
            }
            return UInt32(truncatingIfNeeded: crc)
        }
    }
}
