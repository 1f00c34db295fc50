import Testing

@testable import Evidence

@Suite("UTF-8 byte order of strings")
struct UTF8OrderTests {
    /// Strings that differ early, late, only in length, in multi-byte characters, and in ways Swift's
    /// `<` treats as equal (canonically equivalent é) or orders differently from the bytes.
    static let samples = [
        "", "a", "b", "ab", "abc", "abd", "ab\u{0}", "A", "Z", "_", "~", "é", "e\u{301}", "ë", "z", "ℹ", "😀", "😁",
        "azurerm_storage_account.this[\"primary\"]", "azurerm_storage_account.this[\"secondary\"]",
        "module.workspace[\"wealth-user-prod\"].azurerm_key_vault.this", "module.workspace[\"wealth-user-prod\"]",
        String(repeating: "x", count: 40) + "1", String(repeating: "x", count: 40) + "2",
    ]

    @Test("agrees with comparing the UTF-8 views element by element, for every pair")
    func agreesWithElementOrder() {
        for left in Self.samples {
            for right in Self.samples {
                let expected = left.utf8.lexicographicallyPrecedes(right.utf8)
                #expect(left.utf8Precedes(right) == expected, "\(left.debugDescription) vs \(right.debugDescription)")
                let order = left.utf8Compare(right)
                #expect((order == 0) == left.utf8.elementsEqual(right.utf8), "\(left.debugDescription) vs \(right.debugDescription)")
                #expect((order < 0) == expected)
            }
        }
    }

    @Test("is byte order, not Swift's: canonically equivalent strings differ, and é sorts after z")
    func isByteOrder() {
        #expect("é" == "e\u{301}")
        #expect("é".utf8Compare("e\u{301}") != 0)
        #expect("z".utf8Precedes("é"))
        #expect(!"é".utf8Precedes("z"))
        #expect("Z".utf8Precedes("a"))
    }
}
