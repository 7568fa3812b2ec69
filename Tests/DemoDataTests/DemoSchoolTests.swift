import DemoData
import Events
import Foundation
import PipelineTestSupport
import Testing
import Worker

/// The demo school's month through the real worker and PostgreSQL: what the demo promises to show.
///
/// The expected figures come from SPEC §4.2's windows applied to the month's scripted stories (the
/// derivation is written out in DemoSchool+CreativeStories.swift and repeated here where used), and
/// from SPEC §4.9–4.11's definitions; the random rest of the month is only checked for what SPEC makes
/// true of any data (both attribution models share out the same revenue, every payment has a product).
@Suite("the demo school's month")
struct DemoSchoolTests {
    /// The demo's "yesterday", fixed: the period is then 2026-11-06 … 2026-12-05 (E = 2026-12-05).
    static let yesterday = LocalDate("2026-12-05")!
    static let project = "demo-school"

    @Test("the period: a month-long stretch ending on a day, and yesterday as the project's clock reads it")
    func period() throws {
        // The day after the same date a month earlier: 2026-11-06, 30 days.
        let stretch = DemoPeriod(endingOn: Self.yesterday)
        #expect(stretch.description == "2026-11-06 2026-12-05")
        #expect(stretch.days == 30)
        // A month's last day gives that calendar month exactly.
        #expect(DemoPeriod(endingOn: LocalDate("2026-10-31")!) == DemoPeriod(year: 2026, month: 10))
        #expect(DemoPeriod(year: 2026, month: 10)?.days == 31)
        // February 2026 has 28 days: a month before March 30 is clamped to February 28, so from March 1.
        #expect(DemoPeriod(endingOn: LocalDate("2026-03-30")!).firstDay == LocalDate("2026-03-01")!)
        // Across a year's end.
        #expect(DemoPeriod(endingOn: LocalDate("2026-01-15")!).firstDay == LocalDate("2025-12-16")!)
        #expect(DemoPeriod(year: 2026, month: 13) == nil)

        // 22:30 UTC on December 5 is 01:30 on December 6 in Moscow (UTC+3): yesterday there is the 5th,
        // while a UTC clock's yesterday is still the 4th.
        let instant = try #require(Instant(rfc3339: "2026-12-05T22:30:00Z"))
        let now = Date(timeIntervalSince1970: TimeInterval(instant.microsecondsSinceEpoch / 1_000_000))
        #expect(DemoPeriod.endingYesterday(now: now, in: TimeZone(identifier: "Europe/Moscow")!).lastDay == Self.yesterday)
        #expect(DemoPeriod.endingYesterday(now: now, in: TimeZone(identifier: "UTC")!).lastDay == LocalDate("2026-12-04")!)
    }

    /// `ad → [status, first_day, profit_prev_7d, profit_last_7d, spend_last_7d]` of `bi.creative_burnout`.
    static func burnout(_ harness: WorkerHarness) throws -> [String: [String]] {
        var result: [String: [String]] = [:]
        for row in try harness.query("""
            SELECT ad_id, status, first_day::text, round(profit_prev_7d, 2)::text, round(profit_last_7d, 2)::text,
                   round(spend_last_7d, 2)::text
            FROM bi.creative_burnout WHERE project = $1
            """, [project]) {
            result[row[0]!] = row[1...].map { $0 ?? "NULL" }
        }
        return result
    }

    /// A fresh harness with the demo month ending on `lastDay` applied by the worker, rates first.
    static func monthApplied(endingOn lastDay: LocalDate) throws -> WorkerHarness {
        let harness = try WorkerHarness()
        var school = DemoSchool(settings: DemoSchool.Settings(project: project, period: DemoPeriod(endingOn: lastDay)))
        let rates = school.fxRatesCSV().split(separator: "\n").dropFirst().map { line in
            let fields = line.split(separator: ",").map(String.init)
            return (base: "RUB", currency: fields[0], day: LocalDate(fields[1])!, rate: DecimalNumber(fields[2])!)
        }
        try harness.importRates(rates)
        let events = try school.events()
        try harness.produce(events.map { String(decoding: $0.encodeJSON(), as: UTF8.self) })
        let month = try PipelineWorker(configuration: harness.workerConfiguration(), logger: harness.logger).run()
        #expect(month.deadLetters == 0, "the demo's events must all apply")
        return harness
    }

    /// The scripted windows do not depend on the period: a 28-day stretch (February 2027's) and a
    /// 31-day calendar month give the figures derived in DemoSchool+CreativeStories.swift for L = E.
    @Test("the four statuses hold for any period: 28 and 31 days", arguments: [
        ("2027-03-01", "2027-02-02", "2027-02-20"),  // Feb 2027 has 28 days: from 02-02; E − 9 = 02-20
        ("2026-07-31", "2026-07-01", "2026-07-22"),  // July: 31 days; E − 9 = 07-22
    ])
    func anyPeriod(lastDay: String, firstDay: String, newFrom: String) throws {
        let harness = try Self.monthApplied(endingOn: LocalDate(lastDay)!)
        let statuses = try Self.burnout(harness)
        #expect(statuses["15501"] == ["growing", firstDay, "15800.00", "45600.00", "14000.00"])
        #expect(statuses["15601"] == ["stagnating", firstDay, "49100.00", "4400.00", "10500.00"])
        #expect(statuses["vk-9103"].map { Array($0.prefix(2)) } == ["new", newFrom])
        #expect(statuses["vk-9001"]?.first == "burnt_out")
    }

    @Test("through the worker: the four burnout statuses by SPEC's windows, products, launches, funnels, the attribution comparison with names; the summary prints them")
    func monthThroughTheWorker() throws {
        let harness = try Self.monthApplied(endingOn: Self.yesterday)

        // The month alone: the latest day L is E = 2026-12-05; last 7d = 11-29…12-05, prev 7d = 11-22…11-28.
        // growing 15501: prev 2 × 14 900 − 7 × 2 000 = 15 800, last 4 × 14 900 − 7 × 2 000 = 45 600.
        // stagnating 15601: prev 4 × 14 900 − 7 × 1 500 = 49 100, last 14 900 − 7 × 1 500 = 4 400 < 24 550.
        // new vk-9103: first day E − 9 = 2026-11-26 ≥ L − 13 = 11-22.
        // burnt_out vk-9001: spends every day, no money in E−7…E, so profit_last_7d = −spend_last_7d.
        var statuses = try Self.burnout(harness)
        #expect(statuses["15501"] == ["growing", "2026-11-06", "15800.00", "45600.00", "14000.00"])
        #expect(statuses["15601"] == ["stagnating", "2026-11-06", "49100.00", "4400.00", "10500.00"])
        #expect(statuses["vk-9103"]?.prefix(2) == ["new", "2026-11-26"])
        let burnt = try #require(statuses["vk-9001"])
        #expect(burnt[0] == "burnt_out" && burnt[1] == "2026-11-06")
        #expect(Decimal(string: burnt[4])! > 0 && Decimal(string: burnt[3])! == -Decimal(string: burnt[4])!, "\(burnt)")
        #expect(Set(statuses.values.map { $0[0] }) == ["new", "burnt_out", "stagnating", "growing"])

        // Products: the scripted ads alone sell eleven standard tariffs of course-basic, all paid in the period
        // (6 of 15501, 5 of 15601). Every payment has an order event, so no NULL product, and every accepted
        // payment counts once in products_daily as in funnel_daily (SPEC §4.1, §4.9).
        let products = try harness.query("""
            SELECT coalesce(product, 'NULL'), coalesce(offer, 'NULL'), sum(orders), sum(paid_orders), sum(revenue)
            FROM bi.products_daily WHERE project = $1 GROUP BY 1, 2
            """, [Self.project])
        #expect(Set(products.map { "\($0[0]!) × \($0[1]!)" }) == [
            "course-basic × standard", "course-basic × with-curator", "course-pro × pro", "course-pro × vip", "mini-course × self-study",
        ])
        let standard = try #require(products.first { $0[0] == "course-basic" && $0[1] == "standard" })
        #expect(Int(standard[3]!)! >= 11, "\(standard)")
        let revenue = try harness.query("""
            SELECT (SELECT sum(revenue) FROM bi.products_daily WHERE project = $1)::text,
                   (SELECT sum(revenue) FROM bi.funnel_daily WHERE project = $1)::text
            """, [Self.project])[0]
        #expect(revenue[0] != nil && Decimal(string: revenue[0]!) == Decimal(string: revenue[1] ?? ""), "\(revenue)")
        // Every month has at least one refund (the first course payment whose refund falls in the period).
        let refunds = try harness.query("SELECT sum(refunds)::text FROM bi.products_daily WHERE project = $1", [Self.project])
        #expect(Decimal(string: refunds[0][0] ?? "0")! > 0)

        // Launches are named by the month of the order: the period spans November and December, and the
        // scripted sales fall in both (11-23…11-27 and 12-01…12-04). Their flow is the 50th (flows start
        // every 14 days from 2025-01-06; the 50th on 2026-11-23). SPEC §4.9 splits at the first ':'.
        let tags = try harness.query("SELECT DISTINCT tag_kind, tag_value FROM bi.order_tags_daily WHERE project = $1", [Self.project])
        #expect(Set(tags.filter { $0[0] == "launch" }.map { $0[1]! }) == ["november", "december"])
        #expect(tags.contains { $0[0] == "flow" && $0[1] == "50" })
        #expect(tags.contains { $0[0] == "" && $0[1] == "installment" })

        // Funnels: every registration counts under its own funnel (SPEC §4.10).
        let funnels = try harness.query("SELECT DISTINCT funnel FROM bi.deal_funnel_daily WHERE project = $1 AND registrations > 0",
                                        [Self.project])
        #expect(Set(funnels.map { $0[0]! }) == ["webinar", "checklist", "marathon"])

        // The attribution comparison with names. A budget ad spends its budget every day: 30 × 2 000 and
        // 30 × 1 500. No registration carries a letter's UTM, so the letters' rows have revenue only under
        // deal attribution. Both models share out the same accepted payments, so their totals are equal.
        let compare = try harness.query("""
            SELECT c.network, c.campaign_id, c.ad_id, c.spend::text, c.revenue_first::text, c.revenue_deal::text,
                   a.campaign_name, a.ad_group_name, a.ad_name
            FROM bi.attribution_compare($1, $2::date, $3::date) c
            LEFT JOIN bi.ads a ON a.project = $1 AND a.network = c.network AND a.campaign_id = c.campaign_id AND a.ad_id = c.ad_id
            """, [Self.project, "2026-11-06", "2026-12-05"])
        let star = try #require(compare.first { $0[2] == "15501" })
        #expect(Decimal(string: star[3]!) == 60_000)
        #expect(Array(star[6...]) == ["Search: webinar (max conversions)", "Keywords: online course", "Teacher's story"])
        let fading = try #require(compare.first { $0[2] == "15601" })
        #expect(Decimal(string: fading[3]!) == 45_000)
        #expect(fading[6] == "YAN: lookalike")
        for (channel, letter) in [("email", "course-sale"), ("telegram", "last-call")] {
            let row = try #require(compare.first { $0[0] == channel && $0[1] == letter }, "no deal row for \(letter)")
            #expect(Decimal(string: row[4]!) == 0 && Decimal(string: row[5]!)! > 0, "\(row)")
        }
        #expect(compare.contains { $0[6] != nil && $0[4] != $0[5] }, "no named ad whose revenue differs between the models")
        let totals = compare.reduce((Decimal(0), Decimal(0))) { ($0.0 + Decimal(string: $1[4]!)!, $0.1 + Decimal(string: $1[5]!)!) }
        #expect(totals.0 == totals.1 && totals.0 > 0)
        let managers = try harness.query("SELECT manager_id, name FROM bi.managers WHERE project = $1 ORDER BY 1", [Self.project])
        #expect(managers == [["m-anna", "Anna Smirnova"], ["m-boris", "Boris Kuznetsov"]])

        // The demo's live evening, as ops/demo.sh sends it: a sale through 15501 on E at 20:05–20:12, and
        // the tracker's click stamped on arrival, the next day, which makes L = E+1 = 2026-12-06:
        // last 7d = 11-30…12-06, prev 7d = 11-23…11-29.
        // growing 15501: prev 15 800; last (4 + 1) × 14 900 − 6 × 2 000 = 62 500 (no spend row on E+1).
        // stagnating 15601: prev 49 100; last 14 900 − 6 × 1 500 = 5 900 < 24 550.
        // new vk-9103: 2026-11-26 ≥ L − 13 = 11-23.
        let live = [
            #"{"id":"live-click","type":"click","project":"demo-school","source":"tracker","occurred_at":"2026-12-06T02:10:00+03:00","data":{"visitor_id":"live-v","url":"https://school.example/webinar","utm":{"source":"yandex","campaign":"71230001","content":"15501"}}}"#,
            #"{"id":"live-reg","type":"registration","project":"demo-school","source":"getcourse","occurred_at":"2026-12-05T20:05:00+03:00","data":{"user_id":"live-1","utm":{"source":"yandex","campaign":"71230001","content":"15501"}}}"#,
            #"{"id":"live-order","type":"order","project":"demo-school","source":"getcourse","occurred_at":"2026-12-05T20:12:00+03:00","data":{"order_id":"live-order-1","user_id":"live-1","status":"paid","amount":"14900","currency":"RUB","product":"course-basic","offer":"standard","manager_id":"m-anna","manager_name":"Anna Smirnova","tags":["launch:december"],"created_at":"2026-12-05T20:10:00+03:00"}}"#,
            #"{"id":"live-pay","type":"payment","project":"demo-school","source":"getcourse","occurred_at":"2026-12-05T20:12:00+03:00","data":{"payment_id":"live-pay-1","order_id":"live-order-1","user_id":"live-1","amount":"14900","currency":"RUB","status":"accepted"}}"#,
        ]
        try harness.produce(live)
        let evening = try PipelineWorker(configuration: harness.workerConfiguration(), logger: harness.logger).run()
        #expect(evening.deadLetters == 0)
        statuses = try Self.burnout(harness)
        #expect(statuses["15501"] == ["growing", "2026-11-06", "15800.00", "62500.00", "12000.00"])
        #expect(statuses["15601"] == ["stagnating", "2026-11-06", "49100.00", "5900.00", "9000.00"])
        #expect(statuses["vk-9103"]?.first == "new")
        #expect(statuses["vk-9001"]?.first == "burnt_out")

        // The demo's closing summary, as ops/demo.sh runs it: each scripted ad's line shows its status,
        // and the new sections print products, launches, funnels and the comparison with names.
        let run = try ChildProcess.run("/usr/bin/env", [
            "psql", harness.databaseURL, "-X", "-q", "-P", "pager=off", "-v", "ON_ERROR_STOP=1", "-v", "project=\(Self.project)",
            "-v", "from_day=2026-11-06", "-v", "to_day=2026-12-05", "-v", "dead_letters=0",
            "-f", WorkerHarness.packageRoot.appendingPathComponent("ops/demo-summary.sql").path,
        ])
        try #require(run.status == 0, "psql: \(run.standardError)")
        let summary = run.standardOutput
        let lines = summary.split(separator: "\n")
        for (ad, status) in [("15501", "growing"), ("15601", "stagnating"), ("vk-9001", "burnt_out"), ("vk-9103", "new")] {
            let line = lines.first { $0.contains("| \(ad) ") && $0.trimmingCharacters(in: .whitespaces).hasSuffix("| \(status)") }
            #expect(line != nil, "no creative line of \(ad) ending in \(status)")
        }
        for section in ["== Products and tariffs", "== Launches, flows and free tags", "== Registration funnels",
                        "== First touch and deal attribution"] {
            #expect(summary.contains(section), "no section \(section)")
        }
        #expect(lines.contains { $0.contains("course-basic") && $0.contains("with-curator") })
        #expect(lines.contains { $0.contains("launch") && $0.contains("november") })
        #expect(lines.contains { $0.contains("Search: webinar (max conversions)") && $0.contains("Teacher's story") })
        #expect(lines.contains { $0.contains("email") && $0.contains("course-sale") })
        #expect(lines.contains { $0.contains("m-anna") && $0.contains("Anna Smirnova") })
    }

    @Test("the learning and Telegram script: its events as written in DemoSchool+Learning.swift and +Identity.swift")
    func learningScript() throws {
        var school = DemoSchool(settings: DemoSchool.Settings(project: Self.project, period: DemoPeriod(endingOn: Self.yesterday)))
        // Retried webhooks repeat some events: each fact once, by id.
        var seen = Set<String>()
        let events = try school.events().filter { seen.insert($0.id).inserted }
        let learning = events.compactMap { event -> Learning? in
            if case .learning(let step) = event.data { return step } else { return nil }
        }
        // course-basic 16 (s1) + 11 (s2) + 6 (s3, b3 completed on E) + 5 (s4, b1 reopened, b2 on E) + 1 (s5)
        // + 4 (s6) = 43; course-pro 6 (s1) + 2 (s2) = 8; webinars 5 + 4 + 3 = 12.
        #expect(learning.count == 63)
        #expect(learning.filter { $0.courseID == "course-basic" }.count == 43)
        #expect(learning.filter { $0.courseID == "course-pro" }.count == 8)
        #expect(learning.filter { $0.kind == .webinarAttended }.count == 12)
        #expect(Set(learning.map(\.userID)).count == 10)  // s1…s6, w1…w4

        // Six links, each alias to one user; s5's and s6's arrive after their aliases' first chat message.
        let links = events.compactMap { event -> (Identity, Instant)? in
            if case .identity(let link) = event.data { return (link, event.occurredAt) } else { return nil }
        }
        #expect(links.count == 6 && Set(links.map(\.0.alias)).count == 6)
        #expect(links.allSatisfy { $0.0.alias.hasPrefix("tg:") && !$0.0.userID.hasPrefix("tg:") })
        let firstMessage = Dictionary(events.compactMap { event -> (String, Instant)? in
            if case .chat(let chat) = event.data, chat.kind == .message { return (chat.userID, event.occurredAt) } else { return nil }
        }, uniquingKeysWith: min)
        let late = links.filter { link, at in firstMessage[link.alias].map { $0 < at } ?? false }
        #expect(late.count == 2)
        #expect(firstMessage[DemoSchool.unlinkedMember] != nil && !links.contains { $0.0.alias == DemoSchool.unlinkedMember })
    }

    @Test("through the worker: courses, lessons, webinars, linked Telegram members and repeat purchases as scripted; the summary prints them")
    func learningThroughTheWorker() throws {
        let harness = try Self.monthApplied(endingOn: Self.yesterday)
        // The period starts 2026-11-06 (day 0): day 1 = 11-07, day 2 = 11-08, …; every figure's derivation
        // is in DemoSchool+Learning.swift's header.
        let courses = try harness.query("""
            SELECT course_id, students, lessons, completers, round(completion_rate, 4)::text, payers_after_start,
                   revenue_after_start::numeric(12, 2)::text
            FROM bi.course_progress WHERE project = $1 ORDER BY course_id
            """, [Self.project])
        #expect(courses == [
            ["course-basic", "6", "4", "2", "0.3333", "4", "119600.00"],
            ["course-pro", "2", "3", "1", "0.5000", "0", "0.00"],
            ["free-webinars", "10", "0", "0", "0.0000", "6", "101580.00"],
        ])
        // b1 on day 2: opened by s1…s6, completed by all but s5; homework handed in (s1, s2) on day 3 and
        // accepted (s1, s2) on day 4; s4's second open on day 6 makes no row.
        let b1 = try harness.query("""
            SELECT day::text, opened, completed, homework_submitted, homework_accepted
            FROM bi.learning_daily WHERE project = $1 AND course_id = 'course-basic' AND lesson_id = 'b1' ORDER BY day
            """, [Self.project])
        #expect(b1 == [["2026-11-08", "6", "5", "0", "0"], ["2026-11-09", "0", "0", "2", "0"], ["2026-11-10", "0", "0", "0", "2"]])
        let webinars = try harness.query("""
            SELECT lesson_id, attendees, buyers_7d, revenue_7d::numeric(12, 2)::text
            FROM bi.webinar_conversion WHERE project = $1 ORDER BY lesson_id
            """, [Self.project])
        #expect(webinars == [["career-qa", "3", "1", "34900.00"], ["design-intro", "5", "3", "30790.00"],
                             ["portfolio-review", "4", "1", "34900.00"]])
        // The digest's day E = 12-05: s3's b3 and s4's b2 completed, the career-qa webinar attended.
        let lastDay = try harness.query("""
            SELECT sum(completed), sum(attended) FROM bi.learning_daily WHERE project = $1 AND day = '2026-12-05'
            """, [Self.project])
        #expect(lastDay == [["2", "3"]])

        // The reminder went to Telegram ids; resolved, s1's click earns s1's course-pro payment.
        let reminder = try harness.query("""
            SELECT sent, delivered, unique_opens, unique_clicks, payers_after_click, revenue_after_click::numeric(12, 2)::text
            FROM bi.mail_letters WHERE project = $1 AND channel = 'telegram' AND letter_id = 'lesson-reminder'
            """, [Self.project])
        #expect(reminder == [["6", "6", "3", "2", "1", "34900.00"]])
        // Every demo user registers, so the only user with no registration is the member who never opened
        // the bot: the six linked aliases, two of them linked late, are no users of their own.
        let unregistered = try harness.query("""
            SELECT chat_active::text, users, payers FROM bi.community_conversion WHERE project = $1 AND cohort_month IS NULL
            """, [Self.project])
        #expect(unregistered == [["true", "1", "0"]])

        // Repeat purchases: the November cohort holds the scripted 10 payers, 4 of them repeat payers (s1, s2,
        // s4, w4), with the random month's own (a marathon order and a webinar order can both be paid).
        let november = try #require(try harness.query("""
            SELECT payers, repeat_payers FROM bi.repeat_purchases WHERE project = $1 AND cohort_month = '2026-11-01'
            """, [Self.project]).first)
        #expect(Int(november[0]!)! >= 10 && Int(november[1]!)! >= 4, "\(november)")
        // Retention: November's cohort in November and December; December's churned are November's active
        // users with no activity in December, so never more than November's active users.
        let retention = try harness.query("""
            SELECT month::text, cohort_users, active_users, churned FROM bi.retention_monthly
            WHERE project = $1 AND cohort_month = '2026-11-01' ORDER BY month
            """, [Self.project])
        #expect(retention.map { $0[0] } == ["2026-11-01", "2026-12-01"])
        if retention.count == 2 {
            #expect(retention[0][3] == "0" && Int(retention[1][3]!)! > 0 && Int(retention[1][3]!)! <= Int(retention[0][2]!)!)
            #expect(Int(retention[1][2]!)! > 0 && retention[0][1] == retention[1][1])
        }

        let run = try ChildProcess.run("/usr/bin/env", [
            "psql", harness.databaseURL, "-X", "-q", "-P", "pager=off", "-v", "ON_ERROR_STOP=1", "-v", "project=\(Self.project)",
            "-v", "from_day=2026-11-06", "-v", "to_day=2026-12-05", "-v", "dead_letters=0",
            "-f", WorkerHarness.packageRoot.appendingPathComponent("ops/demo-summary.sql").path,
        ])
        try #require(run.status == 0, "psql: \(run.standardError)")
        let lines = run.standardOutput.split(separator: "\n").map { $0.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) } }
        #expect(lines.contains(["course-basic", "6", "4", "2", "33.3", "4", "119600.00"]))
        #expect(lines.contains(["course-pro", "2", "3", "1", "50.0", "0", "0.00"]))
        #expect(lines.contains(["course-basic", "b1", "6", "5", "2", "2", "0"]))
        #expect(lines.contains(["free-webinars", "design-intro", "5", "3", "30790.00", "60.0"]))
        #expect(lines.contains(["free-webinars", "portfolio-review", "4", "1", "34900.00", "25.0"]))
        #expect(lines.contains(["free-webinars", "career-qa", "3", "1", "34900.00", "33.3"]))
        #expect(lines.contains { $0.first == "2026-11-01" && $0.count == 6 && $0[1] == "2026-12-01" })
        #expect(lines.contains { $0.first == "2026-11-01" && $0.count == 4 })
    }
}
