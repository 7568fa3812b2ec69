/// Every environment variable the pipeline reads, in one list.
enum EnvironmentVariable {
    /// Kafka bootstrap servers, e.g. `127.0.0.1:9092`. Overrides the config file.
    static let kafkaBrokers = "KAFKA_BROKERS"
    /// libpq connection string or URI. Secret: only from the environment.
    static let databaseURL = "DATABASE_URL"
    /// Path of the JSON configuration file.
    static let configFile = "PIPELINE_CONFIG"
    /// Directory of the SQL migrations.
    static let migrationsDirectory = "PIPELINE_MIGRATIONS_DIR"
    /// `PIPELINE_KAFKA_SASL_PASSWORD=x` sets the librdkafka property `sasl.password=x`:
    /// the way to pass Kafka secrets, which never belong in the file.
    static let kafkaPropertyPrefix = "PIPELINE_KAFKA_"
    /// Password of the read-only BI role; `pipeline migrate` creates the role only when it is set.
    static let biReaderPassword = "BI_READER_PASSWORD"
    /// Name of the read-only BI role. Default `bi_reader`.
    static let biReaderRole = "BI_READER_ROLE"
    /// Log level: trace, debug, info (default), notice, warning, error, critical.
    static let logLevel = "LOG_LEVEL"
    /// Telegram bot token `pipeline digest` sends with. Secret.
    static let digestTelegramToken = "PIPELINE_DIGEST_TELEGRAM_TOKEN"
    /// Chat the digest goes to: a numeric chat id (`-100…` for groups and channels) or `@channelname`.
    static let digestChatID = "PIPELINE_DIGEST_CHAT_ID"
    /// Bot API base URL. Default `https://api.telegram.org`; tests point it at a local fake.
    static let digestTelegramAPIURL = "PIPELINE_DIGEST_TELEGRAM_API_URL"
    /// Per-project ingest credentials: `PIPELINE_PROJECT_<NAME><suffix>`, `<NAME>` upper-cased with `-` as `_`.
    static let projectPrefix = "PIPELINE_PROJECT_"
    /// GetCourse `secret` query parameter. Secret.
    static let projectSecretSuffix = "_SECRET"
    /// Personal-data salt; required for every project. Secret.
    static let projectSaltSuffix = "_SALT"
    /// Telegram webhook secret token. Secret.
    static let projectTelegramSecretSuffix = "_TELEGRAM_SECRET"
    /// Unisender Go API key, which signs its callbacks. Secret.
    static let projectUnisenderKeySuffix = "_UNISENDER_KEY"
    /// SendGrid signed-webhook verification key (base64 DER public key).
    static let projectSendGridKeySuffix = "_SENDGRID_KEY"
    /// Comma list of domains the click tracker may redirect to (subdomains included).
    static let projectAllowedHostsSuffix = "_ALLOWED_HOSTS"
    /// Secret that signs Telegram deep links (`pipeline identity link`) and that the bot checks them with. Secret.
    static let projectLinkSecretSuffix = "_LINK_SECRET"
    /// Secret that signs the learning webhook's bodies (HMAC-SHA256, header `X-Signature-SHA256`). Secret.
    static let projectLearningSecretSuffix = "_LEARNING_SECRET"
    /// The school bot's username (without @), the host of `pipeline identity link`'s links.
    static let telegramBotUsername = "PIPELINE_TELEGRAM_BOT_USERNAME"
    /// GetCourse Export API key (`pipeline backfill --api`). Secret.
    static let projectGetCourseKeySuffix = "_GETCOURSE_KEY"
    /// Yandex Direct OAuth token; `pipeline poll` polls Direct only when it is set. Secret.
    static let yandexDirectToken = "PIPELINE_YANDEX_DIRECT_TOKEN"
    /// Yandex Direct advertiser login (`Client-Login`), required with an agency token; the rows' account id.
    static let yandexDirectClientLogin = "PIPELINE_YANDEX_DIRECT_CLIENT_LOGIN"
    /// VK Ads OAuth access token; `pipeline poll` polls VK Ads only when it is set. Secret.
    static let vkAdsToken = "PIPELINE_VK_ADS_TOKEN"
    /// Meta Marketing API access token. Secret.
    static let metaToken = "PIPELINE_META_TOKEN"
    /// Meta ad account id (`act_…` or the bare number).
    static let metaAdAccountID = "PIPELINE_META_AD_ACCOUNT_ID"
    /// Google Ads API developer token. Secret.
    static let googleAdsDeveloperToken = "PIPELINE_GOOGLE_ADS_DEVELOPER_TOKEN"
    /// Google Ads OAuth access token. Secret.
    static let googleAdsAccessToken = "PIPELINE_GOOGLE_ADS_ACCESS_TOKEN"
    /// Google Ads customer id (digits, dashes allowed).
    static let googleAdsCustomerID = "PIPELINE_GOOGLE_ADS_CUSTOMER_ID"
    static let projectSuffixes = [
        projectSecretSuffix, projectSaltSuffix, projectTelegramSecretSuffix, projectUnisenderKeySuffix,
        projectSendGridKeySuffix, projectAllowedHostsSuffix, projectGetCourseKeySuffix,
        projectLinkSecretSuffix, projectLearningSecretSuffix,
    ]
}
