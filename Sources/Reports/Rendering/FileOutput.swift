import Foundation

/// Putting finished output files in place, and saying in words why a file operation failed.
public enum FileOutput {
    /// Renames the complete file `temporary` to `target` in one step. An existing `target` is replaced
    /// atomically (POSIX `rename`): a reader sees the old file or the new one, never neither.
    /// (`FileManager.replaceItemAt` cannot be used: on Linux it removes the target, then fails.)
    public static func moveIntoPlace(_ temporary: URL, as target: URL) throws(POSIXError) {
        guard rename(temporary.path, target.path) == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
    }

    /// The reason a file operation failed, in words: the POSIX cause (`Not a directory`, `Permission
    /// denied`) that Foundation wraps, rather than a Foundation error code.
    public static func reason(_ error: any Error) -> String {
        let error = error as NSError
        if error.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(error.code))) }
        // On Linux the cause is a Swift `POSIXError`, which a cast to `NSError` from `Any` does not bridge.
        if let cause = error.userInfo[NSUnderlyingErrorKey] as? any Error {
            let cause = cause as NSError
            if cause.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(cause.code))) }
        }
        return error.localizedDescription
    }
}
