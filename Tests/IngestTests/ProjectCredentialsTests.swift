import Ingest
import Testing

@Suite struct ProjectCredentialsTests {
    /// Path project names and the environment names their credentials are read under (nil: refused).
    static let cases: [(String, String?)] = [
        ("school", "SCHOOL"),
        ("school-kz", "SCHOOL_KZ"),
        ("bench-school", "BENCH_SCHOOL"),
        ("a1-b2-3", "A1_B2_3"),
        ("-", "_"),
        ("zz9", "ZZ9"),
        ("", nil),
        ("School", nil),
        ("school_kz", nil),
        ("school kz", nil),
        ("школа", nil),
        (String(repeating: "a", count: 64), String(repeating: "A", count: 64)),
        (String(repeating: "a", count: 65), nil),
    ]

    @Test(arguments: cases) func environmentName(project: String, expected: String?) {
        #expect(ProjectCredentials.environmentName(of: project) == expected)
    }
}
