import Events
import Foundation

/// `pipeline poll --check`: every configured account tried once (today's statistics), concurrently,
/// and a table of what came back. Nothing is produced to Kafka.
public enum AccountCheck {
    /// One account's result.
    public struct Result: Sendable, Equatable {
        public var account: String
        public var network: String
        /// nil when the fetch worked; else the error, as the poller would log it (no secret in it).
        public var error: String?
        public var token: TokenStatus

        public var ok: Bool { error == nil }
    }

    /// Tries each account's fetch of its own today once, after its token has been obtained (renewed if due).
    public static func run(_ accounts: [PollerAccount], clock: any PollerClock) async -> [Result] {
        await withTaskGroup(of: (Int, Result).self) { group in
            for (index, account) in accounts.enumerated() {
                group.addTask {
                    let today = LocalDate(clock.now(), in: account.schedule.timeZone)
                    var problem: String?
                    do {
                        _ = try await account.client.fetchStatistics(days: today...today)
                    } catch let failure as PollError {
                        problem = failure.description
                    } catch {
                        problem = "\(error)"
                    }
                    let result = Result(account: account.name, network: account.source, error: problem, token: await account.tokens.status())
                    return (index, result)
                }
            }
            var results: [(Int, Result)] = []
            for await result in group { results.append(result) }
            return results.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// The table: account, network, `ok` or the error, and the token's expiry (`never`/`unknown`, `renews`).
    public static func table(_ results: [Result]) -> String {
        let header = ["ACCOUNT", "NETWORK", "STATUS", "TOKEN EXPIRES"]
        let rows = results.map { result -> [String] in
            var expiry = result.token.expiresAt?.rfc3339String ?? "not stated"
            if result.token.renewable { expiry += " (renews)" }
            if let refusal = result.token.renewalError { expiry += " (renewal refused: \(refusal))" }
            if let storeError = result.token.storeError { expiry += " (not kept: \(storeError))" }
            return [result.account, result.network, result.error.map { "FAILED: \($0)" } ?? "ok", expiry]
        }
        let widths = (0..<header.count).map { column in ([header] + rows).map { $0[column].count }.max() ?? 0 }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[index] - cell.count)
            }.joined(separator: "  ")
        }
        return ([line(header)] + rows.map(line)).joined(separator: "\n") + "\n"
    }
}
