import Aggregation
import Events
import Foundation
import Testing

@Suite("registrations per project and local day")
struct RegistrationDayCountsTests {
    func registration(_ id: String, _ project: String, _ occurredAt: String) throws -> Event {
        try Event.decode(json: Array("""
            {"id":"\(id)","type":"registration","project":"\(project)","source":"getcourse","occurred_at":"\(occurredAt)",\
            "data":{"user_id":"u-\(id)","utm":{}}}
            """.utf8))
    }

    @Test("days follow each project's time zone; other types are ignored")
    func daysPerProjectZone() throws {
        let click = try Event.decode(json: Array("""
            {"id":"c1","type":"click","project":"a","source":"tracker","occurred_at":"2026-01-01T10:00:00Z",\
            "data":{"visitor_id":"v1","url":"https://school.example/","utm":{}}}
            """.utf8))
        let events = [
            try registration("1", "a", "2026-01-01T20:59:59Z"),  // 23:59:59 Moscow, Jan 1
            try registration("2", "a", "2026-01-01T21:00:00Z"),  // 00:00 Moscow, Jan 2
            try registration("3", "b", "2026-01-01T21:00:00Z"),  // 16:00 New York, Jan 1
            try registration("4", "b", "2026-01-02T04:59:59Z"),  // 23:59:59 New York, Jan 1
            click,
        ]
        let projects = ProjectDirectory(projects: [
            "b": ProjectSettings(timeZone: TimeZone(identifier: "America/New_York")!, baseCurrency: "USD"),
        ])
        let counts = RegistrationDayCounts(events, projects: projects)
        #expect(counts.increments == [
            .init(project: "a", day: try #require(LocalDate("2026-01-01"))): 1,
            .init(project: "a", day: try #require(LocalDate("2026-01-02"))): 1,
            .init(project: "b", day: try #require(LocalDate("2026-01-01"))): 2,
        ])
    }
}
