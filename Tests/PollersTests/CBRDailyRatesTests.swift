import Events
import Foundation
@testable import Pollers
import Testing

/// The bank's documents as served: windows-1251, decimal commas, `VunitRate` since 2022.
enum CBRSamples {
    static func document(date: String, valutes: [(id: String, num: String, code: String, nominal: Int, name: String, value: String, unit: String?)]) -> [UInt8] {
        var text = "<?xml version=\"1.0\" encoding=\"windows-1251\"?><ValCurs Date=\"\(date)\" name=\"Foreign Currency Market\">"
        for valute in valutes {
            text += "<Valute ID=\"\(valute.id)\"><NumCode>\(valute.num)</NumCode><CharCode>\(valute.code)</CharCode>"
            text += "<Nominal>\(valute.nominal)</Nominal><Name>\(valute.name)</Name><Value>\(valute.value)</Value>"
            if let unit = valute.unit { text += "<VunitRate>\(unit)</VunitRate>" }
            text += "</Valute>"
        }
        return .cp1251(text + "</ValCurs>")
    }

    static let february28 = document(date: "28.02.2026", valutes: [
        ("R01060", "051", "AMD", 100, "Армянских драмов", "21,8536", "0,218536"),
        ("R01235", "840", "USD", 1, "Доллар США", "92,4512", "92,4512"),
        ("R01239", "978", "EUR", 1, "Евро", "100,1000", "100,1"),
        ("R01815", "410", "KRW", 1000, "Вон Республики Корея", "63,5432", "0,0635432"),
    ])

    static let march3 = document(date: "03.03.2026", valutes: [
        ("R01235", "840", "USD", 1, "Доллар США", "91,0000", "91"),
        ("R01239", "978", "EUR", 1, "Евро", "99,8765", "99,8765"),
    ])
}

@Suite("Bank of Russia daily rates: windows-1251 XML parsing")
struct CBRDailyRatesTests {
    @Test("rates are RUB per one unit: Value ÷ Nominal, exactly")
    func parse() throws {
        let set = try CBRDailyRates.parse(CBRSamples.february28)
        #expect(set.day == LocalDate("2026-02-28")!)
        #expect(set.rates.map(\.currency) == ["AMD", "USD", "EUR", "KRW"])
        #expect(set.rates.map(\.nominal) == [100, 1, 1, 1000])
        #expect(set.rates.map(\.rate.description) == ["0.218536", "92.4512", "100.1000", "0.0635432"])
    }

    @Test("the windows-1251 names decode to Cyrillic")
    func cp1251() {
        // "Доллар США" in windows-1251.
        #expect(CP1251.decode([0xC4, 0xEE, 0xEB, 0xEB, 0xE0, 0xF0, 0x20, 0xD1, 0xD8, 0xC0]) == "Доллар США")
        #expect(CP1251.decode([0xA8, 0xB8, 0x88]) == "Ёё€")
    }

    @Test("a nominal that is not a power of ten takes VunitRate, else the quotient to 10 places")
    func oddNominal() {
        #expect(CBRDailyRates.perUnit(value: DecimalNumber("10.00")!, nominal: 3, unitRate: DecimalNumber("3.3333")!).description == "3.3333")
        #expect(CBRDailyRates.perUnit(value: DecimalNumber("10.00")!, nominal: 3, unitRate: nil).description == "3.3333333333")
    }

    @Test("the query date is DD/MM/YYYY")
    func queryDate() {
        #expect(CBRDailyRates.queryDate(LocalDate("2026-03-02")!) == "02/03/2026")
    }

    @Test("bad documents name the element", arguments: [
        ("<html>busy</html>", "CBR XML: ValCurs: missing: not a daily rates document"),
        ("<ValCurs Date=\"2026-02-28\"></ValCurs>", "CBR XML: ValCurs: Date must be DD.MM.YYYY, got \"2026-02-28\""),
        ("<ValCurs Date=\"28.02.2026\"><Valute ID=\"R1\"><CharCode>USD</CharCode><Nominal>1</Nominal><Value>92 45</Value></Valute></ValCurs>",
         "CBR XML: Valute R1 (USD) Value: must be a positive decimal with a comma, got \"92 45\""),
        ("<ValCurs Date=\"28.02.2026\"><Valute ID=\"R1\"><CharCode>usd</CharCode><Nominal>1</Nominal><Value>1,0</Value></Valute></ValCurs>",
         "CBR XML: Valute R1 CharCode: must be 3 uppercase letters, got \"usd\""),
        ("<ValCurs Date=\"28.02.2026\"><Valute ID=\"R1\"><CharCode>USD</CharCode><Nominal>0</Nominal><Value>1,0</Value></Valute></ValCurs>",
         "CBR XML: Valute R1 (USD) Nominal: must be a positive whole number, got \"0\""),
    ])
    func bad(document: String, message: String) {
        do {
            _ = try CBRDailyRates.parse(text: document)
            Issue.record("no error")
        } catch {
            #expect(error.description == message)
        }
    }
}
