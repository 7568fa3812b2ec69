import Events
import Pollers
import Testing

@Suite("ad_stats ids: the same figures give the same id, a revision a new one")
struct AdStatsRevisionsTests {
    static func row(ad: String = "777", day: String = "2026-03-01", impressions: Int64 = 1000, clicks: Int64 = 12, cost: String = "123.45")
        -> AdStats
    {
        AdStats(
            network: "yandex_direct", accountID: "school-login", campaignID: "55", adID: ad, day: LocalDate(day)!,
            impressions: impressions, clicks: clicks, cost: DecimalNumber(cost)!, currency: "RUB")
    }

    let t1 = Instant("2026-03-02T09:00:00Z")
    let t2 = Instant("2026-03-02T10:00:00Z")
    let t3 = Instant("2026-03-02T11:00:00Z")
    let t4 = Instant("2026-03-02T12:00:00Z")

    @Test("the id names source, account, campaign, ad, day and the figures")
    func idShape() {
        var revisions = AdStatsRevisions(project: "school", source: "yandex_direct")
        let event = revisions.events(for: [Self.row()], polledAt: t1)[0]
        #expect(event.id == "yandex_direct:school-login:55:777:2026-03-01:1000:12:123.45RUB")
        #expect(event.project == "school")
        #expect(event.source == "yandex_direct")
        #expect(event.occurredAt == t1)
        #expect(event.partitionKey == "school:yandex_direct:777:2026-03-01")
    }

    @Test("an unchanged re-poll repeats the envelope exactly, even in a fresh process; 123.40 equals 123.4")
    func unchanged() {
        var revisions = AdStatsRevisions(project: "school", source: "yandex_direct")
        let first = revisions.events(for: [Self.row(cost: "123.4")], polledAt: t1)
        let again = revisions.events(for: [Self.row(cost: "123.40")], polledAt: t2)
        #expect(again.map(\.id) == first.map(\.id))
        #expect(again.map(\.occurredAt) == [t1])
        var restarted = AdStatsRevisions(project: "school", source: "yandex_direct")
        #expect(restarted.events(for: [Self.row(cost: "123.40")], polledAt: t3).map(\.id) == first.map(\.id))
    }

    @Test("a revised day gets a new id and the later occurred_at; other rows keep theirs")
    func revised() {
        var revisions = AdStatsRevisions(project: "school", source: "yandex_direct")
        let first = revisions.events(for: [Self.row(), Self.row(ad: "778")], polledAt: t1)
        let second = revisions.events(for: [Self.row(clicks: 13, cost: "130.00"), Self.row(ad: "778")], polledAt: t2)
        #expect(second[0].id == "yandex_direct:school-login:55:777:2026-03-01:1000:13:130RUB")
        #expect(second[0].occurredAt == t2)
        #expect(second[1].id == first[1].id)
        #expect(second[1].occurredAt == t1)
    }

    @Test("A → B → A: the return to A is a new id (with the poll instant) that is the latest; then stable")
    func revertedRevision() {
        var revisions = AdStatsRevisions(project: "school", source: "yandex_direct")
        let a = revisions.events(for: [Self.row()], polledAt: t1)[0]
        let b = revisions.events(for: [Self.row(clicks: 13)], polledAt: t2)[0]
        let aAgain = revisions.events(for: [Self.row()], polledAt: t3)[0]
        let aStill = revisions.events(for: [Self.row()], polledAt: t4)[0]
        #expect(a.id == "yandex_direct:school-login:55:777:2026-03-01:1000:12:123.45RUB")
        #expect(b.id == "yandex_direct:school-login:55:777:2026-03-01:1000:13:123.45RUB")
        // t3 = 2026-03-02T11:00:00Z = 1772449200 s since the epoch.
        #expect(aAgain.id == "yandex_direct:school-login:55:777:2026-03-01:1000:12:123.45RUB:r1772449200000000")
        #expect(aAgain.occurredAt == t3)
        #expect(aStill.id == aAgain.id)
        #expect(aStill.occurredAt == t3)
    }

    @Test("ids too long for 200 characters replace the identity by its FNV-1a digest")
    func longIdentity() throws {
        var revisions = AdStatsRevisions(project: "school", source: "meta")
        var row = Self.row()
        row.accountID = String(repeating: "a", count: 190)
        let event = revisions.events(for: [row], polledAt: t1)[0]
        #expect(event.id.count <= 200)
        #expect(event.id.hasPrefix("meta:h"))
        #expect(event.id.hasSuffix(":2026-03-01:1000:12:123.45RUB"))
        try event.validate()
    }

    @Test("days that left the window are forgotten")
    func forget() {
        var revisions = AdStatsRevisions(project: "school", source: "yandex_direct")
        _ = revisions.events(for: [Self.row(day: "2026-02-27"), Self.row(day: "2026-03-01")], polledAt: t1)
        revisions.forget(daysBefore: LocalDate("2026-02-28")!)
        #expect(revisions.count == 1)
    }
}
