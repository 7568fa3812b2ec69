/// The progress line on stderr: rows done of the total, rate and time left. Pure, so it is tested without clocks.
public enum BackfillProgress {
    /// `orders.csv: 1200/5000 rows (24.0%), 400 rows/s, ETA 9s`.
    ///
    /// - Parameters:
    ///   - done: rows finished, those skipped through the checkpoint included.
    ///   - doneThisRun: rows finished by this run, over `elapsedSeconds`: the rate counts only them,
    ///     since rows skipped through the checkpoint took no time.
    public static func line(name: String, done: Int, total: Int, doneThisRun: Int, elapsedSeconds: Double) -> String {
        let percent = total > 0 ? Double(done) * 100 / Double(total) : 100
        let rate = elapsedSeconds > 0 ? Double(doneThisRun) / elapsedSeconds : 0
        var text = "\(name): \(done)/\(total) rows (\(fixed(percent, decimals: 1))%), \(Int(rate.rounded())) rows/s, ETA "
        let left = max(total - done, 0)
        if left == 0 {
            text += "0s"
        } else if rate > 0 {
            text += duration(Double(left) / rate)
        } else {
            text += "unknown"
        }
        return text
    }

    /// `45s`, `2m05s`, `1h02m03s` (rounded up: an ETA of 0s while rows remain would be a lie).
    public static func duration(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.up))
        let hours = total / 3600
        let minutes = total % 3600 / 60
        let secs = total % 60
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        if hours > 0 { return "\(hours)h\(two(minutes))m\(two(secs))s" }
        if minutes > 0 { return "\(minutes)m\(two(secs))s" }
        return "\(secs)s"
    }

    static func fixed(_ value: Double, decimals: Int) -> String {
        var scale = 1.0
        for _ in 0..<decimals { scale *= 10 }
        let scaled = Int((value * scale).rounded(.down))
        let whole = scaled / Int(scale)
        let fraction = String(scaled % Int(scale))
        return decimals == 0 ? "\(whole)" : "\(whole)." + String(repeating: "0", count: decimals - fraction.count) + fraction
    }
}
