import Events
import Postgres

/// Loads a `Report` or a `Digest` from the `bi` views: the only part of this module that talks to PostgreSQL.
///
/// Reads only schema `bi`, so the read-only BI role is enough. Every value is a bound parameter. Sums
/// are taken in SQL; ratios are left to the pure side, which computes them exactly from the sums.
/// Blocking, like `PostgresConnection`: call it from a thread of its own.
public struct ReportReader {
    let connection: PostgresConnection

    public init(connection: PostgresConnection) {
        self.connection = connection
    }

    /// Whether the project has any row in `bi.funnel_daily` (so that a mistyped project name is an error, not an empty page).
    public func projectExists(_ project: String) throws -> Bool {
        let result = try connection.execute("SELECT EXISTS (SELECT 1 FROM bi.funnel_daily WHERE project = $1)", [project])
        return result.rows.first?[0] == "t"
    }

    /// Everything the report shows for `project` over `period`.
    public func report(project: String, currency: String, period: ReportPeriod, generatedAt: Instant) throws -> Report {
        let current = try totals(project: project, from: period.from, to: period.to)
        let previous = try totals(project: project, from: period.previous.from, to: period.previous.to)
        let creatives = try self.creatives(project: project, period: period)
        return Report(
            project: project, currency: currency, period: period, generatedAt: generatedAt,
            totals: current.totals, newUsers: current.newUsers,
            previousTotals: previous.totals, previousNewUsers: previous.newUsers,
            daily: try daily(project: project, period: period),
            traffic: try traffic(project: project, period: period),
            cohorts: try cohorts(project: project, through: period.to),
            creatives: creatives.curves, creativesAsOf: creatives.asOf,
            letters: try letters(project: project, period: period),
            managers: try managers(project: project, period: period),
            chats: try chats(project: project, period: period),
            community: try community(project: project),
            products: try products(project: project, period: period),
            tags: try tags(project: project, period: period),
            attribution: try attribution(project: project, period: period),
            names: try names(project: project),
            courses: try courses(project: project, period: period),
            webinars: try webinars(project: project, period: period),
            retention: try retention(project: project, through: period.to),
            repeatPurchases: try repeatPurchases(project: project))
    }

    /// The digest of `day` against the day before.
    public func digest(project: String, currency: String, day: LocalDate) throws -> Digest {
        let now = try totals(project: project, from: day, to: day)
        let before = try totals(project: project, from: day.adding(days: -1), to: day.adding(days: -1))
        let campaigns = try connection.execute("""
            SELECT network, campaign_id, \(Self.sums)
            FROM bi.traffic_summary($1, $2::date, $2::date) f
            GROUP BY network, campaign_id
            """, [project, day.description])
        let burnout = try burnoutRows(project: project)
        let names = try self.names(project: project)
        let oneDay = try ReportPeriod(from: day, to: day)
        return Digest(
            project: project, currency: currency, day: day, totals: now.totals, previousTotals: before.totals,
            campaigns: try campaigns.rows.map { row in
                let network = try text(row, "network"), campaign = try text(row, "campaign_id")
                return CampaignDay(network: network, campaignID: campaign, campaignName: names.campaign(network, campaign),
                                   totals: try funnel(row))
            },
            burning: burnout.curves.filter { $0.status.isBurning }, creativesAsOf: burnout.asOf,
            managers: try managers(project: project, period: oneDay), names: names,
            lessonCompletions: try lessonCompletions(project: project, day: day),
            webinars: try webinars(project: project, period: oneDay))
    }

    /// `bi.learning_daily.completed` summed over the day's lessons: each counts a student's first completion of a lesson.
    func lessonCompletions(project: String, day: LocalDate) throws -> Int {
        let result = try connection.execute("""
            SELECT coalesce(sum(completed), 0)::bigint AS completed
            FROM bi.learning_daily WHERE project = $1 AND day = $2::date
            """, [project, day.description])
        guard let row = result.rows.first else { return 0 }
        return try int(row, "completed")
    }

    // MARK: queries

    /// The ten measures summed as `f`, in the columns `funnel(_:)` reads.
    static let sums = """
        coalesce(sum(f.impressions), 0)::bigint AS impressions, coalesce(sum(f.ad_clicks), 0)::bigint AS ad_clicks,
        coalesce(sum(f.spend), 0) AS spend, coalesce(sum(f.visits), 0)::bigint AS visits,
        coalesce(sum(f.registrations), 0)::bigint AS registrations, coalesce(sum(f.orders), 0)::bigint AS orders,
        coalesce(sum(f.paid_orders), 0)::bigint AS paid_orders, coalesce(sum(f.payments), 0)::bigint AS payments,
        coalesce(sum(f.revenue), 0) AS revenue, coalesce(sum(f.refunds), 0) AS refunds
        """

    func totals(project: String, from: LocalDate, to: LocalDate) throws -> (totals: FunnelTotals, newUsers: Int) {
        let result = try connection.execute("""
            SELECT \(Self.sums), coalesce(sum(f.new_users), 0)::bigint AS new_users
            FROM bi.overview_daily f WHERE f.project = $1 AND f.day BETWEEN $2::date AND $3::date
            """, [project, from.description, to.description])
        guard let row = result.rows.first else { return (.zero, 0) }
        return (try funnel(row), try int(row, "new_users"))
    }

    func daily(project: String, period: ReportPeriod) throws -> [DayTotals] {
        let result = try connection.execute("""
            SELECT f.day::text AS day, \(Self.sums)
            FROM bi.overview_daily f WHERE f.project = $1 AND f.day BETWEEN $2::date AND $3::date
            GROUP BY f.day ORDER BY f.day
            """, [project, period.from.description, period.to.description])
        return try result.rows.map { DayTotals(day: try date(row: $0, "day"), totals: try funnel($0)) }
    }

    func traffic(project: String, period: ReportPeriod) throws -> [TrafficRow] {
        let result = try connection.execute(
            "SELECT * FROM bi.traffic_summary($1, $2::date, $3::date) f",
            [project, period.from.description, period.to.description])
        return try result.rows.map { row in
            TrafficRow(network: try text(row, "network"), campaignID: try text(row, "campaign_id"),
                       adID: try text(row, "ad_id"), totals: try funnel(row), npc: try decimal(row, "npc"))
        }
    }

    /// Cohorts up to the period's month, each up to the period's month: a report of a past period
    /// shows the cohorts as they stood then, not with later months.
    func cohorts(project: String, through day: LocalDate) throws -> [CohortCell] {
        let result = try connection.execute("""
            SELECT cohort_month::text AS cohort_month, month::text AS month, months_since, cohort_users, payers,
                   payments, revenue, refunds, cumulative_revenue
            FROM bi.cohorts_monthly
            WHERE project = $1 AND month <= $2::date AND (cohort_month IS NULL OR cohort_month <= $2::date)
            ORDER BY cohort_month NULLS FIRST, month
            """, [project, day.monthStart.description])
        return try result.rows.map { row in
            CohortCell(
                cohortMonth: try row["cohort_month"].map { try date($0, "cohort_month") },
                month: try date(row: row, "month"),
                monthsSince: try row.decodeIfPresent("months_since", as: Int.self),
                cohortUsers: try int(row, "cohort_users"), payers: try int(row, "payers"),
                payments: try int(row, "payments"), revenue: try decimal(row, "revenue"),
                refunds: try decimal(row, "refunds"), cumulativeRevenue: try decimal(row, "cumulative_revenue"))
        }
    }

    /// Every creative's burnout row and the latest day the windows end at.
    func burnoutRows(project: String) throws -> (curves: [CreativeCurve], asOf: LocalDate?) {
        let latest = try connection.execute(
            "SELECT max(day)::text FROM bi.funnel_daily WHERE project = $1", [project])
        let asOf = try latest.rows.first?[0].map { try date($0, "max") }
        let result = try connection.execute("""
            SELECT network, campaign_id, ad_id, first_day::text AS first_day, cum_spend, cum_revenue, cum_profit,
                   profit_last_7d, profit_prev_7d, spend_last_7d, status
            FROM bi.creative_burnout WHERE project = $1
            """, [project])
        let curves = try result.rows.map { row in
            let statusText = try text(row, "status")
            guard let status = CreativeStatus(rawValue: statusText) else {
                throw ReportError(.unreadableValue, "bi.creative_burnout.status: unknown status \"\(statusText)\"")
            }
            return CreativeCurve(
                network: try text(row, "network"), campaignID: try text(row, "campaign_id"), adID: try text(row, "ad_id"),
                status: status, firstDay: try date(row: row, "first_day"),
                cumulativeSpend: try decimal(row, "cum_spend"), cumulativeRevenue: try decimal(row, "cum_revenue"),
                cumulativeProfit: try decimal(row, "cum_profit"), profitLast7Days: try decimal(row, "profit_last_7d"),
                profitPrevious7Days: try decimal(row, "profit_prev_7d"), spendLast7Days: try decimal(row, "spend_last_7d"))
        }
        return (curves, asOf)
    }

    /// Creatives with a row in the period, each with its running profit on the period's days and on
    /// its last day before the period.
    func creatives(project: String, period: ReportPeriod) throws -> (curves: [CreativeCurve], asOf: LocalDate?) {
        let burnout = try burnoutRows(project: project)
        let result = try connection.execute("""
            SELECT network, campaign_id, ad_id, day::text AS day, spend, cum_profit, true AS in_period
            FROM bi.creative_daily WHERE project = $1 AND day BETWEEN $2::date AND $3::date
            UNION ALL
            (SELECT DISTINCT ON (network, campaign_id, ad_id) network, campaign_id, ad_id, day::text, spend, cum_profit, false
             FROM bi.creative_daily WHERE project = $1 AND day < $2::date
             ORDER BY network, campaign_id, ad_id, day DESC)
            """, [project, period.from.description, period.to.description])
        struct Key: Hashable { let network, campaign, ad: String }
        var points: [Key: [CreativeCurve.Point]] = [:]
        var spend: [Key: DecimalNumber] = [:]
        var carried: [Key: DecimalNumber] = [:]
        for row in result.rows {
            let key = Key(network: try text(row, "network"), campaign: try text(row, "campaign_id"), ad: try text(row, "ad_id"))
            if row["in_period"] == "t" {
                points[key, default: []].append(
                    .init(day: try date(row: row, "day"), cumulativeProfit: try decimal(row, "cum_profit")))
                spend[key, default: .zero] += try decimal(row, "spend")
            } else {
                carried[key] = try decimal(row, "cum_profit")
            }
        }
        let curves = burnout.curves.compactMap { creative -> CreativeCurve? in
            let key = Key(network: creative.network, campaign: creative.campaignID, ad: creative.adID)
            guard let days = points[key] else { return nil }
            var curve = creative
            curve.points = days.sorted { $0.day < $1.day }
            curve.periodSpend = spend[key] ?? .zero
            curve.carriedIn = carried[key]
            return curve
        }
        return (curves, burnout.asOf)
    }

    /// Letters with any event in the period; their figures are the letters' totals (`bi.mail_letters`
    /// has no day, and after-click money exists only per letter).
    func letters(project: String, period: ReportPeriod) throws -> [LetterRow] {
        let result = try connection.execute("""
            SELECT l.channel, l.letter_id, l.sent, l.delivered, l.unique_opens, l.unique_clicks, l.unsubscribed,
                   l.bounced, l.spam, l.payers_after_click, l.revenue_after_click
            FROM bi.mail_letters l
            WHERE l.project = $1 AND EXISTS (
                SELECT 1 FROM bi.mail_daily d
                WHERE d.project = l.project AND d.channel = l.channel AND d.letter_id = l.letter_id
                  AND d.day BETWEEN $2::date AND $3::date)
            ORDER BY l.channel, l.letter_id
            """, [project, period.from.description, period.to.description])
        return try result.rows.map { row in
            LetterRow(
                channel: try text(row, "channel"), letterID: try text(row, "letter_id"), sent: try int(row, "sent"),
                delivered: try int(row, "delivered"), uniqueOpens: try int(row, "unique_opens"),
                uniqueClicks: try int(row, "unique_clicks"), unsubscribed: try int(row, "unsubscribed"),
                bounced: try int(row, "bounced"), spam: try int(row, "spam"),
                payersAfterClick: try int(row, "payers_after_click"),
                revenueAfterClick: try decimal(row, "revenue_after_click"))
        }
    }

    /// Managers with orders or money in the period, each with the name `bi.managers` knows (NULL: none known).
    func managers(project: String, period: ReportPeriod) throws -> [ManagerRow] {
        let result = try connection.execute("""
            SELECT d.manager_id, n.name, sum(d.orders)::bigint AS orders, sum(d.paid_orders)::bigint AS paid_orders,
                   sum(d.revenue) AS revenue
            FROM bi.managers_daily d
            LEFT JOIN bi.managers n ON n.project = d.project AND n.manager_id = d.manager_id
            WHERE d.project = $1 AND d.day BETWEEN $2::date AND $3::date
            GROUP BY d.manager_id, n.name
            """, [project, period.from.description, period.to.description])
        return try result.rows.map { row in
            ManagerRow(managerID: row["manager_id"], name: row["name"], orders: try int(row, "orders"),
                       paidOrders: try int(row, "paid_orders"), revenue: try decimal(row, "revenue"))
        }
    }

    func chats(project: String, period: ReportPeriod) throws -> [ChatRow] {
        let result = try connection.execute("""
            SELECT chat_id, count(*) AS days, sum(messages)::bigint AS messages, sum(joins)::bigint AS joins,
                   sum(leaves)::bigint AS leaves, sum(active_members)::bigint AS active_member_days,
                   max(active_members)::bigint AS max_active
            FROM bi.chat_daily WHERE project = $1 AND day BETWEEN $2::date AND $3::date
            GROUP BY chat_id ORDER BY chat_id
            """, [project, period.from.description, period.to.description])
        return try result.rows.map { row in
            ChatRow(chatID: try text(row, "chat_id"), days: try int(row, "days"), messages: try int(row, "messages"),
                    joins: try int(row, "joins"), leaves: try int(row, "leaves"),
                    activeMemberDays: try int(row, "active_member_days"), maxActiveMembers: try int(row, "max_active"))
        }
    }

    func community(project: String) throws -> [CommunityRow] {
        let result = try connection.execute("""
            SELECT chat_active, sum(users)::bigint AS users, sum(payers)::bigint AS payers, sum(revenue) AS revenue
            FROM bi.community_conversion WHERE project = $1 GROUP BY chat_active ORDER BY chat_active DESC
            """, [project])
        return try result.rows.map { row in
            CommunityRow(chatActive: try row.decode("chat_active", as: Bool.self), users: try int(row, "users"),
                         payers: try int(row, "payers"), revenue: try decimal(row, "revenue"))
        }
    }

    /// The money measures of a products or tags view, summed as `f`, in the columns `sales(_:)` reads.
    static let salesSums = """
        sum(f.orders)::bigint AS orders, sum(f.paid_orders)::bigint AS paid_orders, sum(f.payments)::bigint AS payments,
        coalesce(sum(f.revenue), 0) AS revenue, coalesce(sum(f.refunds), 0) AS refunds
        """

    /// Product × offer over the period and over the previous one: every key with a row in either.
    func products(project: String, period: ReportPeriod) throws -> [ProductRow] {
        struct Key: Hashable { let product, offer: String? }
        func read(_ from: LocalDate, _ to: LocalDate) throws -> [Key: SalesFigures] {
            let result = try connection.execute("""
                SELECT f.product, f.offer, \(Self.salesSums)
                FROM bi.products_daily f WHERE f.project = $1 AND f.day BETWEEN $2::date AND $3::date
                GROUP BY f.product, f.offer
                """, [project, from.description, to.description])
            var figures: [Key: SalesFigures] = [:]
            for row in result.rows { figures[Key(product: row["product"], offer: row["offer"])] = try sales(row) }
            return figures
        }
        let current = try read(period.from, period.to)
        let previous = try read(period.previous.from, period.previous.to)
        // Byte order, no-order-event first: the same list on every run (the page sorts by money).
        return Set(current.keys).union(previous.keys)
            .sorted { ReportRenderer.precedes([$0.product, $0.offer], [$1.product, $1.offer]) }
            .map { key in
                ProductRow(product: key.product, offer: key.offer, current: current[key] ?? .zero,
                           previous: previous[key] ?? .zero)
            }
    }

    /// Tag kind × value over the period and over the previous one: every key with a row in either.
    func tags(project: String, period: ReportPeriod) throws -> [TagRow] {
        struct Key: Hashable { let kind, value: String }
        func read(_ from: LocalDate, _ to: LocalDate) throws -> [Key: SalesFigures] {
            let result = try connection.execute("""
                SELECT f.tag_kind, f.tag_value, \(Self.salesSums)
                FROM bi.order_tags_daily f WHERE f.project = $1 AND f.day BETWEEN $2::date AND $3::date
                GROUP BY f.tag_kind, f.tag_value
                """, [project, from.description, to.description])
            var figures: [Key: SalesFigures] = [:]
            for row in result.rows {
                figures[Key(kind: try text(row, "tag_kind"), value: try text(row, "tag_value"))] = try sales(row)
            }
            return figures
        }
        let current = try read(period.from, period.to)
        let previous = try read(period.previous.from, period.previous.to)
        return Set(current.keys).union(previous.keys)
            .sorted { ReportRenderer.precedes([$0.kind, $0.value], [$1.kind, $1.value]) }
            .map { key in
                TagRow(kind: key.kind, value: key.value, current: current[key] ?? .zero, previous: previous[key] ?? .zero)
            }
    }

    /// `bi.attribution_compare` summed per campaign; ROMI is left to `AttributionRow`, from the sums.
    func attribution(project: String, period: ReportPeriod) throws -> [AttributionRow] {
        let result = try connection.execute("""
            SELECT network, campaign_id, sum(spend) AS spend, sum(paid_orders_first)::bigint AS paid_orders_first,
                   sum(paid_orders_deal)::bigint AS paid_orders_deal, sum(revenue_first) AS revenue_first,
                   sum(revenue_deal) AS revenue_deal, sum(refunds_first) AS refunds_first, sum(refunds_deal) AS refunds_deal
            FROM bi.attribution_compare($1, $2::date, $3::date)
            GROUP BY network, campaign_id
            ORDER BY network COLLATE "C", campaign_id COLLATE "C"
            """, [project, period.from.description, period.to.description])
        return try result.rows.map { row in
            AttributionRow(
                network: try text(row, "network"), campaignID: try text(row, "campaign_id"), spend: try decimal(row, "spend"),
                paidOrdersFirst: try int(row, "paid_orders_first"), paidOrdersDeal: try int(row, "paid_orders_deal"),
                revenueFirst: try decimal(row, "revenue_first"), revenueDeal: try decimal(row, "revenue_deal"),
                refundsFirst: try decimal(row, "refunds_first"), refundsDeal: try decimal(row, "refunds_deal"))
        }
    }

    /// Courses with a `bi.learning_daily` row in the period, each with its all-time `bi.course_progress`
    /// and its lessons' first-time steps summed over the period's days.
    func courses(project: String, period: ReportPeriod) throws -> [CourseRow] {
        let lessons = try connection.execute("""
            SELECT course_id, lesson_id, sum(opened)::bigint AS opened, sum(completed)::bigint AS completed,
                   sum(homework_submitted)::bigint AS homework_submitted,
                   sum(homework_accepted)::bigint AS homework_accepted, sum(attended)::bigint AS attended
            FROM bi.learning_daily WHERE project = $1 AND day BETWEEN $2::date AND $3::date
            GROUP BY course_id, lesson_id
            ORDER BY course_id COLLATE "C", lesson_id COLLATE "C"
            """, [project, period.from.description, period.to.description])
        var byCourse: [String: [LessonRow]] = [:]
        for row in lessons.rows {
            byCourse[try text(row, "course_id"), default: []].append(LessonRow(
                lessonID: try text(row, "lesson_id"), opened: try int(row, "opened"), completed: try int(row, "completed"),
                homeworkSubmitted: try int(row, "homework_submitted"), homeworkAccepted: try int(row, "homework_accepted"),
                attended: try int(row, "attended")))
        }
        let progress = try connection.execute("""
            SELECT course_id, students, lessons, completers, payers_after_start, revenue_after_start
            FROM bi.course_progress WHERE project = $1 ORDER BY course_id COLLATE "C"
            """, [project])
        return try progress.rows.compactMap { row in
            let course = try text(row, "course_id")
            guard let periodLessons = byCourse[course] else { return nil }
            return CourseRow(
                courseID: course, students: try int(row, "students"), lessons: try int(row, "lessons"),
                completers: try int(row, "completers"), payersAfterStart: try int(row, "payers_after_start"),
                revenueAfterStart: try decimal(row, "revenue_after_start"), periodLessons: periodLessons)
        }
    }

    /// Webinars (lessons of `bi.webinar_conversion`) with first attendances in the period; their figures are
    /// all time, as a letter's are: the view has no day.
    func webinars(project: String, period: ReportPeriod) throws -> [WebinarRow] {
        let result = try connection.execute("""
            SELECT w.course_id, w.lesson_id, w.attendees, w.buyers_7d, w.revenue_7d
            FROM bi.webinar_conversion w
            WHERE w.project = $1 AND EXISTS (
                SELECT 1 FROM bi.learning_daily d
                WHERE d.project = w.project AND d.course_id = w.course_id AND d.lesson_id = w.lesson_id
                  AND d.attended > 0 AND d.day BETWEEN $2::date AND $3::date)
            ORDER BY w.course_id COLLATE "C", w.lesson_id COLLATE "C"
            """, [project, period.from.description, period.to.description])
        return try result.rows.map(webinar)
    }

    func webinar(_ row: PostgresRow) throws -> WebinarRow {
        WebinarRow(courseID: try text(row, "course_id"), lessonID: try text(row, "lesson_id"),
                   attendees: try int(row, "attendees"), buyers: try int(row, "buyers_7d"), revenue: try decimal(row, "revenue_7d"))
    }

    /// Retention up to the period's month, as the cohorts: a past period shows the cohorts as they stood then.
    func retention(project: String, through day: LocalDate) throws -> [RetentionCell] {
        let result = try connection.execute("""
            SELECT cohort_month::text AS cohort_month, month::text AS month, cohort_users, active_users, churned
            FROM bi.retention_monthly
            WHERE project = $1 AND month <= $2::date AND cohort_month <= $2::date
            ORDER BY cohort_month, month
            """, [project, day.monthStart.description])
        return try result.rows.map { row in
            RetentionCell(cohortMonth: try date(row: row, "cohort_month"), month: try date(row: row, "month"),
                          cohortUsers: try int(row, "cohort_users"), activeUsers: try int(row, "active_users"),
                          churned: try int(row, "churned"))
        }
    }

    /// Every cohort's payers and repeat payers, the cohort of users with no registration first.
    func repeatPurchases(project: String) throws -> [RepeatRow] {
        let result = try connection.execute("""
            SELECT cohort_month::text AS cohort_month, payers, repeat_payers
            FROM bi.repeat_purchases WHERE project = $1 ORDER BY cohort_month NULLS FIRST
            """, [project])
        return try result.rows.map { row in
            RepeatRow(cohortMonth: try row["cohort_month"].map { try date($0, "cohort_month") },
                      payers: try int(row, "payers"), repeatPayers: try int(row, "repeat_payers"))
        }
    }

    /// The project's campaign and ad names. `bi.ads` names a campaign per ad (each ad's latest poll that
    /// carried one); when a campaign's ads disagree (a rename reached some ads' polls only), the name most
    /// of its ads carry wins, ties the first in byte order, so the report is the same on every run.
    func names(project: String) throws -> AdNames {
        let campaigns = try connection.execute("""
            SELECT network, campaign_id, mode() WITHIN GROUP (ORDER BY campaign_name COLLATE "C") AS campaign_name
            FROM bi.ads WHERE project = $1 AND campaign_name IS NOT NULL
            GROUP BY network, campaign_id
            """, [project])
        let ads = try connection.execute(
            "SELECT network, campaign_id, ad_id, ad_name FROM bi.ads WHERE project = $1 AND ad_name IS NOT NULL",
            [project])
        var names = AdNames()
        for row in campaigns.rows {
            names.campaigns[.init(network: try text(row, "network"), campaignID: try text(row, "campaign_id"))] =
                try text(row, "campaign_name")
        }
        for row in ads.rows {
            names.ads[.init(network: try text(row, "network"), campaignID: try text(row, "campaign_id"),
                            adID: try text(row, "ad_id"))] = try text(row, "ad_name")
        }
        return names
    }

    // MARK: values

    func sales(_ row: PostgresRow) throws -> SalesFigures {
        SalesFigures(orders: try int(row, "orders"), paidOrders: try int(row, "paid_orders"),
                     payments: try int(row, "payments"), revenue: try decimal(row, "revenue"),
                     refunds: try decimal(row, "refunds"))
    }

    func funnel(_ row: PostgresRow) throws -> FunnelTotals {
        FunnelTotals(
            impressions: try int(row, "impressions"), adClicks: try int(row, "ad_clicks"), spend: try decimal(row, "spend"),
            visits: try int(row, "visits"), registrations: try int(row, "registrations"), orders: try int(row, "orders"),
            paidOrders: try int(row, "paid_orders"), payments: try int(row, "payments"),
            revenue: try decimal(row, "revenue"), refunds: try decimal(row, "refunds"))
    }

    func text(_ row: PostgresRow, _ column: String) throws -> String {
        try row.decode(column, as: String.self)
    }

    func int(_ row: PostgresRow, _ column: String) throws -> Int {
        try row.decode(column, as: Int.self)
    }

    func decimal(_ row: PostgresRow, _ column: String) throws -> DecimalNumber {
        let text = try row.decode(column, as: String.self)
        guard let value = DecimalNumber(text) else {
            throw ReportError(.unreadableValue, "\(column): \"\(text)\" is not a decimal of at most 38 digits")
        }
        return value
    }

    func date(row: PostgresRow, _ column: String) throws -> LocalDate {
        try date(try row.decode(column, as: String.self), column)
    }

    func date(_ text: String, _ column: String) throws -> LocalDate {
        guard let day = LocalDate(text) else {
            throw ReportError(.unreadableValue, "\(column): \"\(text)\" is not a date (YYYY-MM-DD)")
        }
        return day
    }
}
