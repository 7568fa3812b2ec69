/// A visit through a tracked link (`type: click`), attributed by its own UTM tags.
public struct Click: Sendable, Hashable {
    public var visitorID: String
    public var url: String
    public var utm: UTM
    /// Network click identifiers (`yclid`, `gclid`, `fbclid`, ...), kept open because networks add new ones.
    public var clickIDs: [String: String]?

    public init(visitorID: String, url: String, utm: UTM = UTM(), clickIDs: [String: String]? = nil) {
        self.visitorID = visitorID
        self.url = url
        self.utm = utm
        self.clickIDs = clickIDs
    }
}
