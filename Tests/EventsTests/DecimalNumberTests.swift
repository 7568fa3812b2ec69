import Testing
import Events

@Suite struct DecimalNumberTests {
    private func d(_ text: String) -> DecimalNumber { DecimalNumber(text)! }

    @Test(arguments: [
        ("0", "0"), ("0.5", "0.5"), ("1490.00", "1490.00"), ("-0.125", "-0.125"), ("-0", "0"),
        ("007", "7"), ("0.000000000000000001", "0.000000000000000001"),
        ("99999999999999999999.999999999999999999", "99999999999999999999.999999999999999999"),
    ])
    func parsesAndPrints(_ text: String, _ printed: String) {
        #expect(DecimalNumber(text)?.description == printed)
    }

    @Test(arguments: ["", "-", ".", ".5", "5.", "1e3", "+1", " 1", "1 ", "1,5", "1.2.3", "0x10", "١", "--1",
                      "123456789012345678901234567890123456789"])
    func rejectsMalformed(_ text: String) {
        #expect(DecimalNumber(text) == nil)
    }

    @Test func equalityIgnoresScaleButDescriptionKeepsIt() {
        #expect(d("1.5") == d("1.50"))
        #expect(d("1.5").hashValue == d("1.500").hashValue)
        #expect(Set([d("2"), d("2.0"), d("2.00")]).count == 1)
        #expect(d("1.50").description == "1.50")
        #expect(d("1.500").normalized.description == "1.5")
        #expect(d("0.000").normalized.description == "0")
        #expect(d("-0.0") == DecimalNumber.zero)
    }

    @Test(arguments: [
        ("0.125", "0.13"), ("0.135", "0.14"), ("-0.125", "-0.13"), ("-0.135", "-0.14"),
        ("0.124", "0.12"), ("-0.124", "-0.12"), ("0.115", "0.12"), ("0.005", "0.01"), ("-0.005", "-0.01"),
        ("0.0049999", "0.00"), ("1.995", "2.00"), ("-1.995", "-2.00"), ("1.5", "1.50"), ("7", "7.00"),
        ("99999999999999999999.995", "100000000000000000000.00"),
    ])
    func roundsHalfAwayFromZeroToCents(_ text: String, _ rounded: String) {
        #expect(d(text).rounded(toScale: 2).description == rounded)
    }

    /// Every value n/10^s for |n| ≤ 2000 and s in 0...4, rounded to every smaller scale, against a
    /// reference computed on magnitudes.
    @Test func roundingExhaustive() {
        var failures: [String] = []
        for scale in 0...4 {
            for n in -2000...2000 {
                let value = DecimalNumber(significand: Int128(n), scale: scale)
                for target in 0...scale {
                    let step = pow10(scale - target)
                    let magnitude = (abs(n) + step / 2) / step
                    let expected = DecimalNumber(significand: Int128(n < 0 ? -magnitude : magnitude), scale: target)
                    let result = value.rounded(toScale: target)
                    if result != expected || result.scale != target {
                        failures.append("\(value) → \(target): \(result), expected \(expected)")
                    }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    /// Every pair of n/10^s with |n| ≤ 60 and s in 0...3: +, -, *, <, == against integer arithmetic at a common scale.
    @Test func arithmeticExhaustive() {
        var values: [(DecimalNumber, Int)] = []  // value and value × 10^3
        for scale in 0...3 {
            for n in -60...60 {
                values.append((DecimalNumber(significand: Int128(n), scale: scale), n * pow10(3 - scale)))
            }
        }
        var failures: [String] = []
        for (a, ra) in values {
            for (b, rb) in values {
                if (a + b) != DecimalNumber(significand: Int128(ra + rb), scale: 3) { failures.append("\(a) + \(b)") }
                if (a - b) != DecimalNumber(significand: Int128(ra - rb), scale: 3) { failures.append("\(a) - \(b)") }
                if (a * b) != DecimalNumber(significand: Int128(ra * rb), scale: 6) { failures.append("\(a) * \(b)") }
                if (a < b) != (ra < rb) { failures.append("\(a) < \(b)") }
                if (a == b) != (ra == rb) { failures.append("\(a) == \(b)") }
                if (a == b) && a.hashValue != b.hashValue { failures.append("hash \(a) \(b)") }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(5))")
    }

    @Test func arithmeticKeepsScales() {
        #expect((d("1490.00") + d("0.5")).description == "1490.50")
        #expect((d("0.1") + d("0.2")).description == "0.3")
        #expect((d("10") - d("10.01")).description == "-0.01")
        #expect((d("1490.00") * d("0.0123")).description == "18.327000")
        #expect((d("1490.00") * d("0.0123")).rounded(toScale: 2).description == "18.33")
        #expect((-d("2.5")).description == "-2.5")
        var sum = DecimalNumber.zero
        for _ in 0..<10 { sum += d("0.1") }
        #expect(sum == 1)
    }

    @Test func comparesAcrossLargeScaleDifferences() {
        let big = d("99999999999999999999")
        let tiny = d("0.000000000000000001")
        #expect(tiny < big)
        #expect(-big < tiny)
        #expect(d("99999999999999999999.999999999999999999") > big)
        #expect(d("-0.5") < d("0.5"))
        #expect(d("-1.5") < d("-1.25"))
        #expect([d("2"), d("-1"), d("0.5"), d("0.25")].sorted().map(\.description) == ["-1", "0.25", "0.5", "2"])
    }

    @Test func dividesWithRounding() {
        #expect(d("1").divided(by: d("3"), toScale: 2)?.description == "0.33")
        #expect(d("2").divided(by: d("3"), toScale: 2)?.description == "0.67")
        #expect(d("-2").divided(by: d("3"), toScale: 2)?.description == "-0.67")
        #expect(d("1").divided(by: d("8"), toScale: 2)?.description == "0.13")
        #expect(d("-1").divided(by: d("-8"), toScale: 2)?.description == "0.13")
        #expect(d("1").divided(by: d("-8"), toScale: 2)?.description == "-0.13")
        #expect(d("14900.00").divided(by: d("3"), toScale: 4)?.description == "4966.6667")
        #expect(d("0.001").divided(by: d("1000"), toScale: 2)?.description == "0.00")
        #expect(d("1").divided(by: .zero, toScale: 2) == nil)
    }

    @Test func conversions() {
        #expect(DecimalNumber(42).description == "42")
        #expect((7 as DecimalNumber) == d("7.000"))
        #expect(d("7.000").exactInt == 7)
        #expect(d("7.5").exactInt == nil)
        #expect(d("-3.20").magnitude.description == "3.20")
        #expect(d("-3").isNegative && !d("3").isNegative && d("0.00").isZero)
        #expect(DecimalNumber(significand: 12345, scale: 2).description == "123.45")
        #expect(DecimalNumber(significand: -5, scale: 3).description == "-0.005")
    }

    /// The significand is stored in two halves: every boundary between them must come back whole.
    @Test func significandRoundTripsAcrossItsHalves() {
        let values: [Int128] = [
            0, 1, -1, Int128(Int64.max), Int128(Int64.min), Int128(UInt64.max), -Int128(UInt64.max),
            Int128(UInt64.max) + 1, -(Int128(UInt64.max) + 1), Int128.max, Int128.min,
            99_999_999_999_999_999_999_999_999_999_999_999_999, -99_999_999_999_999_999_999_999_999_999_999_999_999,
        ]
        for value in values {
            for scale in [0, 2, 38] {
                let number = DecimalNumber(significand: value, scale: scale)
                #expect(number.significand == value && number.scale == scale, "\(value) scale \(scale)")
            }
        }
        #expect(d("-18446744073709551616.5").significand == -184_467_440_737_095_516_165)
        #expect(MemoryLayout<DecimalNumber>.stride == 24)
    }

    private func pow10(_ exponent: Int) -> Int {
        (0..<exponent).reduce(1) { value, _ in value * 10 }
    }
}
