internal import CLibXML2

/// libxml2's one-time set-up, which every type of drreport's modules that calls libxml2 runs first, so
/// that there is one for the process.
///
/// `xmlInitParser` is not reentrant, and libxml2 asks for it to be called once before the library is
/// used from several threads. Without it, libxml2 2.9 fills its table of character encoders the first
/// time a document names an encoding, with no lock: the report's parts, whose writers start their
/// documents on several threads at once, could find that table half-filled and crash.
package enum LibXML2 {
    private static let initialised: Void = { xmlInitParser() }()

    /// Initialises libxml2 on the first call (once per process, whichever thread calls first); returns
    /// at once afterwards.
    package static func initialise() {
        _ = initialised
    }
}
