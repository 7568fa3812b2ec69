import Metrics

/// What the pollers report through swift-metrics; every series exists from the start, at zero.
public struct PollerMetrics: Sendable {
    /// Polls per `source` and `outcome` (`success`, `failure`).
    public static let runs = "pipeline_poll_runs_total"
    /// Rows fetched (ad-stats rows produced, or currency rates stored) per `source`.
    public static let rows = "pipeline_poll_rows_total"
    /// Unix time of the latest successful poll per `source`; 0 until the first.
    public static let lastSuccess = "pipeline_poll_last_success_seconds"

    /// Polls per configured account and `outcome`, labelled `project`, `source`, `account`.
    public static let accountRuns = "pipeline_poll_account_runs_total"
    /// Rows fetched per configured account.
    public static let accountRows = "pipeline_poll_account_rows_total"
    /// Unix time of the account's latest successful poll; 0 until the first.
    public static let accountLastSuccess = "pipeline_poll_account_last_success_seconds"
    /// Unix time the account's current access token expires; 0 when it does not expire or nobody said.
    public static let tokenExpiry = "pipeline_poll_token_expiry_seconds"
    /// 1 when the poller renews the account's token by itself, else 0.
    public static let tokenRenewable = "pipeline_poll_token_renewable"
    /// 1 while the network refuses to renew the account's token (revoked, `invalid_grant`), else 0.
    public static let tokenRenewalFailing = "pipeline_poll_token_renewal_failing"

    /// Who a per-account series is about.
    public struct AccountLabels: Sendable, Hashable {
        public var project: String
        public var source: String
        public var account: String

        public init(project: String, source: String, account: String) {
            self.project = project
            self.source = source
            self.account = account
        }

        var dimensions: [(String, String)] { [("project", project), ("source", source), ("account", account)] }
    }

    private let factory: any MetricsFactory

    /// Creates the series of every source now, so that dashboards and alerts see zeros, not gaps.
    public init(sources: [String], factory: any MetricsFactory = MetricsSystem.factory) {
        self.factory = factory
        for source in sources {
            _ = Counter(label: Self.runs, dimensions: [("source", source), ("outcome", "success")], factory: factory)
            _ = Counter(label: Self.runs, dimensions: [("source", source), ("outcome", "failure")], factory: factory)
            _ = Counter(label: Self.rows, dimensions: [("source", source)], factory: factory)
            Gauge(label: Self.lastSuccess, dimensions: [("source", source)], factory: factory).record(0)
        }
    }

    /// One successful poll of `rows` rows, finished at unix time `seconds`.
    public func success(source: String, rows: Int, atUnixSeconds seconds: Double) {
        Counter(label: Self.runs, dimensions: [("source", source), ("outcome", "success")], factory: factory).increment()
        Counter(label: Self.rows, dimensions: [("source", source)], factory: factory).increment(by: rows)
        Gauge(label: Self.lastSuccess, dimensions: [("source", source)], factory: factory).record(seconds)
    }

    /// Creates every per-account series now, at zero, so the account alerts see each account from start-up.
    public func register(accounts: [AccountLabels], tokens: [AccountLabels: TokenStatus] = [:]) {
        for labels in accounts {
            _ = Counter(label: Self.accountRuns, dimensions: labels.dimensions + [("outcome", "success")], factory: factory)
            _ = Counter(label: Self.accountRuns, dimensions: labels.dimensions + [("outcome", "failure")], factory: factory)
            _ = Counter(label: Self.accountRows, dimensions: labels.dimensions, factory: factory)
            Gauge(label: Self.accountLastSuccess, dimensions: labels.dimensions, factory: factory).record(0)
            token(labels, status: tokens[labels] ?? TokenStatus(renewable: false))
        }
    }

    /// One successful poll of a configured account.
    public func accountSuccess(_ labels: AccountLabels, rows: Int, atUnixSeconds seconds: Double) {
        Counter(label: Self.accountRuns, dimensions: labels.dimensions + [("outcome", "success")], factory: factory).increment()
        Counter(label: Self.accountRows, dimensions: labels.dimensions, factory: factory).increment(by: rows)
        Gauge(label: Self.accountLastSuccess, dimensions: labels.dimensions, factory: factory).record(seconds)
    }

    /// One failed poll of a configured account.
    public func accountFailure(_ labels: AccountLabels) {
        Counter(label: Self.accountRuns, dimensions: labels.dimensions + [("outcome", "failure")], factory: factory).increment()
    }

    /// The account's token as it stands.
    public func token(_ labels: AccountLabels, status: TokenStatus) {
        let expiry = status.expiresAt.map { Double($0.microsecondsSinceEpoch) / 1_000_000 } ?? 0
        Gauge(label: Self.tokenExpiry, dimensions: labels.dimensions, factory: factory).record(expiry)
        Gauge(label: Self.tokenRenewable, dimensions: labels.dimensions, factory: factory).record(status.renewable ? 1 : 0)
        Gauge(label: Self.tokenRenewalFailing, dimensions: labels.dimensions, factory: factory).record(status.renewalError == nil ? 0 : 1)
    }

    /// One failed poll (all its attempts spent, or an error that retrying cannot fix).
    public func failure(source: String) {
        Counter(label: Self.runs, dimensions: [("source", source), ("outcome", "failure")], factory: factory).increment()
    }
}
