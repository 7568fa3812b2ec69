import Events

/// Where a client gets the access token of each call: a fixed one, or one that renews itself.
public protocol AccessTokenProvider: Sendable {
    /// A token usable now; a renewing provider renews it first when it is about to expire.
    func accessToken() async throws -> String
    /// `token` was refused (HTTP 401): the next `accessToken()` renews it. Returns whether renewal is possible.
    func refused(_ token: String) async -> Bool
    /// The token's state, for metrics and `pipeline poll --check`.
    func status() async -> TokenStatus
}

/// What an operator needs to know about an account's token.
public struct TokenStatus: Sendable, Equatable {
    /// When the current access token stops working; nil when it does not expire or nobody said.
    public var expiresAt: Instant?
    /// Whether the poller renews the token by itself (a refresh token or client credentials are configured).
    public var renewable: Bool
    /// The last renewal's refusal (`invalid_grant`, …), until a renewal succeeds; never holds a secret.
    public var renewalError: String?
    /// Why the renewed token could not be kept in the state directory (it then does not survive a restart).
    public var storeError: String?

    public init(expiresAt: Instant? = nil, renewable: Bool, renewalError: String? = nil, storeError: String? = nil) {
        self.expiresAt = expiresAt
        self.renewable = renewable
        self.renewalError = renewalError
        self.storeError = storeError
    }
}

/// A token used as given (the environment's, or a Meta system-user token): never renewed.
public struct FixedAccessToken: AccessTokenProvider {
    private let token: String
    private let expiresAt: Instant?

    public init(_ token: String, expiresAt: Instant? = nil) {
        self.token = token
        self.expiresAt = expiresAt
    }

    public func accessToken() async throws -> String { token }
    public func refused(_ token: String) async -> Bool { false }
    public func status() async -> TokenStatus { TokenStatus(expiresAt: expiresAt, renewable: false) }
}

extension AccessTokenProvider {
    /// Runs `call` with a token and, when the API refuses it (`PollError.unauthorized`) and the provider
    /// can renew, once more with a renewed token: an access token revoked or expired early costs one call.
    public func withToken<T: Sendable>(_ call: (String) async throws -> T) async throws -> T {
        let token = try await accessToken()
        do {
            return try await call(token)
        } catch PollError.unauthorized(let reason) {
            guard await refused(token) else { throw PollError.unauthorized(reason) }
            return try await call(try await accessToken())
        }
    }
}
