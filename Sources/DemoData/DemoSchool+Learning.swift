import Events

// Learning: two courses with lessons and homework, two free webinars, students who complete, attendees
// who buy within 7 days, and returning buyers (two distinct paid orders). Scripted, with no random draw,
// so that `bi.course_progress`, `bi.webinar_conversion` and the scripted repeat purchases are known by
// hand (DemoDataTests check them). Days are 0-based in the period, E is its last day (27 to 30); every
// scripted user registers organically (no UTM) on day 1 at 10:00–10:09, so their cohort is day 1's month.
// The last day has lessons and a webinar of its own, so that the demo's digest (of day E) has some.
//
// course-basic, lessons b1…b4 (lesson k opened on day 2 + 3(k−1) at 19:00, completed at 20:30):
//   s1..s5 buy course-basic (14 900) on day 1, before starting. s1 and s2 open and complete b1…b4
//   (s1 also hands in and gets accepted every homework; s2 hands in b1 and b2, b1 accepted);
//   s3 opens b1…b3 and completes b1, b2; s4 opens and completes b1 and opens it again on day 6
//   (only the first open counts); s5 opens b1. s6 opens b1 on day 2 as a free trial, completes it,
//   attends the webinar of day 4, buys course-basic on day 5 at 12:00, then opens and completes b2.
//   s1 buys course-pro (34 900) on day 13, s2 on day 14, s4 on E at 21:00: their second orders.
//   On E, s3 completes b3 (10:00) and s4 opens and completes b2 (11:00, 12:00): 2 completions that day.
//   → students 6, lessons 4, completers 2 (s1, s2; s3 lacks b4), completion 2/6 = 33.3 %;
//     payers after start: s6 (day 5 > day 2), s1 (day 13), s2 (day 14), s4 (E); their day-1 payments
//     came before their start and do not count → 4 payers, 14 900 + 3 × 34 900 = 119 600.
// course-pro, lessons p1…p3 (opened on day 14 + 2(k−1) + (s2: 1) at 19:00): s1 opens and completes
//   p1…p3; s2 opens and completes p1. → students 2, lessons 3, completers 1 (s1), completion 50.0 %;
//   both paid the day before they started → payers after start 0, revenue 0.
// free-webinars (webinar_attended only, so lessons 0 and completers 0):
//   design-intro, day 4 at 19:00: s5, s6, w1, w2 (19:05), w3 attend.
//     s6 pays day 5 12:00 (17 h later): buyer. w1 buys mini-course (990) on day 4 at 21:00: buyer.
//     w2 pays course-basic (14 900) on day 11 at 19:05, exactly 7 × 24 h after attending: buyer (the
//     bound is inclusive). w3 buys mini-course on day 12 (8 days): no. s5 paid before: no.
//     → attendees 5, buyers 3, revenue 14 900 + 990 + 14 900 = 30 790.
//   portfolio-review, day 18 at 19:00: s1, s3, w3, w4 attend. w4 (who bought mini-course on day 2)
//     buys course-pro on day 19 at 11:00: buyer; s1, s3 and w3 paid before. → 4, 1, 34 900.
//   career-qa, E at 19:00: s2, s4, w1 attend; s4 pays at 21:00: buyer; s2 and w1 paid before. → 3, 1, 34 900.
//   course: students 10 (s1 s2 s3 s4 s5 s6 w1 w2 w3 w4), completion 0/10 = 0.0 %; payers after start
//     s6 14 900, w1 990, w2 14 900, w3 990 (no 7-day limit here), w4 34 900, s4 34 900 → 6, 101 580.
// Repeat purchases among them: s1, s2, s4 (course-basic + course-pro) and w4 (mini-course + course-pro):
//   10 scripted payers (s1…s6, w1…w4), 4 repeat payers.
extension DemoSchool {
    /// The courses and webinars of the learning story, as the platform names them.
    static let basicCourseID = "course-basic"
    static let proCourseID = "course-pro"
    static let webinarCourseID = "free-webinars"

    /// A scripted student (keyed by their name in the story, s1…w4): platform user id and Telegram alias.
    struct Learner {
        let userID: String
        let telegramAlias: String
    }

    /// Seconds from the period's start to `hour:minute` on day `day`.
    static func at(_ day: Int, _ hour: Int, _ minute: Int = 0) -> Int { day * 86_400 + hour * 3_600 + minute * 60 }

    /// Registers the scripted cast, s1…s6 then w1…w4, on day 1 from 10:00, a minute apart.
    mutating func registerLearners() -> [String: Learner] {
        var cast: [String: Learner] = [:]
        for (index, name) in ["s1", "s2", "s3", "s4", "s5", "s6", "w1", "w2", "w3", "w4"].enumerated() {
            let userID = newUserID()
            // No e-mail hash: it would take a random draw, and the story takes none.
            emitRegistration(userID: userID, at: Self.at(1, 10, index), utm: UTM(), funnel: Self.webinarFunnel, visitor: nil,
                             withEmail: false)
            cast[name] = Learner(userID: userID, telegramAlias: "tg:\(5_100_000_000 + index * 7_919)")
        }
        return cast
    }

    mutating func generateLearning(_ cast: [String: Learner]) {
        let basic = Self.courseBasic.offers[0], pro = Self.coursePro.offers[0], mini = Self.miniCourse.offers[0]
        for name in ["s1", "s2", "s3", "s4", "s5"] { scriptedOrder(cast[name]!, Self.courseBasic, basic, paidAt: Self.at(1, 12)) }
        scriptedOrder(cast["s6"]!, Self.courseBasic, basic, paidAt: Self.at(5, 12))
        scriptedOrder(cast["s1"]!, Self.coursePro, pro, paidAt: Self.at(13, 12))
        scriptedOrder(cast["s2"]!, Self.coursePro, pro, paidAt: Self.at(14, 12))
        scriptedOrder(cast["w1"]!, Self.miniCourse, mini, paidAt: Self.at(4, 21))
        scriptedOrder(cast["w2"]!, Self.courseBasic, basic, paidAt: Self.at(11, 19, 5))
        scriptedOrder(cast["w3"]!, Self.miniCourse, mini, paidAt: Self.at(12, 12))
        scriptedOrder(cast["w4"]!, Self.miniCourse, mini, paidAt: Self.at(2, 12))
        scriptedOrder(cast["w4"]!, Self.coursePro, pro, paidAt: Self.at(19, 11))
        scriptedOrder(cast["s4"]!, Self.coursePro, pro, paidAt: Self.at(lastDay, 21))

        // course-basic: lesson k on day 2 + 3(k − 1); homework handed in the next morning, accepted the one after.
        func basicDay(_ lesson: Int) -> Int { 2 + 3 * (lesson - 1) }
        let basicSteps: [(String, opened: [Int], completed: [Int], submitted: [Int], accepted: [Int])] = [
            ("s1", [1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4], [1, 2, 3, 4]),
            ("s2", [1, 2, 3, 4], [1, 2, 3, 4], [1, 2], [1]),
            ("s3", [1, 2, 3], [1, 2], [], []),
            ("s4", [1], [1], [], []),
            ("s5", [1], [], [], []),
            ("s6", [1, 2], [1, 2], [], []),
        ]
        for (name, opened, completed, submitted, accepted) in basicSteps {
            let learner = cast[name]!
            for lesson in opened { learn(learner, Self.basicCourseID, "b\(lesson)", .lessonOpened, at: Self.at(basicDay(lesson), 19)) }
            for lesson in completed {
                learn(learner, Self.basicCourseID, "b\(lesson)", .lessonCompleted, at: Self.at(basicDay(lesson), 20, 30))
            }
            for lesson in submitted {
                learn(learner, Self.basicCourseID, "b\(lesson)", .homeworkSubmitted, at: Self.at(basicDay(lesson) + 1, 10))
            }
            for lesson in accepted {
                learn(learner, Self.basicCourseID, "b\(lesson)", .homeworkAccepted, at: Self.at(basicDay(lesson) + 2, 10))
            }
        }
        // s4 reopens b1 on day 6: not a first open, so it moves nothing.
        learn(cast["s4"]!, Self.basicCourseID, "b1", .lessonOpened, at: Self.at(6, 9))
        learn(cast["s3"]!, Self.basicCourseID, "b3", .lessonCompleted, at: Self.at(lastDay, 10))
        learn(cast["s4"]!, Self.basicCourseID, "b2", .lessonOpened, at: Self.at(lastDay, 11))
        learn(cast["s4"]!, Self.basicCourseID, "b2", .lessonCompleted, at: Self.at(lastDay, 12))

        for lesson in 1...3 {
            let day = 14 + 2 * (lesson - 1)
            learn(cast["s1"]!, Self.proCourseID, "p\(lesson)", .lessonOpened, at: Self.at(day, 19))
            learn(cast["s1"]!, Self.proCourseID, "p\(lesson)", .lessonCompleted, at: Self.at(day, 20, 30))
        }
        learn(cast["s2"]!, Self.proCourseID, "p1", .lessonOpened, at: Self.at(15, 19))
        learn(cast["s2"]!, Self.proCourseID, "p1", .lessonCompleted, at: Self.at(15, 20, 30))

        for name in ["s5", "s6", "w1", "w3"] {
            learn(cast[name]!, Self.webinarCourseID, "design-intro", .webinarAttended, at: Self.at(4, 19))
        }
        learn(cast["w2"]!, Self.webinarCourseID, "design-intro", .webinarAttended, at: Self.at(4, 19, 5))
        for name in ["s1", "s3", "w3", "w4"] {
            learn(cast[name]!, Self.webinarCourseID, "portfolio-review", .webinarAttended, at: Self.at(18, 19))
        }
        for name in ["s2", "s4", "w1"] {
            learn(cast[name]!, Self.webinarCourseID, "career-qa", .webinarAttended, at: Self.at(lastDay, 19))
        }
    }

    /// One learning step, with an id derived from what it is, as the platform's callback would give.
    mutating func learn(_ learner: Learner, _ course: String, _ lesson: String, _ kind: LearningKind, at: Int) {
        guard at < periodEnd else { return }
        emit(id: "getcourse:\(kind.rawValue):\(learner.userID):\(course):\(lesson):\(at)", source: "getcourse", at: at,
             .learning(Learning(userID: learner.userID, courseID: course, lessonID: lesson, kind: kind)))
    }

    /// An order created an hour before it is paid, paid in rubles with no manager, and its payment:
    /// the scripted money of the learning story, with the launch and flow tags every order of the school has.
    mutating func scriptedOrder(_ learner: Learner, _ product: Product, _ offer: Offer, paidAt: Int) {
        guard paidAt < periodEnd else { return }
        counters.order += 1
        let orderID = String(7_100_000 + counters.order * 3)
        let created = paidAt - 3_600
        let amount = DecimalNumber(offer.rub)
        let day = settings.period.day(created / 86_400)
        var tags = ["launch:\(Self.monthNames[day.month - 1])"]
        if product.hasFlows { tags.append("flow:\(Self.firstFlowStart.days(to: day) / 14 + 1)") }
        for (status, at) in [(OrderStatus.new, created), (.paid, paidAt + 60)] {
            emit(id: "getcourse:order:\(orderID):\(status.rawValue):1", source: "getcourse", at: at,
                 .order(Order(orderID: orderID, userID: learner.userID, status: status, amount: amount, currency: "RUB",
                              product: product.name, offer: offer.name, tags: tags, createdAt: timestamp(created).instant)))
        }
        counters.payment += 1
        let paymentID = String(2_900_000 + counters.payment * 11)
        emit(id: "getcourse:payment:\(paymentID):accepted", source: "getcourse", at: paidAt,
             .payment(Payment(paymentID: paymentID, orderID: orderID, userID: learner.userID, amount: amount, currency: "RUB",
                              status: .accepted)))
    }
}
