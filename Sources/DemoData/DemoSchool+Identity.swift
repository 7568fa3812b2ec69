import Events

// Linked Telegram members: the scripted students (DemoSchool+Learning.swift) talk in the students' chat
// and get the lesson reminder as Telegram members, `tg:<id>`, and the school's bot links each to the
// platform user (SPEC §4.12). Scripted, with no random draw:
//   s1…s4 open the bot from the welcome letter on day 1 at 13:00, before anything they do in Telegram;
//   s5 and s6 join and write first and open the bot only on day 9 at 10:00: their links arrive after
//   their chat messages and their reminder, and move them onto their users all the same;
//   one more member (`tg:5100099999`) writes once and never opens the bot: a user of their own, with no
//   registration (the NULL cohort).
// Chat tg-students: s1…s6 join on day 1 at 14:00 (+ a minute each) and write on day 2 at 21:00; s1…s3
// write again on day 5 at 21:00; the unlinked member writes on day 3 at 12:00.
// Letter telegram/lesson-reminder, day 6 at 18:00, to s1…s6's aliases: sent and delivered 6; s3 opens
// at 18:30 and clicks at 18:31, s1 opens at 18:39 and clicks at 18:40, s5 opens at 19:00 → unique opens 3,
// unique clicks 2. s1's course-pro payment (day 13, 12:00) is 6 days 17 h 20 min after s1's click and
// s1 clicks nothing later: 1 payer after click, 34 900 — credited only because `tg:` resolves to s1.
extension DemoSchool {
    /// The Telegram member who writes in the students' chat and never opens the school's bot.
    package static let unlinkedMember = "tg:5100099999"
    /// The reminder the bot sends before the fourth lesson, to the members' Telegram ids.
    static let lessonReminder = Letter(id: "lesson-reminder", channel: "telegram", source: "telegram", day: 6, hour: 18, sells: false)

    mutating func generateTelegramLinks(_ cast: [String: Learner]) {
        let students = ["s1", "s2", "s3", "s4", "s5", "s6"].map { cast[$0]! }
        for (index, student) in students.enumerated() {
            // The bot's deep link (`/start <token>`) gives the same id as `TelegramUpdate`'s identity event.
            let linkedAt = index < 4 ? Self.at(1, 13) : Self.at(9, 10)
            let member = student.telegramAlias.dropFirst(3)
            emit(id: "telegram:start:\(member):\(student.userID)", source: "telegram", at: linkedAt,
                 .identity(Identity(userID: student.userID, alias: student.telegramAlias)))
            chat(Self.studentsChat, at: Self.at(1, 14, index), user: student.telegramAlias, kind: .join)
            chat(Self.studentsChat, at: Self.at(2, 21, index), user: student.telegramAlias, kind: .message)
            if index < 3 { chat(Self.studentsChat, at: Self.at(5, 21, index), user: student.telegramAlias, kind: .message) }

            let letter = Self.lessonReminder
            let sent = Self.at(letter.day, letter.hour) + index
            mail(letter, student.telegramAlias, .sent, at: sent)
            mail(letter, student.telegramAlias, .delivered, at: sent + 2)
        }
        mail(Self.lessonReminder, cast["s3"]!.telegramAlias, .opened, at: Self.at(6, 18, 30))
        mail(Self.lessonReminder, cast["s3"]!.telegramAlias, .clicked, at: Self.at(6, 18, 31))
        mail(Self.lessonReminder, cast["s1"]!.telegramAlias, .opened, at: Self.at(6, 18, 39))
        mail(Self.lessonReminder, cast["s1"]!.telegramAlias, .clicked, at: Self.at(6, 18, 40))
        mail(Self.lessonReminder, cast["s5"]!.telegramAlias, .opened, at: Self.at(6, 19))
        chat(Self.studentsChat, at: Self.at(3, 12), user: Self.unlinkedMember, kind: .message)
    }
}
