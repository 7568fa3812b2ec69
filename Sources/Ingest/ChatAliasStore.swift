import Normalizers

/// Telegram chat migrations (old group id → new supergroup id) per project, kept in memory.
///
/// Normalizing inside the actor makes read-aliases → normalize → store-aliases atomic, so two concurrent
/// updates cannot lose a migration. Lost on restart: a migration is announced once, and events after a
/// restart keep the id they arrive with.
actor ChatAliasStore {
    private var aliases: [String: [String: String]] = [:]

    /// Returns a `Result` rather than throwing: Swift 6.3.1 crashes compiling a typed throw caught across an actor hop.
    func normalize(_ update: [UInt8], with normalizer: TelegramUpdate) -> Result<TelegramUpdate.Output, NormalizationError> {
        let project = normalizer.context.project
        do {
            let output = try normalizer.normalize(update: update, chatAliases: aliases[project] ?? [:])
            aliases[project] = output.chatAliases
            return .success(output)
        } catch {
            return .failure(error)
        }
    }
}
