import Testing

@testable import Reports

@Suite("bundle member paths: which stay inside the bundle")
struct BundleArchivePathTests {
    @Test(arguments: ["manifest.json", "evidence/0001-drill/drill.jsonl", "evidence/a..b/.hidden", "é/ü.json"])
    func pathsInsideTheBundleAreAccepted(_ path: String) throws {
        try BundleArchive.check(path)
    }

    @Test(arguments: [
        ("/etc/passwd", "absolute, drive or backslash"), ("C:evidence", "absolute, drive or backslash"),
        ("evidence\\x", "absolute, drive or backslash"), ("a\u{0}b", "absolute, drive or backslash"),
        // A combining mark after the backslash makes one character of the two; the byte is still there.
        ("evidence\\\u{301}x", "absolute, drive or backslash"),
        ("../x", "'..', '.' or empty segment"), ("evidence/../../x", "'..', '.' or empty segment"),
        ("./x", "'..', '.' or empty segment"), ("a//b", "'..', '.' or empty segment"), ("a/", "'..', '.' or empty segment"),
        ("", "absolute, drive or backslash"),
    ])
    func pathsThatEscapeOrHideAreRefusedWithTheReason(_ path: String, reason: String) {
        #expect(throws: BundleArchive.Failure.unsafe("member '\(path)' has an unsafe path (\(reason))")) {
            try BundleArchive.check(path)
        }
    }
}
