extension [UInt8] {
    /// Appends the decimal digits of `value` as ASCII, zero-padded to `width` digits, a minus sign
    /// before them: what `String(value)` gives, without making a string (instants and record digests
    /// write hundreds of thousands of numbers). The digits are written in place, last first, into
    /// room made for them: nothing is allocated but the array's own growth.
    mutating func appendDecimal(_ value: Int64, width: Int = 1) {
        if value < 0 { append(UInt8(ascii: "-")) }
        var rest = value.magnitude
        var digits = 1
        var probe = rest / 10
        while probe > 0 {
            digits += 1
            probe /= 10
        }
        let start = count
        let length = Swift.max(digits, width)
        append(contentsOf: repeatElement(UInt8(ascii: "0"), count: length))
        withUnsafeMutableBufferPointer { buffer in
            var index = start + length - 1
            repeat {
                buffer[index] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                index -= 1
            } while rest > 0
        }
    }
}
