import Events
import Foundation

// Orders and payments: a product and tariff, the platform's tags (launch, flow, free tags), the
// manager and their name, the deal's own UTM when the order came from a letter, and the money.
extension DemoSchool {
    static let monthNames = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
                             "october", "november", "december"]
    /// The day the course's first flow started; a new flow starts every two weeks, so a date's flow
    /// number is the same whatever period is generated.
    static let firstFlowStart = LocalDate(year: 2025, month: 1, day: 6)!

    /// The tags the platform puts on an order: the launch (the school names launches by month), the
    /// course's flow, and the free tag `installment` when the student pays in parts. SPEC §4.9 splits
    /// `launch:november` into kind `launch` and value `november`; `installment` has kind ''.
    mutating func orderTags(product: Product, offer: Offer, created: Int) -> [String] {
        let day = settings.period.day(created / 86_400)
        var tags = ["launch:\(Self.monthNames[day.month - 1])"]
        if product.hasFlows { tags.append("flow:\(Self.firstFlowStart.days(to: day) / 14 + 1)") }
        if offer.rub >= 20_000, random.chance(0.4) { tags.append("installment") }
        return tags
    }

    /// One order's story: new, then (with a manager) in work, then paid or cancelled; a payment with
    /// each paid order, and now and then a refund. Anything that would happen after the period is left out.
    /// - Parameter letter: the letter whose link the order came from; its UTM is the deal's own.
    mutating func placeOrder(userIndex: Int, created: Int, product: Product, letter: Letter? = nil) {
        guard created < periodEnd else { return }
        let user = users[userIndex]
        counters.order += 1
        users[userIndex].orders += 1
        let orderID = String(7_100_000 + counters.order * 3)
        let offer = random.weighted(product.offers.map { ($0, $0.weight) })
        let usd = random.chance(0.08)
        let amount = DecimalNumber(usd ? offer.usd : offer.rub)
        let currency = usd ? "USD" : "RUB"
        let tags = orderTags(product: product, offer: offer, created: created)
        var sequence = 0
        func orderEvent(_ school: inout DemoSchool, _ status: OrderStatus, at: Int, manager: String?) {
            sequence += 1
            school.emit(id: "getcourse:order:\(orderID):\(status.rawValue):\(sequence)", source: "getcourse", at: at,
                        .order(Order(orderID: orderID, userID: user.id, status: status, amount: amount, currency: currency,
                                     product: product.name, offer: offer.name, managerID: manager,
                                     managerName: manager.flatMap { DemoSchool.managers[$0] }, tags: tags, utm: letter?.dealUTM,
                                     createdAt: school.timestamp(created).instant)))
        }
        orderEvent(&self, .new, at: created, manager: nil)

        let manager: String?
        var payAt: Int?
        var cancelAt: Int
        if product.selfService {
            manager = nil
            if random.chance(0.8) { payAt = created + random.int(180...1_200) }
            cancelAt = created + random.int(86_400...2 * 86_400)
        } else {
            manager = random.weighted([("m-anna", 0.5), ("m-boris", 0.4), (nil, 0.1)] as [(String?, Double)])
            var start = created
            if let manager {
                start = created + random.int(900...4 * 3_600)
                if start < periodEnd { orderEvent(&self, .inWork, at: start, manager: manager) }
            }
            // Anna closes more deals than Boris; an order nobody works on rarely pays by itself.
            let closeRate = switch manager ?? "" { case "m-anna": 0.62; case "m-boris": 0.42; default: 0.25 }
            if random.chance(letter != nil ? min(1, closeRate * 1.3) : closeRate) {
                payAt = start + random.int(1_800...(letter != nil ? 24 : 48) * 3_600)
            }
            cancelAt = start + random.int(86_400...5 * 86_400)
        }
        // The scripted ads' last two weeks carry only their scripted money (see CreativeStories).
        if let at = payAt, !randomMoneyAllowed(ad: user.ad, at: at) { payAt = nil }
        if let at = payAt, at < periodEnd {
            counters.payment += 1
            let paymentID = String(2_900_000 + counters.payment * 11)
            let payment = Payment(paymentID: paymentID, orderID: orderID, userID: user.id, amount: amount,
                                  currency: currency, status: .accepted)
            emit(id: "getcourse:payment:\(paymentID):accepted", source: "getcourse", at: at, .payment(payment))
            orderEvent(&self, .paid, at: at + random.int(20...90), manager: manager)
            if !product.selfService {
                users[userIndex].paidCourse = true
                if random.chance(0.75) { joinStudentsChat(user.id, at: at + random.int(600...3 * 3_600)) }
            }
            // A few ask for their money back within the guarantee period; a month of a few dozen course
            // sales always has one, and so does the demo, whatever its period's draws.
            let refundAt = at + random.int(2 * 86_400...10 * 86_400)
            let asksBack = random.chance(product.selfService ? 0.03 : 0.08) || (counters.refund == 0 && !product.selfService)
            if asksBack, refundAt < periodEnd, randomMoneyAllowed(ad: user.ad, at: refundAt) {
                counters.refund += 1
                var refund = payment
                refund.status = .refunded
                emit(id: "getcourse:payment:\(paymentID):refunded", source: "getcourse", at: refundAt, .payment(refund))
            }
        } else if cancelAt < periodEnd {
            orderEvent(&self, .cancelled, at: cancelAt, manager: manager)
        }
    }
}
