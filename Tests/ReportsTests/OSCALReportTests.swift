import Foundation
import FoundationXML
import Testing

@testable import Evidence
@testable import Reports

/// oscal-ar.xml of the sample quarter: valid against NIST's assessment-results XSD (read from
/// ../shared/reference/oscal, never copied), the same findings, evidence and waivers as the model,
/// deterministic UUIDs and bytes.
@Suite("oscal-ar.xml")
struct OSCALReportTests {
    /// Validates with drreport's libxml2 schema validator; the NIST schema is compiled like ours.
    private func validate(_ data: Data, version: String) throws {
        let schema = try XMLSchema(contentsOf: XMLSupport.nistSchema(version))
        try schema.validate(
            try XMLTree(parsing: data, source: "oscal-ar.xml", failure: .output), source: "oscal-ar.xml")
    }

    @Test(.enabled(if: XMLSupport.referencesPresent || XMLSupport.isCI, "../shared/reference/oscal is missing"))
    func theNISTSchemasImportNothing() throws {
        for version in ["1.0.6", "1.2.2"] {
            let text = try String(contentsOf: XMLSupport.nistSchema(version), encoding: .utf8)
            #expect(!text.contains("<xs:import"), "v\(version) imports a schema")
            #expect(!text.contains("<xs:include"), "v\(version) includes a schema")
            #expect(!text.contains("<xs:redefine"), "v\(version) redefines a schema")
        }
    }

    @Test(.enabled(if: XMLSupport.referencesPresent || XMLSupport.isCI, "../shared/reference/oscal is missing"))
    func theSampleQuarterIsValidOSCAL122() async throws {
        let data = try OSCALRenderer.render(try await XMLSupport.model())
        try validate(data, version: "1.2.2")
    }

    @Test(.enabled(if: XMLSupport.referencesPresent || XMLSupport.isCI, "../shared/reference/oscal is missing"))
    func theSampleQuarterIsValidOSCAL106Too() async throws {
        let data = try OSCALRenderer.render(try await XMLSupport.model())
        try validate(data, version: "1.0.6")
    }

    @Test(.enabled(if: XMLSupport.referencesPresent || XMLSupport.isCI, "../shared/reference/oscal is missing"))
    func anEmptyQuarterIsStillValid() async throws {
        let data = try OSCALRenderer.render(XMLSupport.emptied(try await XMLSupport.model()))
        try validate(data, version: "1.2.2")
        try validate(data, version: "1.0.6")
    }

    @Test(.enabled(if: XMLSupport.referencesPresent || XMLSupport.isCI, "../shared/reference/oscal is missing"))
    func theOfficialExampleValidatesWithTheSameValidator() throws {
        let example = try Data(
            contentsOf: XMLSupport.oscalReference.appendingPathComponent("ifa_assessment-results-example.xml"))
        try validate(example, version: "1.2.2")
    }

    @Test(.enabled(if: XMLSupport.referencesPresent || XMLSupport.isCI, "../shared/reference/oscal is missing"))
    func anInvalidDocumentIsCaught() async throws {
        let data = try OSCALRenderer.render(try await XMLSupport.model())
        let broken = String(decoding: data, as: UTF8.self).replacingOccurrences(
            of: "<method>EXAMINE</method>", with: "")
        do {
            try validate(Data(broken.utf8), version: "1.2.2")
            Issue.record("an observation without a method validated")
        } catch let error as ReportsError {
            #expect(error.code == .schemaViolation)
            #expect(error.path?.hasPrefix("/assessment-results/result/observation") == true, "\(error)")
        }
    }

    @Test func theCountsMatchTheModel() async throws {
        let model = try await XMLSupport.model()
        let document = try XMLSupport.parse(try OSCALRenderer.render(model))
        #expect(document.rootElement()?.uri == "http://csrc.nist.gov/ns/oscal/1.0")
        #expect(try XMLSupport.elements("result", in: document).count == 1)
        #expect(try XMLSupport.elements("finding", in: document).count == model.findings.count)
        #expect(try XMLSupport.elements("observation", in: document).count == model.evidenceIndex.count)
        let waivers = model.findings.compactMap(\.waiver)
        let risks = try XMLSupport.elements("risk", in: document)
        #expect(risks.count == waivers.count)
        #expect(!waivers.isEmpty, "the sample quarter has waivers, applied and refused")
        let riskStatuses = risks.map { $0.elements(forName: "status").first?.stringValue ?? "" }
        #expect(riskStatuses.filter { $0 == "deviation-approved" }.count == waivers.filter(\.applied).count)
        #expect(riskStatuses.filter { $0 == "open" }.count == waivers.filter { !$0.applied }.count)
        #expect(try XMLSupport.elements("associated-risk", in: document).count == waivers.count)
        let states = try XMLSupport.elements("status", in: document).compactMap {
            XMLSupport.attribute("state", of: $0)
        }
        #expect(states.filter { $0 == "satisfied" }.count == model.totals.pass)
        #expect(
            states.filter { $0 == "not-satisfied" }.count == model.totals.fail + model.totals.indeterminate
                + model.totals.waived)
        let related = try XMLSupport.elements("related-observation", in: document)
            .compactMap { $0.parent?.localName == "finding" ? XMLSupport.attribute("observation-uuid", of: $0) : nil }
        #expect(related.count == model.findings.map(\.evidence.count).reduce(0, +))
        let observationUUIDs = Set(
            try XMLSupport.elements("observation", in: document).compactMap { XMLSupport.attribute("uuid", of: $0) })
        #expect(Set(related).isSubset(of: observationUUIDs))
        let lei = try XMLSupport.elements("prop", in: document).first { XMLSupport.attribute("name", of: $0) == "lei" }
        #expect(lei.flatMap { XMLSupport.attribute("value", of: $0) } == "8156000EXAMPLEBNK042")
        #expect(try XMLSupport.elements("last-modified", in: document).first?.stringValue == "2026-10-01T09:00:00Z")
    }

    @Test func uuidsAreUniqueAndVersion5() async throws {
        let document = try XMLSupport.parse(try OSCALRenderer.render(try await XMLSupport.model()))
        let uuids = try document.nodes(forXPath: "//@uuid").compactMap { $0.stringValue }
        #expect(uuids.count > 100)
        #expect(Set(uuids).count == uuids.count)
        for uuid in uuids {
            #expect(
                uuid.range(
                    of: #"^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"#,
                    options: .regularExpression) != nil, "\(uuid)")
        }
    }

    /// Reference values from Python's `uuid.uuid5`, an implementation independent of drreport's.
    @Test func uuidsAreRFC4122Version5() {
        #expect(OSCALUUID.format(OSCALUUID.namespace) == "92347dd2-6bc9-5a87-afc8-1e3dad40f9f6")
        #expect(OSCALUUID.make("party|8156000EXAMPLEBNK042") == "e780387e-282b-5a2b-84fd-bdad50254201")
    }

    @Test func renderingTwiceGivesTheSameBytes() async throws {
        let model = try await XMLSupport.model()
        #expect(try OSCALRenderer.render(model) == OSCALRenderer.render(model))
    }

    @Test func theNormalisedDocumentMatchesItsGoldenFile() async throws {
        let data = try OSCALRenderer.render(try XMLSupport.normalised(try await XMLSupport.model()))
        try XMLSupport.expectGolden(data, named: "oscal-ar.xml")
    }

    @Test func textOSCALCannotCarryIsMadeOneLine() {
        #expect(OSCALRenderer.oneLine("  a\n\tb  c\r\n") == "a b c")
        #expect(OSCALRenderer.oneLine(" \n ") == nil)
        #expect(OSCALRenderer.oneLine("x\u{0}y") == "x\u{FFFD}y")
    }
}
