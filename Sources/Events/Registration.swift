/// A user's sign-up (`type: registration`); the user's first one fixes their attribution and cohort.
public struct Registration: Sendable, Hashable {
    public var userID: String
    public var visitorID: String?
    public var funnel: String?
    public var utm: UTM
    /// A salted SHA-256 of the address: clear-text personal data never leaves the producer.
    public var emailSHA256: String?

    public init(userID: String, visitorID: String? = nil, funnel: String? = nil, utm: UTM = UTM(), emailSHA256: String? = nil) {
        self.userID = userID
        self.visitorID = visitorID
        self.funnel = funnel
        self.utm = utm
        self.emailSHA256 = emailSHA256
    }
}
