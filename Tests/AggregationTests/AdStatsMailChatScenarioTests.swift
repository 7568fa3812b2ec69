import Aggregation
import Events
import Foundation
import Testing

// SPEC §4.1 impressions/ad_clicks/spend, §4.5 mail, §4.6 chat, hand-computed.

@Suite("scenario: ad_stats")
struct AdStatsScenarioTests {
    let ad = attr("yandex_direct", "camp1", "ad1")
    let key = AdStatsKey(project: "p", network: "yandex_direct", accountID: "acc1", campaignID: "camp1", adID: "ad1",
                         day: day("2026-03-01"))

    var storedState: BatchState {
        var state = BatchState()
        state.adStats[key] = AdStatsState(stamp: stamp("2026-03-02T10:00:00Z", "s1"), impressions: 1000, clicks: 50,
                                          spend: dec("3000.00"))
        return state
    }

    @Test("a later re-poll replaces the stored values: increment = new − old")
    func laterPollReplaces() {
        let changes = Fixture.processor.process([
            adStatsEvent("s2", at: "2026-03-03T10:00:00Z", day: "2026-03-01", impressions: 1200, clicks: 55, cost: "3100.50"),
        ], state: storedState)
        // 1200 − 1000 = 200; 55 − 50 = 5; 3100.50 − 3000.00 = 100.50; on the poll's `day` (Mar 1), not occurred_at's.
        #expect(changes.funnel == [fkey("2026-03-01", ad): fm(impressions: 200, adClicks: 5, spend: "100.50")])
        #expect(changes.adStats == [key: AdStatsState(stamp: stamp("2026-03-03T10:00:00Z", "s2"), impressions: 1200,
                                                      clicks: 55, spend: dec("3100.50"))])
    }

    @Test("an older re-poll changes nothing")
    func olderPollIgnored() {
        let changes = Fixture.processor.process([
            adStatsEvent("s0", at: "2026-03-02T09:59:59Z", day: "2026-03-01", impressions: 1, clicks: 1, cost: "1"),
        ], state: storedState)
        #expect(changes.funnel.isEmpty)
        #expect(changes.adStats.isEmpty)
        #expect(changes.rejected.isEmpty)
    }

    @Test("a tie on occurred_at goes to the larger id")
    func tieGoesToLargerID() {
        // 13:00+03:00 = 10:00Z, the stored poll's instant.
        let smaller = Fixture.processor.process([
            adStatsEvent("s0", at: "2026-03-02T13:00:00+03:00", day: "2026-03-01", impressions: 1, clicks: 1, cost: "1"),
        ], state: storedState)
        #expect(smaller.funnel.isEmpty) // "s0" < "s1": the stored poll stays
        #expect(smaller.adStats.isEmpty)

        let larger = Fixture.processor.process([
            adStatsEvent("s9", at: "2026-03-02T13:00:00+03:00", day: "2026-03-01", impressions: 900, clicks: 40, cost: "2500"),
        ], state: storedState)
        // "s9" > "s1": replaces. 900 − 1000 = −100; 40 − 50 = −10; 2500 − 3000.00 = −500.
        #expect(larger.funnel == [fkey("2026-03-01", ad): fm(impressions: -100, adClicks: -10, spend: "-500")])
        #expect(larger.adStats[key]?.stamp.id == "s9")
    }

    @Test("foreign spend converts at the rate of the ad's day; accounts sum; polls in one batch keep the latest")
    func foreignSpendAtAdDay() {
        let day10 = "2026-03-10"
        let changes = Fixture.processor.process([
            // day Mar 10 → USD 95.5 (polled Mar 12, whose rate would be 100): 12.345 × 95.5 = 1178.9475 → 1178.95
            adStatsEvent("u-1", at: "2026-03-12T08:00:00Z", account: "acc1", day: day10, impressions: 100, clicks: 10,
                         cost: "12.345", currency: "USD"),
            // an earlier poll of acc1 in the same batch: superseded by u-1
            adStatsEvent("u-0", at: "2026-03-11T08:00:00Z", account: "acc1", day: day10, impressions: 70, clicks: 7,
                         cost: "9", currency: "USD"),
            // another account of the same ad and day: 10 RUB
            adStatsEvent("u-2", at: "2026-03-11T08:00:00Z", account: "acc2", day: day10, impressions: 50, clicks: 5, cost: "10"),
        ], state: BatchState())
        #expect(changes.rejected.isEmpty)
        // 100 + 50 = 150 impressions; 10 + 5 = 15 clicks; 1178.95 + 10 = 1188.95 spend.
        #expect(changes.funnel == [fkey(day10, ad): fm(impressions: 150, adClicks: 15, spend: "1188.95")])
        let acc1 = AdStatsKey(project: "p", network: "yandex_direct", accountID: "acc1", campaignID: "camp1", adID: "ad1",
                              day: day(day10))
        #expect(changes.adStats[acc1]?.spend.description == "1178.95")
        #expect(changes.adStats.count == 2)
    }
}

@Suite("scenario: mail and chat")
struct MailChatScenarioTests {
    func counts(sent: Int64 = 0, delivered: Int64 = 0, opened: Int64 = 0, clicked: Int64 = 0, unsubscribed: Int64 = 0,
                bounced: Int64 = 0, spam: Int64 = 0) -> MailCounts {
        var c = MailCounts()
        c.sent = sent
        c.delivered = delivered
        c.opened = opened
        c.clicked = clicked
        c.unsubscribed = unsubscribed
        c.bounced = bounced
        c.spam = spam
        return c
    }

    @Test("mail: counts per kind and day, earliest open and click per letter and user, clicks for credit")
    func mail() {
        let events = [
            mailEvent("m1", letter: "L1", user: "u1", kind: "sent", at: "2026-03-01T05:00:00Z"),
            mailEvent("m2", letter: "L1", user: "u2", kind: "sent", at: "2026-03-01T05:00:01Z"),
            mailEvent("m3", letter: "L1", user: "u1", kind: "delivered", at: "2026-03-01T05:01:00Z"),
            mailEvent("m4", letter: "L1", user: "u1", kind: "opened", at: "2026-03-01T10:00:00Z"),
            mailEvent("m5", letter: "L1", user: "u1", kind: "opened", at: "2026-03-01T21:30:00Z"), // 00:30 Mar 2 Moscow
            mailEvent("m6", letter: "L1", user: "u1", kind: "opened", at: "2026-03-01T09:00:00Z"), // the earliest, listed late
            mailEvent("m7", letter: "L1", user: "u1", kind: "clicked", at: "2026-03-02T12:00:00Z"),
            mailEvent("m8", letter: "L1", user: "u1", kind: "clicked", at: "2026-03-02T11:00:00Z"), // the earliest click
            mailEvent("m9", letter: "L1", user: "u2", kind: "unsubscribed", at: "2026-03-03T06:00:00Z"),
            mailEvent("m10", letter: "L1", user: "u2", kind: "bounced", at: "2026-03-03T06:00:01Z"),
            mailEvent("m11", letter: "L1", user: "u2", kind: "spam", at: "2026-03-03T06:00:02Z"),
            mailEvent("m12", letter: "L1", user: "u2", kind: "opened", at: "2026-03-02T06:00:00Z"),
            // Same letter_id on another channel: another letter.
            mailEvent("m13", letter: "L1", channel: "telegram", user: "u1", kind: "opened", at: "2026-03-01T08:00:00Z"),
            mailEvent("m14", letter: "L1", channel: "telegram", user: "u1", kind: "clicked", at: "2026-03-01T08:05:00Z"),
        ]
        let changes = Fixture.processor.process(events, state: BatchState())
        let daily = Dictionary(uniqueKeysWithValues: changes.mailDaily.map {
            ("\($0.key.letter.project)/\($0.key.letter.channel)/\($0.key.letter.letterID)/\($0.key.day)", $0.value)
        })
        #expect(daily == [
            "p/email/L1/2026-03-01": counts(sent: 2, delivered: 1, opened: 2),  // m1 m2 | m3 | m4 m6
            "p/email/L1/2026-03-02": counts(opened: 2, clicked: 2),             // m5 m12 | m7 m8
            "p/email/L1/2026-03-03": counts(unsubscribed: 1, bounced: 1, spam: 1),
            "p/telegram/L1/2026-03-01": counts(opened: 1, clicked: 1),
        ])
        func recipients(_ map: [RecipientKey: FirstTouch]) -> [String: Instant] {
            Dictionary(uniqueKeysWithValues: map.map { ("\($0.key.letter.channel)/\($0.key.letter.letterID)/\($0.key.userID)", $0.value.at) })
        }
        // The first touch's day is its Moscow day: m12 at 06:00Z is 09:00 on 2026-03-02.
        #expect(changes.firstOpens.first { $0.key.userID == "u2" }?.value.day == LocalDate("2026-03-02"))
        #expect(recipients(changes.firstOpens) == [
            "email/L1/u1": instant("2026-03-01T09:00:00Z"),    // m6, not m4 or m5
            "email/L1/u2": instant("2026-03-02T06:00:00Z"),    // m12
            "telegram/L1/u1": instant("2026-03-01T08:00:00Z"), // m13
        ])
        #expect(recipients(changes.firstClicks) == [
            "email/L1/u1": instant("2026-03-02T11:00:00Z"),    // m8, not m7
            "telegram/L1/u1": instant("2026-03-01T08:05:00Z"), // m14
        ])
        #expect(Set(changes.mailClicks.map { "\($0.user.userID)/\($0.stamp.id)/\($0.stamp.at)/\($0.channel)/\($0.letterID)" }) == [
            "u1/m7/2026-03-02T12:00:00Z/email/L1",
            "u1/m8/2026-03-02T11:00:00Z/email/L1",
            "u1/m14/2026-03-01T08:05:00Z/telegram/L1",
        ])
        #expect(changes.mailClicks.count == 3)
        #expect(changes.contacts == [user("u1"), user("u2")])
        #expect(changes.usersSeen.isEmpty) // a mail id is a contact, resolved through its alias link where BI reads
        #expect(changes.activityMonths == [
            ActivityMonthKey(user: user("u1"), month: LocalDate("2026-03-01")!, contact: true),
            ActivityMonthKey(user: user("u2"), month: LocalDate("2026-03-01")!, contact: true),
        ]) // opens and clicks are activity (SPEC §4.14), every one in March
        #expect(changes.funnel.isEmpty)
        #expect(changes.userDaily.isEmpty)
        #expect(changes.users.isEmpty)
    }

    @Test("chat: messages make a user chat_active and a member of that chat day; joins and leaves only count")
    func chat() {
        let state = BatchState() // chat users are neither locked nor read
        let changes = Fixture.processor.process([
            chatEvent("k1", chat: "c1", user: "u1", kind: "message", at: "2026-03-01T06:00:00Z"),
            chatEvent("k2", chat: "c1", user: "u1", kind: "message", at: "2026-03-01T07:00:00Z"),
            chatEvent("k3", chat: "c1", user: "u2", kind: "message", at: "2026-03-01T20:59:59Z"), // 23:59:59 Mar 1
            chatEvent("k4", chat: "c1", user: "u3", kind: "join", at: "2026-03-01T08:00:00Z"),
            chatEvent("k5", chat: "c1", user: "u3", kind: "leave", at: "2026-03-01T21:00:00Z"),   // 00:00 Mar 2
            chatEvent("k6", chat: "c2", user: "u1", kind: "message", at: "2026-03-02T06:00:00Z"),
            chatEvent("k7", chat: "c2", user: "u4", kind: "message", at: "2026-03-02T07:00:00Z"),
            chatEvent("k8", chat: "c1", user: "u5", kind: "message", at: "2026-03-02T08:00:00Z"),
        ], state: state)
        let daily = Dictionary(uniqueKeysWithValues: changes.chatDaily.map {
            ("\($0.key.project)/\($0.key.chatID)/\($0.key.day)", [$0.value.messages, $0.value.joins, $0.value.leaves])
        })
        #expect(daily == [
            "p/c1/2026-03-01": [3, 1, 0], // k1 k2 k3 messages; k4 join
            "p/c1/2026-03-02": [1, 0, 1], // k8 message; k5 leave
            "p/c2/2026-03-02": [2, 0, 0], // k6 k7
        ])
        #expect(Set(changes.chatMembers.map { "\($0.chatDay.chatID)/\($0.chatDay.day)/\($0.userID)" }) == [
            "c1/2026-03-01/u1", "c1/2026-03-01/u2", "c1/2026-03-02/u5", "c2/2026-03-02/u1", "c2/2026-03-02/u4",
        ]) // u3 only joined and left: not a member of any day
        #expect(changes.chatActiveContacts == [user("u1"), user("u2"), user("u4"), user("u5")]) // u3 only joined and left
        #expect(changes.users.isEmpty) // a chat changes no registration
        #expect(changes.contacts == [user("u1"), user("u2"), user("u3"), user("u4"), user("u5")])
        #expect(changes.usersSeen.isEmpty)
        #expect(Set(changes.activityMonths.map(\.user.userID)) == ["u1", "u2", "u4", "u5"]) // messages only
        #expect(changes.funnel.isEmpty)
        #expect(changes.newUsers.isEmpty)
        #expect(changes.userDaily.isEmpty)
    }
}
