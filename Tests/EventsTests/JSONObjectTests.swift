@testable import Events
import Testing

/// Objects as the parser builds them: member order, first values of repeated names, lookups by bytes.
@Suite("JSON objects")
struct JSONObjectTests {
    static func object(_ text: String) throws -> JSONObject {
        guard case .object(let object) = try JSONParser.parse(Array(text.utf8)) else {
            Issue.record("not an object: \(text)")
            return JSONObject()
        }
        return object
    }

    @Test("small and large objects: every member found, order kept, the first value of a repeated name wins", arguments: [3, 16, 17, 40])
    func lookups(count: Int) throws {
        let members = (0..<count).map { #""k\#($0)": \#($0)"# }
        // Every name again at the end, with other values: each is a repeat, the first value stays.
        let repeats = (0..<count).map { #""k\#($0)": "again""# }
        let object = try Self.object("{" + (members + repeats).joined(separator: ", ") + "}")
        #expect(object.keys == (0..<count).map { "k\($0)" })
        #expect(object.firstDuplicateKey == "k0")
        for index in 0..<count { #expect(object["k\(index)"] == .number("\(index)")) }
        #expect(object["k\(count)"] == nil && object[""] == nil && object["k"] == nil)
        #expect(object.members.count == count && object.members["k1"] == .number("1"))
    }

    @Test("names are told apart by their bytes: a precomposed and a decomposed é are two names")
    func bytewiseNames() throws {
        for filler in [0, 20] {
            let others = (0..<filler).map { #""f\#($0)": 0, "# }.joined()
            let object = try Self.object("{" + others + "\"caf\u{E9}\": 1, \"cafe\u{301}\": 2}")
            #expect(object.firstDuplicateKey == nil)
            #expect(object["caf\u{E9}"] == .number("1"))
            #expect(object["cafe\u{301}"] == .number("2"))
        }
    }

    @Test("member checks: a repeated allowed name lets no unknown member through, at 3 and at 70 members")
    func memberChecks() throws {
        func check(_ text: String, allowed: [String]) throws -> String? {
            let reader = try ObjectReader(.object(Self.object(text)), path: "data")
            do throws(EventDecodingError) {
                try reader.checkMembers(allowed: allowed)
                return nil
            } catch { return error.problem }
        }
        #expect(try check(#"{"a":1,"b":2,"c":3}"#, allowed: ["c", "a", "b", "z"]) == nil)
        #expect(try check(#"{"a":1,"x":2}"#, allowed: ["a", "a"]) == "unknown field \"x\"")
        #expect(try check(#"{"a":1,"é":2}"#, allowed: ["a", "e\u{301}"]) == "unknown field \"é\"")
        let names = (0..<70).map { "m\($0)" }
        let wide = "{" + names.map { "\"\($0)\":0" }.joined(separator: ",") + "}"
        #expect(try check(wide, allowed: names) == nil)
        #expect(try check(wide, allowed: Array(names.dropLast())) == "unknown field \"m69\"")
    }

    @Test("name hashes: equal for equal bytes, apart for names that differ in one byte, a length or a trailing NUL")
    func nameHashes() {
        var seen: [UInt64: String] = [:]
        var names: Set<String> = ["", "\u{0}", "\u{0}\u{0}", "a", "a\u{0}", "é", "e\u{301}"]
        // Every length around the eight-byte steps, and one-byte changes at each position.
        for length in 0...25 {
            let base = String(repeating: "k", count: length)
            names.insert(base)
            for position in 0..<length {
                var bytes = Array(base.utf8)
                bytes[position] = UInt8(ascii: "j")
                names.insert(String(decoding: bytes, as: UTF8.self))
            }
        }
        for name in names {
            let hash = JSONObject.nameHash(name)
            #expect(JSONObject.nameHash(String(decoding: Array(name.utf8), as: UTF8.self)) == hash)
            if let other = seen[hash] { Issue.record("\(name.debugDescription) and \(other.debugDescription) hash alike") }
            seen[hash] = name
        }
        // A long (not small) string and a bridged substring copy hash by their bytes too.
        let long = String(repeating: "member_", count: 9)
        #expect(JSONObject.nameHash(long) == JSONObject.nameHash(String(long.dropFirst(0))))
    }
}
