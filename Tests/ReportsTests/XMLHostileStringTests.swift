import Foundation
import FoundationXML
import Testing

@testable import Evidence
@testable import Reports

/// Evidence text is untrusted: markup, a CDATA terminator, ampersands and characters XML cannot
/// carry in every string of the model must leave both documents well-formed, valid and faithful.
@Suite("XML documents with hostile strings")
struct XMLHostileStringTests {
    /// The bytes contain no markup or character that came from the hostile text unescaped.
    private func expectNothingRaw(_ data: Data, _ name: String) {
        let text = String(decoding: data, as: UTF8.self)
        #expect(!text.contains("<script"), "\(name) carries a raw <script")
        #expect(!text.contains("<img"), "\(name) carries a raw <img")
        #expect(!text.contains("\"><"), "\(name) carries an attribute break-out")
        #expect(
            !data.contains(0x00) && !data.contains(0x1B) && !data.contains(0x07), "\(name) carries a control character")
        #expect(!text.unicodeScalars.contains("\u{FFFE}"), "\(name) carries U+FFFE")
        #expect(text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(text.contains("]]&gt;"))
        #expect(text.contains("\u{FFFD}\u{FFFD}\u{FFFD}\u{FFFD} x"))
    }

    @Test func cleaningKeepsWhatXMLCarriesAndReplacesTheRest() {
        #expect(XMLWriter.clean("plain ASCII, tab\t, newline\n, return\r, delete\u{7F}") == "plain ASCII, tab\t, newline\n, return\r, delete\u{7F}")
        #expect(XMLWriter.clean("bell\u{07} escape\u{1B} nul\u{0}") == "bell\u{FFFD} escape\u{FFFD} nul\u{FFFD}")
        #expect(XMLWriter.clean("région Ω 😀") == "région Ω 😀")
        #expect(XMLWriter.clean("é\u{FFFE}\u{FFFF}\u{1F}") == "é\u{FFFD}\u{FFFD}\u{FFFD}")
        #expect(XMLWriter.clean("") == "")
    }

    @Test func theMutationReachesEveryKindOfString() async throws {
        let (model, strings) = try XMLSupport.hostileModel(try await XMLSupport.model())
        #expect(strings.count > 200)
        let finding = try #require(model.findings.first { $0.details.parity?.differences.isEmpty == false })
        #expect(finding.subject.hasSuffix(XMLSupport.hostile))
        #expect(finding.message.hasSuffix(XMLSupport.hostile))
        #expect(finding.details.parity?.differences.first?.primary?.hasSuffix(XMLSupport.hostile) == true)
        #expect(
            model.evidenceIndex.allSatisfy {
                $0.source.hasSuffix(XMLSupport.hostile) && $0.covers.hasSuffix(XMLSupport.hostile)
            })
        #expect(model.drills.flatMap(\.events).contains { $0.actor?.hasSuffix(XMLSupport.hostile) == true })
        #expect(model.drills.flatMap(\.events).contains { $0.note?.hasSuffix(XMLSupport.hostile) == true })
        #expect(model.findings.compactMap(\.waiver).allSatisfy { $0.reason.hasSuffix(XMLSupport.hostile) })
        #expect(
            model.findings.flatMap { $0.details.dataLoss?.tables ?? [] }.allSatisfy {
                $0.table.hasSuffix(XMLSupport.hostile)
            })
        // What the schemas constrain is left alone.
        #expect(model.header.lei == "8156000EXAMPLEBNK042")
        #expect(model.findings.allSatisfy { FindingStatus(rawValue: $0.status.rawValue) != nil })
    }

    @Test func reportXMLStaysValidAndFaithful() async throws {
        let (model, strings) = try XMLSupport.hostileModel(try await XMLSupport.model())
        // render validates against the shipped schema before returning.
        let data = try XMLReportRenderer.render(model, schema: XMLSupport.schema)
        expectNothingRaw(data, "report.xml")
        #expect(try XMLReportRenderer.verifyIntegrity(data))
        let texts = XMLSupport.texts(of: try XMLSupport.parse(data))
        let missing = strings.filter { !texts.contains(XMLWriter.clean($0)) }
        #expect(missing.isEmpty, "not found verbatim (control characters as U+FFFD): \(missing.sorted().prefix(5))")
    }

    @Test(.enabled(if: XMLSupport.referencesPresent || XMLSupport.isCI, "../shared/reference/oscal is missing"))
    func oscalStaysValidAndFaithful() async throws {
        let (model, _) = try XMLSupport.hostileModel(try await XMLSupport.model())
        let data = try OSCALRenderer.render(model)
        expectNothingRaw(data, "oscal-ar.xml")
        let schema = try XMLSchema(contentsOf: XMLSupport.nistSchema("1.2.2"))
        try schema.validate(
            try XMLTree(parsing: data, source: "oscal-ar.xml", failure: .output), source: "oscal-ar.xml")
        let document = try XMLSupport.parse(data)
        let paragraphs = Set(try XMLSupport.elements("p", in: document).compactMap { $0.stringValue })
        for finding in model.findings {
            #expect(
                paragraphs.contains(XMLWriter.clean(finding.message)),
                "message of \(finding.rule) \(finding.subject.prefix(30))")
        }
        let props = Set(
            try XMLSupport.elements("prop", in: document).compactMap { XMLSupport.attribute("value", of: $0) })
        for finding in model.findings {
            #expect(props.contains(try #require(OSCALRenderer.oneLine(finding.subject))))
        }
        let titles = Set(try XMLSupport.elements("title", in: document).compactMap { $0.stringValue })
        for entry in model.evidenceIndex {
            #expect(titles.contains(XMLWriter.clean(entry.source)))
        }
        let risks = try XMLSupport.elements("risk", in: document).compactMap {
            $0.elements(forName: "description").first?.stringValue
        }
        for waiver in model.findings.compactMap(\.waiver) {
            #expect(risks.contains { $0.contains(XMLWriter.clean(waiver.reason)) }, "waiver \(waiver.id.prefix(12))")
        }
    }

    @Test func bothDocumentsAreStillDeterministic() async throws {
        let (model, _) = try XMLSupport.hostileModel(try await XMLSupport.model())
        #expect(
            try XMLReportRenderer.render(model, schema: XMLSupport.schema)
                == XMLReportRenderer.render(model, schema: XMLSupport.schema))
        #expect(try OSCALRenderer.render(model) == OSCALRenderer.render(model))
    }
}
