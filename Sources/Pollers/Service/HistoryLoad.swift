import Events
import Foundation
import Logging

/// `pipeline poll --since … [--until …]`: a past range of every account, chunk by chunk within each API's
/// limits, with a progress line per chunk and a progress file so that a restarted load resumes after the
/// last chunk that reached Kafka. Event ids are those of live polls, so loading twice changes nothing.
public enum HistoryLoad {
    /// Days per request: a month for Yandex Direct, VK Ads and Google Ads (reports stay small), 28 for
    /// Meta (its asynchronous report runs take longer spans, but a month of ads × days per run is plenty).
    public static func chunkDays(for source: String) -> Int {
        source == "meta" ? 28 : 31
    }

    /// VK Ads keeps day-split statistics for the last 92 days only (INPUTS §3).
    public static let vkAdsDayLimit = 92

    /// `range` cut into consecutive chunks of at most `size` days, oldest first.
    public static func chunks(_ range: ClosedRange<LocalDate>, size: Int) -> [ClosedRange<LocalDate>] {
        var result: [ClosedRange<LocalDate>] = []
        var start = range.lowerBound
        while start <= range.upperBound {
            let end = min(start.adding(days: max(size, 1) - 1), range.upperBound)
            result.append(start...end)
            start = end.adding(days: 1)
        }
        return result
    }

    /// The last day loaded of a range, kept per account in `<state>/history/`, written atomically.
    public struct ProgressStore: Sendable {
        public let directory: URL

        public init(directory: URL) {
            self.directory = directory
        }

        private func key(_ account: String, _ range: ClosedRange<LocalDate>) -> String {
            "\(account)-\(range.lowerBound)-\(range.upperBound)".replacingOccurrences(of: "/", with: "-")
        }

        /// The last day of `range` already loaded for `account`, or nil.
        public func done(_ account: String, _ range: ClosedRange<LocalDate>) -> LocalDate? {
            guard let data = FileManager.default.contents(atPath: directory.appendingPathComponent(key(account, range)).path) else { return nil }
            return LocalDate(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        }

        public func save(_ account: String, _ range: ClosedRange<LocalDate>, through day: LocalDate) throws {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            let target = directory.appendingPathComponent(key(account, range))
            let temporary = directory.appendingPathComponent(".\(key(account, range)).tmp")
            try Data("\(day)\n".utf8).write(to: temporary)
            guard rename(temporary.path, target.path) == 0 else { throw PollError.tokenStore(path: target.path, errno: errno) }
        }
    }

    /// Loads `range` for one account's poller; stops at the first chunk that fails (a rerun resumes there).
    /// - Parameter progress: prints one line per chunk (`history school/vk_ads/1: 2026-01-01...2026-01-31 1/3 chunks, 42 rows`).
    public static func run(
        _ poller: inout AdNetworkPoller, range: ClosedRange<LocalDate>, store: ProgressStore?, progress: @Sendable (String) -> Void
    ) async throws -> AdNetworkPoller.Outcome {
        var range = range
        let today = LocalDate(poller.clock.now(), in: poller.schedule.timeZone)
        if range.upperBound > today { range = range.lowerBound...max(range.lowerBound, today) }
        if poller.client.source == "vk_ads" {
            let oldest = today.adding(days: -(vkAdsDayLimit - 1))
            guard range.upperBound >= oldest else {
                return .failure("VK Ads keeps day statistics for the last \(vkAdsDayLimit) days only; \(range.lowerBound)...\(range.upperBound) is older")
            }
            if range.lowerBound < oldest {
                progress("history \(poller.name): days before \(oldest) skipped (VK Ads keeps \(vkAdsDayLimit) days)")
                range = oldest...range.upperBound
            }
        }
        let all = chunks(range, size: chunkDays(for: poller.client.source))
        let resumeAfter = store?.done(poller.name, range)
        var rows = 0
        for (index, chunk) in all.enumerated() {
            if let resumeAfter, chunk.upperBound <= resumeAfter {
                progress("history \(poller.name): \(chunk.lowerBound)...\(chunk.upperBound) \(index + 1)/\(all.count) chunks, loaded before")
                continue
            }
            switch try await poller.pollHistory(days: chunk) {
            case .success(let count):
                rows += count
                try store?.save(poller.name, range, through: chunk.upperBound)
                progress("history \(poller.name): \(chunk.lowerBound)...\(chunk.upperBound) \(index + 1)/\(all.count) chunks, \(count) rows")
            case .failure(let reason):
                progress("history \(poller.name): \(chunk.lowerBound)...\(chunk.upperBound) \(index + 1)/\(all.count) chunks FAILED: \(reason)")
                return .failure(reason)
            }
        }
        return .success(rows: rows)
    }
}
