import Foundation
import SeededRandom

// Rates: foreign students pay in dollars, and the worker converts each amount at its day's rate.
extension DemoSchool {
    /// `currency,day,rate` lines for `pipeline fx import`: rubles per dollar for every day of the
    /// period and the five days before it (so an early event always has a rate on or before it).
    package func fxRatesCSV() -> String {
        // A generator of its own, so the rates do not shift the events' draws.
        var rng = SeededGenerator(seed: settings.seed ^ 0x5553_4452_5542)
        var rate = 9_450 + Int(rng.next() % 300)  // hundredths of a ruble
        var lines = ["currency,day,rate"]
        for offset in -5..<days {
            rate += Int(rng.next() % 121) - 60
            let day = settings.period.day(offset)
            let rateText = "\(rate / 100).\(String(format: "%02d", rate % 100))\(rng.next() % 100 / 10)\(rng.next() % 10)"
            lines.append("USD,\(day),\(rateText)")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
