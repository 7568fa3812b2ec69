import Events
import Foundation
import Verification


/// Run size and seed, overridable from the environment (`FUZZ_SEED`, `FUZZ_SCALE`) for a longer local run.
enum FuzzSettings {
    static var seed: UInt64 {
        ProcessInfo.processInfo.environment["FUZZ_SEED"].flatMap(UInt64.init) ?? 20_261_124
    }

    /// Multiplies every test's iteration count; 1 in CI.
    static var scale: Int {
        max(1, ProcessInfo.processInfo.environment["FUZZ_SCALE"].flatMap(Int.init) ?? 1)
    }
}

/// A JSON tree with ordered members and repeated names allowed, so mutations can build any document, duplicates included.
indirect enum Node: Equatable {
    case null
    case bool(Bool)
    case number(String)
    case string(String)
    case array([Node])
    case object([(String, Node)])

    static func == (lhs: Node, rhs: Node) -> Bool {
        String(decoding: lhs.serialized(), as: UTF8.self) == String(decoding: rhs.serialized(), as: UTF8.self)
    }

    init(_ value: JSONValue) {
        switch value {
        case .null: self = .null
        case .bool(let flag): self = .bool(flag)
        case .number(let literal): self = .number(literal)
        case .string(let text): self = .string(text)
        case .array(let elements): self = .array(elements.map(Node.init))
        case .object(let object): self = .object(object.keys.map { ($0, Node(object.members[$0]!)) })
        }
    }

    func serialized() -> [UInt8] {
        var bytes: [UInt8] = []
        write(to: &bytes)
        return bytes
    }

    private func write(to bytes: inout [UInt8]) {
        switch self {
        case .null: bytes += Array("null".utf8)
        case .bool(let flag): bytes += Array((flag ? "true" : "false").utf8)
        case .number(let literal): bytes += Array(literal.utf8)
        case .string(let text): JSONStringLiteral.append(text, to: &bytes)
        case .array(let elements):
            bytes.append(UInt8(ascii: "["))
            for (index, element) in elements.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                element.write(to: &bytes)
            }
            bytes.append(UInt8(ascii: "]"))
        case .object(let members):
            bytes.append(UInt8(ascii: "{"))
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { bytes.append(UInt8(ascii: ",")) }
                JSONStringLiteral.append(key, to: &bytes)
                bytes.append(UInt8(ascii: ":"))
                value.write(to: &bytes)
            }
            bytes.append(UInt8(ascii: "}"))
        }
    }

    /// Every node's path, as indexes into arrays and members.
    func paths(prefix: [Int] = []) -> [[Int]] {
        var result = [prefix]
        switch self {
        case .array(let elements):
            for (index, element) in elements.enumerated() { result += element.paths(prefix: prefix + [index]) }
        case .object(let members):
            for (index, member) in members.enumerated() { result += member.1.paths(prefix: prefix + [index]) }
        default: break
        }
        return result
    }

    func node(at path: [Int]) -> Node {
        guard let first = path.first else { return self }
        switch self {
        case .array(let elements): return elements[first].node(at: Array(path.dropFirst()))
        case .object(let members): return members[first].1.node(at: Array(path.dropFirst()))
        default: return self
        }
    }

    func replacing(at path: [Int], with node: Node?) -> Node {
        guard let first = path.first else { return node ?? .null }
        let rest = Array(path.dropFirst())
        switch self {
        case .array(var elements):
            if rest.isEmpty, node == nil { elements.remove(at: first) } else { elements[first] = elements[first].replacing(at: rest, with: node) }
            return .array(elements)
        case .object(var members):
            if rest.isEmpty, node == nil { members.remove(at: first) } else { members[first].1 = members[first].1.replacing(at: rest, with: node) }
            return .object(members)
        default:
            return self
        }
    }
}

/// Mutations of valid inputs: byte-level damage and structure-aware edits of the JSON tree.
struct Mutator {
    var random: SeededGenerator

    /// Strings that look dangerous or odd; they must be carried as data or refused with a field.
    static let strings = [
        "", " ", "0", "-1", "1.5", "1e3", "null", "true", "NaN", "9999999999999999999999", "2026-02-30", "2026-01-15 25:61:00",
        "1'; DROP TABLE bi.funnel_daily; --", "<script>alert(1)</script>", "\u{0}", "\u{1F600}", "\u{202E}abc", "ａｂｃ",
        "\\", "\"", "a:b:c", String(repeating: "x", count: 300), "\u{FEFF}", "payed", "accepted", "group", "supergroup",
        "transactional_email_status", "getcourse/dealPaid", "delivered", "click", "-1001234567890",
    ]

    static let numbers = ["0", "-0", "1", "-1", "42", "1.5", "-1.5", "1e3", "1E-7", "0.000000000000000000001", "99999999999999999999999",
                          "9223372036854775808", "-9223372036854775809", "253402300800", "1768467822", "3.14159265358979323846264338327950288"]

    static let tokens = ["null", "true", "false", "-0", "1e999", "\"\"", "[]", "{}", "\"\\u0000\"", "\"\\ud800\"", "99999999999999999999999",
                         "\"a\":1,", "0.0000001", " ", ",", ":", "\"", "\\", "{", "[", "]", "}"].map { Array($0.utf8) }

    static let interestingBytes: [UInt8] = [0x22, 0x5C, 0x7B, 0x7D, 0x5B, 0x5D, 0x2C, 0x3A, 0x30, 0x2D, 0x2E, 0x65, 0x00, 0xFF, 0xC3, 0x80, 0x20, 0x0A, 0xEF, 0xBB, 0xBF]

    init(seed: UInt64) { random = SeededGenerator(seed: seed) }

    mutating func int(_ range: Range<Int>) -> Int { Int.random(in: range, using: &random) }
    mutating func chance(_ percent: Int) -> Bool { int(0..<100) < percent }
    mutating func pick<T>(_ items: [T]) -> T { items[int(0..<items.count)] }

    /// One to four byte-level edits.
    mutating func mutateBytes(_ input: [UInt8]) -> [UInt8] {
        var bytes = input
        for _ in 0..<int(1..<5) {
            let position = bytes.isEmpty ? 0 : int(0..<bytes.count)
            switch int(0..<6) {
            case 0 where !bytes.isEmpty: bytes[position] ^= UInt8(1) << UInt8(int(0..<8))
            case 1 where !bytes.isEmpty: bytes[position] = pick(Self.interestingBytes)
            case 2 where !bytes.isEmpty:
                let end = min(bytes.count, position + int(1..<16))
                bytes.removeSubrange(position..<end)
            case 3 where !bytes.isEmpty:
                let end = min(bytes.count, position + int(1..<32))
                bytes.insert(contentsOf: bytes[position..<end], at: position)
            case 4: bytes.insert(contentsOf: pick(Self.tokens), at: position)
            default: if !bytes.isEmpty { bytes.removeLast(int(0..<min(bytes.count, 8) + 1)) }
            }
        }
        return bytes
    }

    /// A random scalar or container, to replace a node with (a type change most of the time).
    mutating func randomNode(depth: Int = 0) -> Node {
        switch int(0..<(depth > 2 ? 4 : 6)) {
        case 0: return .null
        case 1: return .bool(chance(50))
        case 2: return .number(pick(Self.numbers))
        case 3: return .string(pick(Self.strings))
        case 4: return .array((0..<int(0..<3)).map { _ in randomNode(depth: depth + 1) })
        default: return .object((0..<int(0..<3)).map { _ in (pick(Self.strings), randomNode(depth: depth + 1)) })
        }
    }

    /// One to three structure-aware edits: replace a node, drop a member or element, add a member (sometimes a
    /// repeated name), or wrap a node in an array.
    mutating func mutateTree(_ tree: Node) -> Node {
        var tree = tree
        for _ in 0..<int(1..<4) {
            let paths = tree.paths()
            let path = pick(paths)
            let target = tree.node(at: path)
            switch int(0..<6) {
            case 0, 1: tree = tree.replacing(at: path, with: randomNode())
            case 2 where !path.isEmpty: tree = tree.replacing(at: path, with: nil)
            case 3:
                if case .object(var members) = target {
                    let name = chance(30) && !members.isEmpty ? pick(members).0 : pick(Self.strings)
                    members.insert((name, randomNode()), at: int(0..<members.count + 1))
                    tree = tree.replacing(at: path, with: .object(members))
                }
            case 4:
                if case .string = target { tree = tree.replacing(at: path, with: .string(pick(Self.strings))) }
                else if case .number = target { tree = tree.replacing(at: path, with: .number(pick(Self.numbers))) }
            default: tree = tree.replacing(at: path, with: .array([target]))
            }
        }
        return tree
    }

    /// A mutation of a valid JSON document: half byte-level, half structural.
    mutating func mutateJSON(_ input: [UInt8]) -> [UInt8] {
        if chance(50), let value = try? JSONParser.parse(input) {
            return mutateTree(Node(value)).serialized()
        }
        return mutateBytes(input)
    }

    /// A mutation of query parameters: drop, add, or rewrite values.
    mutating func mutateQuery(_ query: [String: String], names: [String]) -> [String: String] {
        var query = query
        for _ in 0..<int(1..<4) {
            switch int(0..<4) {
            case 0 where !query.isEmpty: query.removeValue(forKey: pick(Array(query.keys).sorted()))
            case 1: query[pick(names)] = pick(Self.strings)
            case 2 where !query.isEmpty: query[pick(Array(query.keys).sorted())] = pick(Self.strings)
            default:
                let key = pick(names)
                if let value = query[key] {
                    query[key] = String(decoding: mutateBytes(Array(value.utf8)), as: UTF8.self)
                }
            }
        }
        return query
    }
}
