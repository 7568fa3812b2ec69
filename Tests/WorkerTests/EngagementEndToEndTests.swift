import Events
import PipelineTestSupport
import Postgres
import Testing
import Verification
import Worker

/// SPEC §4.12–4.14 through the real worker and PostgreSQL, on a small school whose every figure is
/// derived by hand below: a Telegram member's chat, mail and click that their link to a platform
/// user arrives after, an alias linked twice, a course, a webinar, retention and repeat purchases.
@Suite("engagement views, by hand")
struct EngagementEndToEndTests {
    /// One envelope of project `p` (Europe/Moscow, RUB: every time below is 10:00Z = 13:00 Moscow
    /// unless said, so its Moscow day is its UTC day).
    static func event(_ id: String, _ type: String, _ at: String, _ data: String) -> String {
        #"{"id":"\#(id)","type":"\#(type)","project":"p","source":"test","occurred_at":"\#(at)","data":{\#(data)}}"#
    }
    static func payment(_ id: String, user: String, order: String, amount: String, at: String) -> String {
        event(id, "payment", at, #""payment_id":"\#(id)","order_id":"\#(order)","user_id":"\#(user)","amount":"\#(amount)","currency":"RUB","status":"accepted""#)
    }
    static func learning(_ id: String, user: String, lesson: String?, kind: String, at: String) -> String {
        let lesson = lesson.map { #","lesson_id":"\#($0)""# } ?? ""
        return event(id, "learning", at, #""user_id":"\#(user)","course_id":"c1"\#(lesson),"kind":"\#(kind)""#)
    }
    static func mail(_ id: String, user: String, letter: String, kind: String, at: String) -> String {
        event(id, "mail", at, #""letter_id":"\#(letter)","channel":"telegram","user_id":"\#(user)","event":"\#(kind)""#)
    }
    static func chat(_ id: String, user: String, kind: String, at: String) -> String {
        event(id, "chat", at, #""chat_id":"c","message_id":"\#(id)","user_id":"\#(user)","kind":"\#(kind)""#)
    }
    static func registration(_ id: String, user: String, at: String) -> String {
        event(id, "registration", at, #""user_id":"\#(user)","utm":{}"#)
    }

    /// Everything but the links. Users: u1 (cohort January), u2 and u3 (February), u4 (no
    /// registration: the NULL cohort); `tg:100` is u1's Telegram id, linked only in round two.
    static let before: [String] = [
        registration("r1", user: "u1", at: "2026-01-10T10:00:00Z"),
        registration("r2", user: "u2", at: "2026-02-05T10:00:00Z"),
        registration("r3", user: "u3", at: "2026-02-20T09:00:00Z"),
        event("o1-new", "order", "2026-01-20T10:00:00Z",
              #""order_id":"o1","user_id":"u1","status":"new","amount":"1000","currency":"RUB","created_at":"2026-01-20T10:00:00Z""#),
        payment("pay1", user: "u1", order: "o1", amount: "1000", at: "2026-02-06T10:00:00Z"),
        payment("pay2", user: "u2", order: "o2", amount: "500", at: "2026-02-06T10:00:00Z"),
        payment("pay3", user: "u2", order: "o3", amount: "300", at: "2026-03-01T10:00:00Z"),
        payment("pay4", user: "u3", order: "o4", amount: "200", at: "2026-02-27T10:00:00Z"),
        payment("pay5", user: "u4", order: "o5", amount: "100", at: "2026-02-27T10:00:01Z"),
        payment("pay6", user: "u4", order: "o5", amount: "50", at: "2026-02-28T10:00:00Z"),
        // The Telegram member before anyone knows who they are; u1 themself too.
        chat("k1", user: "tg:100", kind: "join", at: "2026-02-03T08:00:00Z"),
        chat("k2", user: "tg:100", kind: "message", at: "2026-02-03T09:00:00Z"),
        chat("k3", user: "u1", kind: "message", at: "2026-02-03T10:00:00Z"),
        mail("m1", user: "tg:100", letter: "L1", kind: "sent", at: "2026-02-03T08:00:00Z"),
        mail("m2", user: "tg:100", letter: "L1", kind: "opened", at: "2026-02-03T09:00:00Z"),
        mail("m3", user: "tg:100", letter: "L1", kind: "clicked", at: "2026-02-04T10:00:00Z"),
        mail("m4", user: "u1", letter: "L1", kind: "opened", at: "2026-02-05T10:00:00Z"),
        mail("m5", user: "tg:100", letter: "L2", kind: "opened", at: "2026-03-01T12:00:00Z"),
        // Course c1: lessons L1 and L2 (opened or completed by someone); W1 is a webinar.
        learning("l1", user: "u1", lesson: "L1", kind: "lesson_opened", at: "2026-02-01T10:00:00Z"),
        learning("l2", user: "u1", lesson: "L1", kind: "lesson_completed", at: "2026-02-01T11:00:00Z"),
        learning("l3", user: "u1", lesson: "L1", kind: "lesson_opened", at: "2026-02-03T10:00:00Z"), // not a first
        learning("l4", user: "u1", lesson: "L1", kind: "homework_submitted", at: "2026-02-02T10:00:00Z"),
        learning("l5", user: "u1", lesson: "L1", kind: "homework_accepted", at: "2026-02-03T10:00:00Z"),
        learning("l6", user: "u1", lesson: "L2", kind: "lesson_opened", at: "2026-02-02T10:00:00Z"),
        learning("l7", user: "u1", lesson: "L2", kind: "lesson_completed", at: "2026-02-10T10:00:00Z"),
        learning("l8", user: "u2", lesson: "L1", kind: "lesson_opened", at: "2026-02-06T10:00:00Z"),
        learning("l9", user: "u2", lesson: "L1", kind: "lesson_completed", at: "2026-02-06T10:30:00Z"),
        learning("w1", user: "u1", lesson: "W1", kind: "webinar_attended", at: "2026-02-01T10:00:00Z"),
        learning("w2", user: "u2", lesson: "W1", kind: "webinar_attended", at: "2026-02-27T10:00:00Z"),
        learning("w3", user: "u2", lesson: "W1", kind: "webinar_attended", at: "2026-02-28T10:00:00Z"), // not a first
        learning("w4", user: "u3", lesson: "W1", kind: "webinar_attended", at: "2026-02-20T10:00:00Z"),
        learning("w5", user: "u4", lesson: "W1", kind: "webinar_attended", at: "2026-02-20T10:00:00Z"),
        // April: after the project's latest month (March); learning does not move it (§4.15).
        learning("l10", user: "u1", lesson: "L2", kind: "lesson_opened", at: "2026-04-02T10:00:00Z"),
        learning("l1", user: "u1", lesson: "L1", kind: "lesson_opened", at: "2026-02-01T10:00:00Z"), // delivered twice
    ]
    /// tg:100 → u1 first (20 Feb), then → u2 (25 Feb): the earliest link wins, whatever arrives first.
    static let links: [String] = [
        event("i2", "identity", "2026-02-25T10:00:00Z", #""user_id":"u2","alias":"tg:100""#),
        event("i1", "identity", "2026-02-20T10:00:00Z", #""user_id":"u1","alias":"tg:100""#),
    ]

    /// Expects the query's rows (as text) to be `expected`, showing the rows it got when not.
    static func expect(_ connection: PostgresConnection, _ sql: String, _ expected: [[String?]],
                       sourceLocation: SourceLocation = #_sourceLocation) throws {
        let result = try connection.execute(sql)
        let rows = result.rows.map { row in result.columns.indices.map { row[$0] } }
        #expect(rows == expected, "got \(rows)", sourceLocation: sourceLocation)
    }

    @Test("a late link moves unique opens, click credit, active members and community; learning, retention, repeats")
    func handDerived() throws {
        let harness = try WorkerHarness()
        try harness.produce(Self.before)
        _ = try PipelineWorker(configuration: harness.workerConfiguration(), logger: harness.logger).run()
        let connection = try harness.connection()
        defer { connection.close() }

        // Round one, tg:100 unlinked: two people opened L1 (tg:100 on 3 Feb, u1 on 5 Feb), u1 has no
        // click before pay1, two members wrote on 3 Feb, and tg:100 is a NULL-cohort user of its own.
        try Self.expect(connection, """
            SELECT day::text, opened, unique_opens, clicked, unique_clicks FROM bi.mail_daily
            WHERE letter_id = 'L1' ORDER BY day
            """, [["2026-02-03", "1", "1", "0", "0"], ["2026-02-04", "0", "0", "1", "1"], ["2026-02-05", "1", "1", "0", "0"]])
        try Self.expect(connection, """
            SELECT unique_opens, payers_after_click, revenue_after_click FROM bi.mail_letters WHERE letter_id = 'L1'
            """, [["2", "0", "0"]])
        try Self.expect(connection, "SELECT messages, active_members, joins FROM bi.chat_daily", [["2", "2", "1"]])
        try Self.expect(connection, """
            SELECT cohort_users FROM bi.cohorts_monthly WHERE cohort_month IS NULL ORDER BY month LIMIT 1
            """, [["2"]]) // u4 and tg:100

        try harness.produce(Self.links)
        _ = try PipelineWorker(configuration: harness.workerConfiguration(), logger: harness.logger).run()

        // Round two: tg:100 is u1. L1's opens on 3 and 5 Feb are one person's, first on 3 Feb.
        try Self.expect(connection, """
            SELECT day::text, opened, unique_opens, clicked, unique_clicks FROM bi.mail_daily
            WHERE letter_id = 'L1' ORDER BY day
            """, [["2026-02-03", "1", "1", "0", "0"], ["2026-02-04", "0", "0", "1", "1"], ["2026-02-05", "1", "0", "0", "0"]])
        // pay1 (6 Feb 10:00Z) goes to tg:100's click on L1 of 4 Feb 10:00Z: 48 h before, u1's latest click.
        try Self.expect(connection, """
            SELECT sent, opened, clicked, unique_opens, unique_clicks, payers_after_click, revenue_after_click
            FROM bi.mail_letters WHERE letter_id = 'L1'
            """, [["1", "2", "1", "1", "1", "1", "1000.00"]])
        try Self.expect(connection, "SELECT messages, active_members, joins FROM bi.chat_daily", [["2", "1", "1"]])
        // People: u1 (January, chat-active through tg:100 and their own message), u2 and u3
        // (February), u4 (NULL); tg:100 is no user of its own any more.
        try Self.expect(connection, """
            SELECT cohort_month::text, chat_active::text, users, payers, revenue FROM bi.community_conversion
            ORDER BY cohort_month NULLS FIRST
            """, [[nil, "false", "1", "1", "150.00"], ["2026-01-01", "true", "1", "1", "1000.00"],
                     ["2026-02-01", "false", "2", "2", "1000.00"]])
        try Self.expect(connection, """
            SELECT cohort_users FROM bi.cohorts_monthly WHERE cohort_month IS NULL ORDER BY month LIMIT 1
            """, [["1"]])

        // First events of each kind per lesson, on their days: l3 and w3 repeat a first, l10 is in April.
        try Self.expect(connection, """
            SELECT lesson_id, day::text, opened, completed, homework_submitted, homework_accepted, attended
            FROM bi.learning_daily ORDER BY lesson_id, day
            """, [
                ["L1", "2026-02-01", "1", "1", "0", "0", "0"], // u1 opened and completed
                ["L1", "2026-02-02", "0", "0", "1", "0", "0"], // u1's homework
                ["L1", "2026-02-03", "0", "0", "0", "1", "0"],
                ["L1", "2026-02-06", "1", "1", "0", "0", "0"], // u2
                ["L2", "2026-02-02", "1", "0", "0", "0", "0"],
                ["L2", "2026-02-10", "0", "1", "0", "0", "0"],
                ["W1", "2026-02-01", "0", "0", "0", "0", "1"], // u1
                ["W1", "2026-02-20", "0", "0", "0", "0", "2"], // u3, u4
                ["W1", "2026-02-27", "0", "0", "0", "0", "1"], // u2 (not again on the 28th)
            ])
        // Students u1–u4; lessons L1, L2 (W1 was only attended); only u1 completed both. After start:
        // u1's pay1 (started 1 Feb), u2's pay3 but not pay2 (at the very instant u2 started: not
        // strictly after), u3's pay4, u4's pay5 and pay6: 1000 + 300 + 200 + 100 + 50.
        try Self.expect(connection, """
            SELECT course_id, students, lessons, completers, round(completion_rate, 4), payers_after_start, revenue_after_start
            FROM bi.course_progress
            """, [["c1", "4", "2", "1", "0.2500", "4", "1650.00"]])
        // W1: u1 pays 5 days after, u2 2 days after, u3 exactly 168 h after (inclusive); u4's pay5 is
        // 168 h and 1 s after, pay6 8 days after: no buyer.
        try Self.expect(connection, "SELECT lesson_id, attendees, buyers_7d, revenue_7d FROM bi.webinar_conversion", [["W1", "4", "3", "1500.00"]])
        // January (u1): order o1 created in January; pay1, chat and learning in February; tg:100's
        // open of L2 in March counts as u1's. February (u2, u3): both active in February, u2 in
        // March (pay3), u3 churned.
        try Self.expect(connection, """
            SELECT cohort_month::text, month::text, cohort_users, active_users, round(retention, 4), churned
            FROM bi.retention_monthly ORDER BY cohort_month, month
            """, [
                ["2026-01-01", "2026-01-01", "1", "1", "1.0000", "0"],
                ["2026-01-01", "2026-02-01", "1", "1", "1.0000", "0"],
                ["2026-01-01", "2026-03-01", "1", "1", "1.0000", "0"],
                ["2026-02-01", "2026-02-01", "2", "2", "1.0000", "0"],
                ["2026-02-01", "2026-03-01", "2", "1", "0.5000", "1"],
            ])
        // u2 paid for o2 and o3; u4 twice for o5 (one order); u1 and u3 once.
        try Self.expect(connection, """
            SELECT cohort_month::text, payers, repeat_payers, round(repeat_rate, 4) FROM bi.repeat_purchases
            ORDER BY cohort_month NULLS FIRST
            """, [[nil, "1", "0", "0.0000"], ["2026-01-01", "1", "0", "0.0000"],
                     ["2026-02-01", "2", "1", "0.5000"]])
    }
}
