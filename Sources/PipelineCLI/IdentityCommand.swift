import ArgumentParser
import Events
import Foundation
import Ingest
import Normalizers

/// `pipeline identity`: linking one person's ids across sources (SPEC §4.12).
struct IdentityCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identity",
        abstract: "Link one person's ids across sources (SPEC §4.12).",
        subcommands: [IdentityLinkCommand.self])
}

/// `pipeline identity link`: the Telegram deep link a school puts in a letter or on its lessons page.
struct IdentityLinkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "link",
        abstract: "Print the t.me deep link that links a platform user to the Telegram member who opens it.",
        discussion: """
            The link opens the school's bot with `/start <token>`; the bot checks the token and links \
            `tg:<member id>` to the user. The token is signed with \
            \(EnvironmentVariable.projectPrefix)<NAME>\(EnvironmentVariable.projectLinkSecretSuffix) (the ingest server \
            must have the same value) and expires after --valid-days. It fits Telegram's 64-character limit \
            for user ids of at most \(TelegramDeepLinkToken.maximumUserIDBytes) bytes.
            """)

    @Option(help: "The school (project) the user belongs to.")
    var project: String

    @Option(help: "The platform user id (GetCourse user id).")
    var user: String

    @Option(help: "The bot's username, without @. Default: \(EnvironmentVariable.telegramBotUsername).")
    var bot: String?

    @Option(help: "Days the link stays valid.")
    var validDays: Int = 90

    func run() throws {
        let environment = ProcessInfo.processInfo.environment
        guard let name = ProjectCredentials.environmentName(of: project) else {
            throw ValidationError("--project: lower-case letters, digits and '-' only, got \"\(project)\"")
        }
        let secretVariable = EnvironmentVariable.projectPrefix + name + EnvironmentVariable.projectLinkSecretSuffix
        guard let secret = environment[secretVariable], !secret.isEmpty else {
            throw ValidationError("\(secretVariable): missing; the link is signed with the project's link secret")
        }
        guard let bot = bot ?? environment[EnvironmentVariable.telegramBotUsername], !bot.isEmpty else {
            throw ValidationError("--bot: missing; give the bot's username or set \(EnvironmentVariable.telegramBotUsername)")
        }
        guard bot.utf8.allSatisfy({ ($0 >= 0x41 && $0 <= 0x5A) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x5F }) else {
            throw ValidationError("--bot: a Telegram username has letters, digits and '_' only, got \"\(bot)\"")
        }
        guard (1...3650).contains(validDays) else {
            throw ValidationError("--valid-days: between 1 and 3650, got \(validDays)")
        }
        let now = Instant(microsecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1_000_000))
        let expiry = now.advanced(byMicroseconds: Int64(validDays) * 86_400 * 1_000_000)
        let token: String
        do {
            token = try TelegramDeepLinkToken(userID: user, expiresAt: expiry).encoded(project: project, secret: secret)
        } catch {
            throw ValidationError("--\(error.description)")
        }
        print("https://t.me/\(bot)?start=\(token)")
    }
}
