import Foundation
import Testing

@testable import Evidence
@testable import Reports

/// The scan of the writer's own bytes (``XMLWrittenDigest``) gives the digest and outcome of
/// libxml2's streaming canonicaliser (``XMLCanonicalStream``) on every document the writer writes,
/// and declines every document it does not.
@Suite("Canonical digest of the writer's own bytes")
struct XMLWrittenDigestTests {
    private let seal = XMLReportRenderer.seal

    /// Both digests of `bytes`; the scan's must be there.
    private func expectSameDigest(_ bytes: Data, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let scanned = try #require(
            XMLWrittenDigest.digest(of: bytes, omitting: seal), "the scan declined a document of the writer's subset",
            sourceLocation: sourceLocation)
        let streamed = try XMLCanonicalStream.digest(of: bytes, source: "test", failure: .output, omitting: seal)
        #expect(scanned.digest == streamed.digest, sourceLocation: sourceLocation)
        #expect(scanned.outcome.rootName == streamed.outcome.rootName, sourceLocation: sourceLocation)
        #expect(scanned.outcome.rootNamespace == streamed.outcome.rootNamespace, sourceLocation: sourceLocation)
        #expect(scanned.outcome.omitted == streamed.outcome.omitted, sourceLocation: sourceLocation)
    }

    private func document(_ body: String) -> Data {
        Data(("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + body + "\n").utf8)
    }

    @Test func theSampleReportDigestsAlike() async throws {
        let model = try await XMLSupport.model()
        let written = try XMLReportRenderer.write(model)
        try expectSameDigest(written)
        // The sealed report too: its Integrity now holds the digest, which the outcome reports.
        let sealed = try XMLReportRenderer.render(model, schema: XMLSupport.schema)
        try expectSameDigest(sealed)
        #expect(try XMLReportRenderer.verifyIntegrity(sealed))
        let reproduced = try XMLReportRenderer.reproduce(model)
        #expect(reproduced.document == sealed)
        // The hash taken in two parts, either side of the seal's value, is the document's.
        #expect(reproduced.sha256 == ContentHash.of(sealed))
    }

    @Test func aReportOfHostileStringsDigestsAlike() async throws {
        let (model, _) = try XMLSupport.hostileModel(try await XMLSupport.model())
        let written = try XMLReportRenderer.write(model)
        // The strings put every escape the writer writes into the bytes.
        let text = String(decoding: written, as: UTF8.self)
        for escape in ["&amp;", "&lt;", "&gt;", "&#13;"] {
            #expect(text.contains(escape), "no \(escape) in the hostile report")
        }
        try expectSameDigest(written)
        for escaping in [XMLWriter.TextEscaping.writer, .serialiser] {
            try expectSameDigest(try XMLReportRenderer.write(model, escaping: escaping))
        }
    }

    @Test func textAndAttributesFromTheWriterDigestAlike() throws {
        // Every character class either escaping treats apart, in text and in attributes of both orders.
        let samples = [
            "", " ", "plain", "a&b", "<tag>", "x > y", "]]>", "\"quoted\" 'single'", "tab\there", "line\nfeed",
            "carriage\rreturn", "crlf\r\n", "é ü 漢字 🏦", "\u{0}\u{1B}\u{FFFE}", "&amp; already", "&#13; literal",
        ]
        for escaping in [XMLWriter.TextEscaping.writer, .serialiser] {
            let writer = try XMLWriter(escaping: escaping)
            writer.start("Root", namespace: "urn:example:test:1")
            for (offset, sample) in samples.enumerated() {
                writer.start("Item")
                writer.attribute("zeta", sample)
                writer.attribute("alpha", String(sample.reversed()))
                writer.attribute("id", "\(offset)")
                writer.text(sample)
                writer.element("Empty", "")
                writer.start("Bare")
                writer.end()
                writer.end()
            }
            writer.start("Integrity")
            writer.attribute("algorithm", "a&b<\"c\"\t\n")
            writer.text(XMLReportRenderer.placeholder)
            writer.end()
            writer.element("After", "tail & end")
            writer.end()
            let bytes = try writer.finish()
            try expectSameDigest(bytes)
        }
    }

    @Test func theOmittedElementIsFoundWhereverItsTextLies() throws {
        // Only a child of the root in the report's namespace is left out; its text, gathered from every
        // text inside it, is what the outcome reports.
        let namespace = XMLReportRenderer.namespace
        try expectSameDigest(document(
            "<DRReport xmlns=\"\(namespace)\"><A><Integrity algorithm=\"x\">nested</Integrity></A>"
                + "<Integrity algorithm=\"y\" z=\"1\">a<B>b &amp; <C/>c</B>&#x41;&#65;</Integrity>\n  <Integrity/></DRReport>"))
        try expectSameDigest(document("<Other xmlns=\"urn:other:1\"><Integrity algorithm=\"x\">kept</Integrity></Other>"))
        try expectSameDigest(document("<Plain><Integrity algorithm=\"x\">kept</Integrity></Plain>"))
        let long = String(repeating: "0123456789", count: 200)
        try expectSameDigest(document("<DRReport xmlns=\"\(namespace)\"><Integrity>\(long)</Integrity></DRReport>"))
        try expectSameDigest(document("<Root/>"))
    }

    @Test func referencesAreWrittenAgainAsCanonicalXMLEscapesThem() throws {
        try expectSameDigest(document(
            "<R b=\"&#9;&#10;&#13;&quot;&gt;&lt;&amp;&apos;&#x20AC;\" a=\"'&#x9;'\">&quot;&apos;&#13;&#xD;&#10;&gt;>&#x1F3E6;&#233;</R>"))
    }

    @Test(arguments: [
        ("no declaration", "<R/>"),
        ("another declaration", "<?xml version=\"1.0\"?><R/>"),
        ("a comment", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R><!-- c --></R>"),
        ("a processing instruction", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R><?pi x?></R>"),
        ("CDATA", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R><![CDATA[x]]></R>"),
        ("a DOCTYPE", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE R><R/>"),
        ("a prefixed element", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<p:R xmlns:p=\"urn:x:1\"/>"),
        ("a prefixed declaration", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R xmlns:p=\"urn:x:1\"/>"),
        ("a declaration below the root", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R xmlns=\"urn:x:1\"><S xmlns=\"urn:x:1\"/></R>"),
        ("a relative namespace", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R xmlns=\"relative/path\"/>"),
        ("an unknown entity", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R>&nbsp;</R>"),
        ("a reference to a character XML forbids", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R>&#1;</R>"),
        ("a raw carriage return", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R>a\rb</R>"),
        ("a raw tab in an attribute", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R a=\"x\ty\"/>"),
        ("a single-quoted attribute", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R a='x'/>"),
        ("two spaces in a tag", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R  a=\"x\"/>"),
        ("a repeated attribute", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R a=\"x\" a=\"y\"/>"),
        ("tags that do not nest", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R><S></R></S>"),
        ("an unclosed element", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R><S></S>"),
        ("text after the root", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R/>x"),
        ("a CDATA terminator in text", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<R>]]></R>"),
    ])
    func documentsOutsideTheWritersSubsetAreDeclined(_ why: String, _ text: String) {
        #expect(XMLWrittenDigest.digest(of: Data(text.utf8), omitting: seal) == nil, "\(why) was not declined")
    }
}
