import ArgumentParser
import Events
import Foundation
import Postgres
import Reports

/// `pipeline digest`: yesterday's figures against the day before, sent to a Telegram chat.
struct DigestCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "digest",
        abstract: "Send a project's daily digest (a day against the day before) to a Telegram chat.",
        discussion: """
            Revenue, payments, registrations, spend and ROMI of the day and their change, the campaigns \
            with the largest profit and loss that day (by name), the sales team's day by manager name, the \
            day's lesson completions and webinars with their buyers within 7 days so far, and the creatives \
            burning out. The bot token comes \
            from \(EnvironmentVariable.digestTelegramToken), the chat from \(EnvironmentVariable.digestChatID) \
            (a numeric id or @channel); \(EnvironmentVariable.digestTelegramAPIURL) replaces \
            https://api.telegram.org. A rate-limited send waits the time Telegram asks for and tries again. \
            Run it once a day from cron or a scheduler.
            """)

    @OptionGroup var global: GlobalOptions

    @Option(help: "Project (school) name, as in the events.")
    var project: String

    @Option(help: ArgumentHelp("Day to summarize (YYYY-MM-DD; default: yesterday in the project's time zone).", valueName: "day"))
    var date: String?

    @Flag(help: "Print the message instead of sending it.")
    var dryRun = false

    @Option(help: ArgumentHelp(
        "How long one request to the Bot API may go unanswered before it is retried (seconds).", valueName: "seconds"))
    var telegramTimeout = 30

    func validate() throws {
        guard (1...3_600).contains(telegramTimeout) else {
            throw ValidationError("--telegram-timeout: must be 1 to 3600 seconds, got \(telegramTimeout)")
        }
    }

    func run() async throws {
        let settings = try global.settings()
        let projectSettings = settings.projects.settings(for: project)
        let day = try date.map { try parseDay($0, option: "--date") }
            ?? LocalDate(.now, in: projectSettings.timeZone).adding(days: -1)
        let environment = ProcessInfo.processInfo.environment
        var destination: (token: String, chat: String, api: URL)?
        if !dryRun {
            guard let token = environment[EnvironmentVariable.digestTelegramToken], !token.isEmpty else {
                throw ValidationError("\(EnvironmentVariable.digestTelegramToken) is not set (or use --dry-run)")
            }
            guard let chat = environment[EnvironmentVariable.digestChatID], !chat.isEmpty else {
                throw ValidationError("\(EnvironmentVariable.digestChatID) is not set (or use --dry-run)")
            }
            var api = TelegramBot.defaultAPIBase
            if let text = environment[EnvironmentVariable.digestTelegramAPIURL], !text.isEmpty {
                guard let url = URL(string: text), url.scheme == "http" || url.scheme == "https", url.host != nil else {
                    throw ValidationError("\(EnvironmentVariable.digestTelegramAPIURL): must be an http(s) URL, got \"\(text)\"")
                }
                api = url
            }
            destination = (token, chat, api)
        }
        let logger = makeLogger("pipeline.digest")
        let (databaseURL, project, currency) = (settings.databaseURL, project, projectSettings.baseCurrency)
        // libpq blocks: read on a thread of our own, not on the concurrency pool.
        let digest: Digest = try await withCheckedThrowingContinuation { continuation in
            Thread {
                continuation.resume(with: Result {
                    do {
                        let connection = try PostgresConnection(connectionString: databaseURL, logger: logger)
                        defer { connection.close() }
                        let reader = ReportReader(connection: connection)
                        guard try reader.projectExists(project) else {
                            throw ValidationError("--project: no figures for project \"\(project)\" in bi.funnel_daily")
                        }
                        return try reader.digest(project: project, currency: currency, day: day)
                    } catch let error as PostgresError where error.sqlState == "42P01" || error.sqlState == "3F000" {
                        throw ValidationError("the bi views do not exist: run `pipeline migrate` first")
                    }
                })
            }.start()
        }
        let text = DigestRenderer().render(digest)
        guard let destination else {
            print(text)
            return
        }
        var bot = TelegramBot(token: destination.token, apiBase: destination.api, logger: logger)
        bot.requestTimeout = .seconds(telegramTimeout)
        let message = try await bot.sendMessage(chatID: destination.chat, text: text, parseMode: DigestRenderer.parseMode)
        print("sent the digest of \(project) for \(day) to chat \(destination.chat) (message \(message))")
    }
}
