import Aggregation
import Events
import Foundation
import Testing

// SPEC §4 Money and §4.8 Rates: the latest rate on or before the day; base = 1; round to 2 decimals
// half away from zero, per event.

@Suite("FxRates")
struct FxRatesScenarioTests {
    let rates = Fixture.rates // USD 90 from Jan 1, 95.5 from Mar 10, 100 from Mar 11 (added out of order); EUR 100.125 from Feb 1

    @Test("the latest rate on or before the day; unknown before the first")
    func latestOnOrBefore() {
        #expect(rates.rate(of: "USD", in: "RUB", on: day("2025-12-31")) == nil) // before the first rate
        #expect(rates.rate(of: "USD", in: "RUB", on: day("2026-01-01")) == dec("90"))   // on the day itself
        #expect(rates.rate(of: "USD", in: "RUB", on: day("2026-03-09")) == dec("90"))   // carried forward
        #expect(rates.rate(of: "USD", in: "RUB", on: day("2026-03-10")) == dec("95.5"))
        #expect(rates.rate(of: "USD", in: "RUB", on: day("2026-03-11")) == dec("100"))
        #expect(rates.rate(of: "USD", in: "RUB", on: day("2027-06-01")) == dec("100"))  // last one, indefinitely
        #expect(rates.rate(of: "EUR", in: "RUB", on: day("2026-01-31")) == nil)
        #expect(rates.rate(of: "EUR", in: "RUB", on: day("2026-02-01")) == dec("100.125"))
        #expect(rates.rate(of: "GBP", in: "RUB", on: day("2026-03-01")) == nil)         // never known
        #expect(rates.rate(of: "USD", in: "EUR", on: day("2026-03-01")) == nil)         // rates are per base
    }

    @Test("an amount too large to convert exactly is refused, never a trap")
    func tooLargeNeverTraps() {
        // 20 integer and 18 fraction digits times a 4-digit rate needs more than Int128 holds:
        // an absurd amount is refused, the worker does not stop.
        var rates = FxRates()
        rates.add(base: "RUB", currency: "USD", day: day("2026-01-01"), rate: dec("92.4512"))
        #expect(rates.convert(dec("99999999999999999999.999999999999999999"), from: "USD", to: "RUB",
                              on: day("2026-03-01")) == .tooLarge)
        #expect(rates.convert(dec("10"), from: "USD", to: "RUB", on: day("2026-03-01")) == .converted(dec("924.51")))
        #expect(rates.convert(dec("10"), from: "EUR", to: "RUB", on: day("2026-03-01")) == .missingRate)
    }

    @Test("the base currency has rate 1 with no table row")
    func baseIsOne() {
        #expect(FxRates().rate(of: "RUB", in: "RUB", on: day("1990-01-01")) == dec("1"))
        #expect(FxRates().convert(dec("1490"), from: "RUB", to: "RUB", on: day("2026-03-01")).value?.description == "1490.00")
    }

    @Test("a later add for the same day replaces the rate")
    func sameDayReplaces() {
        var copy = rates
        copy.add(base: "RUB", currency: "USD", day: day("2026-03-10"), rate: dec("96"))
        #expect(copy.rate(of: "USD", in: "RUB", on: day("2026-03-10")) == dec("96"))
        #expect(copy.rate(of: "USD", in: "RUB", on: day("2026-03-09")) == dec("90"))
        #expect(copy.rate(of: "USD", in: "RUB", on: day("2026-03-11")) == dec("100"))
    }

    @Test("conversion rounds to cents half away from zero")
    func rounding() {
        func rub(_ amount: String, _ currency: String, _ on: String) -> String? {
            rates.convert(dec(amount), from: currency, to: "RUB", on: day(on)).value?.description
        }
        #expect(rub("10.005", "RUB", "2026-03-01") == "10.01")   // exact half → up
        #expect(rub("10.004", "RUB", "2026-03-01") == "10.00")   // below half → down, two digits kept
        #expect(rub("-10.005", "RUB", "2026-03-01") == "-10.01") // half away from zero, not up
        #expect(rub("1", "USD", "2026-03-01") == "90.00")        // 1 × 90
        #expect(rub("1.0005", "USD", "2026-03-01") == "90.05")   // 90.045 → 90.05
        #expect(rub("3.33", "USD", "2026-03-10") == "318.02")    // 3.33 × 95.5 = 318.015 → 318.02
        #expect(rub("10.01", "USD", "2026-03-10") == "955.96")   // 955.955 → 955.96
        #expect(rub("1", "EUR", "2026-02-01") == "100.13")       // 100.125 → 100.13
        #expect(rub("0.02", "EUR", "2026-02-01") == "2.00")      // 2.0025 → 2.00
        #expect(rub("0.01", "USD", "2025-12-31") == nil)         // unknown rate
    }

    @Test("another base currency")
    func otherBase() {
        var usd = FxRates()
        usd.add(base: "USD", currency: "RUB", day: day("2026-01-01"), rate: dec("0.011"))
        #expect(usd.convert(dec("150"), from: "RUB", to: "USD", on: day("2026-01-01")).value?.description == "1.65")  // 1.650
        #expect(usd.convert(dec("45.5"), from: "RUB", to: "USD", on: day("2026-01-01")).value?.description == "0.50") // 0.5005 → 0.50
        #expect(usd.convert(dec("45.5"), from: "RUB", to: "RUB", on: day("2026-01-01")).value?.description == "45.50")
    }
}
