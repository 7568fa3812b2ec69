import Events
import Foundation
import Testing
@testable import Normalizers

@Suite struct ClickTrackerTests {
    let tracker = ClickTracker(context: Fixtures.context, allowedHosts: ["school.ru", "Lessons.Example.COM."])
    let path = ["/", "c", "school1", "spring-promo"]

    func click(_ query: String, visitor: String = "v-123", at: Instant = Fixtures.receivedAt) throws -> ClickTracker.Redirect {
        try tracker.normalize(pathComponents: path, query: Fixtures.query(query), visitorID: visitor, receivedAt: at)
    }

    @Test func taggedClick() throws {
        let redirect = try click("url=https%3A%2F%2Fschool.ru%2Fwebinar%3Fa%3D1&utm_source=yandex&utm_medium=cpc&utm_campaign=123&utm_content=987&utm_term=&yclid=6231587210582835199")
        #expect(redirect.target == "https://school.ru/webinar?a=1")
        let event = redirect.event
        #expect(event.source == "tracker")
        #expect(event.occurredAt == Fixtures.receivedAt)
        #expect(event.id.hasPrefix("tracker:spring-promo:v-123:"))
        #expect(event.data == .click(Click(visitorID: "v-123", url: "https://school.ru/webinar?a=1",
                                           utm: UTM(source: "yandex", medium: "cpc", campaign: "123", content: "987"),
                                           clickIDs: ["yclid": "6231587210582835199"])))
    }

    @Test func aReloadOfOneAdClickIsOneEventButUntaggedClicksAreDistinct() throws {
        let tagged = "url=https://school.ru/&gclid=abc"
        #expect(try click(tagged).event.id == click(tagged, at: Fixtures.receivedAt.advanced(byMicroseconds: 5_000_000)).event.id)
        let plain = "url=https://school.ru/"
        #expect(try click(plain).event.id != click(plain, at: Fixtures.receivedAt.advanced(byMicroseconds: 5_000_000)).event.id)
        #expect(try click(plain).event.id == click(plain).event.id)
    }

    @Test(arguments: [
        "https://school.ru", "https://school.ru/", "HTTPS://School.RU/path", "http://www.school.ru/a?b=c#d",
        "https://school.ru:8443/x", "https://school.ru./x", "https://lessons.example.com/l/1", "https://a.b.lessons.example.com",
    ])
    func allowedTargets(_ target: String) throws {
        let redirect = try tracker.normalize(pathComponents: path, query: ["url": target], visitorID: "v", receivedAt: Fixtures.receivedAt)
        #expect(redirect.target == target)
    }

    @Test(arguments: [
        ("javascript:alert(1)", "must be an absolute http or https URL"),
        ("JaVaScRiPt://school.ru/%0Aalert(1)", "must be an absolute http or https URL"),
        ("data:text/html,<script>", "must be an absolute http or https URL"),
        ("//evil.com", "must be an absolute http or https URL"),
        ("/local/path", "must be an absolute http or https URL"),
        ("ftp://school.ru/file", "must be an absolute http or https URL"),
        ("https:evil.com", "must be an absolute http or https URL"),
        ("https://school.ru@evil.com", "must not contain user info"),
        ("https://user:pass@school.ru", "must not contain user info"),
        ("https://evil.com#@school.ru", "host \"evil.com\" is not in the project's allowed domains"),
        ("https://evil.com?.school.ru", "host \"evil.com\" is not in the project's allowed domains"),
        ("https://school.ru.evil.com", "host \"school.ru.evil.com\" is not in the project's allowed domains"),
        ("https://evilschool.ru", "host \"evilschool.ru\" is not in the project's allowed domains"),
        ("https://example.com", "host \"example.com\" is not in the project's allowed domains"),
        ("https:\\\\evil.com", "must not contain spaces, control characters or backslashes"),
        ("https://evil.com\\@school.ru", "must not contain spaces, control characters or backslashes"),
        ("https://school.ru\t.evil.com", "must not contain spaces, control characters or backslashes"),
        ("https:///evil.com", "must have a plain host name"),
        ("https://school%2eru", "must have a plain host name"),
        ("https://[::1]/", "must have a plain host name"),
        ("https://127.0.0.1/", "host \"127.0.0.1\" is not in the project's allowed domains"),
        ("https://school.ru:http/", "must have a numeric port"),
        ("https://schооl.ru/", "must have a plain host name"),
    ])
    func refusedTargets(_ target: String, _ problem: String) {
        do {
            _ = try tracker.normalize(pathComponents: path, query: ["url": target], visitorID: "v", receivedAt: Fixtures.receivedAt)
            Issue.record("accepted \(target)")
        } catch {
            #expect(error.field == "url")
            #expect(error.problem.hasPrefix(problem), "\(error)")
        }
    }

    @Test(arguments: [
        (["c", "school1"], "v", "path: must be /c/<project>/<link id>"),
        (["c", "other", "l1"], "v", "path: project \"other\" is not \"school1\""),
        (["c", "school1", "l1"], "", "visitor_id: must be 1...64 printable ASCII characters without ':', got \"\""),
        (["c", "school1", "l:1"], "v", "link id: must be 1...64 printable ASCII characters without ':', got \"l:1\""),
    ])
    func requestErrors(_ path: [String], _ visitor: String, _ message: String) {
        do {
            _ = try tracker.normalize(pathComponents: path, query: ["url": "https://school.ru"], visitorID: visitor, receivedAt: Fixtures.receivedAt)
            Issue.record("expected \(message)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func missingTarget() {
        #expect(throws: NormalizationError(field: "url", problem: "missing")) {
            try tracker.normalize(pathComponents: path, query: ["utm_source": "vk", "url": ""], visitorID: "v", receivedAt: Fixtures.receivedAt)
        }
    }
}
