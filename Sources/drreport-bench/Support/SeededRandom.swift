/// A deterministic random source (SplitMix64). The generator never uses the system generator nor
/// Swift's `random(in:using:)` (whose algorithm the standard library may change), so one seed gives
/// the same bytes on every machine and toolchain.
struct SeededRandom {
    private var state: UInt64

    /// A source seeded from a number.
    init(seed: UInt64) {
        state = seed
    }

    /// A source seeded from a seed and any number of labels: `SeededRandom(seed, "state", workspace)`.
    /// Two sources with the same labels give the same sequence; different labels, independent ones.
    init(_ seed: UInt64, _ labels: String...) {
        state = StableHash.of(seed, labels)
    }

    /// The next 64 random bits.
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<bound` (multiply-shift; the bias is far below anything a benchmark notices).
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "empty range")
        return Int((UInt128(next()) * UInt128(bound)) >> 64)
    }

    /// A number in a closed range.
    mutating func int(_ range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// A 64-bit number in a closed range.
    mutating func int64(_ range: ClosedRange<Int64>) -> Int64 {
        range.lowerBound + Int64(below(Int(range.upperBound - range.lowerBound + 1)))
    }

    /// True with the given probability.
    mutating func chance(_ probability: Double) -> Bool {
        Double(next() >> 11) / Double(1 << 53) < probability
    }

    /// One element of a non-empty array.
    mutating func pick<T>(_ elements: [T]) -> T {
        elements[below(elements.count)]
    }

    /// The array in a random order (Fisher–Yates).
    mutating func shuffled<T>(_ elements: [T]) -> [T] {
        var copy = elements
        guard copy.count > 1 else { return copy }
        for index in stride(from: copy.count - 1, to: 0, by: -1) {
            copy.swapAt(index, below(index + 1))
        }
        return copy
    }

    /// `count` lowercase hexadecimal digits.
    mutating func hex(_ count: Int) -> String {
        String(digits(count, alphabet: Self.hexDigits))
    }

    /// `count` decimal digits, the first not zero.
    mutating func decimal(_ count: Int) -> String {
        var text = digits(count, alphabet: Self.decimalDigits)
        if text.first == "0" { text[text.startIndex] = "1" }
        return String(text)
    }

    /// `count` lowercase letters and digits.
    mutating func alphanumeric(_ count: Int) -> String {
        String(digits(count, alphabet: Self.alphanumerics))
    }

    /// A random (version 4 shaped) UUID.
    mutating func uuid() -> String {
        let text = hex(32)
        let chars = Array(text)
        return String(chars[0..<8]) + "-" + String(chars[8..<12]) + "-4" + String(chars[13..<16]) + "-"
            + String(["8", "9", "a", "b"][Int(next() % 4)]) + String(chars[17..<20]) + "-" + String(chars[20..<32])
    }

    private mutating func digits(_ count: Int, alphabet: [Character]) -> [Character] {
        (0..<count).map { _ in alphabet[below(alphabet.count)] }
    }

    private static let hexDigits = Array("0123456789abcdef")
    private static let decimalDigits = Array("0123456789")
    private static let alphanumerics = Array("abcdefghijklmnopqrstuvwxyz0123456789")
}

/// FNV-1a over labels: stable across processes (unlike `Hasher`, which is seeded per process).
enum StableHash {
    /// A 64-bit hash of a seed and labels.
    static func of(_ seed: UInt64, _ labels: [String]) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325 ^ seed
        for label in labels {
            for byte in label.utf8 {
                hash ^= UInt64(byte)
                hash &*= 0x0000_0100_0000_01B3
            }
            hash ^= 0xFF
            hash &*= 0x0000_0100_0000_01B3
        }
        // One SplitMix round so that nearby labels give unrelated seeds.
        var z = hash &+ 0x9E37_79B9_7F4A_7C15
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
