extension Event {
    /// The Kafka message key (SPEC §2): it puts all events of one aggregate key in one partition, in order.
    ///
    /// Orders and payments share `project:order_id` so an order's payments follow its state changes.
    public var partitionKey: String {
        switch data {
        case .click(let click): "\(project):\(click.visitorID)"
        case .registration(let registration): "\(project):\(registration.userID)"
        case .order(let order): "\(project):\(order.orderID)"
        case .payment(let payment): "\(project):\(payment.orderID)"
        case .mail(let mail): "\(project):\(mail.userID)"
        case .chat(let chat): "\(project):\(chat.chatID)"
        case .adStats(let stats): "\(project):\(stats.network):\(stats.adID):\(stats.day)"
        case .identity(let identity): "\(project):\(identity.userID)"
        case .learning(let learning): "\(project):\(learning.userID)"
        }
    }
}
