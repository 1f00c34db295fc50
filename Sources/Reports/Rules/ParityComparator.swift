import Evidence
import Foundation

/// Compares two Terraform states the way dual-region parity needs (DESIGN §5): managed resources
/// matched by address across all modules; configured attributes ignored; sensitive values never
/// compared nor shown; arrays compared as multisets (Terraform writes sets, and sets of objects come
/// out in hash order); `null`, `[]`, `{}` and an absent attribute all meaning "not set".
public enum ParityComparator {
    /// The longest value text a difference carries.
    static let maximumValueLength = 240

    /// The differences between the primary and the secondary state.
    public static func compare(
        primary: TerraformState, secondary: TerraformState, ignoring ignored: (String) -> [IgnorePath]
    ) -> (compared: Int, differences: [ParityDifference]) {
        let left = primary.resources
        let right = secondary.resources
        let leftPositions = byAddress(left)
        let rightPositions = byAddress(right)
        var differences: [ParityDifference] = []
        var compared = 0
        // A merge of the two address orders: each address once, in UTF-8 order.
        var i = 0
        var j = 0
        while i < leftPositions.count || j < rightPositions.count {
            let order =
                i == leftPositions.count ? 1
                : j == rightPositions.count ? -1 : left[leftPositions[i]].address.utf8Compare(right[rightPositions[j]].address)
            if order < 0 {
                let resource = left[leftPositions[i]]
                differences.append(ParityDifference(kind: .missingInSecondary, address: resource.address, type: resource.type, path: "", primary: "present", secondary: nil))
                i += 1
            } else if order > 0 {
                let resource = right[rightPositions[j]]
                differences.append(ParityDifference(kind: .missingInPrimary, address: resource.address, type: resource.type, path: "", primary: nil, secondary: "present"))
                j += 1
            } else {
                compared += 1
                let first = leftPositions[i]
                let second = rightPositions[j]
                i += 1
                j += 1
                // Most resources are the same in both regions: equal texts need no reading at all.
                if sameText(left[first].valuesText, right[second].valuesText) { continue }
                compareValues(left[first], right[second], paths: ignored(left[first].type), address: left[first].address, into: &differences)
            }
        }
        return (compared, differences)
    }

    /// The positions of the managed resources in address order (UTF-8), the first of a repeated
    /// address kept. States list their resources sorted by address almost always; then this is one
    /// pass, with no sorting and no copying of resources.
    static func byAddress(_ resources: [TerraformResource]) -> [Int] {
        var positions = resources.indices.filter { resources[$0].mode == "managed" }
        var increasing = true
        for k in positions.indices.dropFirst() where resources[positions[k - 1]].address.utf8Compare(resources[positions[k]].address) >= 0 {
            increasing = false
            break
        }
        if increasing { return positions }
        positions.sort { a, b in
            let order = resources[a].address.utf8Compare(resources[b].address)
            return order != 0 ? order < 0 : a < b
        }
        var unique: [Int] = []
        unique.reserveCapacity(positions.count)
        for position in positions where unique.last.map({ resources[$0].address.utf8Compare(resources[position].address) != 0 }) ?? true {
            unique.append(position)
        }
        return unique
    }

    /// How many of the resources are managed (counted in place: a filter would copy each one).
    static func managedCount(_ resources: [TerraformResource]) -> Int {
        var count = 0
        for index in resources.indices where resources[index].mode == "managed" { count += 1 }
        return count
    }

    /// Whether two texts are the same bytes.
    static func sameText(_ a: String, _ b: String) -> Bool {
        guard a.utf8.count == b.utf8.count else { return false }
        return a.utf8Compare(b) == 0
    }

    /// Two resources' values compared attribute by attribute, in key order: an attribute whose bytes
    /// are the same on both sides, or that an ignore path names whole, is not read; only the others
    /// are read as values, stripped of what the paths name below them, normalised and compared.
    static func compareValues(
        _ first: TerraformResource, _ second: TerraformResource, paths: [IgnorePath], address: String,
        into differences: inout [ParityDifference]
    ) {
        var leftText = first.valuesText
        var rightText = second.valuesText
        let compared = leftText.withUTF8 { leftUTF8 in
            rightText.withUTF8 { rightUTF8 in
                let left = UnsafeRawBufferPointer(leftUTF8)
                let right = UnsafeRawBufferPointer(rightUTF8)
                guard let differing = differingMembers(left, right) else { return false }
                for (key, a, b) in differing {
                    if paths.contains(where: { $0.segments.count == 1 && ($0.segments[0] == "*" || $0.segments[0] == key) }) { continue }
                    let matching = paths.filter { $0.segments.first == "*" || $0.segments.first == key }
                    // Most often the member differs only where the paths point (a workspace id inside the
                    // provider block): then it is the same, and neither side need be read.
                    if let a, let b, !matching.isEmpty,
                        sameOutside(matching.map { $0.segments.dropFirst() }, UnsafeRawBufferPointer(rebasing: left[a]), UnsafeRawBufferPointer(rebasing: right[b]))
                    {
                        continue
                    }
                    func value(_ range: Range<Int>?, in buffer: UnsafeRawBufferPointer) -> JSONValue? {
                        guard let range else { return nil }
                        let bytes = UnsafeRawBufferPointer(rebasing: buffer[range])
                        // The text was written by the state parser; if it no longer reads, it still differs.
                        let read = (try? JSONReader.read(bytes)) ?? .string(String(decoding: bytes, as: UTF8.self))
                        return normalise(matching.reduce(read) { removing($1.segments.dropFirst(), from: $0) })
                    }
                    diff(value(a, in: left), value(b, in: right), path: key, address: address, type: first.type, into: &differences)
                }
                return true
            }
        }
        if !compared { compareWhole(first, second, paths: paths, address: address, into: &differences) }
    }

    /// The members of two resources' values whose bytes differ, paired by key in key order (UTF-8);
    /// `nil` when either is not an object. Two resources of one type almost always have the same keys,
    /// in the canonical order the state parser wrote them: then they pair up in place, compared as
    /// bytes, and only the keys of the members that differ become strings. Otherwise the members are
    /// read with the validating reader and paired by ``aligned(_:_:)``.
    static func differingMembers(
        _ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer
    ) -> [(key: String, left: Range<Int>?, right: Range<Int>?)]? {
        func same(_ a: Range<Int>, in x: UnsafeRawBufferPointer, _ b: Range<Int>, in y: UnsafeRawBufferPointer) -> Bool {
            a.count == b.count && x.compareBytes(a, with: b, in: y) == 0
        }
        if let a = JSONReader.canonicalMemberRanges(of: left), let b = JSONReader.canonicalMemberRanges(of: right),
            a.count == b.count,
            a.indices.allSatisfy({ same(a[$0].key, in: left, b[$0].key, in: right) && ($0 == 0 || left.compareBytes(a[$0 - 1].key, with: a[$0].key) < 0) })
        {
            var differing: [(key: String, left: Range<Int>?, right: Range<Int>?)] = []
            for index in a.indices where !same(a[index].value, in: left, b[index].value, in: right) {
                let key = String(decoding: UnsafeRawBufferPointer(rebasing: left[a[index].key]), as: UTF8.self)
                differing.append((key, a[index].value, b[index].value))
            }
            return differing
        }
        guard let a = try? JSONReader.memberRanges(of: left), let b = try? JSONReader.memberRanges(of: right) else { return nil }
        return aligned(a, b).filter { pair in
            guard let x = pair.left, let y = pair.right else { return true }
            return !same(x, in: left, y, in: right)
        }
    }

    /// The members of two objects paired by key, in key order (UTF-8), the first of a repeated key
    /// kept. Two resources of one type almost always list the same keys in the same, sorted order:
    /// then they pair up as written, with no sorting and no lookup.
    static func aligned(
        _ left: [(key: String, range: Range<Int>)], _ right: [(key: String, range: Range<Int>)]
    ) -> [(key: String, left: Range<Int>?, right: Range<Int>?)] {
        func precedes(_ a: String, _ b: String) -> Bool { a.utf8Precedes(b) }
        if left.count == right.count,
            left.indices.allSatisfy({ left[$0].key == right[$0].key && ($0 == 0 || precedes(left[$0 - 1].key, left[$0].key)) })
        {
            return left.indices.map { (left[$0].key, left[$0].range, right[$0].range) }
        }
        func sortedUnique(_ members: [(key: String, range: Range<Int>)]) -> [(key: String, range: Range<Int>)] {
            var seen: Set<String> = []
            return members.filter { seen.insert($0.key).inserted }.sorted { precedes($0.key, $1.key) }
        }
        let a = sortedUnique(left)
        let b = sortedUnique(right)
        var pairs: [(key: String, left: Range<Int>?, right: Range<Int>?)] = []
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && precedes(a[i].key, b[j].key)) {
                pairs.append((a[i].key, a[i].range, nil))
                i += 1
            } else if i == a.count || precedes(b[j].key, a[i].key) {
                pairs.append((b[j].key, nil, b[j].range))
                j += 1
            } else {
                pairs.append((a[i].key, a[i].range, b[j].range))
                i += 1
                j += 1
            }
        }
        return pairs
    }

    /// Two resources' values read whole, stripped, normalised and compared: what
    /// ``compareValues(_:_:paths:address:into:)`` does attribute by attribute.
    static func compareWhole(
        _ first: TerraformResource, _ second: TerraformResource, paths: [IgnorePath], address: String,
        into differences: inout [ParityDifference]
    ) {
        let a = normalise(removing(paths, from: first.values))
        let b = normalise(removing(paths, from: second.values))
        diff(a, b, path: "", address: address, type: first.type, into: &differences)
    }

    // MARK: - Ignoring

    /// Whether two values in canonical text are the same bytes once what the paths name is removed
    /// from both, as ``removing(_:from:)`` removes it: then, read, stripped and normalised, they are
    /// equal too. `false` means only that this walk cannot tell (the shapes differ, a path selects an
    /// array element by position, a key has an escape); the caller then reads the values.
    static func sameOutside(_ paths: [ArraySlice<String>], _ left: UnsafeRawBufferPointer, _ right: UnsafeRawBufferPointer) -> Bool {
        if left.count == right.count, left.compareBytes(0..<left.count, with: 0..<right.count, in: right) == 0 { return true }
        guard !paths.isEmpty, let opening = left.first, opening == right.first else { return false }
        switch opening {
        case UInt8(ascii: "{"):
            guard let a = JSONReader.canonicalMemberRanges(of: left), let b = JSONReader.canonicalMemberRanges(of: right),
                a.count == b.count
            else { return false }
            for index in a.indices {
                let key = UnsafeRawBufferPointer(rebasing: left[a[index].key])
                guard left.compareBytes(a[index].key, with: b[index].key, in: right) == 0 else { return false }
                let below = paths.filter { $0.first == "*" || $0.first.map { $0.utf8.elementsEqual(key) } == true }
                // A path ending at this member removes it from both sides.
                if below.contains(where: { $0.count == 1 }) { continue }
                let first = UnsafeRawBufferPointer(rebasing: left[a[index].value])
                let second = UnsafeRawBufferPointer(rebasing: right[b[index].value])
                if !sameOutside(below.map { $0.dropFirst() }, first, second) { return false }
            }
            return true
        case UInt8(ascii: "["):
            // `*` alone empties both arrays; a position is left to the reader; `*` then more applies the
            // rest to every element, and a name applies whole to every element (a block list).
            if paths.contains(where: { $0.count == 1 && $0.first == "*" }) { return true }
            if paths.contains(where: { $0.first.flatMap { Int($0) } != nil }) { return false }
            guard let a = JSONReader.canonicalElementRanges(of: left), let b = JSONReader.canonicalElementRanges(of: right),
                a.count == b.count
            else { return false }
            let within = paths.map { $0.first == "*" ? $0.dropFirst() : $0 }
            return a.indices.allSatisfy { index in
                sameOutside(within, UnsafeRawBufferPointer(rebasing: left[a[index]]), UnsafeRawBufferPointer(rebasing: right[b[index]]))
            }
        default:
            // Nothing inside a string, number or literal to remove, and the bytes differ.
            return false
        }
    }

    /// The value without the attributes the paths name.
    static func removing(_ paths: [IgnorePath], from value: JSONValue) -> JSONValue {
        paths.reduce(value) { removing($1.segments[...], from: $0) }
    }

    private static func removing(_ segments: ArraySlice<String>, from value: JSONValue) -> JSONValue {
        guard let segment = segments.first else { return value }
        let rest = segments.dropFirst()
        switch value {
        case .object(let object):
            let members = object.members.compactMap { member -> JSONObject.Member? in
                guard segment == "*" || segment == member.key else { return member }
                if rest.isEmpty { return nil }
                return JSONObject.Member(key: member.key, value: removing(rest, from: member.value), line: member.line)
            }
            return .object(JSONObject(members))
        case .array(let elements):
            // `*` or a position selects elements; a name applies to every element (a block list).
            if segment == "*" {
                return rest.isEmpty ? .array([]) : .array(elements.map { removing(rest, from: $0) })
            }
            if let index = Int(segment) {
                guard index >= 0, index < elements.count else { return value }
                var copy = elements
                if rest.isEmpty { copy.remove(at: index) } else { copy[index] = removing(rest, from: copy[index]) }
                return .array(copy)
            }
            return .array(elements.map { removing(segments, from: $0) })
        default:
            return value
        }
    }

    // MARK: - Normalising

    /// `nil` for "not set" (null, empty array, empty object, or an object of unset members).
    static func normalise(_ value: JSONValue) -> JSONValue? {
        switch value {
        case .null:
            return nil
        case .object(let object):
            let members = object.members.compactMap { member in
                normalise(member.value).map { JSONObject.Member(key: member.key, value: $0) }
            }
            return members.isEmpty ? nil : .object(JSONObject(members))
        case .array(let elements):
            let kept = elements.compactMap(normalise)
            return kept.isEmpty ? nil : .array(kept)
        default:
            return value
        }
    }

    // MARK: - Comparing

    static func isSensitive(_ value: JSONValue?) -> Bool {
        value == .string(TerraformResource.sensitiveMarker)
    }

    private static func diff(
        _ a: JSONValue?, _ b: JSONValue?, path: String, address: String, type: String, into differences: inout [ParityDifference]
    ) {
        // Equal values have no difference to list (most attributes, once the ignored paths are gone).
        if a == b || isSensitive(a) || isSensitive(b) { return }
        switch (a, b) {
        case (nil, nil):
            return
        case (.object(let left)?, .object(let right)?):
            diffObjects(left, right, path: path, address: address, type: type, into: &differences)
        case (.object(let left)?, nil):
            diffObjects(left, JSONObject([]), path: path, address: address, type: type, into: &differences)
        case (nil, .object(let right)?):
            diffObjects(JSONObject([]), right, path: path, address: address, type: type, into: &differences)
        case (.array(let left)?, .array(let right)?):
            let (leftovers, rightovers) = unmatched(left, right)
            if leftovers.isEmpty && rightovers.isEmpty { return }
            if leftovers.count == 1, rightovers.count == 1 {
                diff(leftovers[0], rightovers[0], path: path + "[*]", address: address, type: type, into: &differences)
                return
            }
            differences.append(ParityDifference(
                kind: .changed, address: address, type: type, path: path,
                primary: leftovers.isEmpty ? nil : shorten(JSONValue.array(leftovers).canonicalText),
                secondary: rightovers.isEmpty ? nil : shorten(JSONValue.array(rightovers).canonicalText)))
        case (.number(let left)?, .number(let right)?):
            if left != right, Double(left) != Double(right) {
                differences.append(ParityDifference(kind: .changed, address: address, type: type, path: path, primary: left, secondary: right))
            }
        default:
            if a != b {
                differences.append(ParityDifference(
                    kind: .changed, address: address, type: type, path: path,
                    primary: a.map { shorten($0.canonicalText) }, secondary: b.map { shorten($0.canonicalText) }))
            }
        }
    }

    /// The multiset difference of two arrays: the elements of each side that found no equal on the
    /// other, in order; of several equal elements on the right, the first ones are left over. Small
    /// arrays (a resource's access list) are matched by value; larger ones by canonical text.
    static func unmatched(_ left: [JSONValue], _ right: [JSONValue]) -> (left: [JSONValue], right: [JSONValue]) {
        if left.count * right.count <= 256 {
            var taken = Array(repeating: false, count: right.count)
            var leftovers: [JSONValue] = []
            for element in left {
                // The last free equal element: the first ones stay over, as the counting below leaves them.
                if let match = right.indices.last(where: { !taken[$0] && right[$0] == element }) {
                    taken[match] = true
                } else {
                    leftovers.append(element)
                }
            }
            return (leftovers, right.indices.filter { !taken[$0] }.map { right[$0] })
        }
        return unmatchedByText(left, right)
    }

    /// ``unmatched(_:_:)`` counted on canonical text: linear, for arrays too large to match pairwise.
    static func unmatchedByText(_ left: [JSONValue], _ right: [JSONValue]) -> (left: [JSONValue], right: [JSONValue]) {
        var unmatched: [String: Int] = [:]
        for element in right { unmatched[element.canonicalText, default: 0] += 1 }
        var leftovers: [JSONValue] = []
        for element in left {
            let key = element.canonicalText
            if let count = unmatched[key], count > 0 { unmatched[key] = count - 1 } else { leftovers.append(element) }
        }
        var rightovers: [JSONValue] = []
        for element in right {
            let key = element.canonicalText
            if let count = unmatched[key], count > 0 {
                unmatched[key] = count - 1
                rightovers.append(element)
            }
        }
        return (leftovers, rightovers)
    }

    private static func diffObjects(
        _ left: JSONObject, _ right: JSONObject, path: String, address: String, type: String, into differences: inout [ParityDifference]
    ) {
        let keys = Set(left.keys).union(right.keys).sorted { $0.utf8Precedes($1) }
        for key in keys {
            diff(left[key], right[key], path: path.isEmpty ? key : path + "." + key, address: address, type: type, into: &differences)
        }
    }

    static func shorten(_ text: String) -> String {
        text.count > maximumValueLength ? String(text.prefix(maximumValueLength)) + "…" : text
    }
}
