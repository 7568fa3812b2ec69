import Events
import Reports
import Testing

/// The page and the message rendered from hand-built data, without a database: figures in their cells,
/// dashes for undefined ratios, escaping of outside names, nothing fetched from outside.
@Suite("report and digest rendering")
struct RendererTests {
    static let html = ReportRenderer().render(ReportExpectations.report)

    @Test("headline cards: the period against the previous one (figures in ReportDataSet's comment)")
    func headline() {
        let cards = HeadlineCard.cards(
            current: ReportExpectations.totals, newUsers: 4, previous: ReportExpectations.previousTotals, previousNewUsers: 1)
        let table = cards.map { [$0.metric, $0.value, $0.previous, $0.change, $0.verdict.rawValue].map(PageText.plain) }
        #expect(table == [
            ["revenue", "24 900.00", "5 000.00", "+398.0 %", "good"],
            ["refunds", "3 000.00", "0.00", "—", "flat"],
            ["net_revenue", "21 900.00", "5 000.00", "+338.0 %", "good"],
            ["spend", "9 600.00", "3 200.00", "+200.0 %", "flat"],          // neutral: more spend is not news by itself
            ["payments", "5", "1", "+400.0 %", "good"],
            ["avg_check", "4 980.00", "5 000.00", "−0.4 %", "bad"],
            ["orders", "6", "1", "+500.0 %", "good"],
            ["paid_orders", "5", "1", "+400.0 %", "good"],
            ["visits", "6", "1", "+500.0 %", "good"],
            ["registrations", "4", "1", "+300.0 %", "good"],
            ["new_users", "4", "1", "+300.0 %", "good"],
            ["cpr", "2 400.00", "3 200.00", "−25.0 %", "good"],
            ["romi", "128.1 %", "56.3 %", "+71.9 pp", "good"],              // 128.125 − 56.25 = 71.875
            ["roas", "2.59", "1.56", "+66.0 %", "good"],                    // (24900/9600) / (5000/3200) = 1.66
            ["drr", "43.8 %", "64.0 %", "−20.2 pp", "good"],                // 43.8356… − 64
            ["cpo", "1 920.00", "3 200.00", "−40.0 %", "good"],
        ])
    }

    @Test("every section present, in order, filled")
    func sections() {
        let page = PageText(Self.html)
        #expect(page.sectionIDs == ReportRenderer.sectionIDs)
        for id in ReportRenderer.sectionIDs {
            #expect(!page.section(id).contains("class=\"empty\""), "section \(id) is empty")
        }
        #expect(page.section("daily").components(separatedBy: "<rect ").count - 1 == 14)  // 7 days × revenue and spend
        #expect(page.section("funnel").components(separatedBy: "<rect ").count - 1 == 7)
        #expect(page.section("creatives").components(separatedBy: "<path ").count - 1 == 4)
    }

    @Test("traffic table: every figure and every dash where a denominator is 0")
    func traffic() {
        let rows = PageText(Self.html).rows(in: "traffic")
        #expect(rows == [
            ["(none)", "''", "''", "0.00", "0", "0", "1", "1", "1", "1", "2 000.00", "0.00",
             "—", "0.00", "0.00", "0.00", "—", "—", "0.0 %", "0.00"],
            ["vk_ads", "c-200", "b-1", "3 500.00", "1 400", "30", "1", "1", "0", "0", "0.00", "0.00",
             "116.67", "3 500.00", "—", "—", "−100.0 %", "0.00", "—", "3 500.00"],
            ["yandex_direct", "Spring <2026> (c-100)", "Video & reviews (a-1)", "5 500.00", "3 000", "125", "3", "1", "4", "4", "22 900.00", "3 000.00",
             "44.00", "5 500.00", "1 375.00", "1 375.00", "261.8 %", "4.16", "27.6 %", "0.00"],
            ["yandex_direct", "Spring <2026> (c-100)", "a-2", "600.00", "300", "15", "1", "1", "1", "0", "0.00", "0.00",
             "40.00", "600.00", "600.00", "—", "−100.0 %", "0.00", "—", "600.00"],
            ["yandex_direct", "Spring <2026> (c-100)", "all ads", "6 100.00", "3 300", "140", "4", "2", "5", "4", "22 900.00", "3 000.00",
             "43.57", "3 050.00", "1 220.00", "1 525.00", "226.2 %", "3.75", "30.7 %", "600.00"],
            ["Total", "", "", "9 600.00", "4 700", "170", "6", "4", "6", "5", "24 900.00", "3 000.00",
             "56.47", "2 400.00", "1 600.00", "1 920.00", "128.1 %", "2.59", "43.8 %", "4 100.00"],
        ])
        #expect(!Self.html.contains("NaN") && !Self.html.contains("Infinity"))
        // Names come from the ad networks: escaped in the markup, the id beside them.
        #expect(PageText(Self.html).section("traffic").contains(
            "Spring &lt;2026&gt; <span class=\"id\">(c-100)</span></td><td>Video &amp; reviews <span class=\"id\">(a-1)</span>"))
    }

    @Test("products: product × offer against the previous period, average check = revenue / payments (ReportDataSet)")
    func products() {
        #expect(PageText(Self.html).rows(in: "products") == [
            ["Course A", "vip", "2", "0", "—", "2", "0", "—", "18 900.00", "0.00", "—", "0.00", "0.00", "—",
             "9 450.00", "—", "—"],
            ["Course A", "basic", "2", "1", "+100.0 %", "1", "1", "0.0 %", "3 000.00", "5 000.00", "−40.0 %",
             "3 000.00", "0.00", "—", "3 000.00", "5 000.00", "−40.0 %"],
            ["Course B", "''", "1", "0", "—", "1", "0", "—", "2 000.00", "0.00", "—", "0.00", "0.00", "—",
             "2 000.00", "—", "—"],
            ["''", "''", "1", "0", "—", "1", "0", "—", "1 000.00", "0.00", "—", "0.00", "0.00", "—",
             "1 000.00", "—", "—"],
            ["Total", "", "6", "1", "+500.0 %", "5", "1", "+400.0 %", "24 900.00", "5 000.00", "+398.0 %",
             "3 000.00", "0.00", "—", "4 980.00", "5 000.00", "−0.4 %"],
        ])
        // A payment whose order has not arrived yet is its own row, told apart from an order without a product.
        var report = ReportExpectations.report
        report.products.append(ProductRow(product: nil, offer: nil, current: ReportExpectations.sales(0, 0, 1, "500"),
                                          previous: .zero))
        let rows = PageText(ReportRenderer().render(report)).rows(in: "products")
        #expect(rows[4] == ["(no order event)", "(no order event)", "0", "0", "—", "0", "0", "—", "500.00", "0.00", "—",
                            "0.00", "0.00", "—", "500.00", "—", "—"])
    }

    @Test("launches and tags: launch first, an order once per tag, previous period beside each figure")
    func launches() {
        #expect(PageText(Self.html).rows(in: "launches") == [
            ["launch", "2026-03", "4", "1", "+300.0 %", "3", "1", "+200.0 %", "21 900.00", "5 000.00", "+338.0 %",
             "3 000.00", "0.00", "—", "7 300.00", "5 000.00", "+46.0 %"],
            ["flow", "2", "2", "0", "—", "2", "0", "—", "17 900.00", "0.00", "—", "3 000.00", "0.00", "—",
             "8 950.00", "—", "—"],
            ["flow", "1", "0", "1", "−100.0 %", "0", "1", "−100.0 %", "0.00", "5 000.00", "−100.0 %", "0.00", "0.00", "—",
             "—", "5 000.00", "—"],
            ["''", "vip", "1", "0", "—", "1", "0", "—", "4 000.00", "0.00", "—", "0.00", "0.00", "—",
             "4 000.00", "—", "—"],
        ])
    }

    @Test("attribution comparison: first touch and deal per campaign, with names")
    func attribution() {
        #expect(PageText(Self.html).rows(in: "attribution") == [
            ["(none)", "''", "0.00", "1", "0", "2 000.00", "0.00", "0.00", "0.00", "—", "—", "—"],
            ["vk_ads", "c-200", "3 500.00", "0", "1", "0.00", "4 000.00", "0.00", "0.00", "−100.0 %", "14.3 %", "+114.3 pp"],
            ["yandex_direct", "Spring <2026> (c-100)", "6 100.00", "4", "4", "22 900.00", "20 900.00", "3 000.00", "3 000.00",
             "226.2 %", "193.4 %", "−32.8 pp"],
            ["Total", "", "9 600.00", "5", "5", "24 900.00", "24 900.00", "3 000.00", "3 000.00", "128.1 %", "128.1 %", "0.0 pp"],
        ])
    }

    @Test("cohort heatmap: LTV per cell, coloured on the table's scale")
    func cohorts() {
        let page = PageText(Self.html)
        #expect(page.rows(in: "cohorts") == [
            ["2026-02", "2", "400.00", "2 900.00"],
            ["2026-03", "5", "4 380.00", ""],
        ])
        let section = page.section("cohorts")
        // 400 → #dae7f6; 2900 → 239 − 231 × 2900/4380 = 86.05 → 86, 246 − 165 × 2900/4380 = 136.75 → 137,
        // 255 − 99 × 2900/4380 = 189.45 → 189: #5689bd with white text; 4380 → #08519c.
        #expect(section.contains("background:#dae7f6;color:#1f2328"))
        #expect(section.contains("background:#5689bd;color:#ffffff"))
        #expect(section.contains("background:#08519c;color:#ffffff"))
    }

    @Test("learning: each course's all-time progress, then its lessons in the period (figures in ReportDataSet's comment)")
    func learning() {
        #expect(PageText(Self.html).rows(in: "learning") == [
            ["course-a", "3", "2", "1", "33.3 %", "2", "18 900.00"],
            ["webinars", "4", "0", "0", "0.0 %", "3", "6 800.00"],
            ["intro", "3", "3", "100.0 %", "0", "0", "0"],
            ["l2", "1", "1", "100.0 %", "1", "1", "0"],
            ["w-mar", "0", "0", "—", "0", "0", "2"],
            ["w-mar2", "0", "0", "—", "0", "0", "1"],
        ])
    }

    @Test("webinars: attendees, buyers within 7 days, conversion and revenue")
    func webinars() {
        #expect(PageText(Self.html).rows(in: "webinars") == [
            ["webinars", "w-mar", "3", "1", "33.3 %", "2 000.00"],
            ["webinars", "w-mar2", "1", "1", "100.0 %", "4 000.00"],
        ])
    }

    @Test("retention heatmap: the share active per cell with the month's churned, coloured on the table's scale")
    func retention() {
        let page = PageText(Self.html)
        #expect(page.rows(in: "retention") == [
            ["2026-02", "2", "50.0 %", "50.0 %churned 1"],
            ["2026-03", "5", "100.0 %", ""],
        ])
        // 50 of a top of 100: each channel half-way, 239 − 231/2 = 123.5 → 124, 246 − 165/2 = 163.5 → 164,
        // 255 − 99/2 = 205.5 → 206: #7ca4ce, dark text below 3/5; 100 → #08519c with white text.
        let section = page.section("retention")
        #expect(section.components(separatedBy: "background:#7ca4ce;color:#1f2328").count - 1 == 2)
        #expect(section.contains("background:#08519c;color:#ffffff"))
        #expect(section.contains("title=\"2026-03: 1 of 2 active, 1 churned\""))
    }

    @Test("repeat purchases per cohort with the total's rate from the sums")
    func repeatPurchases() {
        #expect(PageText(Self.html).rows(in: "repeat") == [
            ["2026-02", "2", "1", "50.0 %"],
            ["2026-03", "3", "1", "33.3 %"],
            ["Total", "5", "2", "40.0 %"],
        ])
    }

    @Test("creatives: curves from the carried-in value, statuses, figures")
    func creatives() {
        let page = PageText(Self.html)
        // Axis −5000 … 20000 (max 16900, min −4700); A enters the period at 2000, x of 03-10 = 72 + 1012 × 2/6.
        #expect(page.section("creatives").contains(
            "d=\"M72.0 213.6 L409.3 80.3 L578.0 46.7 L746.7 80.3 L915.3 80.3 L1084.0 52.3\""))
        #expect(page.rows(in: "creatives") == [
            ["yandex_direct / Spring <2026> (c-100) / Video & reviews (a-1)", "growing", "2026-02-20", "8 500.00", "27 900.00", "16 400.00", "3 000.00",
             "14 400.00", "5 500.00"],
            ["vk_ads / c-200 / b-1", "burnt out", "2026-02-22", "5 500.00", "800.00", "−4 700.00", "−1 200.00",
             "−3 500.00", "3 500.00"],
            ["yandex_direct / Spring <2026> (c-100) / a-2", "new", "2026-03-09", "600.00", "0.00", "−600.00", "0.00", "−600.00", "600.00"],
            ["(none) / '' / ''", "new", "2026-03-10", "0.00", "2 000.00", "2 000.00", "0.00", "2 000.00", "0.00"],
        ])
    }

    @Test("mailings, managers, community")
    func otherTables() {
        let page = PageText(Self.html)
        #expect(page.rows(in: "mailings") == [
            ["email", "spring-sale", "2", "2", "1", "1", "0", "0", "0", "100.0 %", "50.0 %", "50.0 %", "0.0 %", "1", "3 000.00"],
            ["telegram", "tg-1", "1", "1", "0", "1", "0", "0", "0", "100.0 %", "0.0 %", "100.0 %", "0.0 %", "1", "1 000.00"],
        ])
        #expect(page.rows(in: "managers") == [
            ["Анна Петрова (m-anna)", "2", "2", "100.0 %", "18 900.00"],
            ["m-boris", "3", "2", "66.7 %", "4 000.00"],
            ["(no manager)", "1", "1", "100.0 %", "2 000.00"],
            ["Total", "6", "5", "83.3 %", "24 900.00"],
        ])
        #expect(page.rows(in: "community") == [
            ["ch-main", "3", "3", "1", "1", "1.0", "2"],
            ["wrote in a chat", "2", "2", "100.0 %", "23 900.00", "11 950.00"],
            ["never wrote", "5", "3", "60.0 %", "6 800.00", "1 360.00"],
        ])
    }

    @Test("self-contained: no script, no external resource, no link")
    func selfContained() {
        let lower = Self.html.lowercased()
        for forbidden in ["<script", "<link", "<img", "<iframe", "src=", "href=", "url(", "@import"] {
            #expect(!lower.contains(forbidden), "found \(forbidden)")
        }
        // The only URL is the SVG namespace, which is a name, not a fetch.
        let urls = lower.components(separatedBy: "http").count - 1
        #expect(urls == lower.components(separatedBy: "xmlns=\"http://www.w3.org/2000/svg\"").count - 1)
        #expect(lower.hasPrefix("<!doctype html>") && lower.contains("<meta charset=\"utf-8\">"))
    }

    @Test("names from outside are escaped everywhere they appear")
    func escaping() {
        var report = ReportExpectations.report
        let hostile = "<script>alert('utm')</script>"
        report.project = "school<b>"
        report.traffic[1].network = hostile
        report.traffic[1].campaignID = "\"><img src=x onerror=alert(1)>"
        report.creatives[1].network = hostile
        report.letters[0].letterID = "</td><iframe>"
        report.managers[1].managerID = "anna & <co>"
        report.chats[0].chatID = "'chat'"
        report.names.campaigns[.init(network: "yandex_direct", campaignID: "c-100")] = "<script>camp</script>"
        report.names.ads[.init(network: "yandex_direct", campaignID: "c-100", adID: "a-1")] = "<img src=ad>"
        report.managers[1].name = "<iframe>anna"
        report.products[1].product = "<script>product"
        report.tags[3].value = "<b>launch"
        report.courses[0].courseID = "<script>course"
        report.courses[0].periodLessons[0].lessonID = "<iframe>lesson"
        report.webinars[0].lessonID = "<img src=webinar>"
        let html = ReportRenderer().render(report)
        let lower = html.lowercased()
        #expect(!lower.contains("<script") && !lower.contains("<img") && !lower.contains("<iframe") && !lower.contains("<b>"))
        #expect(html.contains("&lt;script&gt;alert(&#39;utm&#39;)&lt;/script&gt;"))
        #expect(html.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"))
        #expect(html.contains("&lt;/td&gt;&lt;iframe&gt;") && html.contains("anna &amp; &lt;co&gt;"))
        #expect(html.contains("<title>school&lt;b&gt; — 2026-03-08 … 2026-03-14</title>"))
        #expect(html.contains("&#39;chat&#39;"))
        #expect(html.contains("&lt;script&gt;camp&lt;/script&gt;") && html.contains("&lt;img src=ad&gt;"))
        #expect(html.contains("&lt;iframe&gt;anna") && html.contains("&lt;script&gt;product")
            && html.contains("&lt;b&gt;launch"))
        #expect(html.contains("&lt;script&gt;course") && html.contains("&lt;iframe&gt;lesson") && html.contains("&lt;img src=webinar&gt;"))
    }

    @Test("a period without data says so in every section instead of drawing empty tables")
    func empty() throws {
        let report = Report(project: "quiet", currency: "RUB", period: ReportExpectations.period,
                            generatedAt: ReportExpectations.generatedAt)
        let page = PageText(ReportRenderer().render(report))
        #expect(page.sectionIDs == ReportRenderer.sectionIDs)
        for id in ReportRenderer.sectionIDs where id != "headline" {
            #expect(page.section(id).contains("<p class=\"empty\">No data for this period.</p>"), "section \(id)")
            #expect(!page.section(id).contains("<table") && !page.section(id).contains("<svg"), "section \(id)")
        }
        // Undefined headline ratios are dashes, not zeros.
        #expect(page.section("headline").contains("data-metric=\"romi\"><div class=\"label\">ROMI</div><div class=\"value\">—</div>"))
    }

    @Test("digest message: exact text of the data set's 2026-03-14")
    func digest() {
        let text = DigestRenderer().render(ReportExpectations.digest)
        #expect(PageText.plain(text) == ReportExpectations.digestText)
        #expect(DigestRenderer.parseMode == "HTML")
    }

    @Test("digest learning: none said plainly; webinars by attendees, at most three, the rest counted, names escaped")
    func digestLearning() {
        var digest = ReportExpectations.digest
        digest.lessonCompletions = 0
        digest.webinars = []
        let quiet = PageText.plain(DigestRenderer().render(digest))
        #expect(quiet.contains("<b>Learning</b>\nLessons completed: 0 (students' first completions of a lesson that day)\nWebinars attended: none\n"))
        digest.lessonCompletions = 1_204
        digest.webinars = [
            WebinarRow(courseID: "c", lessonID: "small", attendees: 2, buyers: 0, revenue: .zero),
            WebinarRow(courseID: "c", lessonID: "<b>big", attendees: 40, buyers: 3, revenue: DecimalNumber(12_000)),
            WebinarRow(courseID: "c", lessonID: "mid-b", attendees: 10, buyers: 1, revenue: DecimalNumber(990)),
            WebinarRow(courseID: "c", lessonID: "mid-a", attendees: 10, buyers: 0, revenue: .zero),
        ]
        let busy = PageText.plain(DigestRenderer().render(digest))
        #expect(busy.contains("""
            Lessons completed: 1 204 (students' first completions of a lesson that day)
            Webinars with attendance that day (all their attendees; buyers: paid within 7 days after attending, so far):
            • c / &lt;b&gt;big: attendees 40, buyers 3, revenue 12 000.00 RUB
            • c / mid-a: attendees 10, buyers 0, revenue 0.00 RUB
            • c / mid-b: attendees 10, buyers 1, revenue 990.00 RUB
            and 1 more
            """))
    }

    @Test("digest: best and worst only among campaigns with spend, listed at most three, names escaped")
    func digestLists() {
        func campaign(_ name: String, spend: String, revenue: String) -> CampaignDay {
            CampaignDay(network: "net", campaignID: name,
                        totals: FunnelTotals(spend: DecimalNumber(spend)!, revenue: DecimalNumber(revenue)!))
        }
        var digest = ReportExpectations.digest
        digest.campaigns = [
            campaign("organic", spend: "0", revenue: "9000"),  // no spend: not judged
            campaign("p1", spend: "100", revenue: "400"), campaign("p2", spend: "100", revenue: "900"),
            campaign("p3", spend: "100", revenue: "200"), campaign("p4", spend: "100", revenue: "150"),
            campaign("even", spend: "100", revenue: "100"),      // profit 0: neither best nor worst
            campaign("l1", spend: "300", revenue: "0"), campaign("<l2>", spend: "50", revenue: "0"),
        ]
        #expect(digest.bestCampaigns.map(\.campaignID) == ["p2", "p1", "p3"])
        #expect(digest.worstCampaigns.map(\.campaignID) == ["l1", "<l2>"])
        digest.burning = (1...7).map { index in
            var creative = ReportExpectations.vkCreative()
            creative.adID = "ad-\(index)"
            creative.profitLast7Days = DecimalNumber(-index)
            return creative
        }
        let text = PageText.plain(DigestRenderer().render(digest))
        #expect(text.contains("• net / &lt;l2&gt;: −50.00, ROMI −100.0 %"))
        #expect(text.contains("• vk_ads / c-200 / ad-7: burnt out, profit last 7 days −7.00"))
        digest.names.ads[.init(network: "vk_ads", campaignID: "c-200", adID: "ad-6")] = "<Reels> & co"
        #expect(PageText.plain(DigestRenderer().render(digest))
            .contains("• vk_ads / c-200 / &lt;Reels&gt; &amp; co (ad-6): burnt out, profit last 7 days −6.00"))
        #expect(!text.contains("ad-2:") && text.hasSuffix("and 2 more"))
        digest.managers = (1...7).map { index in
            ManagerRow(managerID: "m-\(index)", name: index == 7 ? "<Boss>" : nil, orders: index, paidOrders: 1,
                       revenue: DecimalNumber(index * 100))
        }
        let sales = PageText.plain(DigestRenderer().render(digest))
        #expect(sales.contains("<b>Sales team</b>\n• &lt;Boss&gt; (m-7): orders 7, paid 1, revenue 700.00\n• m-6: orders 6,"))
        #expect(sales.contains("• m-3: orders 3, paid 1, revenue 300.00\nand 2 more\n"))
        digest.campaigns = []
        digest.burning = []
        digest.managers = []
        let quiet = PageText.plain(DigestRenderer().render(digest))
        #expect(quiet.contains("<b>Best campaigns</b> (profit = revenue − refunds − spend)\nnone made a profit"))
        #expect(quiet.contains("<b>Worst campaigns</b>\nnone lost money") && quiet.hasSuffix("(7 days to 2026-03-14)\nnone"))
        #expect(quiet.contains("<b>Sales team</b>\nno orders or payments"))
    }
}
