import Normalizers
import Testing

@Suite struct FormQueryTests {
    /// (query, expected parameters), worked out by hand from the form-encoding rules (WHATWG URL,
    /// application/x-www-form-urlencoded parsing).
    static let cases: [(String, [String: String])] = [
        ("", [:]),
        ("a=1", ["a": "1"]),
        ("a=1&b=2", ["a": "1", "b": "2"]),
        ("a=1&&b=2&", ["a": "1", "b": "2"]),
        ("a=1&a=2", ["a": "2"]),
        ("flag", ["flag": ""]),
        ("flag=", ["flag": ""]),
        ("=v", ["": "v"]),
        ("a=x=y", ["a": "x=y"]),
        ("created_at=2026-01-15+09%3A00%3A00", ["created_at": "2026-01-15 09:00:00"]),
        ("email=a%40b.ru", ["email": "a@b.ru"]),
        ("email=A%40B.RU&x=%2b", ["email": "A@B.RU", "x": "+"]),
        ("first+name=%D0%98%D0%B2%D0%B0%D0%BD", ["first name": "Иван"]),
        ("name=Иван+Петров", ["name": "Иван Петров"]),
        ("utm%5Fsource=yandex", ["utm_source": "yandex"]),
        ("a=%26&b=%3D", ["a": "&", "b": "="]),
        ("a=%25FF", ["a": "%FF"]),
        // A `%` not followed by two hex digits is not an escape: it stays, and the escapes around it decode.
        ("a=100%+sure", ["a": "100% sure"]),
        ("a=%4", ["a": "%4"]),
        ("a=%", ["a": "%"]),
        ("a=%zz+x", ["a": "%zz x"]),
        ("a=%41%", ["a": "A%"]),
    ]

    @Test(arguments: cases) func decodes(query: String, expected: [String: String]) throws {
        let form = FormQuery(query[...])
        #expect(form.parameters == expected)
        #expect(form.undecodable.isEmpty)
        #expect(try form.checked() == expected)
    }

    @Test func decodesAPartOfALargerString() {
        let text = "xx?a=%41+b&c=d"
        let query = text[text.index(text.startIndex, offsetBy: 3)...]
        #expect(FormQuery(query).parameters == ["a": "A b", "c": "d"])
    }

    /// (query, the name refused): bytes that are not UTF-8 once decoded are never kept as the raw `%FF` text.
    static let undecodable: [(String, String)] = [
        ("user_id=%FF%FE%FD", "user_id"),
        ("a=1&user_id=%FF%FE%FD&b=2", "user_id"),
        ("a=%FF+x", "a"),
        ("a=%D0", "a"),                      // a truncated two-byte sequence
        ("a=%C0%AF", "a"),                   // an overlong encoding of "/"
        ("a=%ED%A0%80", "a"),                // a UTF-16 surrogate
        ("a=%FF%", "a"),                     // a stray % does not save the rest
        ("user+id=%FF", "user id"),
        ("%FF=1", "%FF"),                    // the name itself: named as sent
        ("x=1&first=%FE&second=%FF", "first"),
    ]

    @Test(arguments: undecodable) func refusesBytesThatAreNotUTF8(query: String, field: String) {
        let form = FormQuery(query[...])
        #expect(form.undecodable.first == field)
        #expect(!form.parameters.values.contains { $0.contains("%F") || $0.contains("%D") || $0.contains("%E") || $0.contains("%C") })
        #expect(throws: NormalizationError(field: field, problem: "percent-encoded bytes are not UTF-8")) {
            try form.checked()
        }
    }

    @Test func theOtherParametersStayReadable() {
        let form = FormQuery("a=1&bad=%FF&b=%D0%AF"[...])
        #expect(form.parameters == ["a": "1", "b": "Я"])
        #expect(form.undecodable == ["bad"])
    }
}
