import Events
import Testing
import Verification

/// Issue #17's rules as small hand-made projects, each with the figures SPEC §4.12–4.15 gives,
/// derived by hand in the comments (never from a program's output). Every project is in the default
/// time zone (Europe/Moscow, UTC+3) and base currency (RUB), so no rate is needed.
///
/// `first` is produced and applied, then `late` (events that arrive after the worker applied what
/// they change); `before` holds after `first`, `after` after both. Used by the oracle's own tests
/// (`EngagementOracleTests`) and by the worker's (`EngagementWorkerTests`).
struct EngagementScenario: CustomTestStringConvertible, Sendable {
    /// Figures of one view, restricted to the scenario's project: the listed columns of the rows whose
    /// measures are not all zero (SPEC §4.8 lets a view keep or drop the others).
    struct Figures: Sendable {
        let view: String
        let columns: [String]
        let rows: [Oracle.Row]
    }

    let name: String
    let project: String
    let first: [String]
    let late: [String]
    let before: [Figures]
    let after: [Figures]

    var testDescription: String { name }

    /// One envelope of the scenario's project, as a producer writes it.
    static func event(_ project: String, _ id: String, _ type: String, _ at: String, _ data: String) -> String {
        #"{"id":"\#(project):\#(id)","type":"\#(type)","project":"\#(project)","source":"test","occurred_at":"\#(at)","data":\#(data)}"#
    }

    /// The differences between the expected figures and `rows` (one view's rows, any projects).
    static func differences(_ figures: Figures, project: String, in rows: [Oracle.Row]) -> [String] {
        let key = Oracle.keys[figures.view]!
        let keep = Set(key + figures.columns)
        let actual = rows.filter { ($0["project"] ?? nil) == project }.map { row in row.filter { keep.contains($0.key) } }
        let expected = figures.rows.map { $0.merging(["project": project]) { $1 } }
        return Oracle.compare(view: figures.view, expected: expected, actual: actual, key: key)
    }

    // MARK: - The scenarios

    static let all: [EngagementScenario] = [lateLink, twiceLinked, firstOfEachKind, completion, paymentsAfterStart,
                                            webinarWindow, activeAndChurned, repeatPayers]

    static let mailColumns = ["unique_opens", "unique_clicks", "payers_after_click", "revenue_after_click"]
    static let chatColumns = ["messages", "active_members", "joins", "leaves"]
    static let communityColumns = ["users", "payers", "revenue"]

    /// §4.12: a link that arrives after its alias's chat and mail events moves unique opens, the
    /// after-click credit, chat activity and the community figures to the linked user.
    static let lateLink: EngagementScenario = {
        let p = "e-late-link"
        func e(_ id: String, _ type: String, _ at: String, _ data: String) -> String { event(p, id, type, at, data) }
        let first = [
            e("r1", "registration", "2026-03-02T10:00:00+03:00", #"{"user_id":"u1","utm":{"source":"vk"}}"#),
            e("c1", "chat", "2026-03-03T10:00:00+03:00", #"{"chat_id":"ch1","message_id":"1","user_id":"tg:7","kind":"message"}"#),
            e("c2", "chat", "2026-03-03T11:00:00+03:00", #"{"chat_id":"ch1","message_id":"2","user_id":"u1","kind":"message"}"#),
            e("m1", "mail", "2026-03-04T10:00:00+03:00", #"{"letter_id":"L1","channel":"telegram","user_id":"tg:7","event":"opened"}"#),
            e("m2", "mail", "2026-03-04T10:05:00+03:00", #"{"letter_id":"L1","channel":"telegram","user_id":"tg:7","event":"clicked"}"#),
            e("m3", "mail", "2026-03-05T10:00:00+03:00", #"{"letter_id":"L1","channel":"telegram","user_id":"u1","event":"opened"}"#),
            e("p1", "payment", "2026-03-06T10:00:00+03:00",
              #"{"payment_id":"pay1","order_id":"o1","user_id":"u1","amount":"1000","currency":"RUB","status":"accepted"}"#),
        ]
        // The link, dated after everything it resolves and delivered last; and a link in May of an
        // alias that never wrote: it must move no month (no April or May rows) and add no user.
        let late = [e("k1", "identity", "2026-03-10T10:00:00+03:00", #"{"user_id":"u1","alias":"tg:7"}"#),
                    e("k2", "identity", "2026-05-10T10:00:00+03:00", #"{"user_id":"u1","alias":"tg:404"}"#)]
        return EngagementScenario(
            name: "a link arriving after the alias's chat and mail events", project: p, first: first, late: late,
            before: [
                // Unlinked, tg:7 and u1 are two people: two active members; each opens once, on their own
                // day (tg:7 03-04, u1 03-05); the only click is tg:7's, and tg:7 never pays: no credit.
                Figures(view: "chat_daily", columns: chatColumns, rows: [
                    ["chat_id": "ch1", "day": "2026-03-03", "messages": "2", "active_members": "2", "joins": "0", "leaves": "0"],
                ]),
                Figures(view: "mail_daily", columns: ["opened", "clicked", "unique_opens", "unique_clicks"], rows: [
                    ["channel": "telegram", "letter_id": "L1", "day": "2026-03-04", "opened": "1", "clicked": "1",
                     "unique_opens": "1", "unique_clicks": "1"],
                    ["channel": "telegram", "letter_id": "L1", "day": "2026-03-05", "opened": "1", "clicked": "0",
                     "unique_opens": "1", "unique_clicks": "0"],
                ]),
                Figures(view: "mail_letters", columns: mailColumns, rows: [
                    ["channel": "telegram", "letter_id": "L1", "unique_opens": "2", "unique_clicks": "1",
                     "payers_after_click": "0", "revenue_after_click": "0"],
                ]),
                // u1 (cohort March, wrote in ch1, paid 1000); tg:7 a user of its own in the NULL cohort.
                Figures(view: "community_conversion", columns: communityColumns, rows: [
                    ["cohort_month": "2026-03-01", "chat_active": "true", "users": "1", "payers": "1", "revenue": "1000"],
                    ["cohort_month": nil, "chat_active": "true", "users": "1", "payers": "0", "revenue": "0"],
                ]),
            ],
            after: [
                // tg:7 is u1: one active member; u1's first open is tg:7's on 03-04, so u1's own open on
                // 03-05 is no unique one; u1's click (03-04 10:05) is 2 days before pay1 (03-06 10:00),
                // within 7 × 24 h: L1 is credited 1 payer, 1000.
                Figures(view: "chat_daily", columns: chatColumns, rows: [
                    ["chat_id": "ch1", "day": "2026-03-03", "messages": "2", "active_members": "1", "joins": "0", "leaves": "0"],
                ]),
                Figures(view: "mail_daily", columns: ["opened", "clicked", "unique_opens", "unique_clicks"], rows: [
                    ["channel": "telegram", "letter_id": "L1", "day": "2026-03-04", "opened": "1", "clicked": "1",
                     "unique_opens": "1", "unique_clicks": "1"],
                    ["channel": "telegram", "letter_id": "L1", "day": "2026-03-05", "opened": "1", "clicked": "0",
                     "unique_opens": "0", "unique_clicks": "0"],
                ]),
                Figures(view: "mail_letters", columns: mailColumns, rows: [
                    ["channel": "telegram", "letter_id": "L1", "unique_opens": "1", "unique_clicks": "1",
                     "payers_after_click": "1", "revenue_after_click": "1000"],
                ]),
                // tg:7 is no user any more: no NULL cohort row with users.
                Figures(view: "community_conversion", columns: communityColumns, rows: [
                    ["cohort_month": "2026-03-01", "chat_active": "true", "users": "1", "payers": "1", "revenue": "1000"],
                ]),
                // The identity event (03-10) moves no month: March only; u1 active (chat, mail, payment).
                Figures(view: "retention_monthly", columns: ["cohort_users", "active_users", "retention", "churned"], rows: [
                    ["cohort_month": "2026-03-01", "month": "2026-03-01", "cohort_users": "1", "active_users": "1",
                     "retention": "1", "churned": "0"],
                ]),
                Figures(view: "cohorts_monthly", columns: ["cohort_users", "payers", "revenue"], rows: [
                    ["cohort_month": "2026-03-01", "month": "2026-03-01", "cohort_users": "1", "payers": "1", "revenue": "1000"],
                ]),
            ])
    }()

    /// §4.12: an alias linked to two users follows the earliest link (a tie on the instant goes to the
    /// smaller id), and links resolve one step only.
    static let twiceLinked: EngagementScenario = {
        let p = "e-twice"
        func e(_ id: String, _ type: String, _ at: String, _ data: String) -> String { event(p, id, type, at, data) }
        let first = [
            e("r-a", "registration", "2026-03-01T09:00:00+03:00", #"{"user_id":"ua","utm":{}}"#),
            e("r-b", "registration", "2026-03-01T09:00:00+03:00", #"{"user_id":"ub","utm":{}}"#),
            // tg:8 → ub and tg:8 → ua at one instant: the smaller id, "e-twice:k1", wins: ua.
            e("k2", "identity", "2026-03-05T10:00:00Z", #"{"user_id":"ub","alias":"tg:8"}"#),
            e("k1", "identity", "2026-03-05T10:00:00Z", #"{"user_id":"ua","alias":"tg:8"}"#),
            // tg:5 is tg:8 — and tg:8 is ua, but one step only: tg:5's events are tg:8's.
            e("k3", "identity", "2026-03-05T11:00:00Z", #"{"user_id":"tg:8","alias":"tg:5"}"#),
            e("c1", "chat", "2026-03-07T10:00:00+03:00", #"{"chat_id":"ch2","message_id":"1","user_id":"tg:8","kind":"message"}"#),
            e("c2", "chat", "2026-03-07T11:00:00+03:00", #"{"chat_id":"ch2","message_id":"2","user_id":"ua","kind":"message"}"#),
            e("c3", "chat", "2026-03-07T12:00:00+03:00", #"{"chat_id":"ch2","message_id":"3","user_id":"tg:5","kind":"message"}"#),
            // Clicks: tg:5's (tg:8's after one step) at 09:00, tg:8's own (ua's) at 09:30.
            e("m1", "mail", "2026-03-07T09:30:00+03:00", #"{"letter_id":"L1","channel":"telegram","user_id":"tg:8","event":"clicked"}"#),
            e("m2", "mail", "2026-03-07T09:00:00+03:00", #"{"letter_id":"L2","channel":"telegram","user_id":"tg:5","event":"clicked"}"#),
            // ua pays, and so does tg:8 under its own id (payments are never resolved).
            e("p1", "payment", "2026-03-08T10:00:00+03:00",
              #"{"payment_id":"pay-ua","order_id":"o1","user_id":"ua","amount":"100","currency":"RUB","status":"accepted"}"#),
            e("p2", "payment", "2026-03-08T11:00:00+03:00",
              #"{"payment_id":"pay-t8","order_id":"o2","user_id":"tg:8","amount":"200","currency":"RUB","status":"accepted"}"#),
        ]
        // A third link of tg:8, to uc, later than both: changes nothing (and adds no user uc).
        let late = [e("k4", "identity", "2026-03-06T10:00:00Z", #"{"user_id":"uc","alias":"tg:8"}"#)]
        // Messages of ua (c1 via tg:8, c2) and of tg:8 (c3 via tg:5): two members. Without resolution
        // three; resolving two steps, one; following the larger id (ub), three.
        let chat = Figures(view: "chat_daily", columns: chatColumns, rows: [
            ["chat_id": "ch2", "day": "2026-03-07", "messages": "3", "active_members": "2", "joins": "0", "leaves": "0"],
        ])
        // Users: ua, ub (cohort March); tg:8, the user of c3 and m2 after one step and a payer of its
        // own, in the NULL cohort; tg:5 (resolved) and uc (a link adds no user) are none. ua and tg:8
        // wrote; ub did not. ua paid 100, tg:8 200.
        let community = Figures(view: "community_conversion", columns: communityColumns, rows: [
            ["cohort_month": "2026-03-01", "chat_active": "true", "users": "1", "payers": "1", "revenue": "100"],
            ["cohort_month": "2026-03-01", "chat_active": "false", "users": "1", "payers": "0", "revenue": "0"],
            ["cohort_month": nil, "chat_active": "true", "users": "1", "payers": "1", "revenue": "200"],
        ])
        // ua's latest click before pay-ua is m1 (tg:8's own id, ua's): L1. tg:8's clicks are those of
        // tg:5 only (its own id's are ua's): m2, L2, though m1 was the later click of the id tg:8.
        let letters = Figures(view: "mail_letters", columns: mailColumns, rows: [
            ["channel": "telegram", "letter_id": "L1", "unique_opens": "0", "unique_clicks": "1",
             "payers_after_click": "1", "revenue_after_click": "100"],
            ["channel": "telegram", "letter_id": "L2", "unique_opens": "0", "unique_clicks": "1",
             "payers_after_click": "1", "revenue_after_click": "200"],
        ])
        // March cohort: ua and ub, of whom ua was active (its messages); ub did nothing after registering.
        let retention = Figures(view: "retention_monthly", columns: ["cohort_users", "active_users", "retention", "churned"], rows: [
            ["cohort_month": "2026-03-01", "month": "2026-03-01", "cohort_users": "2", "active_users": "1",
             "retention": "0.5", "churned": "0"],
        ])
        return EngagementScenario(name: "an alias linked twice, and a link to an alias", project: p, first: first, late: late,
                                  before: [chat, community, retention, letters], after: [chat, community, retention, letters])
    }()

    static let learningColumns = ["opened", "completed", "homework_submitted", "homework_accepted", "attended"]
    static let progressColumns = ["students", "lessons", "completers", "completion_rate", "payers_after_start", "revenue_after_start"]

    /// A learning_daily row: the day and the five counts in SPEC's order.
    static func learned(_ course: String, _ lesson: String, _ day: String, _ counts: [Int]) -> Oracle.Row {
        var row: Oracle.Row = ["course_id": course, "lesson_id": lesson, "day": day]
        for (column, count) in zip(learningColumns, counts) { row[column] = String(count) }
        return row
    }

    /// §4.13: each kind counts a user once per lesson, on the day of their first event of that kind;
    /// a late, earlier event moves it.
    static let firstOfEachKind: EngagementScenario = {
        let p = "e-first"
        func e(_ id: String, _ at: String, _ user: String, _ lesson: String?, _ kind: String) -> String {
            let lessonField = lesson.map { #","lesson_id":"\#($0)""# } ?? ""
            return event(p, id, "learning", at, #"{"user_id":"\#(user)","course_id":"c1"\#(lessonField),"kind":"\#(kind)"}"#)
        }
        let opened = e("l1", "2026-03-02T10:00:00+03:00", "u1", "l1", "lesson_opened")
        let first = [
            opened,
            e("l2", "2026-03-03T10:00:00+03:00", "u1", "l1", "lesson_opened"),      // not u1's first open
            e("l3", "2026-03-03T12:00:00+03:00", "u2", "l1", "lesson_opened"),
            e("l4", "2026-03-03T23:30:00Z", "u1", "l1", "lesson_completed"),        // 03-04 02:30 in Moscow
            e("l5", "2026-03-04T10:00:00+03:00", "u1", "l1", "homework_submitted"),
            e("l6", "2026-03-05T10:00:00+03:00", "u1", "l1", "homework_submitted"), // not the first
            e("l7", "2026-03-05T10:00:00+03:00", "u1", "l1", "homework_accepted"),
            e("l8", "2026-03-05T10:00:00+03:00", "u2", nil, "webinar_attended"),   // lesson ''
            opened,                                                                  // delivered twice
        ]
        // u1 opened l1 earlier than we knew: the first open moves from 03-02 to 03-01.
        let late = [e("l0", "2026-03-01T10:00:00+03:00", "u1", "l1", "lesson_opened")]
        let rest = [
            learned("c1", "l1", "2026-03-03", [1, 0, 0, 0, 0]),  // u2's first open
            learned("c1", "l1", "2026-03-04", [0, 1, 1, 0, 0]),
            learned("c1", "l1", "2026-03-05", [0, 0, 0, 1, 0]),
            learned("c1", "", "2026-03-05", [0, 0, 0, 0, 1]),
        ]
        // Students u1, u2; the one lesson l1 (opened, completed); u1 completed it: 1 of 2. No payment.
        let progress = Figures(view: "course_progress", columns: progressColumns, rows: [
            ["course_id": "c1", "students": "2", "lessons": "1", "completers": "1", "completion_rate": "0.5",
             "payers_after_start": "0", "revenue_after_start": "0"],
        ])
        return EngagementScenario(
            name: "the first event of each kind per lesson", project: p, first: first, late: late,
            before: [Figures(view: "learning_daily", columns: learningColumns, rows: [learned("c1", "l1", "2026-03-02", [1, 0, 0, 0, 0])] + rest), progress],
            after: [Figures(view: "learning_daily", columns: learningColumns, rows: [learned("c1", "l1", "2026-03-01", [1, 0, 0, 0, 0])] + rest), progress])
    }()

    /// §4.13: a completer completed every lesson of the course's set (opened or completed by anyone,
    /// non-empty ids); a lesson seen late raises the bar.
    static let completion: EngagementScenario = {
        let p = "e-complete"
        func e(_ id: String, _ course: String, _ user: String, _ lesson: String?, _ kind: String) -> String {
            let lessonField = lesson.map { #","lesson_id":"\#($0)""# } ?? ""
            return event(p, id, "learning", "2026-03-0\(id.last!)T10:00:00+03:00",
                         #"{"user_id":"\#(user)","course_id":"\#(course)"\#(lessonField),"kind":"\#(kind)"}"#)
        }
        let first = [
            e("a1", "c2", "u1", "l1", "lesson_opened"),
            e("a2", "c2", "u1", "l1", "lesson_completed"),
            e("a3", "c2", "u1", "l2", "lesson_completed"),
            e("b1", "c2", "u2", "l1", "lesson_completed"),
            e("b2", "c2", "u2", "l2", "lesson_opened"),
            e("b3", "c2", "u2", nil, "lesson_completed"),          // a course-level completion: no lesson, completes none
            e("c1", "c2", "u3", "l3", "homework_accepted"),        // homework makes a student, not a lesson
            e("d1", "c3", "u1", "w1", "webinar_attended"),         // c3: no opened/completed lesson at all
            e("d2", "c3", "u1", nil, "homework_submitted"),
        ]
        let late = [e("f4", "c2", "u5", "l4", "lesson_opened")]
        // c2: students u1, u2, u3; lessons {l1, l2}; u1 completed both: 1 completer of 3 = 0.333333.
        // c3: student u1, lessons 0, so completers 0 and the rate 0 / 1 = 0.
        let c3: Oracle.Row = ["course_id": "c3", "students": "1", "lessons": "0", "completers": "0", "completion_rate": "0",
                              "payers_after_start": "0", "revenue_after_start": "0"]
        return EngagementScenario(
            name: "completion over the set of lessons", project: p, first: first, late: late,
            before: [Figures(view: "course_progress", columns: progressColumns, rows: [
                ["course_id": "c2", "students": "3", "lessons": "2", "completers": "1", "completion_rate": "0.333333",
                 "payers_after_start": "0", "revenue_after_start": "0"], c3,
            ])],
            // u5 opened l4: 4 students, lessons {l1, l2, l4}, nobody completed l4: 0 completers, rate 0.
            after: [Figures(view: "course_progress", columns: progressColumns, rows: [
                ["course_id": "c2", "students": "4", "lessons": "3", "completers": "0", "completion_rate": "0",
                 "payers_after_start": "0", "revenue_after_start": "0"], c3,
            ])])
    }()

    /// §4.13: payers after start count payments whose first accepted instant is strictly after the
    /// student's first learning event of the course, by the user of that first accepted event, gross,
    /// each payment once.
    static let paymentsAfterStart: EngagementScenario = {
        let p = "e-start"
        func e(_ id: String, _ type: String, _ at: String, _ data: String) -> String { event(p, id, type, at, data) }
        func pay(_ id: String, _ at: String, _ payment: String, _ user: String, _ amount: String, _ status: String = "accepted",
                 order: String = "o1") -> String {
            e(id, "payment", at, #"{"payment_id":"\#(payment)","order_id":"\#(order)","user_id":"\#(user)","amount":"\#(amount)","currency":"RUB","status":"\#(status)"}"#)
        }
        let first = [
            e("s1", "learning", "2026-03-10T10:00:00+03:00", #"{"user_id":"u1","course_id":"c1","lesson_id":"l1","kind":"lesson_opened"}"#),
            e("s2", "learning", "2026-03-12T10:00:00+03:00", #"{"user_id":"u1","course_id":"c1","lesson_id":"l1","kind":"lesson_opened"}"#),
            e("s3", "learning", "2026-03-11T10:00:00+03:00", #"{"user_id":"u2","course_id":"c1","kind":"webinar_attended"}"#),
            pay("pa", "2026-03-10T07:00:00Z", "pay-a", "u1", "500"),                 // the very instant of the start: not after
            pay("pb", "2026-03-10T10:00:01+03:00", "pay-b", "u1", "700"),            // one second after: counts
            pay("pb2", "2026-03-13T10:00:00+03:00", "pay-b", "u1", "700"),           // pay-b accepted again: once
            pay("pc", "2026-03-09T10:00:00+03:00", "pay-c", "u1", "300"),            // before the start
            pay("pd", "2026-03-11T10:00:00+03:00", "pay-d", "u1", "200"),            // after, then refunded: gross
            pay("pd2", "2026-03-12T10:00:00+03:00", "pay-d", "u1", "200", "refunded"),
            pay("pe", "2026-03-11T09:00:00+03:00", "pay-e", "u2", "900"),            // u2 paid before u2's start
            pay("pf", "2026-03-12T10:00:00+03:00", "pay-f", "u3", "400"),            // u3's (first accepted event) ...
            pay("pf2", "2026-03-13T10:00:00+03:00", "pay-f", "u1", "400"),           // ... not u1's
        ]
        // u1 started the course earlier than we knew (03-08): pay-c (03-09) and pay-a now count.
        let late = [e("s0", "learning", "2026-03-08T10:00:00+03:00", #"{"user_id":"u1","course_id":"c1","kind":"homework_submitted"}"#)]
        // Students u1, u2; lesson l1 opened, completed by nobody. Before: u1's pay-b 700 + pay-d 200.
        // After: pay-a 500 + pay-b 700 + pay-c 300 + pay-d 200 = 1700. u2 is never a payer after start.
        func progress(_ payers: String, _ revenue: String) -> Figures {
            Figures(view: "course_progress", columns: progressColumns, rows: [
                ["course_id": "c1", "students": "2", "lessons": "1", "completers": "0", "completion_rate": "0",
                 "payers_after_start": payers, "revenue_after_start": revenue],
            ])
        }
        return EngagementScenario(name: "payments strictly after the start", project: p, first: first, late: late,
                                  before: [progress("1", "900")], after: [progress("1", "1700")])
    }()

    /// §4.13: a webinar buyer paid strictly after their first attendance of that lesson and at most
    /// 7 × 24 h after it, the end included.
    static let webinarWindow: EngagementScenario = {
        let p = "e-webinar"
        func e(_ id: String, _ type: String, _ at: String, _ data: String) -> String { event(p, id, type, at, data) }
        func attended(_ id: String, _ at: String, _ user: String, _ lesson: String) -> String {
            e(id, "learning", at, #"{"user_id":"\#(user)","course_id":"c1","lesson_id":"\#(lesson)","kind":"webinar_attended"}"#)
        }
        func pay(_ id: String, _ at: String, _ user: String, _ amount: String) -> String {
            e(id, "payment", at, #"{"payment_id":"\#(id)","order_id":"o-\#(user)","user_id":"\#(user)","amount":"\#(amount)","currency":"RUB","status":"accepted"}"#)
        }
        let first = [
            attended("w1", "2026-03-01T19:00:00+03:00", "u1", "w1"),
            attended("w2", "2026-03-03T19:00:00+03:00", "u1", "w1"),   // not u1's first attendance
            pay("p1", "2026-03-08T16:00:00Z", "u1", "1000"),            // 03-08 19:00 Moscow: exactly 7 × 24 h, inside
            pay("p2", "2026-03-05T12:00:00+03:00", "u1", "100"),        // inside too: both count
            attended("w3", "2026-03-01T19:00:00+03:00", "u2", "w1"),
            pay("p3", "2026-03-08T19:00:01+03:00", "u2", "300"),        // one second past the window
            attended("w4", "2026-03-02T10:00:00+03:00", "u3", "w1"),
            pay("p4", "2026-03-02T07:00:00Z", "u3", "50"),              // the attendance's instant: not after
            pay("p5", "2026-03-04T10:00:00+03:00", "u3", "250"),
            attended("w5", "2026-03-02T10:00:00+03:00", "u4", "w2"),    // another webinar, no payment
        ]
        // u3 attended w1 on 02-20 too: u3's window is 02-20 … 02-27, p4 and p5 fall outside.
        let late = [attended("w0", "2026-02-20T10:00:00+03:00", "u3", "w1")]
        // Before: w1 attendees u1, u2, u3; buyers u1 (p1 + p2) and u3 (p5): 1000 + 100 + 250 = 1350.
        // After: buyers u1 only: 1100.
        func webinars(_ buyers: String, _ revenue: String) -> Figures {
            Figures(view: "webinar_conversion", columns: ["attendees", "buyers_7d", "revenue_7d"], rows: [
                ["course_id": "c1", "lesson_id": "w1", "attendees": "3", "buyers_7d": buyers, "revenue_7d": revenue],
                ["course_id": "c1", "lesson_id": "w2", "attendees": "1", "buyers_7d": "0", "revenue_7d": "0"],
            ])
        }
        // learning_daily: firsts of w1 on 03-01 (u1, u2) and 03-02 (u3), later 02-20 (u3); w2 03-02.
        func daily(_ rows: [Oracle.Row]) -> Figures { Figures(view: "learning_daily", columns: learningColumns, rows: rows) }
        return EngagementScenario(
            name: "the 7 × 24 h window, its end inclusive", project: p, first: first, late: late,
            before: [webinars("2", "1350"), daily([
                learned("c1", "w1", "2026-03-01", [0, 0, 0, 0, 2]), learned("c1", "w1", "2026-03-02", [0, 0, 0, 0, 1]),
                learned("c1", "w2", "2026-03-02", [0, 0, 0, 0, 1]),
            ])],
            after: [webinars("1", "1100"), daily([
                learned("c1", "w1", "2026-02-20", [0, 0, 0, 0, 1]), learned("c1", "w1", "2026-03-01", [0, 0, 0, 0, 2]),
                learned("c1", "w2", "2026-03-02", [0, 0, 0, 0, 1]),
            ])])
    }()

    static let retentionColumns = ["cohort_users", "active_users", "retention", "churned"]

    /// §4.14: active months from every kind of activity (and not from the others), churn against the
    /// month before, the months of cohorts_monthly.
    static let activeAndChurned: EngagementScenario = {
        let p = "e-retain"
        func e(_ id: String, _ type: String, _ at: String, _ data: String) -> String { event(p, id, type, at, data) }
        let first = [
            e("ra", "registration", "2026-01-15T10:00:00+03:00", #"{"user_id":"ua","utm":{}}"#),
            e("rb", "registration", "2026-01-20T10:00:00+03:00", #"{"user_id":"ub","utm":{}}"#),
            e("rc", "registration", "2026-02-10T10:00:00+03:00", #"{"user_id":"uc","utm":{}}"#),
            e("a1", "chat", "2026-01-16T10:00:00+03:00", #"{"chat_id":"ch","message_id":"1","user_id":"ua","kind":"message"}"#),
            e("a2", "mail", "2026-02-03T10:00:00+03:00", #"{"letter_id":"L","channel":"email","user_id":"ua","event":"opened"}"#),
            e("a3", "mail", "2026-04-02T10:00:00+03:00", #"{"letter_id":"L","channel":"email","user_id":"ua","event":"clicked"}"#),
            // A learning event in May moves no month: no May row.
            e("a4", "learning", "2026-05-05T10:00:00+03:00", #"{"user_id":"ua","course_id":"c1","kind":"lesson_opened"}"#),
            // Not activities: a delivered letter, a join.
            e("b1", "mail", "2026-01-21T10:00:00+03:00", #"{"letter_id":"L","channel":"email","user_id":"ub","event":"delivered"}"#),
            e("b2", "chat", "2026-04-03T10:00:00+03:00", #"{"chat_id":"ch","message_id":"2","user_id":"ub","kind":"join"}"#),
            // An order created in February (its event in March): ub active in February.
            e("b3", "order", "2026-03-01T10:00:00+03:00",
              #"{"order_id":"o1","user_id":"ub","status":"new","amount":"100","currency":"RUB","created_at":"2026-02-25T10:00:00+03:00"}"#),
            e("b4", "payment", "2026-03-05T10:00:00+03:00",
              #"{"payment_id":"pay1","order_id":"o1","user_id":"ub","amount":"100","currency":"RUB","status":"accepted"}"#),
            // uc's Telegram alias writes in March.
            e("c1", "chat", "2026-03-10T10:00:00+03:00", #"{"chat_id":"ch","message_id":"3","user_id":"tg:4","kind":"message"}"#),
        ]
        let late = [e("k1", "identity", "2026-03-20T10:00:00+03:00", #"{"user_id":"uc","alias":"tg:4"}"#)]
        func row(_ cohort: String, _ month: String, _ users: Int, _ active: Int, _ retention: String, _ churned: Int) -> Oracle.Row {
            ["cohort_month": cohort, "month": month, "cohort_users": String(users), "active_users": String(active),
             "retention": retention, "churned": String(churned)]
        }
        // January cohort (ua, ub), months to April (a3 is the latest non-learning event):
        //   Jan {ua: chat} 1/2; Feb {ua: open, ub: order created} 2/2, churned 0; Mar {ub: payment} 1/2,
        //   churned {ua} 1; Apr {ua: click} 1/2, churned {ub} 1.
        let january = [
            row("2026-01-01", "2026-01-01", 2, 1, "0.5", 0), row("2026-01-01", "2026-02-01", 2, 2, "1", 0),
            row("2026-01-01", "2026-03-01", 2, 1, "0.5", 1), row("2026-01-01", "2026-04-01", 2, 1, "0.5", 1),
        ]
        // February cohort (uc): inactive before the link; after it, active in March (tg:4's message),
        // churned in April.
        return EngagementScenario(
            name: "active and churned months", project: p, first: first, late: late,
            before: [Figures(view: "retention_monthly", columns: retentionColumns, rows: january + [
                row("2026-02-01", "2026-02-01", 1, 0, "0", 0), row("2026-02-01", "2026-03-01", 1, 0, "0", 0),
                row("2026-02-01", "2026-04-01", 1, 0, "0", 0),
            ])],
            after: [Figures(view: "retention_monthly", columns: retentionColumns, rows: january + [
                row("2026-02-01", "2026-02-01", 1, 0, "0", 0), row("2026-02-01", "2026-03-01", 1, 1, "1", 0),
                row("2026-02-01", "2026-04-01", 1, 0, "0", 1),
            ])])
    }()

    /// §4.14: repeat payers paid for two distinct orders (a payment's order is that of its first
    /// accepted event); the NULL cohort included; an alias paying on its own stays a user.
    static let repeatPayers: EngagementScenario = {
        let p = "e-repeat"
        func e(_ id: String, _ type: String, _ at: String, _ data: String) -> String { event(p, id, type, at, data) }
        func reg(_ user: String, _ at: String) -> String { e("r-\(user)", "registration", at, #"{"user_id":"\#(user)","utm":{}}"#) }
        func pay(_ id: String, _ day: String, _ payment: String, _ order: String, _ user: String, _ amount: String,
                 _ status: String = "accepted") -> String {
            e(id, "payment", "2026-\(day)T10:00:00+03:00",
              #"{"payment_id":"\#(payment)","order_id":"\#(order)","user_id":"\#(user)","amount":"\#(amount)","currency":"RUB","status":"\#(status)"}"#)
        }
        let first = [
            reg("ua", "2026-03-01T10:00:00+03:00"), reg("ub", "2026-03-02T10:00:00+03:00"),
            reg("uc", "2026-03-03T10:00:00+03:00"), reg("ud", "2026-03-04T10:00:00+03:00"),
            reg("ue", "2026-04-05T10:00:00+03:00"),
            pay("a1", "03-05", "pa1", "o1", "ua", "100"), pay("a2", "03-06", "pa2", "o1", "ua", "150"),   // one order twice
            pay("b1", "03-05", "pb1", "o2", "ub", "200"), pay("b2", "03-06", "pb2", "o3", "ub", "300"),   // two orders
            pay("c1", "03-05", "pc1", "o4", "uc", "400"), pay("c2", "03-06", "pc2", "o5", "uc", "999", "refunded"), // never accepted
            pay("d1", "03-10", "pd1", "o6", "ud", "500"), pay("d2", "03-11", "pd1", "o7", "ud", "500"),   // one payment
            pay("e1", "04-06", "pe1", "o8", "ue", "60"), pay("e2", "04-07", "pe2", "o9", "ue", "70"),
            pay("f1", "03-05", "pf1", "o10", "uf", "10"), pay("f2", "03-06", "pf2", "o11", "uf", "20"),   // no registration
            pay("g1", "03-07", "pg1", "o12", "tg:6", "50"),                                                // an alias's own
            e("g2", "chat", "2026-03-07T11:00:00+03:00", #"{"chat_id":"ch","message_id":"1","user_id":"tg:6","kind":"message"}"#),
            e("h1", "order", "2026-03-08T10:00:00+03:00",
              #"{"order_id":"o13","user_id":"ug","status":"new","amount":"10","currency":"RUB","created_at":"2026-03-08T10:00:00+03:00"}"#),
        ]
        let late = [e("k1", "identity", "2026-03-20T10:00:00+03:00", #"{"user_id":"ua","alias":"tg:6"}"#)]
        // March: ua (o1 only), ub (o2, o3), uc (o4), ud (o6: pd1's first accepted event): 4 payers, 1
        // repeat. April: ue (o8, o9): 1 of 1. NULL: uf (o10, o11), tg:6 (o12, its own payment keeps it a
        // user after the link), ug (an order, no payment): 2 payers, 1 repeat.
        let repeats = Figures(view: "repeat_purchases", columns: ["payers", "repeat_payers", "repeat_rate"], rows: [
            ["cohort_month": "2026-03-01", "payers": "4", "repeat_payers": "1", "repeat_rate": "0.25"],
            ["cohort_month": "2026-04-01", "payers": "1", "repeat_payers": "1", "repeat_rate": "1"],
            ["cohort_month": nil, "payers": "2", "repeat_payers": "1", "repeat_rate": "0.5"],
        ])
        // Community: revenue gross by the accepting user, any time. ua 100 + 150; ub, uc, ud 200 + 300
        // + 400 + 500; ue 60 + 70; NULL uf 10 + 20, tg:6 50. Before the link tg:6 wrote (NULL, active);
        // after it, its message is ua's: ua active, tg:6 not.
        let marchInactive: Oracle.Row = ["cohort_month": "2026-03-01", "chat_active": "false", "users": "3", "payers": "3", "revenue": "1400"]
        let april: Oracle.Row = ["cohort_month": "2026-04-01", "chat_active": "false", "users": "1", "payers": "1", "revenue": "130"]
        return EngagementScenario(
            name: "two distinct orders make a repeat payer", project: p, first: first, late: late,
            before: [repeats, Figures(view: "community_conversion", columns: communityColumns, rows: [
                ["cohort_month": "2026-03-01", "chat_active": "false", "users": "4", "payers": "4", "revenue": "1650"],
                april,
                ["cohort_month": nil, "chat_active": "false", "users": "2", "payers": "1", "revenue": "30"],
                ["cohort_month": nil, "chat_active": "true", "users": "1", "payers": "1", "revenue": "50"],
            ])],
            after: [repeats, Figures(view: "community_conversion", columns: communityColumns, rows: [
                ["cohort_month": "2026-03-01", "chat_active": "true", "users": "1", "payers": "1", "revenue": "250"],
                marchInactive, april,
                ["cohort_month": nil, "chat_active": "false", "users": "3", "payers": "2", "revenue": "80"],
            ])])
    }()

    // MARK: - What a random data set must contain

    /// Whether a random data set exercises each engagement rule of issue #17, by name. `late` are the
    /// deliveries a worker reads after having applied the others (empty: no such check).
    ///
    /// The structural premises are read from the events; those about figures (a buyer within 7 days,
    /// a completer, a churned user, a repeat payer) from the oracle, since they only ask that the data
    /// reach a case, not what the case's figure is.
    static func premises(_ data: RandomEvents.DataSet, late: [String] = []) throws -> [String: Bool] {
        let events = data.distinctInDeliveryOrder
        let lateIDs = Set(try late.map { try Event.decode(json: $0).id })
        var linkedTo: [String: Set<String>] = [:]
        var contacts = Set<String>(), earlyContacts = Set<String>(), payers = Set<String>()
        var kinds = Set<LearningKind>()
        var courseLevel = false
        for event in events {
            switch event.data {
            case .identity(let link): linkedTo["\(event.project) \(link.alias)", default: []].insert(link.userID)
            case .chat(let c):
                contacts.insert("\(event.project) \(c.userID)")
                if !lateIDs.contains(event.id) { earlyContacts.insert("\(event.project) \(c.userID)") }
            case .mail(let m):
                contacts.insert("\(event.project) \(m.userID)")
                if !lateIDs.contains(event.id) { earlyContacts.insert("\(event.project) \(m.userID)") }
            case .payment(let p): payers.insert("\(event.project) \(p.userID)")
            case .learning(let l):
                kinds.insert(l.kind)
                if l.lessonID == nil { courseLevel = true }
            default: break
            }
        }
        let lateLink = events.contains { event in
            guard case .identity(let link) = event.data, lateIDs.contains(event.id) else { return false }
            return earlyContacts.contains("\(event.project) \(link.alias)")
        }
        let oracle = data.oracle
        func any(_ view: String, _ column: String) -> Bool {
            oracle.rows(view: view)!.contains { (($0[column] ?? nil) ?? "0") != "0" }
        }
        var result = [
            "a link of an alias that wrote or got mail": linkedTo.keys.contains { contacts.contains($0) },
            "an alias linked to two users": linkedTo.values.contains { $0.count >= 2 },
            "a linked alias with a payment of its own": linkedTo.keys.contains { payers.contains($0) },
            "a link whose alias has no chat or mail event": linkedTo.keys.contains { !contacts.contains($0) },
            "learning of every kind": kinds.count == LearningKind.allCases.count,
            "a course-level learning event": courseLevel,
            "a payer after a course start": any("course_progress", "payers_after_start"),
            "a course completer": any("course_progress", "completers"),
            "a webinar buyer within 7 days": any("webinar_conversion", "buyers_7d"),
            "a churned user": any("retention_monthly", "churned"),
            "a repeat payer": any("repeat_purchases", "repeat_payers"),
        ]
        if !late.isEmpty { result["a link read after its alias's chat or mail events"] = lateLink }
        return result
    }
}
