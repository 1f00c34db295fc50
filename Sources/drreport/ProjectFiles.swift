import Foundation

/// Finds the folders drreport ships beside its sources: `templates/` (report templates and the report
/// schema) and `samples/` (the demo quarter). Looked for, in order: the command-line flag, an
/// environment variable, next to the executable (`.build/<config>/drreport` → the package root;
/// an installed `bin/drreport` → `share/drreport/`), the package the binary was built from, and
/// the current folder.
enum ProjectFiles {
    static func locate(_ folder: String, flag: String?, environment variable: String) -> URL? {
        var candidates: [URL] = []
        if let flag { candidates.append(URL(fileURLWithPath: flag)) }
        if let value = ProcessInfo.processInfo.environment[variable], !value.isEmpty {
            candidates.append(URL(fileURLWithPath: value))
        }
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
        candidates.append(executable.appendingPathComponent("../../\(folder)").standardizedFileURL)
        candidates.append(executable.appendingPathComponent("../share/drreport/\(folder)").standardizedFileURL)
        candidates.append(URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../\(folder)").standardizedFileURL)
        candidates.append(URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(folder))
        if flag != nil { return candidates.first }
        return candidates.first { url in
            var isDirectory: ObjCBool = false
            return FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue
        }
    }
}
