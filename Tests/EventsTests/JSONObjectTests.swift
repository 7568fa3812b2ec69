import Events
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
}
