import Events
import Foundation

// Registrations and funnels: a user's first registration (their first touch), the marathon some come
// back for through retargeting (their entry for later orders), and what each user's month holds.
extension DemoSchool {
    /// A fresh platform user id.
    mutating func newUserID() -> String {
        counters.user += 1
        return String(41_000_000 + counters.user * 7)
    }

    /// A registration event on the platform's form of `funnel`.
    mutating func emitRegistration(userID: String, at: Int, utm: UTM, funnel: String, visitor: String?, withEmail: Bool = true) {
        // Stands in for a salted SHA-256 of the address: the producer never sends the address itself.
        let email = withEmail ? (0..<4).map { _ in String(format: "%016llx", random.next()) }.joined() : nil
        emit(id: "getcourse:registration:\(userID):\(funnel)", source: "getcourse", at: at,
             .registration(Registration(userID: userID, visitorID: visitor, funnel: funnel, utm: utm, emailSHA256: email)))
    }

    /// A new user's first registration; the user's month is played out later by `generateUserLife`.
    mutating func register(at: Int, ad: Int?, utm: UTM, funnel: String, visitor: String?) {
        guard at < periodEnd else { return }
        let userID = newUserID()
        emitRegistration(userID: userID, at: at, utm: utm, funnel: funnel, visitor: visitor)
        var user = User(id: userID, registeredAt: at, ad: ad, utm: utm, funnel: funnel, visitorID: visitor,
                        telegramSubscriber: random.chance(0.6))
        user.firstRegistrationEvent = pending.count - 1
        users.append(user)
    }

    /// A user's month after signing up: the marathon, the webinar chat, an order.
    mutating func generateUserLife(_ index: Int) {
        let user = users[index]
        // Some come back for the marathon, most through the retargeting ad: a second registration never
        // moves the first touch, but an order placed after it enters through it (SPEC §3's entry), so
        // deal attribution credits retargeting where first touch credits the ad that found the user.
        if random.chance(0.12) {
            let at = user.registeredAt + random.int(86_400...10 * 86_400)
            if at < periodEnd {
                let utm = random.chance(0.6) ? Self.utm(of: Self.ads[Self.marathonAd]) : UTM()
                emitRegistration(userID: user.id, at: at, utm: utm, funnel: Self.marathonFunnel, visitor: nil, withEmail: false)
                if random.chance(0.3) {
                    // The marathon ends with an offer of the pro course.
                    let product = random.chance(0.6) ? Self.coursePro : Self.courseBasic
                    placeOrder(userIndex: index, created: at + random.int(2 * 86_400...4 * 86_400), product: product)
                }
            }
        }
        joinWebinarChat(index)
        let buyFactor = user.ad.map { Self.ads[$0].buyFactor } ?? 0.8
        let chance = 0.24 * buyFactor * (users[index].chatActive ? 1.7 : 1)
        if random.chance(chance) {
            let product = random.weighted([(Self.miniCourse, 0.3), (Self.courseBasic, 0.55), (Self.coursePro, 0.15)])
            // Most buy at the webinar's sale, within hours of signing up; some think it over for days.
            let delay = random.chance(0.7) ? random.int(1_800...8 * 3_600) : random.int(8 * 3_600...4 * 86_400)
            placeOrder(userIndex: index, created: user.registeredAt + delay, product: product)
        }
    }

    /// Holds back the first registration of some ad-attributed buyers until the end of the file, as a
    /// platform whose registration webhook failed and was replayed later: their money must move to the ad.
    mutating func markLateRegistrations() {
        for user in users where user.ad != nil && user.orders > 0 && random.chance(settings.lateRegistrationShare) {
            pending[user.firstRegistrationEvent].late = true
        }
    }
}
