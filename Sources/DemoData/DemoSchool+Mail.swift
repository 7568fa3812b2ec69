import Events

// Mail: the period's three letters, each recipient's sent / delivered / opened / clicked story, and
// the orders a sale letter's click brings (with the letter as the deal's own UTM).
extension DemoSchool {
    mutating func generateMail() {
        for letter in Self.letters where letter.day < days {
            let sendAt = letter.day * 86_400 + letter.hour * 3_600
            let recipients = users.indices.filter {
                users[$0].registeredAt < sendAt && (letter.channel != "telegram" || users[$0].telegramSubscriber)
            }
            for index in recipients {
                let userID = users[index].id
                let sent = sendAt + random.int(0...900)
                mail(letter, userID, .sent, at: sent)
                let bounceRate = letter.channel == "email" ? 0.04 : 0.02
                if random.chance(bounceRate) {
                    mail(letter, userID, .bounced, at: sent + random.int(5...120))
                    continue
                }
                let delivered = sent + random.int(2...60)
                mail(letter, userID, .delivered, at: delivered)
                if letter.channel == "email" && random.chance(0.003) { mail(letter, userID, .spam, at: delivered + random.int(600...86_400)) }
                guard random.chance(letter.channel == "email" ? 0.42 : 0.65) else { continue }
                let opened = delivered + random.int(120...36 * 3_600)
                mail(letter, userID, .opened, at: opened)
                if random.chance(0.25) { mail(letter, userID, .opened, at: opened + random.int(3_600...2 * 86_400), repeat: 2) }
                if random.chance(0.02) {
                    mail(letter, userID, .unsubscribed, at: opened + random.int(30...600))
                    continue
                }
                guard random.chance(0.22) else { continue }
                let clicked = opened + random.int(20...600)
                mail(letter, userID, .clicked, at: clicked)
                // A sale letter's click brings some buyers within days: the after-click revenue of the
                // letter, and, through the deal's UTM, the letter's row under deal attribution.
                let buyFactor = users[index].ad.map { Self.ads[$0].buyFactor } ?? 0.8
                if letter.sells, !users[index].paidCourse, random.chance(0.3 * buyFactor) {
                    placeOrder(userIndex: index, created: clicked + random.int(300...36 * 3_600),
                               product: random.chance(0.8) ? Self.courseBasic : Self.coursePro, letter: letter)
                }
            }
        }
    }

    mutating func mail(_ letter: Letter, _ user: String, _ event: MailEvent, at: Int, repeat count: Int = 1) {
        guard at < periodEnd else { return }
        emit(id: "\(letter.source):\(letter.channel):\(letter.id):\(user):\(event.rawValue):\(count)", source: letter.source, at: at,
             .mail(Mail(letterID: letter.id, channel: letter.channel, userID: user, event: event)))
    }
}
