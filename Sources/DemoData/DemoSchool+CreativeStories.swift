import Events

// The creatives' last two weeks, scripted so that `bi.creative_burnout` shows each of its statuses.
//
// SPEC §4.2: with L the latest day present in the project's `creative_daily`, `last 7d` is L−6…L and
// `prev 7d` is L−13…L−7; the status is the first that holds of
//   new         first_day ≥ L−13,
//   burnt_out   spend_last_7d > 0 and profit_last_7d ≤ 0,
//   stagnating  profit_prev_7d > 0 and profit_last_7d < 0.5 × profit_prev_7d,
//   growing     otherwise,
// where profit = revenue − refunds − spend (first-touch attribution, as `funnel_daily`).
//
// L is not quite fixed. Let E be the period's last day. The generated month alone has L = E (organic
// visits happen every day). The demo then sends a live evening: its registration, order and payment
// are stamped on E, but the click tracker stamps its click with the moment it arrives, today, so
// L = E+1. Every shape below holds for both, so it rests only on days that fall in the same window
// either way: the two `last` windows share E−5…E, the two `prev` windows share E−12…E−7, and nothing
// scripted happens on E−13 or E−6 (which change windows with L).
//
// - new (vk-9103, "Last seats"): its first day is E−9 ≥ L−13 for L = E or E+1 (it would take
//   L = E+5 to stop being new).
// - Not new: the other ads run from the period's first day, ≥ 27 days before E, so first_day < L−13.
// - burnt_out (vk-9001): it keeps spending every day (at least one click at its price), and no money
//   of its users, payment or refund, falls on E−7…E: profit_last_7d = −spend_last_7d < 0.
// - stagnating (15601, a daily budget of 1 500 ₽): no money of its users from E−13 on except
//   scripted sales of 14 900 ₽, four on E−12, E−10, E−9, E−8 and one on E−3. Then
//     L = E:   profit_prev = 4 × 14 900 − 7 × 1 500 = 49 100; profit_last = 14 900 − 7 × 1 500 = 4 400;
//     L = E+1: profit_prev = 49 100 (E−12…E−6);            profit_last = 14 900 − 6 × 1 500 = 5 900
//              (E+1 has no row of this ad).
//   Both last profits are > 0 (not burnt out) and < 0.5 × 49 100 = 24 550: stagnating.
// - growing (15501, a daily budget of 2 000 ₽): the same rule, with sales on E−11 and E−9, then on
//   E−4, E−3, E−2, E−1. Then
//     L = E:   profit_prev = 2 × 14 900 − 7 × 2 000 = 15 800; profit_last = 4 × 14 900 − 7 × 2 000 = 45 600;
//     L = E+1: profit_prev = 15 800; profit_last = 4 × 14 900 − 6 × 2 000 = 47 600, plus the demo's live
//              sale of 14 900 on E through this ad: 62 500.
//   profit_last > 0 and ≥ 0.5 × profit_prev: growing.
// The other ads' statuses fall where their random months take them.
extension DemoSchool {
    /// The `new` ad starts this many days before the end, the last day included.
    static let lateStarterDays = 10
    /// The burning-out ad's buyers stop paying this many days before the end, the last day included.
    static let burnoutDays = 8
    /// The scripted ads' money is scripted from this many days before the end (E−13 on).
    static let scriptedDays = 14

    /// A scripted ad's sales, as days before the period's last day.
    struct CreativeStory {
        let fortune: Ad.Fortune
        let previousWeekSales: [Int]
        let lastWeekSales: [Int]
    }

    static let creativeStories = [
        CreativeStory(fortune: .star, previousWeekSales: [11, 9], lastWeekSales: [4, 3, 2, 1]),
        CreativeStory(fortune: .fading, previousWeekSales: [12, 10, 9, 8], lastWeekSales: [3]),
    ]

    /// The tariff every scripted sale is: course-basic, standard, 14 900 ₽.
    static var scriptedOffer: Offer { courseBasic.offers[0] }

    /// Whether a random (unscripted) payment or refund of a user first attributed to `ad` may happen
    /// at `at`: not in the stretch whose money the ad's story fixes.
    func randomMoneyAllowed(ad: Int?, at: Int) -> Bool {
        guard let ad else { return true }
        switch Self.ads[ad].fortune {
        case .star, .fading: return at < (days - Self.scriptedDays) * 86_400
        case .burningOut: return at < (days - Self.burnoutDays) * 86_400
        case .steady, .dud, .lateStarter: return true
        }
    }

    mutating func generateCreativeStories() {
        for story in Self.creativeStories {
            let adIndex = Self.adIndex(story.fortune)
            for (number, daysBefore) in (story.previousWeekSales + story.lastWeekSales).enumerated() {
                scriptedSale(ad: Self.ads[adIndex], day: lastDay - daysBefore, number: number)
            }
        }
    }

    /// A buyer who clicks the ad at ten in the morning, registers for the webinar, orders the standard
    /// tariff before noon and pays in the afternoon, all on `day`. These buyers get no letters, chats or
    /// refunds, so the ad's money in its last two weeks is exactly the scripted sales.
    mutating func scriptedSale(ad: Ad, day: Int, number: Int) {
        let start = day * 86_400 + 10 * 3_600 + number * 60
        let visitor = adVisit(ad, at: start)
        let userID = newUserID()
        emitRegistration(userID: userID, at: start + 300, utm: Self.utm(of: ad), funnel: Self.webinarFunnel, visitor: visitor)

        counters.order += 1
        let orderID = String(7_100_000 + counters.order * 3)
        let created = start + 3_600
        let offer = Self.scriptedOffer
        let amount = DecimalNumber(offer.rub)
        let tags = orderTags(product: Self.courseBasic, offer: offer, created: created)
        let manager = "m-anna"
        let steps: [(status: OrderStatus, at: Int)] = [(.new, created), (.inWork, created + 1_800), (.paid, created + 3 * 3_600 + 60)]
        for (status, at) in steps {
            emit(id: "getcourse:order:\(orderID):\(status.rawValue):1", source: "getcourse", at: at,
                 .order(Order(orderID: orderID, userID: userID, status: status, amount: amount, currency: "RUB",
                              product: Self.courseBasic.name, offer: offer.name, managerID: status == .new ? nil : manager,
                              managerName: status == .new ? nil : Self.managers[manager], tags: tags,
                              createdAt: timestamp(created).instant)))
        }
        counters.payment += 1
        let paymentID = String(2_900_000 + counters.payment * 11)
        emit(id: "getcourse:payment:\(paymentID):accepted", source: "getcourse", at: created + 3 * 3_600,
             .payment(Payment(paymentID: paymentID, orderID: orderID, userID: userID, amount: amount, currency: "RUB",
                              status: .accepted)))
    }
}
