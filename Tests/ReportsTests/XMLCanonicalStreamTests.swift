import Foundation
import PropertyBased
import Testing

@testable import Evidence
@testable import Reports

/// The streaming canonicaliser gives, byte for byte, what libxml2's tree-based Exclusive C14N gives
/// (``XMLTreeReference``), on reports and on hand-written and random documents; report.xml rendered
/// without a tree has the bytes the tree path gave.
@Suite("report.xml canonicalised and rendered as a stream")
struct XMLCanonicalStreamTests {
    // MARK: - Helpers

    /// The streaming canonical form, the Integrity element left out as ``XMLReportRenderer`` does.
    static func streamed(_ bytes: Data) throws -> Data {
        var output = Data()
        _ = try XMLCanonicalStream.canonicalise(
            bytes, source: "test.xml", failure: .invalidBundle, omitting: XMLReportRenderer.seal
        ) { output.append(contentsOf: $0) }
        return output
    }

    /// Both canonical forms and both digests agree.
    static func expectSameCanonicalForm(
        _ bytes: Data, _ name: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let reference = try XMLTreeReference.canonicalForm(of: bytes)
        let stream = try streamed(bytes)
        if let difference = XMLSupport.firstDifference(expected: reference, actual: stream) {
            Issue.record(
                "\(name): the stream differs from libxml2's C14N: \(difference)", sourceLocation: sourceLocation)
        }
        let digest = try XMLCanonicalStream.digest(
            of: bytes, source: "test.xml", failure: .invalidBundle, omitting: XMLReportRenderer.seal
        ).digest
        #expect(digest == ContentHash.of(reference), "\(name)", sourceLocation: sourceLocation)
    }

    // MARK: - Reports

    @Test func theSampleQuarterCanonicalisesAsLibXML2Does() async throws {
        let model = try await XMLSupport.model()
        let written = try XMLReportRenderer.write(model)
        try Self.expectSameCanonicalForm(written, "sample quarter")
        // The report's canonical form is larger than one chunk, so chunking is exercised.
        #expect(try Self.streamed(written).count > XMLCanonicalStream.chunkSize)
    }

    @Test func theHostileQuarterCanonicalisesAsLibXML2Does() async throws {
        let (model, _) = try XMLSupport.hostileModel(try await XMLSupport.model())
        let written = try XMLReportRenderer.write(model)
        #expect(String(decoding: written, as: UTF8.self).contains("&#13;"), "the hostile text's CR is in the report")
        try Self.expectSameCanonicalForm(written, "hostile quarter")
        try Self.expectSameCanonicalForm(
            try XMLReportRenderer.write(model, escaping: .writer), "hostile, writer escaping")
    }

    @Test func renderGivesTheBytesTheTreePathGave() async throws {
        let model = try await XMLSupport.model()
        let (hostile, _) = try XMLSupport.hostileModel(model)
        let cases = [("sample", model), ("hostile", hostile), ("empty", XMLSupport.emptied(model))]
        for (name, model) in cases {
            let streamed = try XMLReportRenderer.render(model, schema: XMLSupport.schema)
            let tree = try XMLTreeReference.render(model, schema: XMLSupport.schema)
            if let difference = XMLSupport.firstDifference(expected: tree, actual: streamed) {
                Issue.record("\(name): render differs from the tree path: \(difference)")
            }
            #expect(try XMLReportRenderer.verifyIntegrity(streamed), "\(name)")
        }
    }

    @Test func theHostileReportsTextKeepsItsDoubleQuotes() async throws {
        let (model, _) = try XMLSupport.hostileModel(try await XMLSupport.model())
        let text = String(decoding: try XMLReportRenderer.render(model, schema: XMLSupport.schema), as: UTF8.self)
        // As the tree serialiser wrote text: a double quote stays, `>` is escaped.
        #expect(text.contains(#"&lt;/script&gt; "&gt;&lt;img onerror=alert(2)&gt; ]]&gt; &amp; "#))
    }

    @Test func theWriterEscapesTextAsTheSerialiserOrAsItself() throws {
        func written(_ escaping: XMLWriter.TextEscaping) throws -> String {
            let writer = try XMLWriter(indent: false, escaping: escaping)
            writer.start("r")
            writer.element("empty", "")
            writer.element("text", "a \"b\" <c> & d\r\n")
            writer.start("attribute")
            writer.attribute("x", "\"\t\n\r<>&")
            writer.end()
            writer.end()
            return String(decoding: try writer.finish(), as: UTF8.self)
        }
        let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        #expect(
            try written(.serialiser)
                == declaration
                + "<r><empty/><text>a \"b\" &lt;c&gt; &amp; d&#13;\n</text><attribute x=\"&quot;&#9;&#10;&#13;&lt;&gt;&amp;\"/></r>\n"
        )
        #expect(
            try written(.writer)
                == declaration
                + "<r><empty></empty><text>a &quot;b&quot; &lt;c&gt; &amp; d&#13;\n</text>"
                + "<attribute x=\"&quot;&#9;&#10;&#13;&lt;&gt;&amp;\"/></r>\n")
    }

    @Test func theDigestIsWrittenOverThePlaceholderOnly() async throws {
        var model = try await XMLSupport.model()
        // A placeholder in evidence text must not be mistaken for the seal.
        model.header.entity += " " + XMLReportRenderer.placeholder
        let data = try XMLReportRenderer.render(model, schema: XMLSupport.schema)
        let text = String(decoding: data, as: UTF8.self)
        #expect(text.contains(XMLReportRenderer.placeholder + "</Entity>"))
        #expect(!text.contains(XMLReportRenderer.placeholder + "</Integrity>"))
        #expect(try XMLReportRenderer.verifyIntegrity(data))
        var unsealable = Data("<DRReport xmlns=\"urn:drreport:report:1\"><A/></DRReport>\n".utf8)
        #expect(throws: ReportsError.self) {
            try XMLReportRenderer.writeDigest(ContentHash.of("x"), into: &unsealable)
        }
        var trailing = Data(
            ("<DRReport xmlns=\"urn:drreport:report:1\"><Integrity algorithm=\"\(XMLReportRenderer.integrityAlgorithm)\">"
                + XMLReportRenderer.placeholder + "</Integrity><After/></DRReport>\n").utf8)
        #expect(throws: ReportsError.self) {
            try XMLReportRenderer.writeDigest(ContentHash.of("x"), into: &trailing)
        }
    }

    /// What a hostile bundle can do to the seal is a `false`, not an error or a large allocation; what
    /// is not a report at all is refused.
    @Test func verifyingAHostileSealGivesFalse() async throws {
        let data = try XMLReportRenderer.render(try await XMLSupport.model(), schema: XMLSupport.schema)
        let text = String(decoding: data, as: UTF8.self)
        let seal = try #require(text.range(of: #"sha256:[0-9a-f]{64}</Integrity>"#, options: .regularExpression))
        let claimed = String(text[seal].dropLast("</Integrity>".count))
        let variants = [
            ("a long text", String(repeating: "a", count: 200_000)),
            ("the digest split by a comment", claimed.prefix(10) + "<!-- x -->" + claimed.dropFirst(10)),
            ("the digest in CDATA", "<![CDATA[" + claimed + "]]>"),
            ("upper-case hex", "sha256:" + claimed.dropFirst(7).uppercased()),
            ("a child element", "<X>" + claimed + "</X>"),
        ]
        for (name, replacement) in variants {
            var tampered = text
            tampered.replaceSubrange(seal, with: replacement + "</Integrity>")
            let verified = try XMLReportRenderer.verifyIntegrity(Data(tampered.utf8))
            // xmlNodeGetContent reads through comments, CDATA and children: the seal still holds.
            let holds = ["the digest split by a comment", "the digest in CDATA", "a child element"].contains(name)
            #expect(verified == holds, "\(name)")
        }
        let twice = text.replacingOccurrences(of: "<Findings", with: "<Integrity algorithm=\"x\"/><Findings")
        #expect(try XMLReportRenderer.verifyIntegrity(Data(twice.utf8)) == false)
        let relative = text.replacingOccurrences(of: "<Findings", with: "<Findings xmlns:r=\"relative\"")
        #expect(throws: ReportsError.self) { try XMLReportRenderer.verifyIntegrity(Data(relative.utf8)) }
    }

    /// The second validation that names the offending element: silent on a valid report, and the
    /// same element paths as a tree gives for the first violation.
    @Test func violationsAreLocatedFromSAXEvents() async throws {
        let written = try XMLReportRenderer.write(try await XMLSupport.model())
        let schema = try XMLSchema(contentsOf: XMLSupport.schema)
        let valid = try #require(schema.locateViolations(in: written))
        #expect(valid.log.count == 0, "\(valid.log.summary)")
        #expect(valid.firstPath == nil)
        let text = String(decoding: written, as: UTF8.self)
        let broken = try #require(text.range(of: "</Findings>"))
        var invalid = text
        invalid.replaceSubrange(broken, with: "<Unexpected/></Findings>")
        let located = try #require(schema.locateViolations(in: Data(invalid.utf8)))
        #expect(located.firstPath == "/DRReport/Findings/Unexpected")
        #expect(located.log.entries.first?.message.contains("Unexpected") == true)
        let tree = try XMLTree(parsing: Data(invalid.utf8), source: "report.xml", failure: .output)
        do {
            try schema.validate(tree, source: "report.xml")
            Issue.record("the tree validated")
        } catch {
            #expect(error.path == located.firstPath)
            #expect(error.line == located.log.entries.first?.line)
        }
    }

    /// The validation `render` runs beside the digest: silent on a valid report; on an invalid one the
    /// same error, line and element path as validating the parsed tree gives.
    @Test func streamedValidationMatchesTheTree() async throws {
        let written = try XMLReportRenderer.write(try await XMLSupport.model())
        let schema = try XMLSchema(contentsOf: XMLSupport.schema)
        try schema.validate(written, source: "report.xml")
        let text = String(decoding: written, as: UTF8.self)
        let scope = try #require(text.range(of: "</Scope>"))
        var invalid = text
        invalid.replaceSubrange(scope, with: "<Stray>1</Stray></Scope>")
        let bytes = Data(invalid.utf8)
        let streamed = #expect(throws: ReportsError.self) { try schema.validate(bytes, source: "report.xml") }
        let tree = try XMLTree(parsing: bytes, source: "report.xml", failure: .output)
        let whole = #expect(throws: ReportsError.self) { try schema.validate(tree, source: "report.xml") }
        #expect(streamed?.code == .schemaViolation)
        #expect(streamed?.path == "/DRReport/Scope/Stray")
        #expect(streamed?.path == whole?.path)
        #expect(streamed?.line == whole?.line)
    }

    // MARK: - Hand-written documents

    static let tricky: [(name: String, xml: String)] = [
        (
            "declaration, PIs and comments outside the root",
            "<?xml version=\"1.0\"?>\n<?before  data ?>\n<!-- c -->\n<r xmlns=\"urn:a\"><e/></r>\n<?after?>\n<!-- z -->\n"
                + "<?last x?>"
        ),
        ("PIs inside the root", "<r><?inside  data with  spaces ?><?empty?><a><?p q?></a></r>"),
        ("whitespace outside the root", "\n\n  <r> <a/> \n</r>  \n\n"),
        ("empty elements", "<r><b/><c></c><d> </d><e\n/></r>"),
        ("comments inside", "<r>a<!-- x -->b<!---->c</r>"),
        (
            "prefixed namespaces",
            "<p:r xmlns:p=\"http://example.com/p\" xmlns:q=\"urn:q\"><p:a q:x=\"1\"/><q:b/><c/></p:r>"
        ),
        (
            "nested redeclarations",
            "<p:a xmlns:p=\"http://x/1\"><p:b xmlns:p=\"http://x/2\"><p:c xmlns:p=\"http://x/1\"><p:d/></p:c></p:b></p:a>"
        ),
        (
            "the same declaration repeated",
            "<a xmlns=\"http://d\"><b xmlns=\"http://d\"><c xmlns=\"http://d\"/></b></a>"
        ),
        (
            "default namespace undeclared",
            "<a xmlns=\"http://d\"><b xmlns=\"\"><c/><d xmlns=\"http://d\"><e xmlns=\"\"/></d></b><f/></a>"
        ),
        ("xmlns=\"\" without a default in scope", "<a><b xmlns=\"\"><c/></b></a>"),
        (
            "default undeclared under a prefixed element",
            "<a xmlns=\"http://d\"><p:b xmlns:p=\"http://p\" xmlns=\"\"><c/></p:b></a>"
        ),
        (
            "default not used by the prefixed root",
            "<p:r xmlns:p=\"http://p\" xmlns=\"http://d\"><e/><p:f><g/></p:f></p:r>"
        ),
        ("unused declarations", "<a xmlns:u=\"http://unused\" xmlns:v=\"http://v\"><b v:x=\"1\"/><v:c/></a>"),
        (
            "attributes in several namespaces",
            "<a xmlns:z=\"http://a\" xmlns:b=\"http://z\" b:c=\"1\" z:d=\"2\" e=\"3\" z:a=\"4\" b:a=\"5\" f=\"6\" A=\"7\"/>"
        ),
        (
            "one URI, two prefixes",
            "<a xmlns:p=\"http://s\" xmlns:q=\"http://s\"><p:b q:y=\"1\" p:x=\"2\"/><q:c p:z=\"3\"/></a>"
        ),
        ("xml: attributes", "<a xml:lang=\"en\"><b xml:space=\"preserve\" lang=\"x\" xml:id=\"i\"/></a>"),
        ("CDATA", "<a><![CDATA[<&>\"' ]] ]]]]><![CDATA[>]]>x<![CDATA[]]></a>"),
        (
            "CR, TAB, LF in attributes",
            "<a x=\"&#xD;&#x9;&#xA;\" y=\"a&gt;b&lt;c&amp;d&quot;e\" z='single \"quote\" &apos;' w=\"raw\ttab\nlf\"/>"
        ),
        ("> in attributes", "<a x=\">\" y=\"&gt;&gt;\" z=\"]]>\"/>"),
        ("text with references", "<a>line&#xD;\nnext &gt; &lt; &amp; \" ' &#x9;tab ]]&gt; &#13;</a>"),
        ("non-ASCII", "<a é=\"ü\" b=\"日本\">日本語 😀 &#x10FFFF; &#xE9; ñ</a>"),
        ("a byte order mark", "\u{FEFF}<a>x</a>"),
        (
            "an Integrity child of the root",
            "<DRReport xmlns=\"urn:drreport:report:1\">\n  <A>a</A>\n  <Integrity algorithm=\"x\">sha256:00</Integrity>\n"
                + "</DRReport>\n"
        ),
        (
            "an Integrity with content and a prefix",
            "<DRReport xmlns=\"urn:drreport:report:1\" xmlns:q=\"urn:drreport:report:1\">\n  <A/>\n"
                + "  <q:Integrity algorithm=\"x\">a<B>b<!--c--></B><?pi?>d<![CDATA[e]]></q:Integrity>\n  <Z/></DRReport>"
        ),
        ("an empty Integrity", "<DRReport xmlns=\"urn:drreport:report:1\"><Integrity/><A/></DRReport>"),
        (
            "an Integrity elsewhere stays",
            "<DRReport xmlns=\"urn:drreport:report:1\"><A><Integrity>x</Integrity></A>"
                + "<Integrity xmlns=\"urn:other\">y</Integrity></DRReport>"
        ),
        ("an Integrity as the root stays", "<Integrity xmlns=\"urn:drreport:report:1\"><A/></Integrity>"),
        ("an undeclared element prefix", "<a><p:b/></a>"),
        ("undeclared attribute prefixes", "<a p:x=\"1\" q:y=\"2\" z=\"3\"/>"),
        (
            "one attribute twice through two prefixes",
            "<a xmlns:p=\"http://s\" xmlns:q=\"http://s\" q:x=\"1\" p:x=\"2\" r=\"3\"/>"
        ),
        ("a namespace URI with an ampersand", "<a xmlns:p=\"http://x/?a=1&amp;b=2\"><p:b/></a>"),
        ("deep nesting", String(repeating: "<a>", count: 200) + "x" + String(repeating: "</a>", count: 200)),
        ("a long text", "<a>" + String(repeating: "ab&amp;c<![CDATA[<d>]]>é\n", count: 40_000) + "</a>"),
        (
            "long attributes",
            "<a x=\"" + String(repeating: "&#xD;&#x9;&quot;é", count: 30_000) + "\"><b y=\""
                + String(repeating: "z", count: 100_000) + "\"/></a>"
        ),
        (
            "many siblings after a long text",
            "<a>" + String(repeating: "t", count: 70_000) + "<b/>" + String(repeating: "u", count: 70_000)
                + String(repeating: "<c>v</c>", count: 5_000) + "</a>"
        ),
    ]

    @Test(arguments: tricky.indices)
    func aTrickyDocumentCanonicalisesAsLibXML2Does(index: Int) throws {
        let (name, xml) = Self.tricky[index]
        try Self.expectSameCanonicalForm(Data(xml.utf8), name)
    }

    @Test func otherEncodingsCanonicaliseAsLibXML2Does() throws {
        var latin1 = Data("<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a b=\"".utf8)
        latin1.append(contentsOf: [0xE9, 0x22, 0x3E, 0xFC])
        latin1.append(contentsOf: Array("</a>".utf8))
        try Self.expectSameCanonicalForm(latin1, "ISO-8859-1")
        let utf16 = try #require("<?xml version=\"1.0\" encoding=\"UTF-16\"?><a>é 日本</a>".data(using: .utf16))
        try Self.expectSameCanonicalForm(utf16, "UTF-16")
        #expect(try Self.streamed(latin1) == Data("<a b=\"é\">ü</a>".utf8))
    }

    @Test func theCanonicalFormIsWhatTheStandardSays() throws {
        let xml = """
            <?xml version="1.0"?>
            <?pi  a?>
            <p:r xmlns:p="http://p" xmlns:q="http://q" xmlns="http://d" z="1" q:b="2" a="3"><e x="&#xD;&#9;&#xA;&lt;&gt;&amp;&quot;"/>a&#xD;&lt;&gt;&amp;"'<![CDATA[<>]]><q:f/><g xmlns=""/></p:r>
            <!-- c -->
            <?end?>
            """
        let expected =
            "<?pi a?>\n<p:r xmlns:p=\"http://p\" xmlns:q=\"http://q\" a=\"3\" z=\"1\" q:b=\"2\">"
            + "<e xmlns=\"http://d\" x=\"&#xD;&#x9;&#xA;&lt;>&amp;&quot;\"></e>a&#xD;&lt;&gt;&amp;\"'&lt;&gt;<q:f></q:f>"
            + "<g></g></p:r>\n<?end?>"
        #expect(String(decoding: try Self.streamed(Data(xml.utf8)), as: UTF8.self) == expected)
    }

    // MARK: - What cannot be canonicalised

    static let refused: [(name: String, xml: String, message: String)] = [
        ("a DOCTYPE", "<!DOCTYPE a [<!ENTITY x \"y\">]><a>&x;</a>", "DOCTYPE"),
        ("an external DOCTYPE", "<!DOCTYPE a SYSTEM \"a.dtd\"><a/>", "DOCTYPE"),
        ("an undefined entity", "<a>&x;</a>", "invalid XML"),
        ("not well-formed", "<a><b></a>", "invalid XML"),
        ("two roots", "<a/><b/>", "invalid XML"),
        ("nothing but a declaration", "<?xml version=\"1.0\"?>", "invalid XML"),
        ("a relative namespace URI", "<a xmlns:p=\"rel/path\"><p:b/></a>", "absolute namespace URI"),
        ("an unused relative namespace URI", "<a><b xmlns:p=\"rel\"/></a>", "absolute namespace URI"),
        ("a relative default namespace", "<a xmlns=\"x\"/>", "absolute namespace URI"),
        ("a namespace URI that is no URI", "<a xmlns:p='http://x/\"y'><p:b/></a>", "absolute namespace URI"),
    ]

    @Test(arguments: refused.indices)
    func whatLibXML2RefusesIsRefused(index: Int) throws {
        let (name, xml, message) = Self.refused[index]
        do {
            _ = try Self.streamed(Data(xml.utf8))
            Issue.record("\(name) was canonicalised")
        } catch let error as ReportsError {
            #expect(error.code == .invalidBundle, "\(name)")
            #expect(error.message.contains(message), "\(name): \(error.message)")
        }
        // libxml2 refuses it too, when parsing or when canonicalising.
        #expect(throws: (any Error).self, "\(name)") { try XMLTreeReference.canonicalForm(of: Data(xml.utf8)) }
    }

    @Test func anEmptyDocumentIsRefused() {
        #expect(throws: ReportsError.self) { try Self.streamed(Data()) }
    }

    // MARK: - Random documents

    @Test func randomDocumentsCanonicaliseAsLibXML2Does() async {
        await propertyCheck(count: 300, input: Gen.uint64(in: 0...UInt64.max)) { seed in
            var random = SplitMix(state: seed)
            let xml = RandomDocument.make(&random)
            do {
                let reference = try XMLTreeReference.canonicalForm(of: Data(xml.utf8))
                let stream = try Self.streamed(Data(xml.utf8))
                #expect(stream == reference, "seed \(seed): \(xml.prefix(400))")
            } catch {
                Issue.record("seed \(seed): \(error) for \(xml.prefix(400))")
            }
        }
    }
}

/// Random well-formed documents with special characters in text and attribute values, several
/// namespaces (declared, redeclared, undeclared), CDATA, processing instructions and comments.
enum RandomDocument {
    static let pieces = [
        "a", "Z", " ", "  ", "&amp;", "&lt;", "&gt;", "&quot;", "&apos;", "\"", "'", ">", "]]&gt;", "]]", "&#xD;",
        "&#13;", "&#x9;", "&#xA;", "\t", "\n", "é", "日本", "😀", "&#x10FFFF;", "&#xE9;", "\u{7F}", "\u{85}", "\u{2028}",
    ]
    static let namespaces = [
        ("p", "http://example.com/p"), ("q", "urn:q"), ("p", "urn:other-p"), ("r", "http://example.com/p"),
        ("", "http://example.com/d"), ("", ""),
    ]

    static func make(_ random: inout SplitMix) -> String {
        var xml = random.below(2) == 0 ? "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" : ""
        if random.below(3) == 0 { xml += "<?before \(text(&random, markup: false))?>\n<!-- c -->\n" }
        xml += element(&random, depth: 0, declared: [])
        if random.below(3) == 0 { xml += "\n<?after x?>\n<!-- d -->" }
        return xml
    }

    static func text(_ random: inout SplitMix, markup: Bool = true) -> String {
        var text = ""
        for _ in 0..<random.below(8) {
            let piece = pieces[random.below(pieces.count)]
            // A processing instruction holds no references; `?>` cannot appear either.
            text +=
                markup ? piece : piece.replacingOccurrences(of: "&", with: "+").replacingOccurrences(of: ">", with: ")")
        }
        return text
    }

    static func element(_ random: inout SplitMix, depth: Int, declared: Set<String>) -> String {
        var declared = declared
        var declarations = ""
        for _ in 0..<random.below(3) {
            let (prefix, uri) = namespaces[random.below(namespaces.count)]
            let attribute = prefix.isEmpty ? "xmlns" : "xmlns:\(prefix)"
            guard !declarations.contains(" \(attribute)="), !(prefix != "" && uri.isEmpty) else { continue }
            declarations += " \(attribute)=\"\(uri)\""
            if !prefix.isEmpty { declared.insert(prefix) }
        }
        let prefixes = Array(declared).sorted()
        let prefix = !prefixes.isEmpty && random.below(2) == 0 ? prefixes[random.below(prefixes.count)] + ":" : ""
        let name = prefix + ["a", "b", "Integrity", "c"][random.below(4)]
        var attributes = ""
        var used = Set<String>()
        for _ in 0..<random.below(4) {
            let local = ["x", "y", "z", "algorithm"][random.below(4)]
            let attributePrefix =
                !prefixes.isEmpty && random.below(2) == 0 ? prefixes[random.below(prefixes.count)] : ""
            let key = attributePrefix.isEmpty ? local : "\(attributePrefix):\(local)"
            guard !used.contains(key) else { continue }
            used.insert(key)
            let value = text(&random).replacingOccurrences(of: "\"", with: "&quot;")
            attributes += " \(key)=\"\(value)\""
        }
        var content = ""
        if depth < 4 {
            for _ in 0..<random.below(5) {
                switch random.below(6) {
                case 0, 1:
                    // Neither `]]>` inside nor across two texts in a row.
                    let piece = text(&random).replacingOccurrences(of: "]]>", with: "]]&gt;")
                    content += piece.hasSuffix("]") ? piece + "." : piece
                case 2:
                    content +=
                        "<![CDATA[" + text(&random, markup: false).replacingOccurrences(of: "]]", with: "] ]") + "]]>"
                case 3:
                    content +=
                        random.below(2) == 0 ? "<?pi \(text(&random, markup: false))?>" : "<!-- \(random.below(9)) -->"
                default: content += element(&random, depth: depth + 1, declared: declared)
                }
            }
        }
        if content.isEmpty && random.below(2) == 0 { return "<\(name)\(declarations)\(attributes)/>" }
        return "<\(name)\(declarations)\(attributes)>\(content)</\(name)>"
    }
}
