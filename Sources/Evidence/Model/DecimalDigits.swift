extension [UInt8] {
    /// Appends the decimal digits of `value` as ASCII, zero-padded to `width` digits, a minus sign
    /// before them: what `String(value)` gives, without making a string (instants and record digests
    /// write hundreds of thousands of numbers).
    mutating func appendDecimal(_ value: Int64, width: Int = 1) {
        if value < 0 { append(UInt8(ascii: "-")) }
        let start = count
        var rest = value.magnitude
        repeat {
            append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        while count - start < width { append(UInt8(ascii: "0")) }
        self[start...].reverse()
    }
}
