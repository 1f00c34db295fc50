internal import CLibXML2
import Foundation

/// Builds XML with libxml2's xmlTextWriter: every text and attribute is escaped by libxml2, and
/// characters XML 1.0 cannot carry (most control characters) are replaced by U+FFFD first, so
/// hostile evidence text can never break the document.
///
/// Owns C pointers and is therefore not `Sendable`; create one per document.
final class XMLWriter {
    private let buffer: xmlBufferPtr
    private let writer: xmlTextWriterPtr
    private var failed = false

    init(indent: Bool = true) throws(ReportsError) {
        guard let buffer = xmlBufferCreate() else {
            throw ReportsError(.output, source: "xml", "libxml2 could not allocate a buffer")
        }
        guard let writer = xmlNewTextWriterMemory(buffer, 0) else {
            xmlBufferFree(buffer)
            throw ReportsError(.output, source: "xml", "libxml2 could not allocate a writer")
        }
        self.buffer = buffer
        self.writer = writer
        if indent {
            xmlTextWriterSetIndent(writer, 1)
            xmlTextWriterSetIndentString(writer, "  ")
        }
        check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nil))
    }

    deinit {
        xmlFreeTextWriter(writer)
        xmlBufferFree(buffer)
    }

    private func check(_ result: Int32) {
        if result < 0 { failed = true }
    }

    /// Opens an element, with a default namespace when given.
    func start(_ name: String, namespace: String? = nil) {
        if let namespace {
            check(xmlTextWriterStartElementNS(writer, nil, name, namespace))
        } else {
            check(xmlTextWriterStartElement(writer, name))
        }
    }

    /// Closes the innermost element.
    func end() {
        check(xmlTextWriterEndElement(writer))
    }

    /// An attribute of the open element; nil writes nothing.
    func attribute(_ name: String, _ value: String?) {
        guard let value else { return }
        check(xmlTextWriterWriteAttribute(writer, name, Self.clean(value)))
    }

    /// A namespace-prefixed attribute such as `xmlns:xsi`.
    func rawAttribute(_ name: String, _ value: String) {
        check(xmlTextWriterWriteAttribute(writer, name, value))
    }

    /// Text content of the open element.
    func text(_ value: String) {
        check(xmlTextWriterWriteString(writer, Self.clean(value)))
    }

    /// `<name>text</name>`; nil writes nothing.
    func element(_ name: String, _ value: String?) {
        guard let value else { return }
        start(name)
        text(value)
        end()
    }

    /// Closes everything and returns the document.
    func finish() throws(ReportsError) -> Data {
        check(xmlTextWriterEndDocument(writer))
        check(xmlTextWriterFlush(writer))
        guard !failed, let content = xmlBufferContent(buffer) else {
            throw ReportsError(.output, source: "xml", "libxml2 failed while writing the document")
        }
        return Data(bytes: content, count: Int(xmlBufferLength(buffer)))
    }

    /// Text with every character XML 1.0 cannot carry replaced by U+FFFD.
    static func clean(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: { !allowed($0) }) else { return text }
        var scalars = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            scalars.append(allowed(scalar) ? scalar : "\u{FFFD}")
        }
        return String(scalars)
    }

    static func allowed(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }
}
