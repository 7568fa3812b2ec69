import Events
import Foundation

/// Normalizes GetCourse «Вызвать URL» process calls, whose data all arrives as query-string strings, into events.
///
/// The caller picks the `Kind` by route (one process per kind points at its own URL). Choices made here:
/// - An empty parameter is an unset template variable, the same as an absent one.
/// - Zone-less dates (`2026-01-15 09:00:00`) are in the project's time zone; RFC 3339 with offset is accepted too.
/// - Order status: see `GetCourseStatus` (new→new; pending, in_work, not_confirmed, payment_waiting→in_work;
///   payed→paid; part_payed→part_paid; cancelled, false, waiting_for_return→cancelled).
/// - Order amount: `cost_money_value`, else `cost`, else the formatted `cost_money` ("14 900 руб."): spaces
///   are dropped, a decimal comma becomes a point and, for `cost_money` only, a currency word is dropped.
/// - Manager: `manager_id` as given; else, from `manager_email`, `email:` + the first 16 hex digits of the
///   salted e-mail SHA-256, so the same manager gets one stable id without the address leaving the producer.
///   The name (`manager_name`, else `manager` as `{object.manager}` renders it) is kept: managers are the
///   school's staff, not its customers (SPEC §4.11). A "name" holding an `@` is an address (GetCourse shows one for
///   a manager without a name): it is not kept as the name and stands in for `manager_email`. The phone is dropped.
/// - Offer: `positions` (`{object.positions}`, the offer names), else `offers` (`{object.offers}`, the offer ids),
///   kept whole: GetCourse's separator between several offers is undocumented (INPUTS.md §15), and a wrong split
///   would invent offers. Names come first because BI shows names and the orders export has only names.
/// - Product: `product`, else `positions`, else `offers`, as before offers were read, so an order's product does not
///   move between rows when its next event is produced by this version.
/// - Deal UTM (SPEC §3's deal attribution): `deal_utm_*` (`{object.deal_utm_*}`, the deal's last touch), else the
///   `custom_utm_*` variant, one set never mixed; none set gives no `utm`. An order's `utm_*` are not read: in
///   integrations they carry the user's first touch, which the registration already has.
/// - Tags: `tags`, a comma-separated list (see `OrderTags`: trimmed, empties dropped, duplicates kept); more than
///   50 tags or a tag over 200 characters is refused under `tags`.
/// - Telegram id (user process): GetCourse has no built-in one; schools keep it in an additional user field filled
///   by their bot integration (INPUTS.md §15), passed as `telegram_id` (else `tg_id`). When it is a Telegram user id
///   (digits), the call also gives an `identity` event `tg:<id>` ↔ the user, id `getcourse:user:<user>:telegram:<id>`,
///   at the registration's time. Any other value (a `@username` typed by hand) cannot be matched to a member, and
///   is skipped rather than refused, because refusing would also lose the registration it came with.
/// - Payment status: accepted→accepted; returned, returned_to_balance→refunded; expected, tobalance and
///   frombalance give no event, because no money came in or went out of the school.
public struct GetCourseCallback: Sendable {
    /// Which process called: each kind is configured in GetCourse with its own URL.
    public enum Kind: String, Sendable, CaseIterable {
        case user
        case order
        case payment
    }

    public static let source = "getcourse"

    public let context: ProjectContext

    public init(context: ProjectContext) {
        self.context = context
    }

    /// - Parameter receivedAt: when the request arrived; the occurrence time of a user without `created_at`
    ///   and of a payment without any date, since the call itself is the only clock then.
    public func normalize(kind: Kind, query: [String: String], receivedAt: Instant) throws(NormalizationError) -> [Event] {
        let query = QueryReader(parameters: query)
        switch kind {
        case .user:
            let registration = try registration(query, receivedAt: receivedAt)
            return [registration] + (try telegramLink(query, registration: registration).map { [$0] } ?? [])
        case .order: return [try order(query)]
        case .payment: return try payment(query, receivedAt: receivedAt).map { [$0] } ?? []
        }
    }

    private func instant(_ found: (key: String, value: String)) throws(NormalizationError) -> Instant {
        try TimeParsing.instant(found.value, field: found.key, timeZone: context.timeZone)
    }

    private func registration(_ query: QueryReader, receivedAt: Instant) throws(NormalizationError) -> Event {
        let userID = try query.identifier(["user_id", "id"]).value
        let occurredAt = try query.first(["created_at"]).map(instant) ?? receivedAt
        let registration = Registration(
            userID: userID,
            visitorID: try query.value("visitor_id"),
            funnel: try query.value("funnel"),
            utm: try utm(query),
            emailSHA256: try query.value("email").map { Digests.emailSHA256($0, salt: context.salt) }
        )
        return try EventChecking.checked(Event(
            id: "getcourse:user:\(userID):registration", project: context.project, source: Self.source,
            occurredAt: occurredAt, data: .registration(registration)))
    }

    /// Telegram user ids are positive integers of at most 52 significant bits: at most 16 digits.
    static let maximumTelegramIDDigits = 16

    private func telegramLink(_ query: QueryReader, registration: Event) throws(NormalizationError) -> Event? {
        guard let found = try query.first(["telegram_id", "tg_id"]),
              found.value.utf8.count <= Self.maximumTelegramIDDigits,
              found.value.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              found.value.utf8.contains(where: { $0 != 0x30 }),
              case .registration(let user) = registration.data
        else { return nil }
        return try EventChecking.checked(Event(
            id: "getcourse:user:\(user.userID):telegram:\(found.value)", project: context.project, source: Self.source,
            occurredAt: registration.occurredAt, data: .identity(Identity(userID: user.userID, alias: "tg:" + found.value))))
    }

    /// The first set of tags among `prefixes` with any tag set (by default the user's own `utm_*`, else the
    /// `user_utm_*` export-style names); never mixed, because tags from two different visits would describe no real visit.
    private func utm(_ query: QueryReader, prefixes: [String] = ["utm_", "user_utm_"]) throws(NormalizationError) -> UTM {
        for prefix in prefixes {
            let utm = UTM(source: try query.value(prefix + "source"), medium: try query.value(prefix + "medium"),
                          campaign: try query.value(prefix + "campaign"), content: try query.value(prefix + "content"),
                          term: try query.value(prefix + "term"))
            if utm != UTM() { return utm }
        }
        return UTM()
    }

    private func order(_ query: QueryReader) throws(NormalizationError) -> Event {
        let orderID = try query.identifier(["order_id", "id"]).value
        let userID = try query.identifier(["user_id"]).value
        let rawStatus = try query.required(["status"])
        let status = try GetCourseStatus.orderStatus(rawStatus.value, field: rawStatus.key)
        let amount: DecimalNumber
        if let found = try query.first(["cost_money_value", "cost"]) {
            amount = try AmountParsing.parse(found.value, field: found.key)
        } else if let formatted = try query.value("cost_money") {
            amount = try AmountParsing.parse(formatted, field: "cost_money", allowCurrencySuffix: true)
        } else {
            throw NormalizationError(field: "cost_money_value", problem: "missing (expected cost_money_value, cost or cost_money)")
        }
        let createdAt = try instant(query.required(["created_at"]))
        // payed_at only dates a paid state: used for a later status it would tie with the paid event and lose.
        let paidStates: Set<OrderStatus> = [.paid, .partPaid]
        var stamp = try query.first(["updated_at", "status_changed_at"])
        if stamp == nil, paidStates.contains(status) { stamp = try query.first(["payed_at"]) }
        if stamp == nil { stamp = try query.first(["created_at"]) }
        let occurredAt = try instant(stamp!)
        let dealUTM = try utm(query, prefixes: ["deal_utm_", "custom_utm_"])
        let managerName = try query.first(["manager_name", "manager"])?.value
        let nameAddress = managerName.flatMap { $0.contains("@") ? $0 : nil }
        let order = Order(
            orderID: orderID, userID: userID, status: status, amount: amount,
            currency: try CurrencyParsing.code(query.value("currency"), field: "currency"),
            product: try query.first(["product", "positions", "offers"])?.value,
            offer: try query.first(["positions", "offers"])?.value,
            managerID: try managerID(query, nameAddress: nameAddress), managerName: nameAddress == nil ? managerName : nil,
            tags: try OrderTags.parse(query.value("tags"), field: "tags"),
            utm: dealUTM == UTM() ? nil : dealUTM, createdAt: createdAt)
        return try EventChecking.checked(Event(
            id: "getcourse:order:\(orderID):\(GetCourseStatus.code(rawStatus.value)):\(occurredAt.rfc3339String)",
            project: context.project, source: Self.source, occurredAt: occurredAt, data: .order(order)))
    }

    private func managerID(_ query: QueryReader, nameAddress: String?) throws(NormalizationError) -> String? {
        if let id = try query.value("manager_id") { return id }
        guard let email = try query.value("manager_email") ?? nameAddress else { return nil }
        return "email:" + Digests.emailSHA256(email, salt: context.salt).prefix(16)
    }

    private func payment(_ query: QueryReader, receivedAt: Instant) throws(NormalizationError) -> Event? {
        let rawStatus = try query.required(["status"])
        let status: PaymentStatus
        switch GetCourseStatus.code(rawStatus.value) {
        case "accepted": status = .accepted
        case "returned", "returned_to_balance": status = .refunded
        case "expected", "tobalance", "frombalance": return nil
        default:
            throw NormalizationError(field: rawStatus.key, problem: "must be a GetCourse payment status (accepted, returned, returned_to_balance, expected, tobalance, frombalance), got \(quoted(rawStatus.value))")
        }
        let paymentID = try query.identifier(["payment_id"]).value
        let amountField = try query.required(["amount", "payed_money", "cost_money_value"])
        let amount = try AmountParsing.parse(amountField.value, field: amountField.key)
        if amount.isZero {
            // A zero "payment" is a free order: counting it would inflate payers.
            throw NormalizationError(field: amountField.key, problem: "must be greater than 0")
        }
        let occurredAt = try query.first(["status_changed_at", "payed_at", "created_at"]).map(instant) ?? receivedAt
        let payment = Payment(
            paymentID: paymentID, orderID: try query.identifier(["order_id"]).value, userID: try query.identifier(["user_id"]).value,
            amount: amount, currency: try CurrencyParsing.code(query.value("currency"), field: "currency"), status: status)
        return try EventChecking.checked(Event(
            id: "getcourse:payment:\(paymentID):\(status.rawValue)", project: context.project, source: Self.source,
            occurredAt: occurredAt, data: .payment(payment)))
    }
}
