extension Duration {
    /// librdkafka takes `int` milliseconds; clamp so a huge Duration cannot overflow into a negative ("infinite") wait.
    var clampedMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        let ms = Double(seconds) * 1000 + Double(attoseconds) / 1e15
        if ms <= 0 { return 0 }
        if ms >= Double(Int32.max) { return Int32.max }
        return Int32(ms.rounded(.up))
    }
}
