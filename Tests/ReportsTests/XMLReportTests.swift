import Crypto
import Foundation
import FoundationXML
import Testing

@testable import Evidence
@testable import Reports

/// report.xml of the sample quarter: valid against the shipped schema (by drreport and by xmllint),
/// sealed by its Integrity digest, deterministic, and equal to its golden file.
@Suite("report.xml")
struct XMLReportTests {
    @Test func theSampleQuarterRendersAndValidatesAgainstTheShippedSchema() async throws {
        let model = try await XMLSupport.model()
        let data = try XMLReportRenderer.render(model, schema: XMLSupport.schema)
        let document = try XMLSupport.parse(data)
        let root = try #require(document.rootElement())
        #expect(root.localName == "DRReport")
        #expect(root.uri == "urn:drreport:report:1")
        let sections = root.children?.compactMap { ($0 as? XMLElement)?.localName } ?? []
        #expect(
            sections == [
                "Header", "RegulatoryBasis", "Scope", "Scenario", "Timeline", "RecoveryResults", "DataIntegrity",
                "RedundancyParity", "ChangeManagement", "Findings", "EvidenceIndex", "Integrity",
            ])
        #expect(try XMLSupport.elements("Finding", in: document).count == model.findings.count)
        #expect(
            try XMLSupport.elements("Evidence", in: document).filter { $0.parent?.localName == "EvidenceIndex" }.count
                == model.evidenceIndex.count)
        let statuses = try XMLSupport.elements("Finding", in: document).map { finding in
            finding.elements(forName: "Status").first?.stringValue ?? ""
        }
        #expect(statuses == model.findings.map(\.status.rawValue))
        let lei = try XMLSupport.elements("LEI", in: document).first?.stringValue
        #expect(lei == "8156000EXAMPLEBNK042")
        // Every instant is UTC.
        for name in ["GeneratedAt", "PeriodStart", "PeriodEnd", "Time", "IngestedAt"] {
            for element in try XMLSupport.elements(name, in: document) {
                #expect(element.stringValue?.hasSuffix("Z") == true, "\(name) \(element.stringValue ?? "") is not UTC")
            }
        }
        #expect(try XMLSupport.elements("PeriodStart", in: document).first?.stringValue == "2026-06-30T22:00:00Z")
    }

    /// One writer over the whole document, section after section: what the parts written on several
    /// cores must join into.
    private func writtenByOneWriter(_ model: ReportModel) throws -> Data {
        let writer = try XMLWriter(escaping: .serialiser)
        let ids = FindingIDs(model.findings)
        writer.start("DRReport", namespace: XMLReportRenderer.namespace)
        XMLReportRenderer.writeHeader(model.header, to: writer)
        XMLReportRenderer.writeRegulatoryBasis(model.regulatoryBasis, to: writer)
        XMLReportRenderer.writeScope(model.scope, to: writer)
        XMLReportRenderer.writeScenario(model.drills, to: writer)
        XMLReportRenderer.writeTimeline(model.drills, to: writer)
        XMLReportRenderer.writeRecoveryResults(model, ids: ids, to: writer)
        XMLReportRenderer.writeDataIntegrity(model, ids: ids, to: writer)
        XMLReportRenderer.writeRedundancyParity(model.parity, ids: ids, to: writer)
        XMLReportRenderer.writeChangeManagement(model.changeManagement, ids: ids, to: writer)
        XMLReportRenderer.writeFindings(model, ids: ids, to: writer)
        XMLReportRenderer.writeEvidenceIndex(model.evidenceIndex, to: writer)
        writer.start("Integrity")
        writer.attribute("algorithm", XMLReportRenderer.integrityAlgorithm)
        writer.text(XMLReportRenderer.placeholder)
        writer.end()
        writer.end()
        return try writer.finish()
    }

    @Test func thePartsWrittenOnSeveralCoresJoinIntoTheBytesOfOneWriter() async throws {
        let model = try await XMLSupport.model()
        let (hostile, _) = try XMLSupport.hostileModel(model)
        for (name, sample) in [("sample", model), ("hostile", hostile), ("empty", XMLSupport.emptied(model))] {
            let joined = try XMLReportRenderer.write(sample)
            let whole = try writtenByOneWriter(sample)
            #expect(joined.count > 1000, "\(name): \(joined.count) bytes")
            #expect(joined == whole, "\(name): \(XMLSupport.firstDifference(expected: whole, actual: joined) ?? "same")")
        }
    }

    @Test func anEmptyQuarterIsStillValidAndSealed() async throws {
        let empty = XMLSupport.emptied(try await XMLSupport.model())
        #expect(empty.noEvidence)
        let data = try XMLReportRenderer.render(empty, schema: XMLSupport.schema)
        #expect(try XMLReportRenderer.verifyIntegrity(data))
        #expect(try XMLSupport.elements("LedgerHead", in: try XMLSupport.parse(data)).isEmpty)
    }

    @Test(.enabled(if: XMLSupport.xmllint != nil || XMLSupport.isCI, "xmllint is not installed (libxml2-utils)"))
    func xmllintValidatesTheSampleQuarterIndependently() async throws {
        let folder = try XMLSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let report = folder.appendingPathComponent("report.xml")
        try XMLReportRenderer.render(try await XMLSupport.model(), schema: XMLSupport.schema).write(to: report)
        let result = try XMLSupport.runXMLLint(["--noout", "--nonet", "--schema", XMLSupport.schema.path, report.path])
        #expect(result.status == 0, "xmllint: \(result.stderr)")
        #expect(result.stderr.contains("validates"))
    }

    @Test func theIntegrityDigestVerifies() async throws {
        let data = try XMLReportRenderer.render(try await XMLSupport.model(), schema: XMLSupport.schema)
        #expect(try XMLReportRenderer.verifyIntegrity(data))
        let document = try XMLSupport.parse(data)
        let seal = try #require(try XMLSupport.elements("Integrity", in: document).first)
        #expect(XMLSupport.attribute("algorithm", of: seal) == XMLReportRenderer.integrityAlgorithm)
        let value = seal.stringValue ?? ""
        #expect(value.range(of: #"^sha256:[0-9a-f]{64}$"#, options: .regularExpression) != nil)
    }

    /// The digest as an auditor recomputes it without drreport: cut the Integrity element out of the
    /// bytes (leaving the whitespace around it), canonicalise with `xmllint --exc-c14n`, SHA-256.
    @Test(.enabled(if: XMLSupport.xmllint != nil || XMLSupport.isCI, "xmllint is not installed (libxml2-utils)"))
    func anAuditorRecomputesTheDigestWithXMLLint() async throws {
        let data = try XMLReportRenderer.render(try await XMLSupport.model(), schema: XMLSupport.schema)
        let text = String(decoding: data, as: UTF8.self)
        let element = try #require(
            text.range(
                of: #"<Integrity algorithm="[^"]*">sha256:[0-9a-f]{64}</Integrity>"#, options: .regularExpression))
        let digest = try #require(text.range(of: #"sha256:[0-9a-f]{64}"#, options: .regularExpression, range: element))
        let claimed = String(text[digest])
        var without = text
        without.removeSubrange(element)
        let folder = try XMLSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("without-integrity.xml")
        try Data(without.utf8).write(to: file)
        let result = try XMLSupport.runXMLLint(["--nonet", "--exc-c14n", file.path])
        #expect(result.status == 0, "xmllint: \(result.stderr)")
        #expect(ContentHash.of(result.stdout).description == claimed)
    }

    @Test func flippingAnyFindingsStatusBreaksTheIntegrity() async throws {
        let model = try await XMLSupport.model()
        let data = try XMLReportRenderer.render(model, schema: XMLSupport.schema)
        let text = String(decoding: data, as: UTF8.self)
        var flipped = 0
        var searchFrom = text.startIndex
        while let finding = text.range(of: "<Finding id=\"", range: searchFrom..<text.endIndex) {
            let open = try #require(text.range(of: "<Status>", range: finding.upperBound..<text.endIndex))
            let close = try #require(text.range(of: "</Status>", range: open.upperBound..<text.endIndex))
            let status = String(text[open.upperBound..<close.lowerBound])
            let other = status == "pass" ? "fail" : "pass"
            var tampered = text
            tampered.replaceSubrange(open.upperBound..<close.lowerBound, with: other)
            #expect(
                try XMLReportRenderer.verifyIntegrity(Data(tampered.utf8)) == false,
                "flipping \(status) of \(text[finding])")
            flipped += 1
            searchFrom = close.upperBound
        }
        #expect(flipped == model.findings.count)
    }

    @Test func aDocumentWithoutAValidSealDoesNotVerify() async throws {
        let data = try XMLReportRenderer.render(try await XMLSupport.model(), schema: XMLSupport.schema)
        let text = String(decoding: data, as: UTF8.self)
        let seal = try #require(text.range(of: #"sha256:[0-9a-f]{64}</Integrity>"#, options: .regularExpression))
        var zeroed = text
        zeroed.replaceSubrange(seal, with: XMLReportRenderer.placeholder + "</Integrity>")
        #expect(try XMLReportRenderer.verifyIntegrity(Data(zeroed.utf8)) == false)
        let otherAlgorithm = text.replacingOccurrences(
            of: XMLReportRenderer.integrityAlgorithm, with: "http://www.w3.org/TR/2001/REC-xml-c14n-20010315")
        #expect(try XMLReportRenderer.verifyIntegrity(Data(otherAlgorithm.utf8)) == false)
        let element = try #require(text.range(of: #"<Integrity [^>]*>[^<]*</Integrity>"#, options: .regularExpression))
        var unsealed = text
        unsealed.removeSubrange(element)
        #expect(try XMLReportRenderer.verifyIntegrity(Data(unsealed.utf8)) == false)
        let whitespace = text.replacingOccurrences(of: "<Findings ", with: "<Findings  ")
        #expect(try XMLReportRenderer.verifyIntegrity(Data(whitespace.utf8)), "attribute whitespace is not content")
        let comment = text.replacingOccurrences(of: "<Findings ", with: "<!-- unsigned --><Findings ")
        #expect(try XMLReportRenderer.verifyIntegrity(Data(comment.utf8)), "comments are outside the canonical form")
    }

    @Test func whatIsNotAReportIsRefused() throws {
        #expect(throws: ReportsError.self) { try XMLReportRenderer.verifyIntegrity(Data("not xml".utf8)) }
        #expect(throws: ReportsError.self) { try XMLReportRenderer.verifyIntegrity(Data()) }
        let other = #"<?xml version="1.0"?><Other xmlns="urn:drreport:report:1"/>"#
        #expect(throws: ReportsError.self) { try XMLReportRenderer.verifyIntegrity(Data(other.utf8)) }
        let doctype =
            #"<?xml version="1.0"?><!DOCTYPE DRReport [<!ENTITY x "y">]>"#
            + #"<DRReport xmlns="urn:drreport:report:1">&x;</DRReport>"#
        do {
            _ = try XMLReportRenderer.verifyIntegrity(Data(doctype.utf8))
            Issue.record("a DOCTYPE was accepted")
        } catch {
            #expect(error.code == .invalidBundle)
            #expect(error.message.contains("DOCTYPE"))
        }
    }

    @Test func renderingTwiceGivesTheSameBytes() async throws {
        let model = try await XMLSupport.model()
        let first = try XMLReportRenderer.render(model, schema: XMLSupport.schema)
        let second = try XMLReportRenderer.render(model, schema: XMLSupport.schema)
        #expect(first == second)
    }

    @Test func theNormalisedReportMatchesItsGoldenFile() async throws {
        let model = try XMLSupport.normalised(try await XMLSupport.model())
        let data = try XMLReportRenderer.render(model, schema: XMLSupport.schema)
        #expect(
            !String(decoding: data, as: UTF8.self).contains(
                try #require(try await XMLSupport.model().header.ledgerHead).hex))
        try XMLSupport.expectGolden(data, named: "report.xml")
    }

    @Test(arguments: [
        (#"<xs:pattern value="[A-Z0-9]{20}"/>"#, #"<xs:pattern value="[0-9]{20}"/>"#, "/DRReport/Header/LEI", "LEI"),
        (
            #"<xs:pattern value="F-\d{4,}"/>"#, #"<xs:pattern value="G-\d{4,}"/>"#,
            "/DRReport/RecoveryResults/Recovery[1]/RTO", "attribute 'finding'"
        ),
    ])
    func aSchemaTheReportViolatesIsASchemaViolationNamingTheElement(
        pattern: String, tightened replacement: String, path: String, name: String
    ) async throws {
        let folder = try XMLSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let original = try String(contentsOf: XMLSupport.schema, encoding: .utf8)
        let tightened = original.replacingOccurrences(of: pattern, with: replacement)
        #expect(tightened != original)
        let schema = folder.appendingPathComponent("tightened.xsd")
        try Data(tightened.utf8).write(to: schema)
        let model = try await XMLSupport.model()
        do {
            _ = try XMLReportRenderer.render(model, schema: schema)
            Issue.record("the report passed a schema that rejects its \(name)")
        } catch {
            #expect(error.code == .schemaViolation)
            #expect(error.path == path)
            #expect(error.message.contains(name))
            #expect(error.message.contains("pattern"))
            #expect(error.message.contains("tightened.xsd"))
            #expect(error.line != nil)
        }
    }

    @Test func aMissingOrBrokenSchemaIsAnInvalidTemplate() async throws {
        let model = try await XMLSupport.model()
        let folder = try XMLSupport.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = folder.appendingPathComponent("missing.xsd")
        let garbage = folder.appendingPathComponent("garbage.xsd")
        try Data("<xs:schema".utf8).write(to: garbage)
        let notSchema = folder.appendingPathComponent("not-a-schema.xsd")
        try Data(#"<?xml version="1.0"?><schema xmlns="urn:other"/>"#.utf8).write(to: notSchema)
        for schema in [missing, garbage, notSchema] {
            do {
                _ = try XMLReportRenderer.render(model, schema: schema)
                Issue.record("rendered with \(schema.lastPathComponent)")
            } catch {
                #expect(error.code == .invalidTemplate, "\(schema.lastPathComponent): \(error)")
                #expect(error.source.hasSuffix(schema.lastPathComponent))
            }
        }
    }
}
