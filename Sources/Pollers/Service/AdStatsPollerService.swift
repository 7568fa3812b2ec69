import Events
import Kafka
import Logging
import ServiceLifecycle

/// The ad-spend poller: every configured network on its own schedule, each in its own task, so one
/// network failing or waiting never holds up another. Stops on graceful shutdown (SIGTERM).
public struct AdStatsPollerService: Service {
    private let pollers: [AdNetworkPoller]
    private let logger: Logger

    /// - Parameter pollers: one per network; each waits its interval on its own clock.
    public init(pollers: [AdNetworkPoller], logger: Logger) {
        self.pollers = pollers
        self.logger = logger
    }

    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                for poller in pollers {
                    group.addTask {
                        var poller = poller
                        do {
                            while true {
                                _ = try await poller.poll()
                                try await poller.clock.sleep(for: poller.schedule.interval)
                            }
                        } catch {
                            // Only cancellation ends a loop: shutdown.
                        }
                    }
                }
            }
        }
        logger.info("ad-stats pollers stopped")
    }

    /// Polls every network once, concurrently, and returns each outcome by the poller's `name` (the `source`,
    /// or `project/source/account` for configured accounts) for `pipeline poll --once`.
    public func pollOnce() async throws -> [String: AdNetworkPoller.Outcome] {
        try await withThrowingTaskGroup(of: (String, AdNetworkPoller.Outcome).self) { group in
            for poller in pollers {
                group.addTask {
                    var poller = poller
                    return (poller.name, try await poller.poll())
                }
            }
            var outcomes: [String: AdNetworkPoller.Outcome] = [:]
            for try await (source, outcome) in group { outcomes[source] = outcome }
            return outcomes
        }
    }
}
