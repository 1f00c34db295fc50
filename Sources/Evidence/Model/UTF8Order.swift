import Foundation

extension String {
    /// The order of two strings byte by byte in UTF-8: negative, zero or positive. It is the order of
    /// JSON's canonical form and of the listings drreport sorts: independent of locale and of Unicode
    /// canonical equivalence (which Swift's `<` honours). The bytes are compared with `memcmp`, not one
    /// `UTF8View` element at a time: sorting a quarter's findings compares subjects a million times.
    public func utf8Compare(_ other: String) -> Int {
        var left = self
        var right = other
        return left.withUTF8 { a in
            right.withUTF8 { b in
                let x = UnsafeRawBufferPointer(a)
                return x.compareBytes(x.indices, with: b.indices, in: UnsafeRawBufferPointer(b))
            }
        }
    }

    /// Whether this string comes before `other` in UTF-8 byte order (``utf8Compare(_:)``).
    public func utf8Precedes(_ other: String) -> Bool {
        utf8Compare(other) < 0
    }
}

extension UnsafeRawBufferPointer {
    /// The order of the bytes at `range` here and those at `otherRange` in `other` (this buffer when
    /// nil), byte by byte: negative, zero or positive, a prefix first. The order of
    /// ``Swift/String/utf8Compare(_:)``, for text that is compared where it lies.
    @inlinable
    public func compareBytes(_ range: Range<Int>, with otherRange: Range<Int>, in other: UnsafeRawBufferPointer? = nil) -> Int {
        let other = other ?? self
        let common = Swift.min(range.count, otherRange.count)
        if common > 0, let x = baseAddress, let y = other.baseAddress {
            let order = memcmp(x + range.lowerBound, y + otherRange.lowerBound, common)
            if order != 0 { return Int(order) }
        }
        return range.count - otherRange.count
    }
}
