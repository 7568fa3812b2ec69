import Events
import Foundation
import PipelineTestSupport
import Testing
import Verification
import Worker

/// SPEC §3's deal attribution and §4.9–4.11, figures derived by hand from the text (comments give
/// the reasoning); the oracle is compared as well, but these expectations do not rest on it.
@Suite("business dimensions: products, tags, deal attribution and names")
struct BusinessDimensionsTests {
    static func event(_ id: String, _ type: String, _ at: String, _ data: String) -> String {
        #"{"id":"\#(id)","type":"\#(type)","project":"p","source":"test","occurred_at":"\#(at)","data":\#(data)}"#
    }

    /// In delivery order; the last two registrations arrive after everything they change.
    static let deliveries: [String] = [
        event("r1", "registration", "2026-03-01T10:00:00+03:00",
              #"{"user_id":"u1","funnel":"webinar","utm":{"source":"vk","campaign":"c1","content":"a1"}}"#),
        event("r2", "registration", "2026-03-05T10:00:00+03:00",
              #"{"user_id":"u1","funnel":"marathon","utm":{"source":"yandex","campaign":"c2","content":"a2"}}"#),
        event("o1a", "order", "2026-03-04T12:00:00+03:00",
              #"{"order_id":"o1","user_id":"u1","status":"new","amount":"1000","currency":"RUB","product":"Course","offer":"VIP","manager_id":"m1","manager_name":"Анна","tags":["launch:2026-03","flow:1","launch:2026-03"],"created_at":"2026-03-04T12:00:00+03:00"}"#),
        event("o1b", "order", "2026-03-06T09:00:00+03:00",
              #"{"order_id":"o1","user_id":"u1","status":"paid","amount":"1000","currency":"RUB","product":"Course","offer":"VIP","manager_id":"m1","manager_name":"","tags":["launch:2026-03"],"created_at":"2026-03-04T12:00:00+03:00"}"#),
        event("pay1", "payment", "2026-03-06T09:05:00+03:00",
              #"{"payment_id":"pay1","order_id":"o1","user_id":"u1","amount":"1000","currency":"RUB","status":"accepted"}"#),
        event("o2", "order", "2026-03-07T10:00:00+03:00",
              #"{"order_id":"o2","user_id":"u1","status":"new","amount":"500","currency":"RUB","tags":["vip",":vip"],"utm":{"source":"google","campaign":"g1","content":""},"created_at":"2026-03-07T10:00:00+03:00"}"#),
        event("o3", "order", "2026-03-07T11:00:00+03:00",
              #"{"order_id":"o3","user_id":"u3","status":"new","amount":"200","currency":"RUB","manager_id":"m2","created_at":"2026-03-07T11:00:00+03:00"}"#),
        event("pay2", "payment", "2026-03-07T11:30:00+03:00",
              #"{"payment_id":"pay2","order_id":"o9","user_id":"u2","amount":"300","currency":"RUB","status":"accepted"}"#),
        event("s2", "ad_stats", "2026-03-07T03:00:00Z",
              #"{"network":"yandex_direct","account_id":"acc","campaign_id":"c2","ad_id":"a2","day":"2026-03-06","impressions":10,"clicks":1,"cost":"50","currency":"RUB","campaign_name":"New name","ad_name":""}"#),
        event("s1", "ad_stats", "2026-03-06T03:00:00Z",
              #"{"network":"yandex_direct","account_id":"acc","campaign_id":"c2","ad_id":"a2","day":"2026-03-05","impressions":20,"clicks":2,"cost":"100","currency":"RUB","campaign_name":"Old name","ad_name":"Banner"}"#),
        event("r1b", "registration", "2026-03-04T11:00:00+03:00",
              #"{"user_id":"u1","funnel":"lead-magnet","utm":{"source":"facebook","campaign":"f1","content":"fa1"}}"#),
        event("r0", "registration", "2026-02-20T10:00:00+03:00",
              #"{"user_id":"u1","utm":{"source":"vk","campaign":"c0","content":"a0"}}"#),
    ]

    static func rows(_ harness: WorkerHarness, _ sql: String) throws -> [Oracle.Row] {
        try ViewsEndToEndTests.read(harness, sql)
    }

    @Test("the entry, the order's own UTM, a late registration, the current tags and the latest names")
    func handDerived() throws {
        let harness = try WorkerHarness()
        try harness.produce(Self.deliveries)
        _ = try PipelineWorker(configuration: harness.workerConfiguration(), logger: harness.logger).run()

        // o1 (created 03-04 12:00): the latest registration at or before is r1b (11:00, arrived
        // last), so meta/f1/fa1 and funnel lead-magnet; it became paid 03-06 with pay1's 1000.
        // o2 names google in its own UTM (content empty is still a named deal): google_ads/g1/'',
        // funnel of its entry r2 (marathon). o3's user has no registration: unattributed, ''.
        // pay2's order has no event: unattributed, '' — the same row as o3.
        #expect(try Self.rows(harness, """
            SELECT day, funnel, network, campaign_id, ad_id, registrations, orders, paid_orders, payments, revenue, refunds
            FROM bi.deal_funnel_daily ORDER BY day, network, funnel
            """) == [
                ["day": "2026-02-20", "funnel": "", "network": "vk_ads", "campaign_id": "c0", "ad_id": "a0",
                 "registrations": "1", "orders": "0", "paid_orders": "0", "payments": "0", "revenue": "0", "refunds": "0"],
                ["day": "2026-03-01", "funnel": "webinar", "network": "vk_ads", "campaign_id": "c1", "ad_id": "a1",
                 "registrations": "1", "orders": "0", "paid_orders": "0", "payments": "0", "revenue": "0", "refunds": "0"],
                ["day": "2026-03-04", "funnel": "lead-magnet", "network": "meta", "campaign_id": "f1", "ad_id": "fa1",
                 "registrations": "1", "orders": "1", "paid_orders": "0", "payments": "0", "revenue": "0", "refunds": "0"],
                ["day": "2026-03-05", "funnel": "marathon", "network": "yandex_direct", "campaign_id": "c2", "ad_id": "a2",
                 "registrations": "1", "orders": "0", "paid_orders": "0", "payments": "0", "revenue": "0", "refunds": "0"],
                ["day": "2026-03-06", "funnel": "lead-magnet", "network": "meta", "campaign_id": "f1", "ad_id": "fa1",
                 "registrations": "0", "orders": "0", "paid_orders": "1", "payments": "1", "revenue": "1000", "refunds": "0"],
                ["day": "2026-03-07", "funnel": "", "network": "(unattributed)", "campaign_id": "", "ad_id": "",
                 "registrations": "0", "orders": "1", "paid_orders": "0", "payments": "1", "revenue": "300", "refunds": "0"],
                ["day": "2026-03-07", "funnel": "marathon", "network": "google_ads", "campaign_id": "g1", "ad_id": "",
                 "registrations": "0", "orders": "1", "paid_orders": "0", "payments": "0", "revenue": "0", "refunds": "0"],
            ])

        // Products follow o1's current state (Course, VIP); o2 and o3 have none: ''; pay2's order
        // has no event: NULL, NULL.
        #expect(try Self.rows(harness, """
            SELECT day, product, offer, orders, paid_orders, payments, revenue, refunds, avg_check
            FROM bi.products_daily ORDER BY day, product NULLS FIRST
            """) == [
                ["day": "2026-03-04", "product": "Course", "offer": "VIP", "orders": "1", "paid_orders": "0", "payments": "0",
                 "revenue": "0", "refunds": "0", "avg_check": nil],
                ["day": "2026-03-06", "product": "Course", "offer": "VIP", "orders": "0", "paid_orders": "1", "payments": "1",
                 "revenue": "1000", "refunds": "0", "avg_check": "1000"],
                ["day": "2026-03-07", "product": nil, "offer": nil, "orders": "0", "paid_orders": "0", "payments": "1",
                 "revenue": "300", "refunds": "0", "avg_check": "300"],
                ["day": "2026-03-07", "product": "", "offer": "", "orders": "2", "paid_orders": "0", "payments": "0",
                 "revenue": "0", "refunds": "0", "avg_check": nil],
            ])

        // o1's current tags are launch:2026-03 only (flow:1 was dropped, the duplicate counts once);
        // o2's "vip" and ":vip" are both ('', 'vip'): one order.
        #expect(try Self.rows(harness, """
            SELECT day, tag_kind, tag_value, orders, paid_orders, payments, revenue FROM bi.order_tags_daily ORDER BY day
            """) == [
                ["day": "2026-03-04", "tag_kind": "launch", "tag_value": "2026-03", "orders": "1", "paid_orders": "0",
                 "payments": "0", "revenue": "0"],
                ["day": "2026-03-06", "tag_kind": "launch", "tag_value": "2026-03", "orders": "0", "paid_orders": "1",
                 "payments": "1", "revenue": "1000"],
                ["day": "2026-03-07", "tag_kind": "", "tag_value": "vip", "orders": "1", "paid_orders": "0",
                 "payments": "0", "revenue": "0"],
            ])

        // The later poll s2 renames the campaign; its empty ad_name leaves s1's "Banner".
        #expect(try Self.rows(harness, "SELECT * FROM bi.ads") == [
            ["project": "p", "network": "yandex_direct", "campaign_id": "c2", "ad_id": "a2", "campaign_name": "New name",
             "ad_group_id": nil, "ad_group_name": nil, "ad_name": "Banner"],
        ])
        #expect(try Self.rows(harness, "SELECT * FROM bi.managers ORDER BY manager_id") == [
            ["project": "p", "manager_id": "m1", "name": "Анна"], ["project": "p", "manager_id": "m2", "name": nil],
        ])

        // First touch: u1's first registration is the late r0 (vk_ads/c0/a0): o1's paid order and
        // 1000; u2 has none: 300 unattributed. Deal: meta/f1/fa1 and 300 unattributed. Spend 150
        // on yandex_direct/c2/a2 with no money: ROMI −100 under both.
        #expect(try Self.rows(harness, """
            SELECT * FROM bi.attribution_compare('p', '2026-03-01', '2026-03-31') ORDER BY network
            """) == [
                ["network": "(unattributed)", "campaign_id": "", "ad_id": "", "spend": "0", "paid_orders_first": "0",
                 "paid_orders_deal": "0", "revenue_first": "300", "revenue_deal": "300", "refunds_first": "0",
                 "refunds_deal": "0", "romi_first": nil, "romi_deal": nil],
                ["network": "meta", "campaign_id": "f1", "ad_id": "fa1", "spend": "0", "paid_orders_first": "0",
                 "paid_orders_deal": "1", "revenue_first": "0", "revenue_deal": "1000", "refunds_first": "0",
                 "refunds_deal": "0", "romi_first": nil, "romi_deal": nil],
                ["network": "vk_ads", "campaign_id": "c0", "ad_id": "a0", "spend": "0", "paid_orders_first": "1",
                 "paid_orders_deal": "0", "revenue_first": "1000", "revenue_deal": "0", "refunds_first": "0",
                 "refunds_deal": "0", "romi_first": nil, "romi_deal": nil],
                ["network": "yandex_direct", "campaign_id": "c2", "ad_id": "a2", "spend": "150", "paid_orders_first": "0",
                 "paid_orders_deal": "0", "revenue_first": "0", "revenue_deal": "0", "refunds_first": "0",
                 "refunds_deal": "0", "romi_first": "-100", "romi_deal": "-100"],
            ])

        // And the independent recomputation agrees on every view.
        let oracle = Oracle(events: Self.deliveries.map { try! Event.decode(json: $0) }, rates: [])
        let differences = try ViewsEndToEndTests.differences(harness, oracle, summaries: [
            ("p", LocalDate("2026-03-01")!, LocalDate("2026-03-31")!),
        ])
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
    }
}
