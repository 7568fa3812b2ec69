import Events
import Foundation

/// Normalizes GetCourse's JSON deal webhooks (`getcourse/dealCreated`, `dealPaid`, `dealStatusChanged`) into order events.
///
/// Quirks handled (INPUTS.md §1.2): `deal.id` is a string (an integer is accepted too); `isPayed` is 0/1 or a
/// boolean; `status` may be the string `"false"`; `cost`/`payedValue` may be fractional; `user.id` is
/// `"<account>:<user>"` and only the user part is kept, so ids match the «Вызвать URL» route's plain user ids.
///
/// One payment fires both `dealPaid` and `dealStatusChanged` with identical bodies: the event id is
/// `getcourse:order:<deal id>:<status code>:<ts64>` and ignores `eventType`, so the pair counts once.
/// Other `eventType`s (dialogs, comments, calls) give no events rather than an error, so a broad
/// subscription does not make GetCourse retry forever. Statuses map as in `GetCourseCallback`.
///
/// The body's only offer data is `deal.offerIds`: `product` and `offer` are those ids joined with ",". The body has
/// no offer names, while «Вызвать URL» calls usually send names (`positions`): an order fed by both routes shows the
/// form of its latest event. The body carries no manager, no tags and no UTM (INPUTS.md §1.2), so `manager_id`,
/// `manager_name`, `tags` and `utm` stay absent.
public struct GetCourseDealWebhook: Sendable {
    public static let source = "getcourse"

    public let context: ProjectContext

    public init(context: ProjectContext) {
        self.context = context
    }

    /// - Parameter body: one event object, or an array of them (the shape GetCourse's samples are stored in).
    public func normalize(body: [UInt8]) throws(NormalizationError) -> [Event] {
        let root = try JSONReader(parsing: body)
        if case .array = root.value {
            var events: [Event] = []
            for element in try root.elements() {
                events += try normalize(element)
            }
            return events
        }
        return try normalize(root)
    }

    private func normalize(_ root: JSONReader) throws(NormalizationError) -> [Event] {
        let eventType = try root.required("eventType").string()
        guard eventType.hasPrefix("getcourse/deal") else { return [] }
        let deal = try root.required("deal")
        let dealID = try deal.required("id").identifier()

        let statusField = try deal.required("status")
        let rawStatus: String
        switch statusField.value {
        case .string(let text): rawStatus = text
        case .bool(false): rawStatus = "false"
        default: throw NormalizationError(field: statusField.path, problem: "must be a string, got \(statusField.value.typeName)")
        }
        let status = try GetCourseStatus.orderStatus(rawStatus, field: statusField.path)
        if let isPayed = try deal.optional("isPayed") { try checkFlag(isPayed) }

        let amount = try AmountParsing.parse(json: deal.required("cost").value, field: deal.childPath("cost"))
        if let payedValue = try deal.optional("payedValue") {
            _ = try AmountParsing.parse(json: payedValue.value, field: payedValue.path)
        }
        let currencyField = try deal.optional("currency")
        let currency = try CurrencyParsing.code(currencyField?.string(), field: deal.childPath("currency"))

        let (occurredAt, stamp) = try timestamp(root)
        let createdAt = try deal.optional("createdAt").map { (field) throws(NormalizationError) in
            try TimeParsing.instant(try field.string(), field: field.path, timeZone: context.timeZone)
        } ?? occurredAt

        let offerIDs = try offers(deal)
        let order = Order(
            orderID: dealID, userID: try userID(root.required("user")), status: status, amount: amount, currency: currency,
            product: offerIDs, offer: offerIDs, createdAt: createdAt)
        return [try EventChecking.checked(Event(
            id: "getcourse:order:\(dealID):\(GetCourseStatus.code(rawStatus)):\(stamp)",
            project: context.project, source: Self.source, occurredAt: occurredAt, data: .order(order)))]
    }

    /// `ts64` (Unix seconds) when present, else `ts`; the id uses whole Unix seconds either way so both agree.
    private func timestamp(_ root: JSONReader) throws(NormalizationError) -> (Instant, Int64) {
        if let ts64 = try root.optional("ts64") {
            let instant = try TimeParsing.instant(unixSeconds: ts64.value, field: ts64.path)
            return (instant, instant.microsecondsSinceEpoch / 1_000_000)
        }
        guard let ts = try root.optional("ts") else {
            throw NormalizationError(field: "ts64", problem: "missing (expected ts64 or ts)")
        }
        let instant = try TimeParsing.instant(try ts.string(), field: ts.path, timeZone: context.timeZone)
        let seconds = instant.microsecondsSinceEpoch / 1_000_000
        return (Instant(microsecondsSinceEpoch: seconds * 1_000_000), seconds)
    }

    private func checkFlag(_ field: JSONReader) throws(NormalizationError) {
        switch field.value {
        case .bool, .number("0"), .number("1"), .string("0"), .string("1"): return
        default: throw NormalizationError(field: field.path, problem: "must be 0, 1, true or false, got \(field.value.typeName)")
        }
    }

    private func userID(_ user: JSONReader) throws(NormalizationError) -> String {
        if let composite = try user.optional("id") {
            let id = try composite.identifier()
            let userPart = id.split(separator: ":", omittingEmptySubsequences: false).last.map(String.init) ?? id
            guard !userPart.isEmpty else { throw NormalizationError(field: composite.path, problem: "must be \"<account>:<user>\", got \(quoted(id))") }
            return userPart
        }
        if let gcID = try user.optional("gcId") { return try gcID.identifier() }
        throw NormalizationError(field: user.childPath("id"), problem: "missing")
    }

    private func offers(_ deal: JSONReader) throws(NormalizationError) -> String? {
        guard let offerIDs = try deal.optional("offerIds") else { return nil }
        var ids: [String] = []
        for element in try offerIDs.elements() { ids.append(try element.identifier()) }
        return ids.isEmpty ? nil : ids.joined(separator: ",")
    }
}
