@testable import Ingest
import Testing

@Suite struct FormQueryTests {
    /// (query, expected parameters), worked out by hand from the form-encoding rules.
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
        // Malformed escapes and non-UTF-8 bytes: the part stays as sent, only `+` read as a space.
        ("a=100%+sure", ["a": "100% sure"]),
        ("a=%4", ["a": "%4"]),
        ("a=%", ["a": "%"]),
        ("a=%zz+x", ["a": "%zz x"]),
        ("a=%41%", ["a": "%41%"]),
        ("a=%FF+x", ["a": "%FF x"]),
        ("a=%D0", ["a": "%D0"]),
    ]

    @Test(arguments: cases) func decodes(query: String, expected: [String: String]) {
        #expect(FormQuery.parameters(query[...]) == expected)
    }

    @Test func decodesAPartOfALargerString() {
        let text = "xx?a=%41+b&c=d"
        let query = text[text.index(text.startIndex, offsetBy: 3)...]
        #expect(FormQuery.parameters(query) == ["a": "A b", "c": "d"])
    }
}
