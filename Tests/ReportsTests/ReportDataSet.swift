import Events
import Foundation
import Kafka
import Logging
import Migrations
import PipelineTestSupport
import Postgres
import Worker

/// A small school whose every figure is worked out by hand from SPEC below, loaded through the real
/// path: migrations, Kafka (the mock cluster) and the worker's batch applier.
///
/// Project `r-school`, Europe/Moscow (UTC+3, every instant below is written in +03:00 so its day is
/// plain), base RUB, every amount in RUB. The report's period is 2026-03-08 … 2026-03-14, the previous
/// period 2026-03-01 … 2026-03-07; the digest's day is 2026-03-14 against 2026-03-13.
///
/// Users and their attribution (their first registration, SPEC §3):
///   u1 02-20 yandex/c-100/a-1 → yandex_direct/c-100/a-1 ("A")     u2 02-22 vk/c-200/b-1 → vk_ads/c-200/b-1 ("B")
///   u3 03-03 A      u4 03-10 no utm → (none)/''/''      u5 03-09 yandex/c-100/a-2 ("C")
///   u6 03-13 B      u7 03-14 A
///
/// Day by day, per ad (spend from ad_stats, one poll each; money from accepted payments):
///   A 02-20 impr 1000 clicks 50 spend 1000, reg u1
///   A 03-02 order o1 (m-anna) paid, payment p1 5000                       [u1]
///   A 03-03 impr 1000 clicks 40 spend 2000, visit, reg u3
///   A 03-10 impr 2000 clicks 80 spend 3000, 2 visits, order o3 (m-anna) paid, p3 14900   [u3]
///   A 03-11 order o4 (m-boris) paid, p4 3000                              [u1]
///   A 03-12 p4 refunded: refunds 3000                                     [u1]
///   A 03-13 impr 500 clicks 20 spend 1000, order o8 (m-boris) paid, p8 1000   [u3]
///   A 03-14 impr 500 clicks 25 spend 1500, visit, reg u7, order o7 (m-anna) paid, p7 4000
///   B 02-22 impr 800 clicks 16 spend 800, reg u2
///   B 02-23 order o2 (m-anna) paid, p2 800                                [u2]
///   B 03-04 impr 600 clicks 12 spend 1200
///   B 03-11 impr 1000 clicks 20 spend 2500, visit
///   B 03-13 reg u6
///   B 03-14 impr 400 clicks 10 spend 1000
///   C 03-09 impr 300 clicks 15 spend 600, visit, reg u5, order o6 (m-boris) new (never paid)
///   (none) 03-10 visit, reg u4, order o5 (no manager) paid, p5 2000
///
/// Period 03-08 … 03-14: impressions 2000+500+500 (A) + 1000+400 (B) + 300 (C) = 4700;
/// ad clicks 125 + 30 + 15 = 170; spend 5500 + 3500 + 600 = 9600; visits 3 + 1 + 1 + 1 = 6;
/// registrations u7, u6, u5, u4 = 4 (all first ones: new users 4); orders o3 o4 o8 o7 o6 o5 = 6;
/// paid orders and payments 5 (p3 p4 p8 p7 p5); revenue 14900+3000+1000+4000+2000 = 24900; refunds 3000.
/// ROMI = (24900 − 3000 − 9600) / 9600 × 100 = 128.125 → 128.1 %; ROAS = 24900/9600 = 2.59375 → 2.59;
/// ДРР = 9600 / 21900 × 100 = 43.835… → 43.8 %; average check 24900/5 = 4980; CPR 9600/4 = 2400;
/// CPO 9600/5 = 1920.
/// Previous 03-01 … 03-07: impressions 1600, clicks 52, spend 3200, visits 1, registrations 1 (u3, new),
/// orders 1, paid 1, payments 1, revenue 5000, refunds 0; ROMI 1800/3200 × 100 = 56.25 → 56.3 %.
/// Changes: revenue (24900 − 5000)/5000 = +398.0 %, spend +200.0 %, registrations +300.0 %,
/// ROMI 128.125 − 56.25 = +71.875 → +71.9 pp.
///
/// Traffic of the period, per ad (NPC = spend when the ad's revenue is 0):
///   (none)/''/'': visits 1, regs 1, orders 1, paid 1, payments 1, revenue 2000; spend 0 → CPC, ROMI, ROAS —;
///     CPR 0/1 = 0.00; ДРР 0/2000 = 0.0 %; NPC 0.
///   vk_ads/c-200/b-1: impr 1400, clicks 30, spend 3500, visits 1, regs 1; CPC 116.67, CPR 3500.00,
///     CPA — and CPO — (no orders), ROMI −100.0 %, ROAS 0.00, ДРР — (no net revenue), NPC 3500.
///   yandex_direct/c-100/a-1: impr 3000, clicks 125, spend 5500, visits 3, regs 1, orders 4, paid 4,
///     revenue 22900, refunds 3000; CPC 44.00, CPR 5500.00, CPA = CPO = 1375.00,
///     ROMI 14400/5500 × 100 = 261.81… → 261.8 %, ROAS 4.16, ДРР 5500/19900 × 100 = 27.6 %, NPC 0.
///   yandex_direct/c-100/a-2: impr 300, clicks 15, spend 600, visits 1, regs 1, orders 1; CPC 40.00,
///     CPR 600.00, CPA 600.00, CPO —, ROMI −100.0 %, NPC 600.
///   campaign yandex_direct/c-100: spend 6100, clicks 140; CPC 43.57; ROMI 13800/6100 × 100 = 226.2 %; NPC 600.
///   total: NPC 4100.
///
/// Cohorts (latest month March): February (u1, u2): Feb payers 1, revenue 800, cumulative 800, LTV 400;
/// March payers 1, payments 2 (p1, p4), revenue 8000, refunds 3000, cumulative 5800, LTV 2900.
/// March (u3 … u7, 5 users): payers 3, payments 4, revenue 21900, cumulative 21900, LTV 4380.
///
/// Creatives (latest day 03-14: last 7 days 03-08 … 03-14, previous 7 days 03-01 … 03-07, new when the
/// first day ≥ 03-01): A first 02-20, spend 8500, revenue 27900, profit 27900 − 3000 − 8500 = 16400;
/// last 7 days 11900 + 3000 − 3000 + 0 + 2500 = 14400, previous 5000 − 2000 = 3000 → growing.
/// Its running profit: 02-20 −1000, 03-02 4000, 03-03 2000, 03-10 13900, 03-11 16900, 03-12 13900,
/// 03-13 13900, 03-14 16400. B first 02-22, spend 5500, revenue 800, profit −4700; last 7 days −3500
/// with spend 3500 → burnt out; running profit 02-22 −800, 02-23 0, 03-04 −1200, 03-11 −3700,
/// 03-13 −3700, 03-14 −4700. C first 03-09 → new (profit −600). (none) first 03-10 → new (profit 2000).
///
/// Mail: email letter `spring-sale` sent to and delivered to u1 and u2 on 03-09, opened by u1 03-09, clicked
/// by u1 03-10 09:00; u1's p4 (03-11) is within 7 days → 1 payer, 3000. Telegram letter `tg-1`: sent and
/// delivered to u3 03-12, clicked 03-13 10:00; p8 at 15:00 → 1 payer, 1000. Rates: spring-sale delivery
/// 100.0 %, open 50.0 %, click 50.0 %; tg-1 open 0.0 %, click 100.0 %.
///
/// Managers in the period: m-anna orders o3 o7 (2), paid 2, revenue 14900 + 4000 = 18900;
/// m-boris orders o4 o6 o8 (3), paid 2, revenue 3000 + 1000 = 4000, conversion 66.7 %;
/// no manager: o5, 1/1, 2000.
///
/// Chat `ch-main`: 03-09 u1 joins and writes; 03-10 u1 and u3 write; 03-12 u1 leaves → 3 days, 3 messages,
/// 1 join, 1 leave, writers per day (1 + 2 + 0)/3 = 1.0, at most 2. Community: writers u1, u3: 2 users,
/// 2 payers, revenue 8000 + 15900 = 23900; the other five: 3 payers (u2 800, u4 2000, u7 4000) = 6800.
///
/// Digest 03-14 against 03-13: revenue 4000 vs 1000 (+300.0 %), payments 1 vs 1 (0.0 %), registrations
/// 1 vs 1 (0.0 %), spend 2500 vs 1000 (+150.0 %), ROMI 1500/2500 = 60.0 % vs 0/1000 = 0.0 % (+60.0 pp).
/// Campaigns of 03-14: yandex_direct/c-100 profit 4000 − 1500 = +2500, ROMI 166.7 %;
/// vk_ads/c-200 −1000, ROMI −100.0 %. Burning: vk_ads/c-200/b-1, burnt out, last 7 days −3500.
///
/// Business fields (SPEC §2, §3, §4.9–4.11), each order's current state being its latest event (the `paid` one):
///   o1 Course A/basic, tags launch:2026-03 flow:1, manager name "Анна П."       (previous period)
///   o2 Course A/basic                                                             (before both periods)
///   o3 Course A/vip, tags launch:2026-03 flow:2, "Анна Петрова" — its `new` event said basic and only
///      launch:2026-03: the current state wins
///   o4 Course A/basic, tags launch:2026-03 flow:2, manager name "" (no name: m-boris stays bare)
///   o5 Course B (no offer → ''), deal UTM yandex/c-100/a-2
///   o6 Course A/basic, tag launch:2026-03 (never paid)
///   o7 Course A/vip, tags launch:2026-03 twice and `vip` (no ':' → kind ''), deal UTM vk/c-200/b-1, "Анна Петрова"
///   o8 nothing (product '' and offer '', no tags)
/// Ad names: a-1 "Spring (old)"/"Video v1" on 02-20, then "Spring <2026>"/"Video & reviews" (latest wins);
/// a-2 campaign "Spring <2026>", no ad name; vk c-200/b-1 no names (ids shown alone).
/// m-anna's latest non-empty name is o7's "Анна Петрова".
///
/// Products of the period (orders on created day, paid on paid day, money on payment days):
///   Course A/vip: o3 o7 → orders 2, paid 2, payments 2, revenue 18900, refunds 0, average check 9450.
///   Course A/basic: o4 o6 → orders 2, paid 1, payments 1 (p4), revenue 3000, refunds 3000 (p4 on 03-12),
///     average check 3000; previous period o1: 1, 1, 1, 5000 → orders +100.0 %, paid 0.0 %, revenue −40.0 %,
///     refunds — (was 0), average check 3000 vs 5000 −40.0 %.
///   Course B/'': o5 → 1, 1, 1, 2000.   ''/'': o8 → 1, 1, 1, 1000.
///   Total 6, 5, 24900, 3000, average check 4980 against 1, 1, 5000, 0, 5000 (the headline's figures).
/// Tags of the period: launch/2026-03: o3 o4 o6 o7 (o7 once) → orders 4, paid 3, revenue 14900 + 3000 + 4000
///   = 21900, refunds 3000, average check 7300; previous o1: 1, 1, 5000 → +300.0 %, +200.0 %, +338.0 %,
///   average check +46.0 %. flow/2: o3 o4 → 2, 2, 17900, refunds 3000, average check 8950. flow/1: only
///   o1 in the previous period → 0 against 1, 1, 5000: −100.0 %. ''/vip: o7 → 1, 1, 4000.
/// Attribution of the period per campaign (deal: o5 → yandex c-100, o7 → vk c-200, the others as first touch,
///   every user having a single registration):
///   (none)/'': spend 0; first: paid 1 (o5), revenue 2000; deal: nothing; ROMI — under both.
///   vk_ads/c-200: spend 3500; first: paid 0, revenue 0 → ROMI −100.0 %; deal: o7 paid, 4000 →
///     (4000 − 3500)/3500 × 100 = 14.29 → 14.3 %; difference +114.3 pp.
///   yandex_direct/c-100: spend 6100; first: o3 o4 o7 o8, revenue 22900, refunds 3000 → ROMI 13800/6100 =
///     226.2 %; deal: o3 o4 o8 o5, 14900 + 3000 + 1000 + 2000 = 20900, refunds 3000 → 11800/6100 = 193.4 %;
///     difference −2000/61 = −32.8 pp.
///   Total: spend 9600, paid 5 and 5, revenue 24900 and 24900, refunds 3000 → ROMI 128.1 % both, 0.0 pp.
/// Digest 03-14, sales team: m-anna (Анна Петрова) o7 created and paid, p7 4000.
///
/// Learning (SPEC §4.13; learning events move nothing of the figures above):
///   course-a: u3 opens and completes `intro` 03-09 19:00/20:00 and `l2` 03-11 19:00/20:00, hands in l2's
///     homework 03-12, accepted 03-13; u1 opens and completes intro 03-10 19:00/20:00; u6 opens intro
///     03-13 19:00 and completes it 03-14 10:00. → students 3, lessons 2, completers 1 (u3), completion
///     33.3 %; payers after start: u3 (p3 03-10 and p8 03-13, both after 03-09 19:00: 15900) and u1 (p4
///     03-11 after 03-10 19:00, gross 3000; p1 came before) → 2, 18900. Period lessons: intro opened 3,
///     completed 3; l2 opened 1, completed 1, homework 1 and 1.
///   webinars (attendance only: lessons 0, completers 0): w-feb u2 02-22 20:00 (p2 02-23 12:00: buyer, 800);
///     w-mar u7 03-06 19:00, u4 and u5 03-10 09:00 (u4's p5 at 12:00: buyer, 2000; u7's p7 on 03-14 12:00
///     is 7 days 17 h later: not; u5 never pays) → 3, 1, 2000; w-mar2 u7 03-14 09:00 (p7 3 h later) →
///     1, 1, 4000. Course: students u2 u4 u5 u7 = 4, completion 0.0 %; payers after start u2 800, u4 2000,
///     u7 4000 → 3, 6800. The period's webinars: w-mar (first attendances 03-10) and w-mar2; w-feb is not.
/// Retention (SPEC §4.14; activities: chat messages, opens, clicks, learning, orders created, payments):
///   February (u1, u2): in February only u2 (o2, p2, w-feb) → 1 of 2 = 50.0 %; in March only u1 → 50.0 %,
///   churned 1 (u2). March (u3 … u7): u3, u4, u5 (o6), u6 (learning), u7 → 5 of 5 = 100.0 %, churned 0.
/// Repeat purchases: February: payers u1, u2, repeat u1 (o1 and o4; p4's refund does not undo its
///   acceptance) → 2, 1, 50.0 %; March: payers u3, u4, u7, repeat u3 (o3, o8) → 3, 1, 33.3 %.
/// Digest 03-14: lesson completions 1 (u6's intro); webinars attended that day: w-mar2, 1 attendee, 1 buyer, 4000.
enum ReportDataSet {
    static let project = "r-school"

    static func envelope(_ id: String, _ type: String, _ at: String, _ data: String) -> String {
        #"{"id":"\#(id)","type":"\#(type)","project":"\#(project)","source":"test","occurred_at":"\#(at)","data":\#(data)}"#
    }

    static func registration(_ id: String, _ user: String, _ at: String, source: String?, campaign: String, ad: String) -> String {
        let utm = source.map { #"{"source":"\#($0)","campaign":"\#(campaign)","content":"\#(ad)"}"# } ?? "{}"
        return envelope(id, "registration", at, #"{"user_id":"\#(user)","utm":\#(utm)}"#)
    }

    static func click(_ id: String, _ at: String, source: String?, campaign: String = "", ad: String = "") -> String {
        let utm = source.map { #"{"source":"\#($0)","campaign":"\#(campaign)","content":"\#(ad)"}"# } ?? "{}"
        return envelope(id, "click", at, #"{"visitor_id":"v-\#(id)","url":"https://school.example/l","utm":\#(utm)}"#)
    }

    static func adStats(_ network: String, _ campaign: String, _ ad: String, _ day: String, impressions: Int,
                        clicks: Int, cost: String, campaignName: String? = nil, adName: String? = nil) -> String {
        let names = (campaignName.map { #","campaign_name":"\#($0)""# } ?? "") + (adName.map { #","ad_name":"\#($0)""# } ?? "")
        return envelope("ads-\(network)-\(ad)-\(day)", "ad_stats", "\(day)T23:00:00+03:00", #"""
            {"network":"\#(network)","account_id":"acc","campaign_id":"\#(campaign)","ad_id":"\#(ad)","day":"\#(day)","impressions":\#(impressions),"clicks":\#(clicks),"cost":"\#(cost)","currency":"RUB"\#(names)}
            """#)
    }

    static func order(_ id: String, _ order: String, _ user: String, _ status: String, _ at: String, created: String,
                      manager: String?, amount: String, extra: String = "") -> String {
        let managerField = manager.map { #","manager_id":"\#($0)""# } ?? ""
        return envelope(id, "order", at, #"""
            {"order_id":"\#(order)","user_id":"\#(user)","status":"\#(status)","amount":"\#(amount)","currency":"RUB","created_at":"\#(created)"\#(managerField)\#(extra)}
            """#)
    }

    static func payment(_ id: String, _ payment: String, _ order: String, _ user: String, _ status: String, _ at: String,
                        amount: String) -> String {
        envelope(id, "payment", at, #"""
            {"payment_id":"\#(payment)","order_id":"\#(order)","user_id":"\#(user)","amount":"\#(amount)","currency":"RUB","status":"\#(status)"}
            """#)
    }

    static func mail(_ id: String, _ letter: String, _ channel: String, _ user: String, _ event: String, _ at: String) -> String {
        envelope(id, "mail", at, #"{"letter_id":"\#(letter)","channel":"\#(channel)","user_id":"\#(user)","event":"\#(event)"}"#)
    }

    static func chat(_ id: String, _ user: String, _ kind: String, _ at: String) -> String {
        envelope(id, "chat", at, #"{"chat_id":"ch-main","message_id":"\#(id)","user_id":"\#(user)","kind":"\#(kind)"}"#)
    }

    static func learning(_ id: String, _ user: String, _ course: String, _ lesson: String, _ kind: String, _ at: String) -> String {
        envelope(id, "learning", at, #"{"user_id":"\#(user)","course_id":"\#(course)","lesson_id":"\#(lesson)","kind":"\#(kind)"}"#)
    }

    /// Every envelope of the data set, as `pipeline produce` would read them.
    static let events: [String] = {
        // `extra`: the business fields (SPEC §2) of both events; `first` replaces them on the `new` event only.
        let paid = { (prefix: String, orderID: String, user: String, day: String, manager: String?, amount: String,
                      extra: String, first: String?) -> [String] in
            let created = "\(day)T11:00:00+03:00"
            return [
                order("\(prefix)-new", orderID, user, "new", created, created: created, manager: manager, amount: amount,
                      extra: first ?? extra),
                order("\(prefix)-paid", orderID, user, "paid", "\(day)T12:00:00+03:00", created: created, manager: manager,
                      amount: amount, extra: extra),
            ]
        }
        var events = [
            registration("reg-u1", "u1", "2026-02-20T10:00:00+03:00", source: "yandex", campaign: "c-100", ad: "a-1"),
            registration("reg-u2", "u2", "2026-02-22T10:00:00+03:00", source: "vk", campaign: "c-200", ad: "b-1"),
            registration("reg-u3", "u3", "2026-03-03T10:00:00+03:00", source: "yandex", campaign: "c-100", ad: "a-1"),
            registration("reg-u4", "u4", "2026-03-10T10:00:00+03:00", source: nil, campaign: "", ad: ""),
            registration("reg-u5", "u5", "2026-03-09T10:00:00+03:00", source: "yandex", campaign: "c-100", ad: "a-2"),
            registration("reg-u6", "u6", "2026-03-13T10:00:00+03:00", source: "vk", campaign: "c-200", ad: "b-1"),
            registration("reg-u7", "u7", "2026-03-14T10:00:00+03:00", source: "yandex", campaign: "c-100", ad: "a-1"),

            adStats("yandex_direct", "c-100", "a-1", "2026-02-20", impressions: 1000, clicks: 50, cost: "1000",
                    campaignName: "Spring (old)", adName: "Video v1"),
            adStats("yandex_direct", "c-100", "a-1", "2026-03-03", impressions: 1000, clicks: 40, cost: "2000",
                    campaignName: "Spring <2026>", adName: "Video & reviews"),
            adStats("yandex_direct", "c-100", "a-1", "2026-03-10", impressions: 2000, clicks: 80, cost: "3000",
                    campaignName: "Spring <2026>", adName: "Video & reviews"),
            adStats("yandex_direct", "c-100", "a-1", "2026-03-13", impressions: 500, clicks: 20, cost: "1000"),
            adStats("yandex_direct", "c-100", "a-1", "2026-03-14", impressions: 500, clicks: 25, cost: "1500",
                    campaignName: "Spring <2026>", adName: "Video & reviews"),
            adStats("vk_ads", "c-200", "b-1", "2026-02-22", impressions: 800, clicks: 16, cost: "800"),
            adStats("vk_ads", "c-200", "b-1", "2026-03-04", impressions: 600, clicks: 12, cost: "1200"),
            adStats("vk_ads", "c-200", "b-1", "2026-03-11", impressions: 1000, clicks: 20, cost: "2500"),
            adStats("vk_ads", "c-200", "b-1", "2026-03-14", impressions: 400, clicks: 10, cost: "1000"),
            adStats("yandex_direct", "c-100", "a-2", "2026-03-09", impressions: 300, clicks: 15, cost: "600",
                    campaignName: "Spring <2026>"),

            click("c1", "2026-03-10T09:00:00+03:00", source: "yandex", campaign: "c-100", ad: "a-1"),
            click("c2", "2026-03-10T09:30:00+03:00", source: "yandex", campaign: "c-100", ad: "a-1"),
            click("c3", "2026-03-11T09:00:00+03:00", source: "vk", campaign: "c-200", ad: "b-1"),
            click("c4", "2026-03-09T09:00:00+03:00", source: "yandex", campaign: "c-100", ad: "a-2"),
            click("c5", "2026-03-10T09:00:00+03:00", source: nil),
            click("c6", "2026-03-14T09:00:00+03:00", source: "yandex", campaign: "c-100", ad: "a-1"),
            click("c7", "2026-03-03T09:00:00+03:00", source: "yandex", campaign: "c-100", ad: "a-1"),

            payment("p1-a", "p1", "o1", "u1", "accepted", "2026-03-02T12:00:00+03:00", amount: "5000"),
            payment("p2-a", "p2", "o2", "u2", "accepted", "2026-02-23T12:00:00+03:00", amount: "800"),
            payment("p3-a", "p3", "o3", "u3", "accepted", "2026-03-10T12:00:00+03:00", amount: "14900"),
            payment("p4-a", "p4", "o4", "u1", "accepted", "2026-03-11T12:00:00+03:00", amount: "3000"),
            payment("p4-r", "p4", "o4", "u1", "refunded", "2026-03-12T12:00:00+03:00", amount: "3000"),
            payment("p5-a", "p5", "o5", "u4", "accepted", "2026-03-10T12:00:00+03:00", amount: "2000"),
            payment("p7-a", "p7", "o7", "u7", "accepted", "2026-03-14T12:00:00+03:00", amount: "4000"),
            payment("p8-a", "p8", "o8", "u3", "accepted", "2026-03-13T15:00:00+03:00", amount: "1000"),
            order("o6-new", "o6", "u5", "new", "2026-03-09T11:00:00+03:00", created: "2026-03-09T11:00:00+03:00",
                  manager: "m-boris", amount: "9900", extra: #","product":"Course A","offer":"basic","tags":["launch:2026-03"]"#),

            mail("m1", "spring-sale", "email", "u1", "sent", "2026-03-09T10:00:00+03:00"),
            mail("m2", "spring-sale", "email", "u2", "sent", "2026-03-09T10:00:00+03:00"),
            mail("m3", "spring-sale", "email", "u1", "delivered", "2026-03-09T10:01:00+03:00"),
            mail("m4", "spring-sale", "email", "u2", "delivered", "2026-03-09T10:01:00+03:00"),
            mail("m5", "spring-sale", "email", "u1", "opened", "2026-03-09T12:00:00+03:00"),
            mail("m6", "spring-sale", "email", "u1", "clicked", "2026-03-10T09:00:00+03:00"),
            mail("m7", "tg-1", "telegram", "u3", "sent", "2026-03-12T10:00:00+03:00"),
            mail("m8", "tg-1", "telegram", "u3", "delivered", "2026-03-12T10:00:05+03:00"),
            mail("m9", "tg-1", "telegram", "u3", "clicked", "2026-03-13T10:00:00+03:00"),

            chat("ch1", "u1", "join", "2026-03-09T08:00:00+03:00"),
            chat("ch2", "u1", "message", "2026-03-09T08:05:00+03:00"),
            chat("ch3", "u1", "message", "2026-03-10T08:00:00+03:00"),
            chat("ch4", "u3", "message", "2026-03-10T08:10:00+03:00"),
            chat("ch5", "u1", "leave", "2026-03-12T08:00:00+03:00"),

            learning("le1", "u3", "course-a", "intro", "lesson_opened", "2026-03-09T19:00:00+03:00"),
            learning("le2", "u3", "course-a", "intro", "lesson_completed", "2026-03-09T20:00:00+03:00"),
            learning("le3", "u3", "course-a", "l2", "lesson_opened", "2026-03-11T19:00:00+03:00"),
            learning("le4", "u3", "course-a", "l2", "lesson_completed", "2026-03-11T20:00:00+03:00"),
            learning("le5", "u3", "course-a", "l2", "homework_submitted", "2026-03-12T10:00:00+03:00"),
            learning("le6", "u3", "course-a", "l2", "homework_accepted", "2026-03-13T10:00:00+03:00"),
            learning("le7", "u1", "course-a", "intro", "lesson_opened", "2026-03-10T19:00:00+03:00"),
            learning("le8", "u1", "course-a", "intro", "lesson_completed", "2026-03-10T20:00:00+03:00"),
            learning("le9", "u6", "course-a", "intro", "lesson_opened", "2026-03-13T19:00:00+03:00"),
            learning("le10", "u6", "course-a", "intro", "lesson_completed", "2026-03-14T10:00:00+03:00"),
            learning("lw1", "u2", "webinars", "w-feb", "webinar_attended", "2026-02-22T20:00:00+03:00"),
            learning("lw2", "u7", "webinars", "w-mar", "webinar_attended", "2026-03-06T19:00:00+03:00"),
            learning("lw3", "u4", "webinars", "w-mar", "webinar_attended", "2026-03-10T09:00:00+03:00"),
            learning("lw4", "u5", "webinars", "w-mar", "webinar_attended", "2026-03-10T09:00:00+03:00"),
            learning("lw5", "u7", "webinars", "w-mar2", "webinar_attended", "2026-03-14T09:00:00+03:00"),
        ]
        events += paid("o1", "o1", "u1", "2026-03-02", "m-anna", "5000",
                       #","product":"Course A","offer":"basic","tags":["launch:2026-03","flow:1"],"manager_name":"Анна П.""#, nil)
        events += paid("o2", "o2", "u2", "2026-02-23", "m-anna", "800", #","product":"Course A","offer":"basic""#, nil)
        events += paid("o3", "o3", "u3", "2026-03-10", "m-anna", "14900",
                       #","product":"Course A","offer":"vip","tags":["launch:2026-03","flow:2"],"manager_name":"Анна Петрова""#,
                       #","product":"Course A","offer":"basic","tags":["launch:2026-03"]"#)
        events += paid("o4", "o4", "u1", "2026-03-11", "m-boris", "3000",
                       #","product":"Course A","offer":"basic","tags":["launch:2026-03","flow:2"],"manager_name":"""#, nil)
        events += paid("o5", "o5", "u4", "2026-03-10", nil, "2000",
                       #","product":"Course B","utm":{"source":"yandex","campaign":"c-100","content":"a-2"}"#, nil)
        events += paid("o7", "o7", "u7", "2026-03-14", "m-anna", "4000", #"""
            ,"product":"Course A","offer":"vip","tags":["launch:2026-03","launch:2026-03","vip"],"utm":{"source":"vk","campaign":"c-200","content":"b-1"},"manager_name":"Анна Петрова"
            """#, nil)
        events += paid("o8", "o8", "u3", "2026-03-13", "m-boris", "1000", "", nil)
        return events
    }()

    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func logger() -> Logger {
        var logger = Logger(label: "reports-tests")
        logger.logLevel = .error
        return logger
    }

    /// The database the data set was applied to, once per test process: the tests only read it.
    ///
    /// Loaded on a thread of its own, so that tests waiting for it suspend instead of holding the
    /// concurrency pool's few threads (which every suite of the test process shares) for seconds.
    static func databaseURL() async throws -> String {
        try await Loader.shared.databaseURL()
    }

    actor Loader {
        static let shared = Loader()
        private var loading: Task<String, any Error>?

        func databaseURL() async throws -> String {
            if let loading { return try await loading.value }
            let task = Task<String, any Error> {
                try await withCheckedThrowingContinuation { continuation in
                    Thread { continuation.resume(with: Result { try ReportDataSet.load(ReportDataSet.events) }) }.start()
                }
            }
            loading = task
            return try await task.value
        }
    }

    /// A fresh database, migrated, with `events` produced to a mock cluster and applied by a worker.
    static func load(_ events: [String]) throws -> String {
        let logger = logger()
        let databaseURL = try ThrowawayPostgres.shared.createDatabase(prefix: "reports")
        let connection = try PostgresConnection(connectionString: databaseURL, logger: logger)
        defer { connection.close() }
        try Migrator(directory: packageRoot.appendingPathComponent("schemas/migrations"), logger: logger).migrate(connection)

        let cluster = try KafkaMockCluster(brokers: 1, logger: logger)
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let topics = EventTopics(
            clicks: "r\(suffix).clicks", registrations: "r\(suffix).registrations", orders: "r\(suffix).orders",
            mails: "r\(suffix).mails", chat: "r\(suffix).chat", adStats: "r\(suffix).adstats", learning: "r\(suffix).learning",
            deadLetter: "r\(suffix).deadletter")
        for topic in topics.all { try cluster.createTopic(topic, partitions: 2) }
        let kafka = KafkaConfiguration(bootstrapServers: cluster.bootstrapServers)
        let producer = try KafkaProducer(configuration: kafka, logger: logger)
        let messages = try events.map { value -> KafkaOutgoingMessage in
            let event = try Event.decode(json: Array(value.utf8))
            return KafkaOutgoingMessage(
                topic: topics.topic(for: event.type), key: Array(event.partitionKey.utf8), value: Array(value.utf8))
        }
        _ = try producer.sendAndWait(messages, timeout: .seconds(30))

        var configuration = WorkerConfiguration(kafka: kafka, databaseURL: databaseURL)
        configuration.groupID = "reports-\(suffix)"
        configuration.topics = topics
        configuration.untilCaughtUp = true
        let summary = try PipelineWorker(configuration: configuration, logger: logger).run()
        guard summary.applied == events.count, summary.deadLetters == 0 else {
            throw LoadFailed(description: "applied \(summary.applied) of \(events.count) events, \(summary.deadLetters) dead letters")
        }
        return databaseURL
    }

    struct LoadFailed: Error, CustomStringConvertible {
        let description: String
    }
}
