internal import CLibXML2
import Evidence
import Foundation

/// Builds XML with libxml2's xmlTextWriter: every text and attribute is escaped by libxml2, and
/// characters XML 1.0 cannot carry (most control characters) are replaced by U+FFFD first, so
/// hostile evidence text can never break the document.
///
/// The bytes go straight from libxml2's output buffer (a few KiB) into chunks of 32 MiB:
/// a document is held once while it is written, not in a libxml2 buffer and then copied, and never in
/// a buffer that grows by reallocation. ``finish()`` joins the chunks into one `Data`, releasing each
/// once it is copied; ``flushedChunks()`` hands them over as they are.
///
/// Owns C pointers and is therefore not `Sendable`; create one per document.
final class XMLWriter {
    /// How ``text(_:)`` escapes text content. Attribute values are escaped the same way by both.
    enum TextEscaping {
        /// xmlTextWriter's own: `&`, `<`, `>`, `"` and CR become references.
        case writer
        /// As libxml2's tree serialiser (`xmlDocDumpMemory`) writes text: `&`, `<`, `>` and CR become
        /// references, a double quote stays, and an empty text writes nothing (so an element without
        /// text is written `<name/>`). report.xml used to be serialised from a parsed tree; writing it
        /// this way keeps its bytes.
        case serialiser
    }

    /// Where libxml2's output buffer delivers the bytes; the context pointer of the write callback.
    private final class Sink {
        /// The chunks filled so far, and the one being filled.
        var chunks: [Data] = []
        var current = Data(capacity: chunkSize)
        /// A chunk is closed when the next delivery would take it past this size. Each is allocated at
        /// this size, above glibc's largest mmap threshold, so that it is mapped on its own: its pages
        /// are resident only as they are filled, and they go back to the system the moment the chunk
        /// is freed, on whichever thread, instead of staying in that thread's arena.
        static let chunkSize = 1 << 25

        func append(_ bytes: UnsafePointer<UInt8>, count: Int) {
            if !current.isEmpty, current.count + count > Self.chunkSize {
                chunks.append(current)
                current = Data(capacity: Self.chunkSize)
            }
            current.append(bytes, count: count)
        }

        /// Every chunk, moved out.
        func take() -> [Data] {
            if !current.isEmpty { chunks.append(current) }
            current = Data()
            defer { chunks = [] }
            return chunks
        }
    }

    private let sink = Sink()
    private let writer: xmlTextWriterPtr
    private let escaping: TextEscaping
    /// A document whose only use is to tell `xmlEncodeEntitiesReentrant` that the output is UTF-8
    /// (without it, every non-ASCII character would become a character reference); ``TextEscaping/serialiser`` only.
    private let escapingDocument: xmlDocPtr?
    private var failed = false

    init(indent: Bool = true, escaping: TextEscaping = .writer) throws(ReportsError) {
        LibXML2.initialise()
        let output = xmlOutputBufferCreateIO(
            { context, bytes, length in
                guard let context, let bytes, length >= 0 else { return -1 }
                let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
                sink.append(UnsafeRawPointer(bytes).assumingMemoryBound(to: UInt8.self), count: Int(length))
                return length
            }, nil, Unmanaged.passUnretained(sink).toOpaque(), nil)
        guard let output else {
            throw ReportsError(.output, source: "xml", "libxml2 could not allocate an output buffer")
        }
        // The writer owns the output buffer from here on, and closes it when it is freed.
        guard let writer = xmlNewTextWriter(output) else {
            xmlOutputBufferClose(output)
            throw ReportsError(.output, source: "xml", "libxml2 could not allocate a writer")
        }
        self.writer = writer
        self.escaping = escaping
        if escaping == .serialiser {
            guard let document = xmlNewDoc("1.0") else {
                xmlFreeTextWriter(writer)
                throw ReportsError(.output, source: "xml", "libxml2 could not allocate a document")
            }
            document.pointee.encoding = UnsafePointer(xmlStrdup("UTF-8"))
            escapingDocument = document
        } else {
            escapingDocument = nil
        }
        if indent {
            xmlTextWriterSetIndent(writer, 1)
            xmlTextWriterSetIndentString(writer, "  ")
        }
        check(xmlTextWriterStartDocument(writer, "1.0", "UTF-8", nil))
    }

    deinit {
        // Frees the output buffer too; the sink outlives it, as a stored property of `self`.
        xmlFreeTextWriter(writer)
        if let escapingDocument { xmlFreeDoc(escapingDocument) }
    }

    private func check(_ result: Int32) {
        if result < 0 { failed = true }
    }

    /// Opens an element, with a default namespace when given.
    func start(_ name: String, namespace: String? = nil) {
        Self.withXMLChars(name) { name in
            if let namespace {
                check(Self.withXMLChars(namespace) { xmlTextWriterStartElementNS(writer, nil, name, $0) })
            } else {
                check(xmlTextWriterStartElement(writer, name))
            }
        }
    }

    /// Closes the innermost element.
    func end() {
        check(xmlTextWriterEndElement(writer))
    }

    /// An attribute of the open element; nil writes nothing.
    func attribute(_ name: String, _ value: String?) {
        guard let value else { return }
        rawAttribute(name, Self.clean(value))
    }

    /// A namespace-prefixed attribute such as `xmlns:xsi`.
    func rawAttribute(_ name: String, _ value: String) {
        check(Self.withXMLChars(name) { name in Self.withXMLChars(value) { xmlTextWriterWriteAttribute(writer, name, $0) } })
    }

    /// Text content of the open element, escaped as ``TextEscaping`` says.
    func text(_ value: String) {
        guard let escapingDocument else {
            check(Self.withXMLChars(Self.clean(value)) { xmlTextWriterWriteString(writer, $0) })
            return
        }
        guard !value.isEmpty else { return }
        // xmlTextWriterWriteString escapes, then writes raw; this escapes as the serialiser does.
        guard let escaped = Self.withXMLChars(Self.clean(value), { xmlEncodeEntitiesReentrant(escapingDocument, $0) }) else {
            failed = true
            return
        }
        defer { XMLTree.release(escaped) }
        check(xmlTextWriterWriteRaw(writer, escaped))
    }

    /// `<name>text</name>`; nil writes nothing.
    func element(_ name: String, _ value: String?) {
        guard let value else { return }
        start(name)
        text(value)
        end()
    }

    /// Closes everything and returns the document. The writer is spent afterwards.
    func finish() throws(ReportsError) -> Data {
        Self.joined(try finishChunks())
    }

    /// Closes everything and returns the document as its chunks. The writer is spent afterwards.
    func finishChunks() throws(ReportsError) -> [Data] {
        check(xmlTextWriterEndDocument(writer))
        return try flushedChunks()
    }

    /// The bytes written so far as their chunks, leaving the open elements open: a part of a document
    /// whose rest another writer writes. The writer is spent afterwards.
    func flushedChunks() throws(ReportsError) -> [Data] {
        check(xmlTextWriterFlush(writer))
        guard !failed else {
            throw ReportsError(.output, source: "xml", "libxml2 failed while writing the document")
        }
        return sink.take()
    }

    /// Chunks joined into one `Data` allocated at its size, each chunk released once copied: memory
    /// holds the document and the chunks not yet copied.
    static func joined(_ chunks: consuming [Data]) -> Data {
        if chunks.count == 1 { return chunks[0] }
        var document = Data(capacity: chunks.reduce(0) { $0 + $1.count })
        for index in chunks.indices {
            let chunk = chunks[index]
            chunks[index] = Data()
            document.append(chunk)
        }
        return document
    }

    /// `text` as the NUL-terminated UTF-8 libxml2 takes (`const xmlChar *`). A native string is passed
    /// where its bytes lie: handing libxml2 a `String` as such copies it into a new array for each of a
    /// report's hundreds of thousands of names, texts and attributes.
    private static func withXMLChars<T>(_ text: String, _ body: (UnsafePointer<xmlChar>) -> T) -> T {
        text.withCString { chars in
            chars.withMemoryRebound(to: xmlChar.self, capacity: text.utf8.count + 1, body)
        }
    }

    /// Text with every character XML 1.0 cannot carry replaced by U+FFFD.
    static func clean(_ text: String) -> String {
        // Almost every text is printable ASCII, which XML carries whole: its bytes say so without
        // decoding a scalar.
        let printable = text.utf8.withContiguousStorageIfAvailable { bytes in
            bytes.allSatisfy { ($0 >= 0x20 && $0 < 0x80) || $0 == 0x9 || $0 == 0xA || $0 == 0xD }
        }
        if printable == true { return text }
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
