import Events

/// Turns a `Report` into one self-contained HTML page: inline CSS, charts as inline SVG, no script,
/// no external resource, every outside string escaped.
///
/// Every section has an `id` (`headline`, `daily`, `funnel`, `products`, `launches`, `traffic`,
/// `attribution`, `cohorts`, `creatives`, `mailings`, `managers`, `community`, `learning`, `webinars`, `retention`,
/// `repeat`); a section without data
/// says so in a `p.empty`. Campaigns, ads and managers show their names beside their ids where known.
public struct ReportRenderer: Sendable {
    /// The section ids in page order.
    public static let sectionIDs = [
        "headline", "daily", "funnel", "products", "launches", "traffic", "attribution", "cohorts", "creatives",
        "mailings", "managers", "community", "learning", "webinars", "retention", "repeat",
    ]
    /// Distinct line colours for the creatives' curves (more creatives than colours reuse them in order).
    public static let palette = [
        "#0969da", "#cf222e", "#1a7f37", "#bf8700", "#8250df", "#0a7b83", "#bc4c00", "#6e7781", "#d63384", "#4d2d00",
    ]
    /// The most curves one chart draws; the table below it lists every creative.
    public static let maximumCurves = 10
    /// The most months after the cohort month the heatmap shows.
    public static let maximumCohortMonths = 12

    public init() {}

    /// The whole page.
    public func render(_ report: Report) -> String {
        let title = "\(report.project) — \(report.period.from) … \(report.period.to)"
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(HTML.escape(title))</title>
            <style>\(Self.css)</style>
            </head><body><main>
            <header><h1>\(HTML.escape(report.project))</h1>
            <p class="note">Period \(report.period.from) … \(report.period.to) (\(report.period.length) days), compared with \
            \(report.period.previous.from) … \(report.period.previous.to). Amounts in \(HTML.escape(report.currency)). \
            Generated \(Self.minute(report.generatedAt)) UTC \
            from the <code>bi</code> views.</p></header>

            """
        page += headline(report)
        page += daily(report)
        page += funnel(report)
        page += products(report)
        page += launches(report)
        page += traffic(report)
        page += attribution(report)
        page += cohorts(report)
        page += creatives(report)
        page += mailings(report)
        page += managers(report)
        page += community(report)
        page += learning(report)
        page += webinars(report)
        page += retention(report)
        page += repeatPurchases(report)
        page += "</main></body></html>\n"
        return page
    }

    // MARK: sections

    func headline(_ report: Report) -> String {
        let cards = HeadlineCard.cards(current: report.totals, newUsers: report.newUsers,
                                       previous: report.previousTotals, previousNewUsers: report.previousNewUsers)
        var html = "<div class=\"cards\">"
        for card in cards {
            html += """
                <div class="card" data-metric="\(card.metric)"><div class="label">\(HTML.escape(card.label))</div>\
                <div class="value">\(card.value)</div>\
                <div class="prev">previous: \(card.previous) <span class="change \(card.verdict.rawValue)">\(card.change)</span></div></div>
                """
        }
        html += "</div>"
        return section("headline", "Headline figures", html, note: """
            Change against the previous \(report.period.length) days; ROMI and ДРР change in percentage points. \
            ROMI = (revenue − refunds − spend) / spend; ДРР = spend / (revenue − refunds); — where a denominator is 0.
            """)
    }

    func daily(_ report: Report) -> String {
        guard !report.daily.isEmpty else { return section("daily", "Revenue and spend by day", nil) }
        let byDay = Dictionary(report.daily.map { ($0.day, $0.totals) }, uniquingKeysWith: { $1 })
        let days = report.period.days
        let values = days.flatMap { [byDay[$0]?.revenue ?? .zero, byDay[$0]?.spend ?? .zero] }
        let frame = ChartFrame(firstDay: report.period.from, lastDay: report.period.to,
                               axis: ChartAxis(covering: values), height: 260)
        var svg = svgOpen(frame, label: "Revenue and spend by day") + grid(frame)
        let band = Ratio(DecimalNumber(frame.plotWidth), DecimalNumber(days.count))!
        let barWidth = band.scaled(by: DecimalNumber("0.36")!).rounded(toScale: 1)
        let base = frame.y(.zero)
        for (index, day) in days.enumerated() {
            let start = DecimalNumber(frame.left) + band.scaled(by: DecimalNumber(index)).rounded(toScale: 1)
            let totals = byDay[day] ?? .zero
            for (offset, value, colour, name) in [(DecimalNumber("0.12")!, totals.revenue, "#0969da", "revenue"),
                                                  (DecimalNumber("0.52")!, totals.spend, "#bc4c00", "spend")] {
                let x = (start + band.scaled(by: offset).rounded(toScale: 1)).rounded(toScale: 1)
                let top = frame.y(value)
                let height = (base - top).magnitude
                svg += """
                    <rect x="\(x)" y="\(value.isNegative ? base : top)" width="\(barWidth)" height="\(height)" fill="\(colour)">\
                    <title>\(day) \(name) \(ReportFormat.money(value))</title></rect>
                    """
            }
            if days.count <= 16 || index % ((days.count + 15) / 16) == 0 {
                let centre = (start + band.scaled(by: DecimalNumber("0.5")!).rounded(toScale: 1)).rounded(toScale: 1)
                svg += "<text x=\"\(centre)\" y=\"\(frame.height - 8)\" text-anchor=\"middle\">\(Self.shortDay(day))</text>"
            }
        }
        svg += "</svg>"
        svg += legend([("#0969da", "Revenue"), ("#bc4c00", "Spend")])
        return section("daily", "Revenue and spend by day", svg)
    }

    func funnel(_ report: Report) -> String {
        let totals = report.totals
        guard !totals.isEmpty else { return section("funnel", "Funnel", nil) }
        let stages: [(String, Int, String)] = [
            ("Impressions", totals.impressions, ""),
            ("Ad clicks", totals.adClicks, "CTR " + ReportFormat.share(totals.ctr, scale: 2)),
            ("Visits", totals.visits, ""),
            ("Registrations", totals.registrations, "from visits " + ReportFormat.share(totals.crVisit)),
            ("Orders", totals.orders, "from registrations " + ReportFormat.share(totals.crOrder)),
            ("Paid orders", totals.paidOrders, "from orders " + ReportFormat.share(totals.crPaid)),
            ("Payments", totals.payments, ""),
        ]
        let geometry = FunnelGeometry(values: stages.map(\.1))
        let rowHeight = 34
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 1100 \(rowHeight * stages.count + 8)\" " +
            "width=\"1100\" height=\"\(rowHeight * stages.count + 8)\" role=\"img\" aria-label=\"Funnel\">"
        for (index, stage) in stages.enumerated() {
            let y = index * rowHeight + 4
            let width = geometry.width(stage.1)
            svg += """
                <text x="0" y="\(y + 20)" class="stage">\(stage.0)</text>\
                <rect x="\(FunnelGeometry.left)" y="\(y + 4)" width="\(width)" height="24" rx="3" fill="#54aeff"><title>\(stage.0) \(ReportFormat.count(stage.1))</title></rect>\
                <text x="\(FunnelGeometry.left + 8)" y="\(y + 21)" class="value">\(ReportFormat.count(stage.1))</text>\
                <text x="1100" y="\(y + 20)" text-anchor="end">\(stage.2)</text>
                """
        }
        svg += "</svg>"
        return section("funnel", "Funnel", svg, note: "Bar lengths on a logarithmic scale; conversions as SPEC defines them (registrations per visit, orders per registration, paid orders per order).")
    }

    func traffic(_ report: Report) -> String {
        guard !report.traffic.isEmpty else { return section("traffic", "Traffic by ad", nil) }
        let headers = ["Network", "Campaign", "Ad", "Spend", "Impr.", "Clicks", "Visits", "Regs", "Orders", "Paid",
                       "Revenue", "Refunds", "CPC", "CPR", "CPA", "CPO", "ROMI", "ROAS", "ДРР", "NPC"]
        var html = "<div class=\"scroll\"><table class=\"traffic\"><thead><tr>"
        html += headers.enumerated().map { index, header in "<th\(index >= 3 ? " class=\"num\"" : "")>\(header)</th>" }.joined()
        html += "</tr></thead><tbody>"
        for line in TrafficTable.lines(report.traffic) {
            let row = line.row
            let t = row.totals
            let names: [String]
            switch line.kind {
            case .ad:
                names = [Self.name(row.network),
                         Self.named(report.names.campaign(row.network, row.campaignID), id: row.campaignID),
                         Self.named(report.names.ad(row.network, row.campaignID, row.adID), id: row.adID)]
            case .campaign:
                names = [Self.name(row.network),
                         Self.named(report.names.campaign(row.network, row.campaignID), id: row.campaignID), "all ads"]
            case .total: names = ["Total", "", ""]
            }
            let figures = [
                ReportFormat.money(t.spend), ReportFormat.count(t.impressions), ReportFormat.count(t.adClicks),
                ReportFormat.count(t.visits), ReportFormat.count(t.registrations), ReportFormat.count(t.orders),
                ReportFormat.count(t.paidOrders), ReportFormat.money(t.revenue), ReportFormat.money(t.refunds),
                ReportFormat.money(t.cpc), ReportFormat.money(t.cpr), ReportFormat.money(t.cpa), ReportFormat.money(t.cpo),
                ReportFormat.percent(t.romi), ReportFormat.fraction(t.roas), ReportFormat.percent(t.drr),
                ReportFormat.money(row.npc),
            ]
            let kind = switch line.kind { case .ad: "ad"; case .campaign: "subtotal"; case .total: "total" }
            html += "<tr class=\"\(kind)\">" + names.map { "<td>\($0)</td>" }.joined()
                + figures.map { "<td class=\"num\">\($0)</td>" }.joined() + "</tr>"
        }
        html += "</tbody></table></div>"
        return section("traffic", "Traffic by ad", html, note: """
            CPC = spend / ad clicks, CPR = spend / registrations, CPA = spend / orders, CPO = spend / paid orders, \
            ROAS = revenue / spend, NPC = spend of ads without revenue in the period. \
            Figures follow each user's first registration (SPEC §3); — where a denominator is 0.
            """)
    }

    /// Product × offer, each figure beside the previous period's and the change.
    func products(_ report: Report) -> String {
        guard !report.products.isEmpty else { return section("products", "Products and offers", nil) }
        let rows = report.products.sorted { a, b in
            if a.current.revenue != b.current.revenue { return a.current.revenue > b.current.revenue }
            if a.previous.revenue != b.previous.revenue { return a.previous.revenue > b.previous.revenue }
            return Self.precedes([a.product, a.offer], [b.product, b.offer])
        }
        var html = "<div class=\"scroll\"><table class=\"sales\"><thead>" + Self.salesHeader(["Product", "Offer"]) + "</thead><tbody>"
        for row in rows {
            html += "<tr>" + [row.product, row.offer].map { "<td>\(Self.dimension($0))</td>" }.joined()
                + Self.salesCells(row.current, row.previous) + "</tr>"
        }
        let current = rows.reduce(SalesFigures.zero) { $0 + $1.current }
        let previous = rows.reduce(SalesFigures.zero) { $0 + $1.previous }
        html += "<tr class=\"total\"><td>Total</td><td></td>" + Self.salesCells(current, previous) + "</tr>"
        html += "</tbody></table></div>"
        return section("products", "Products and offers", html, note: """
            Each order under its current product and offer: orders created, orders that became paid, accepted payments \
            (gross) and refunds on the period's days; average check = revenue / accepted payments. prev. = the previous \
            \(report.period.length) days; change in percent of it, — where it was 0. '' = the order names none; \
            (no order event) = payments whose order has not arrived yet.
            """)
    }

    /// Tags by kind and value (launches first), each figure beside the previous period's and the change.
    func launches(_ report: Report) -> String {
        guard !report.tags.isEmpty else { return section("launches", "Launches and tags", nil) }
        /// `launch` first, then the other kinds in byte order, tags without a kind last.
        func rank(_ kind: String) -> Int { kind == "launch" ? 0 : kind.isEmpty ? 2 : 1 }
        let rows = report.tags.sorted { a, b in
            if rank(a.kind) != rank(b.kind) { return rank(a.kind) < rank(b.kind) }
            if a.kind != b.kind { return Self.precedes([a.kind], [b.kind]) }
            if a.current.revenue != b.current.revenue { return a.current.revenue > b.current.revenue }
            if a.previous.revenue != b.previous.revenue { return a.previous.revenue > b.previous.revenue }
            return Self.precedes([a.value], [b.value])
        }
        var html = "<div class=\"scroll\"><table class=\"sales\"><thead>" + Self.salesHeader(["Kind", "Value"]) + "</thead><tbody>"
        for row in rows {
            html += "<tr><td>\(Self.name(row.kind))</td><td>\(Self.name(row.value))</td>"
                + Self.salesCells(row.current, row.previous) + "</tr>"
        }
        html += "</tbody></table></div>"
        return section("launches", "Launches and tags", html, note: """
            From the tags of each order's current state: a tag kind:value splits at its first colon, a tag without one \
            has kind ''. An order counts once in every tag it carries, so the rows do not add up to the total. Figures, \
            average check and change as in the products table.
            """)
    }

    /// First touch against deal attribution per campaign.
    func attribution(_ report: Report) -> String {
        guard !report.attribution.isEmpty else {
            return section("attribution", "Attribution: first touch and deal", nil)
        }
        func key(_ row: AttributionRow) -> [String?] { [row.network, row.campaignID] }
        let rows = report.attribution.sorted { Self.precedes(key($0), key($1)) }
        let headers = ["Network", "Campaign", "Spend", "Paid (first)", "Paid (deal)", "Revenue (first)", "Revenue (deal)",
                       "Refunds (first)", "Refunds (deal)", "ROMI (first)", "ROMI (deal)", "Difference"]
        var html = "<div class=\"scroll\"><table><thead><tr>"
        html += headers.enumerated().map { index, header in "<th\(index >= 2 ? " class=\"num\"" : "")>\(header)</th>" }.joined()
        html += "</tr></thead><tbody>"
        func cells(_ row: AttributionRow) -> String {
            var difference: Ratio?
            if let deal = row.romiDeal, let first = row.romiFirst { difference = deal - first }
            return [ReportFormat.money(row.spend), ReportFormat.count(row.paidOrdersFirst), ReportFormat.count(row.paidOrdersDeal),
                    ReportFormat.money(row.revenueFirst), ReportFormat.money(row.revenueDeal),
                    ReportFormat.money(row.refundsFirst), ReportFormat.money(row.refundsDeal),
                    ReportFormat.percent(row.romiFirst), ReportFormat.percent(row.romiDeal), ReportFormat.signedPoints(difference)]
                .map { "<td class=\"num\">\($0)</td>" }.joined()
        }
        for row in rows {
            html += "<tr><td>\(Self.name(row.network))</td><td>\(Self.named(report.names.campaign(row.network, row.campaignID), id: row.campaignID))</td>"
                + cells(row) + "</tr>"
        }
        let total = rows.reduce(AttributionRow(network: "", campaignID: "", spend: .zero, paidOrdersFirst: 0, paidOrdersDeal: 0,
                                               revenueFirst: .zero, revenueDeal: .zero, refundsFirst: .zero, refundsDeal: .zero)) {
            AttributionRow(network: "", campaignID: "", spend: $0.spend + $1.spend,
                           paidOrdersFirst: $0.paidOrdersFirst + $1.paidOrdersFirst, paidOrdersDeal: $0.paidOrdersDeal + $1.paidOrdersDeal,
                           revenueFirst: $0.revenueFirst + $1.revenueFirst, revenueDeal: $0.revenueDeal + $1.revenueDeal,
                           refundsFirst: $0.refundsFirst + $1.refundsFirst, refundsDeal: $0.refundsDeal + $1.refundsDeal)
        }
        html += "<tr class=\"total\"><td>Total</td><td></td>" + cells(total) + "</tr></tbody></table></div>"
        return section("attribution", "Attribution: first touch and deal", html, note: """
            First touch: every order and payment under the user's first registration (as in the traffic table). Deal: \
            under the order's own UTM tags when the platform sent them, else under the user's latest registration \
            before the order (SPEC §3). Spend is the campaign's under both; ROMI = (revenue − refunds − spend) / spend; \
            difference = deal − first in percentage points; — where spend is 0.
            """)
    }

    func cohorts(_ report: Report) -> String {
        let registered = report.cohorts.filter { $0.cohortMonth != nil && ($0.monthsSince ?? 0) <= Self.maximumCohortMonths }
        guard !registered.isEmpty else { return section("cohorts", "Cohorts: net revenue per user (LTV)", nil) }
        let months = registered.compactMap(\.cohortMonth).reduce(into: [LocalDate]()) { if !$0.contains($1) { $0.append($1) } }.sorted()
        let width = (registered.compactMap(\.monthsSince).max() ?? 0) + 1
        let values = registered.compactMap { $0.ltv?.rounded(toScale: 2) }
        let scale = HeatmapScale(values: values)
        var html = "<div class=\"scroll\"><table class=\"heat\"><thead><tr><th>Cohort</th><th class=\"num\">Users</th>"
        html += (0..<width).map { "<th class=\"num\">M\($0)</th>" }.joined() + "</tr></thead><tbody>"
        for month in months {
            let cells = registered.filter { $0.cohortMonth == month }
            let users = cells.first?.cohortUsers ?? 0
            html += "<tr><td>\(Self.monthLabel(month))</td><td class=\"num\">\(ReportFormat.count(users))</td>"
            for since in 0..<width {
                guard let cell = cells.first(where: { $0.monthsSince == since }), let ltv = cell.ltv else {
                    html += "<td class=\"blank\"></td>"
                    continue
                }
                let value = ltv.rounded(toScale: 2)
                let text = scale.wantsLightText(value) ? "#ffffff" : "#1f2328"
                html += """
                    <td class="num cell" style="background:\(scale.colour(for: value));color:\(text)" \
                    title="\(Self.monthLabel(cell.month)): \(cell.payers) payers, revenue \(ReportFormat.money(cell.revenue)), refunds \(ReportFormat.money(cell.refunds))">\
                    \(ReportFormat.money(value))</td>
                    """
            }
            html += "</tr>"
        }
        html += "</tbody></table></div>"
        let unregistered = report.cohorts.filter { $0.cohortMonth == nil }
        var note = "Cumulative revenue − refunds per cohort user, by months since the cohort month (the month of the first registration)."
        if let last = unregistered.max(by: { $0.month < $1.month }) {
            note += " Users with no registration yet: \(ReportFormat.count(last.cohortUsers)), net revenue \(ReportFormat.money(last.cumulativeRevenue))."
        }
        return section("cohorts", "Cohorts: net revenue per user (LTV)", html, note: note)
    }

    func creatives(_ report: Report) -> String {
        guard !report.creatives.isEmpty else { return section("creatives", "Creative burnout", nil) }
        let ordered = report.creatives.sorted {
            ($0.periodSpend, $1.name) > ($1.periodSpend, $0.name)
        }
        func label(_ creative: CreativeCurve) -> String {
            report.names.label(network: creative.network, campaignID: creative.campaignID, adID: creative.adID)
        }
        let charted = Array(ordered.prefix(Self.maximumCurves))
        let curves = charted.map { $0.chartPoints(over: report.period) }
        let frame = ChartFrame(firstDay: report.period.from, lastDay: report.period.to,
                               axis: ChartAxis(covering: curves.flatMap { $0.map(\.cumulativeProfit) }))
        var svg = svgOpen(frame, label: "Cumulative profit per creative") + grid(frame)
        for (index, points) in curves.enumerated() {
            let colour = Self.palette[index % Self.palette.count]
            let path = frame.path(points.map { ($0.day, $0.cumulativeProfit) })
            svg += "<path d=\"\(path)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2\"><title>\(HTML.escape(label(charted[index])))</title></path>"
            for point in points {
                svg += "<circle cx=\"\(frame.x(point.day))\" cy=\"\(frame.y(point.cumulativeProfit))\" r=\"2.5\" fill=\"\(colour)\"/>"
            }
        }
        svg += xLabels(frame) + "</svg>"
        svg += legend(charted.enumerated().map { index, creative in
            (Self.palette[index % Self.palette.count],
             HTML.escape(label(creative)) + " " + badge(creative.status))
        }, escaped: true)
        var table = "<div class=\"scroll\"><table><thead><tr><th>Creative</th><th>Status</th><th>First day</th>"
        table += ["Spend", "Revenue", "Profit", "Profit prev. 7 d", "Profit last 7 d", "Spend last 7 d"]
            .map { "<th class=\"num\">\($0)</th>" }.joined() + "</tr></thead><tbody>"
        for creative in ordered {
            table += "<tr><td>\(HTML.escape(label(creative)))</td><td>\(badge(creative.status))</td><td>\(creative.firstDay)</td>"
            table += [creative.cumulativeSpend, creative.cumulativeRevenue, creative.cumulativeProfit,
                      creative.profitPrevious7Days, creative.profitLast7Days, creative.spendLast7Days]
                .map { "<td class=\"num\">\(ReportFormat.money($0))</td>" }.joined() + "</tr>"
        }
        table += "</tbody></table></div>"
        let asOf = report.creativesAsOf.map { " Status as of \($0), the latest day with data: the 7-day windows end there." } ?? ""
        return section("creatives", "Creative burnout", svg + table, note: """
            Cumulative profit (revenue − refunds − spend since the creative's first day) over the period, \
            for the creatives with figures in it, largest spend first.\(asOf) \
            new: first day within the last 14 days; burnt out: spends, profit of the last 7 days ≤ 0; \
            stagnating: profit of the last 7 days under half of the 7 before.
            """)
    }

    func mailings(_ report: Report) -> String {
        guard !report.letters.isEmpty else { return section("mailings", "Mailings", nil) }
        let headers = ["Channel", "Letter", "Sent", "Delivered", "Opens", "Clicks", "Unsubs", "Bounced", "Spam",
                       "Delivery", "Open rate", "Click rate", "Unsub. rate", "Payers", "Revenue"]
        var html = "<div class=\"scroll\"><table><thead><tr>"
        html += headers.enumerated().map { index, header in "<th\(index >= 2 ? " class=\"num\"" : "")>\(header)</th>" }.joined()
        html += "</tr></thead><tbody>"
        for letter in report.letters {
            let cells = [
                ReportFormat.count(letter.sent), ReportFormat.count(letter.delivered), ReportFormat.count(letter.uniqueOpens),
                ReportFormat.count(letter.uniqueClicks), ReportFormat.count(letter.unsubscribed),
                ReportFormat.count(letter.bounced), ReportFormat.count(letter.spam),
                ReportFormat.share(letter.deliveryRate), ReportFormat.share(letter.openRate),
                ReportFormat.share(letter.clickRate), ReportFormat.share(letter.unsubscribeRate),
                ReportFormat.count(letter.payersAfterClick), ReportFormat.money(letter.revenueAfterClick),
            ]
            html += "<tr><td>\(HTML.escape(letter.channel))</td><td>\(HTML.escape(letter.letterID))</td>"
                + cells.map { "<td class=\"num\">\($0)</td>" }.joined() + "</tr>"
        }
        html += "</tbody></table></div>"
        return section("mailings", "Mailings", html, note: """
            Letters with any event in the period, with their totals. Opens and clicks count distinct users; \
            payers and revenue: accepted payments within 7 days after the user's latest click on the letter (gross).
            """)
    }

    func managers(_ report: Report) -> String {
        guard !report.managers.isEmpty else { return section("managers", "Sales team", nil) }
        let rows = report.managers.sorted { ($0.revenue, $1.managerID ?? "") > ($1.revenue, $0.managerID ?? "") }
        var html = "<table><thead><tr><th>Manager</th><th class=\"num\">Orders</th><th class=\"num\">Paid orders</th>"
        html += "<th class=\"num\">Conversion</th><th class=\"num\">Revenue</th></tr></thead><tbody>"
        for manager in rows {
            html += """
                <tr><td>\(HTML.escape(manager.label))</td><td class="num">\(ReportFormat.count(manager.orders))</td>\
                <td class="num">\(ReportFormat.count(manager.paidOrders))</td><td class="num">\(ReportFormat.share(manager.conversion))</td>\
                <td class="num">\(ReportFormat.money(manager.revenue))</td></tr>
                """
        }
        let total = ManagerRow(managerID: nil, orders: rows.reduce(0) { $0 + $1.orders },
                               paidOrders: rows.reduce(0) { $0 + $1.paidOrders },
                               revenue: rows.reduce(DecimalNumber.zero) { $0 + $1.revenue })
        html += """
            <tr class="total"><td>Total</td><td class="num">\(ReportFormat.count(total.orders))</td>\
            <td class="num">\(ReportFormat.count(total.paidOrders))</td><td class="num">\(ReportFormat.share(total.conversion))</td>\
            <td class="num">\(ReportFormat.money(total.revenue))</td></tr></tbody></table>
            """
        return section("managers", "Sales team", html, note: """
            Orders created in the period by each order's current manager, orders that became paid in the period, \
            and accepted payments of the manager's orders (gross).
            """)
    }

    func community(_ report: Report) -> String {
        guard !report.chats.isEmpty || !report.community.isEmpty else {
            return section("community", "Community", nil)
        }
        var html = ""
        if !report.chats.isEmpty {
            html += "<table><thead><tr><th>Chat</th><th class=\"num\">Days</th><th class=\"num\">Messages</th>"
            html += "<th class=\"num\">Joins</th><th class=\"num\">Leaves</th><th class=\"num\">Writers per day</th>"
            html += "<th class=\"num\">Most writers in a day</th></tr></thead><tbody>"
            for chat in report.chats {
                html += """
                    <tr><td>\(HTML.escape(chat.chatID))</td><td class="num">\(ReportFormat.count(chat.days))</td>\
                    <td class="num">\(ReportFormat.count(chat.messages))</td><td class="num">\(ReportFormat.count(chat.joins))</td>\
                    <td class="num">\(ReportFormat.count(chat.leaves))</td>\
                    <td class="num">\(ReportFormat.fraction(chat.averageActiveMembers, scale: 1))</td>\
                    <td class="num">\(ReportFormat.count(chat.maxActiveMembers))</td></tr>
                    """
            }
            html += "</tbody></table>"
        }
        if !report.community.isEmpty {
            html += "<h3>Chat activity and buying (all time)</h3><table><thead><tr><th>Users</th><th class=\"num\">Count</th>"
            html += "<th class=\"num\">Payers</th><th class=\"num\">Payer share</th><th class=\"num\">Revenue</th>"
            html += "<th class=\"num\">Revenue per user</th></tr></thead><tbody>"
            for row in report.community.sorted(by: { $0.chatActive && !$1.chatActive }) {
                html += """
                    <tr><td>\(row.chatActive ? "wrote in a chat" : "never wrote")</td><td class="num">\(ReportFormat.count(row.users))</td>\
                    <td class="num">\(ReportFormat.count(row.payers))</td><td class="num">\(ReportFormat.share(row.payerShare))</td>\
                    <td class="num">\(ReportFormat.money(row.revenue))</td><td class="num">\(ReportFormat.money(row.revenuePerUser))</td></tr>
                    """
            }
            html += "</tbody></table>"
        }
        return section("community", "Community", html, note: """
            Chats: activity in the period. Buying: every user of the project, whether they ever wrote a message \
            (a join is not enough), and their accepted payments at any time (gross).
            """)
    }

    /// Per course: its all-time progress, then the period's lessons, one row each.
    func learning(_ report: Report) -> String {
        guard !report.courses.isEmpty else { return section("learning", "Learning", nil) }
        var html = "<table><thead><tr><th>Course</th>"
        html += ["Students", "Lessons", "Completers", "Completion", "Payers after start", "Revenue after start"]
            .map { "<th class=\"num\">\($0)</th>" }.joined() + "</tr></thead><tbody>"
        for course in report.courses {
            html += "<tr><td>\(Self.name(course.courseID))</td>" + [
                ReportFormat.count(course.students), ReportFormat.count(course.lessons), ReportFormat.count(course.completers),
                ReportFormat.share(course.completionRate), ReportFormat.count(course.payersAfterStart),
                ReportFormat.money(course.revenueAfterStart),
            ].map { "<td class=\"num\">\($0)</td>" }.joined() + "</tr>"
        }
        html += "</tbody></table>"
        for course in report.courses {
            html += "<h3>\(HTML.escape(course.courseID.isEmpty ? "''" : course.courseID)): lessons in the period</h3>"
            html += "<table class=\"lessons\"><thead><tr><th>Lesson</th>"
            html += ["Opened", "Completed", "Completed / opened", "Homework submitted", "Homework accepted", "Attended"]
                .map { "<th class=\"num\">\($0)</th>" }.joined() + "</tr></thead><tbody>"
            for lesson in course.periodLessons {
                let label = lesson.lessonID.isEmpty ? "<span class=\"note\">(course, no lesson)</span>" : HTML.escape(lesson.lessonID)
                html += "<tr><td>\(label)</td>" + [
                    ReportFormat.count(lesson.opened), ReportFormat.count(lesson.completed),
                    ReportFormat.share(lesson.completionShare), ReportFormat.count(lesson.homeworkSubmitted),
                    ReportFormat.count(lesson.homeworkAccepted), ReportFormat.count(lesson.attended),
                ].map { "<td class=\"num\">\($0)</td>" }.joined() + "</tr>"
            }
            html += "</tbody></table>"
        }
        return section("learning", "Learning", html, note: """
            Courses with first steps in the period. Course figures are all time: students = users with any learning \
            event of the course; lessons = lessons anyone opened or completed; completers = students who completed \
            every one of them; completion = completers / students; payers after start = students whose first \
            accepted payment came after their first step in the course, with those payments (gross). Lesson rows: \
            students whose first open, completion, homework or attendance of the lesson fell in the period.
            """)
    }

    /// Webinars attended in the period and the purchases within 7 days after them.
    func webinars(_ report: Report) -> String {
        guard !report.webinars.isEmpty else { return section("webinars", "Webinars", nil) }
        var html = "<table><thead><tr><th>Course</th><th>Webinar</th>"
        html += ["Attendees", "Buyers within 7 days", "Conversion", "Revenue"].map { "<th class=\"num\">\($0)</th>" }.joined()
        html += "</tr></thead><tbody>"
        for webinar in report.webinars {
            html += "<tr><td>\(Self.name(webinar.courseID))</td><td>\(Self.name(webinar.lessonID))</td>" + [
                ReportFormat.count(webinar.attendees), ReportFormat.count(webinar.buyers),
                ReportFormat.share(webinar.conversion), ReportFormat.money(webinar.revenue),
            ].map { "<td class=\"num\">\($0)</td>" }.joined() + "</tr>"
        }
        html += "</tbody></table>"
        return section("webinars", "Webinars", html, note: """
            Webinars with first attendances in the period, with all their attendees. Buyers: attendees whose first \
            accepted payment came after their first attendance and at most 7 × 24 h after it; revenue: those \
            payments (gross); conversion = buyers / attendees.
            """)
    }

    /// Cohort × month retention, coloured like the cohorts' heatmap, with each month's churned users.
    func retention(_ report: Report) -> String {
        let cells = report.retention.filter { $0.monthsSince <= Self.maximumCohortMonths }
        guard !cells.isEmpty else { return section("retention", "Retention", nil) }
        let months = cells.map(\.cohortMonth).reduce(into: [LocalDate]()) { if !$0.contains($1) { $0.append($1) } }.sorted()
        let width = (cells.map(\.monthsSince).max() ?? 0) + 1
        // Percentages to one decimal, as shown: the colour follows the figure the reader sees.
        func percent(_ cell: RetentionCell) -> DecimalNumber? { cell.retention?.scaled(by: 100).rounded(toScale: 1) }
        let scale = HeatmapScale(values: cells.compactMap(percent))
        var html = "<div class=\"scroll\"><table class=\"heat\"><thead><tr><th>Cohort</th><th class=\"num\">Users</th>"
        html += (0..<width).map { "<th class=\"num\">M\($0)</th>" }.joined() + "</tr></thead><tbody>"
        for month in months {
            let row = cells.filter { $0.cohortMonth == month }
            html += "<tr><td>\(Self.monthLabel(month))</td><td class=\"num\">\(ReportFormat.count(row.first?.cohortUsers ?? 0))</td>"
            for since in 0..<width {
                guard let cell = row.first(where: { $0.monthsSince == since }), let value = percent(cell) else {
                    html += "<td class=\"blank\"></td>"
                    continue
                }
                let text = scale.wantsLightText(value) ? "#ffffff" : "#1f2328"
                let churn = since == 0 ? "" : "<br><small>churned \(ReportFormat.count(cell.churned))</small>"
                html += """
                    <td class="num cell" style="background:\(scale.colour(for: value));color:\(text)" \
                    title="\(Self.monthLabel(cell.month)): \(cell.activeUsers) of \(cell.cohortUsers) active, \(cell.churned) churned">\
                    \(ReportFormat.percent(Ratio(value)))\(churn)</td>
                    """
            }
            html += "</tr>"
        }
        html += "</tbody></table></div>"
        return section("retention", "Retention", html, note: """
            Share of the cohort (users by the month of their first registration) active in each month since: a chat \
            message, a mail opened or clicked, a learning step, an order created or a payment accepted. Churned: \
            users active the month before but not in this one.
            """)
    }

    /// Per cohort: payers and those who paid for two or more distinct orders.
    func repeatPurchases(_ report: Report) -> String {
        guard !report.repeatPurchases.isEmpty else { return section("repeat", "Repeat purchases", nil) }
        var html = "<table><thead><tr><th>Cohort</th><th class=\"num\">Payers</th><th class=\"num\">Repeat payers</th>"
        html += "<th class=\"num\">Repeat rate</th></tr></thead><tbody>"
        for row in report.repeatPurchases {
            let cohort = row.cohortMonth.map(Self.monthLabel) ?? "<span class=\"note\">(no registration)</span>"
            html += "<tr><td>\(cohort)</td>" + [
                ReportFormat.count(row.payers), ReportFormat.count(row.repeatPayers), ReportFormat.share(row.repeatRate),
            ].map { "<td class=\"num\">\($0)</td>" }.joined() + "</tr>"
        }
        let payers = report.repeatPurchases.reduce(0) { $0 + $1.payers }
        let repeaters = report.repeatPurchases.reduce(0) { $0 + $1.repeatPayers }
        html += "<tr class=\"total\"><td>Total</td><td class=\"num\">\(ReportFormat.count(payers))</td>"
        html += "<td class=\"num\">\(ReportFormat.count(repeaters))</td>"
        html += "<td class=\"num\">\(ReportFormat.share(Ratio(repeaters, payers)))</td></tr></tbody></table>"
        return section("repeat", "Repeat purchases", html, note: """
            All time, as of now. Payers: users of the cohort with an accepted payment; repeat payers: those with \
            accepted payments for at least two distinct orders; repeat rate = repeat payers / payers.
            """)
    }

    // MARK: pieces

    func section(_ id: String, _ title: String, _ body: String?, note: String? = nil) -> String {
        var html = "<section id=\"\(id)\"><h2>\(HTML.escape(title))</h2>"
        html += body ?? "<p class=\"empty\">No data for this period.</p>"
        if let note, body != nil { html += "<p class=\"note\">\(HTML.escape(note))</p>" }
        return html + "</section>\n"
    }

    func svgOpen(_ frame: ChartFrame, label: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(frame.width) \(frame.height)\" width=\"\(frame.width)\" " +
            "height=\"\(frame.height)\" role=\"img\" aria-label=\"\(HTML.escape(label))\">"
    }

    /// Horizontal gridlines with their values; the zero line darker.
    func grid(_ frame: ChartFrame) -> String {
        frame.axis.ticks.map { tick in
            let y = frame.y(DecimalNumber(tick))
            return "<line x1=\"\(frame.left)\" x2=\"\(frame.width - frame.right)\" y1=\"\(y)\" y2=\"\(y)\" " +
                "stroke=\"\(tick == 0 ? "#8c959f" : "#eaeef2")\"/>" +
                "<text x=\"\(frame.left - 6)\" y=\"\(y)\" dy=\"4\" text-anchor=\"end\">\(ReportFormat.count(tick))</text>"
        }.joined()
    }

    /// Day labels under a line chart: every day up to 16 days, else about 16 evenly spaced.
    func xLabels(_ frame: ChartFrame) -> String {
        let span = frame.firstDay.days(to: frame.lastDay)
        let every = max(1, (span + 15) / 16)
        return stride(from: 0, through: span, by: every).map { offset in
            let day = frame.firstDay.adding(days: offset)
            return "<text x=\"\(frame.x(day))\" y=\"\(frame.height - 8)\" text-anchor=\"middle\">\(Self.shortDay(day))</text>"
        }.joined()
    }

    func legend(_ entries: [(colour: String, label: String)], escaped: Bool = false) -> String {
        "<div class=\"legend\">" + entries.map { entry in
            "<span><i class=\"swatch\" style=\"background:\(entry.colour)\"></i>\(escaped ? entry.label : HTML.escape(entry.label))</span>"
        }.joined() + "</div>"
    }

    func badge(_ status: CreativeStatus) -> String {
        "<span class=\"badge status-\(status.rawValue)\">\(status.label)</span>"
    }

    /// Two header rows for a sales table: the key columns, then now / prev. / change under each measure.
    static func salesHeader(_ keys: [String]) -> String {
        var html = "<tr>" + keys.map { "<th rowspan=\"2\">\($0)</th>" }.joined()
        html += ["Orders", "Paid orders", "Revenue", "Refunds", "Average check"]
            .map { "<th class=\"num\" colspan=\"3\">\($0)</th>" }.joined() + "</tr><tr>"
        html += String(repeating: "<th class=\"num\">now</th><th class=\"num\">prev.</th><th class=\"num\">change</th>", count: 5)
        return html + "</tr>"
    }

    /// Each measure of a sales table: the period's value, the previous period's, the change in percent.
    static func salesCells(_ current: SalesFigures, _ previous: SalesFigures) -> String {
        func count(_ now: Int, _ before: Int) -> [String] {
            [ReportFormat.count(now), ReportFormat.count(before),
             ReportFormat.signedPercent(ReportFormat.change(from: DecimalNumber(before), to: DecimalNumber(now)))]
        }
        func money(_ now: DecimalNumber, _ before: DecimalNumber) -> [String] {
            [ReportFormat.money(now), ReportFormat.money(before),
             ReportFormat.signedPercent(ReportFormat.change(from: before, to: now))]
        }
        // The average check changes relatively, as the headline's does: undefined when either period had no payment.
        var checkChange: Ratio?
        if let now = current.averageCheck, let before = previous.averageCheck {
            checkChange = Ratio.relativeChange(from: before, to: now)
        }
        let cells = count(current.orders, previous.orders) + count(current.paidOrders, previous.paidOrders)
            + money(current.revenue, previous.revenue) + money(current.refunds, previous.refunds)
            + [ReportFormat.money(current.averageCheck), ReportFormat.money(previous.averageCheck),
               ReportFormat.signedPercent(checkChange)]
        return cells.enumerated().map { index, cell in
            "<td class=\"num\(index % 3 == 0 ? "" : " prev")\">\(cell)</td>"
        }.joined()
    }

    /// Byte order of keys (as SQL's `COLLATE "C"`), nil first: the same order on every machine.
    static func precedes(_ a: [String?], _ b: [String?]) -> Bool {
        for (left, right) in zip(a, b) where left != right {
            guard let left else { return true }
            guard let right else { return false }
            return Array(left.utf8).lexicographicallyPrecedes(Array(right.utf8))
        }
        return false
    }

    /// A product or offer: escaped, `''` when the order names none, a note when its order has no event yet.
    static func dimension(_ value: String?) -> String {
        value.map(name) ?? "<span class=\"note\">(no order event)</span>"
    }

    /// An id with its name: `Name (id)`, escaped; the id alone (`''` when empty) when no name is known.
    static func named(_ name: String?, id: String) -> String {
        guard let name else { return Self.name(id) }
        return "\(HTML.escape(name)) <span class=\"id\">(\(id.isEmpty ? "''" : HTML.escape(id)))</span>"
    }

    /// A key part for a table cell: escaped, an empty value shown as `''`.
    static func name(_ text: String) -> String {
        text.isEmpty ? "<span class=\"note\">''</span>" : HTML.escape(text)
    }

    static func shortDay(_ day: LocalDate) -> String {
        String(day.description.dropFirst(5))
    }

    /// `2026-03-15 06:00`: the instant in UTC to the minute.
    static func minute(_ instant: Instant) -> String {
        let text = instant.rfc3339String
        return String(text.prefix(10)) + " " + String(text.dropFirst(11).prefix(5))
    }

    static func monthLabel(_ month: LocalDate) -> String {
        String(month.description.prefix(7))
    }

    static let css = """
        :root{--fg:#1f2328;--muted:#656d76;--line:#d0d7de;--good:#1a7f37;--bad:#cf222e}\
        *{box-sizing:border-box}\
        body{margin:0;font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"DejaVu Sans",sans-serif;color:var(--fg);background:#f6f8fa}\
        main{max-width:1260px;margin:0 auto;padding:16px}\
        h1{font-size:24px;margin:0 0 4px}h2{font-size:18px;margin:0 0 12px}h3{font-size:15px;margin:16px 0 8px}\
        section{background:#fff;border:1px solid var(--line);border-radius:8px;padding:14px 16px;margin:14px 0}\
        .note{color:var(--muted);font-size:12px;margin:8px 0 0}\
        .empty{color:var(--muted);font-style:italic}\
        .cards{display:grid;grid-template-columns:repeat(4,1fr);gap:10px}\
        .card{border:1px solid var(--line);border-radius:6px;padding:8px 12px}\
        .card .label{color:var(--muted);font-size:12px;text-transform:uppercase;letter-spacing:.03em}\
        .card .value{font-size:22px;font-weight:600;font-variant-numeric:tabular-nums}\
        .card .prev{font-size:12px;color:var(--muted)}\
        .change.good{color:var(--good);font-weight:600}.change.bad{color:var(--bad);font-weight:600}\
        .scroll{overflow-x:auto}\
        table{border-collapse:collapse;width:100%;font-size:12px}\
        th,td{padding:4px 6px;border-bottom:1px solid #eaeef2;text-align:left;white-space:nowrap}\
        th{background:#f6f8fa;font-weight:600}\
        table.traffic{font-size:11px}.traffic th,.traffic td{padding:3px 4px}\
        .num{text-align:right;font-variant-numeric:tabular-nums}\
        td.prev{color:var(--muted)}.id{color:var(--muted);font-size:11px}\
        tr.subtotal td{font-weight:600;background:#f6f8fa}tr.total td{font-weight:700;border-top:2px solid var(--fg)}\
        .heat td.cell{min-width:72px}.heat td.blank{background:#fafbfc}\
        .badge{display:inline-block;padding:0 7px;border-radius:10px;font-size:11px;color:#fff;line-height:18px}\
        .status-new{background:#0969da}.status-growing{background:#1a7f37}\
        .status-stagnating{background:#9a6700}.status-burnt_out{background:#cf222e}\
        svg{display:block;max-width:100%;height:auto}\
        svg text{font:11px system-ui,sans-serif;fill:#656d76}svg text.stage{font-size:13px;fill:#1f2328}\
        svg text.value{font-size:12px;fill:#0b2a4a;font-weight:600}\
        .legend{display:flex;flex-wrap:wrap;gap:4px 18px;font-size:12px;margin-top:8px}\
        .swatch{display:inline-block;width:14px;height:4px;vertical-align:middle;margin-right:5px}
        """
}
