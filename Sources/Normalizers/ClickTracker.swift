import Events
import Foundation

/// Turns a tracked-link request (`/c/<project>/<link id>?url=<target>&utm_source=…`) into a click event and a redirect target that cannot be an open redirect.
///
/// The target must be an absolute `http`/`https` URL whose host is one of the project's allowed domains
/// or a subdomain of one. Refused: other schemes (`javascript:`, `data:`), scheme-relative `//evil`, user
/// info (`https://good.com@evil.com`, which browsers send to evil.com), backslashes and control characters
/// (browsers read `https:\\evil.com` as `https://evil.com`), IP literals, percent-escapes or non-ASCII in the
/// host (only punycode names match an allow-list entry byte for byte).
///
/// The event id is `tracker:<link id>:<visitor id>:<h>`, where `h` hashes the first network click id
/// (`yclid`, `gclid`, …; unique per ad click, so a reload of the same landing counts once), or, without
/// one, the request's arrival instant.
public struct ClickTracker: Sendable {
    /// The event to produce and where to send the browser.
    public struct Redirect: Sendable, Equatable {
        public var event: Event
        public var target: String
    }

    public static let source = "tracker"

    /// Click-id parameters kept in `click_ids`, in the order used to pick the one that identifies the click.
    public static let clickIDParameters = ["yclid", "gclid", "fbclid", "msclkid", "dclid", "ttclid", "twclid", "ysclid", "vkclid", "_openstat"]

    /// Bounds a cookie or path value so that ids stay within the envelope's 200 characters.
    static let maximumTokenLength = 64

    public let context: ProjectContext
    /// Lower-cased, without a trailing dot.
    public let allowedHosts: [String]

    /// - Parameter allowedHosts: domains the project links to; each also allows its subdomains.
    public init(context: ProjectContext, allowedHosts: [String]) {
        self.context = context
        self.allowedHosts = allowedHosts.map { Self.normalizedHost($0) }.filter { !$0.isEmpty }
    }

    /// - Parameters:
    ///   - pathComponents: `["c", project, linkID]`; a leading `"/"` component (as `URL.pathComponents` gives) is ignored.
    ///   - visitorID: the visitor cookie's value, or a fresh id the caller generated and will set as the cookie.
    public func normalize(pathComponents: [String], query: [String: String], visitorID: String, receivedAt: Instant) throws(NormalizationError) -> Redirect {
        let parts = pathComponents.filter { $0 != "/" && !$0.isEmpty }
        guard parts.count == 3, parts[0] == "c" else {
            throw NormalizationError(field: "path", problem: "must be /c/<project>/<link id>")
        }
        guard parts[1] == context.project else {
            throw NormalizationError(field: "path", problem: "project \(quoted(parts[1])) is not \(quoted(context.project))")
        }
        let linkID = try token(parts[2], field: "link id")
        let visitor = try token(visitorID, field: "visitor_id")
        let query = QueryReader(parameters: query)
        let target = try query.required(["url"]).value
        try checkTarget(target)

        let utm = UTM(source: try query.value("utm_source"), medium: try query.value("utm_medium"), campaign: try query.value("utm_campaign"),
                      content: try query.value("utm_content"), term: try query.value("utm_term"))
        var clickIDs: [String: String] = [:]
        for name in Self.clickIDParameters { if let value = try query.value(name) { clickIDs[name] = value } }
        let identity = Self.clickIDParameters.first { clickIDs[$0] != nil }.map { "\($0)=\(clickIDs[$0]!)" }
            ?? "at=\(receivedAt.microsecondsSinceEpoch)"
        let click = Click(visitorID: visitor, url: target, utm: utm, clickIDs: clickIDs.isEmpty ? nil : clickIDs)
        let event = try EventChecking.checked(Event(
            id: "tracker:\(linkID):\(visitor):\(Digests.sha256Hex(identity).prefix(16))", project: context.project,
            source: Self.source, occurredAt: receivedAt, data: .click(click)))
        return Redirect(event: event, target: target)
    }

    private func token(_ value: String, field: String) throws(NormalizationError) -> String {
        guard !value.isEmpty, value.count <= Self.maximumTokenLength,
              value.unicodeScalars.allSatisfy({ $0.value > 0x20 && $0.value < 0x7F && $0 != ":" })
        else {
            throw NormalizationError(field: field, problem: "must be 1...\(Self.maximumTokenLength) printable ASCII characters without ':', got \(quoted(value))")
        }
        return value
    }

    /// Refuses anything that could send the browser to a host outside the allow-list.
    func checkTarget(_ target: String) throws(NormalizationError) {
        func refuse(_ why: String) -> NormalizationError {
            NormalizationError(field: "url", problem: "\(why), got \(quoted(target))")
        }
        if target.unicodeScalars.contains(where: { $0.value <= 0x20 || $0.value == 0x7F || $0 == "\\" }) {
            throw refuse("must not contain spaces, control characters or backslashes")
        }
        let lower = target.lowercased()
        let rest: Substring
        if lower.hasPrefix("https://") {
            rest = target.dropFirst("https://".count)
        } else if lower.hasPrefix("http://") {
            rest = target.dropFirst("http://".count)
        } else {
            throw refuse("must be an absolute http or https URL")
        }
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        if authority.contains("@") { throw refuse("must not contain user info") }
        if authority.hasPrefix("[") { throw refuse("must have a plain host name") }
        var host = authority
        if let colon = authority.lastIndex(of: ":") {
            let port = authority[authority.index(after: colon)...]
            guard !port.isEmpty, port.count <= 5, port.allSatisfy({ $0.isASCII && $0.isNumber }) else { throw refuse("must have a numeric port") }
            host = authority[..<colon]
        }
        let name = Self.normalizedHost(String(host))
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        guard !name.isEmpty,
              name.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "." }),
              labels.allSatisfy({ !$0.isEmpty })
        else { throw refuse("must have a plain host name") }
        guard allowedHosts.contains(where: { name == $0 || name.hasSuffix("." + $0) }) else {
            throw refuse("host \(quoted(name)) is not in the project's allowed domains")
        }
    }

    static func normalizedHost(_ host: String) -> String {
        var name = host.lowercased()
        if name.hasSuffix(".") { name.removeLast() }
        return name
    }
}
