import Foundation
import Testing

@testable import Reports

/// The field lists Mustache reads the HTML view by (`HTMLView+Mustache.swift`) against the view
/// types' stored properties, as reflection sees them: a property missing from a list would render
/// as empty, one listed but gone would not compile.
@Suite("HTML view field lists")
struct HTMLViewFieldsTests {
    @Test("every view type in the sample quarter's page lists exactly its stored properties")
    func fieldListsMatchStoredProperties() async throws {
        let view = HTMLView(try await HTMLFixtures.sampleModel())
        var checked: Set<String> = []
        func walk(_ value: Any) {
            let mirror = Mirror(reflecting: value)
            if let fielded = value as? any MustacheFields {
                let type = String(reflecting: Swift.type(of: value))
                if checked.insert(type).inserted {
                    let labels = Set(mirror.children.compactMap(\.label))
                    #expect(Set(Self.names(of: fielded)) == labels, "\(type)")
                }
            }
            for child in mirror.children { walk(child.value) }
        }
        walk(view)
        // The page's sections, rows and their parts: all of them met at least once in the sample quarter.
        #expect(checked.count >= 40, "\(checked.sorted())")
    }

    static func names<T: MustacheFields>(of value: T) -> [String] { Array(T.fields.keys) }
}
