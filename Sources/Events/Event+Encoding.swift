extension Event {
    /// The canonical JSON of this event: compact, members in the schema's order, absent optionals
    /// omitted, `click_ids` sorted by key, `occurred_at` as originally written. Decodes back to an equal event.
    public func encodeJSON() -> [UInt8] {
        var writer = JSONWriter()
        writer.beginObject()
        writer.member("id", id)
        writer.member("type", type.rawValue)
        writer.member("project", project)
        writer.member("source", source)
        writer.member("occurred_at", occurredAtText)
        writer.key("data")
        writer.beginObject()
        switch data {
        case .click(let click):
            writer.member("visitor_id", click.visitorID)
            writer.member("url", click.url)
            writer.utm(click.utm)
            if let clickIDs = click.clickIDs {
                writer.key("click_ids")
                writer.beginObject()
                // Sorted by code units so the output does not depend on dictionary order.
                for key in clickIDs.keys.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
                    writer.member(key, clickIDs[key]!)
                }
                writer.endObject()
            }
        case .registration(let registration):
            writer.member("user_id", registration.userID)
            writer.member("visitor_id", registration.visitorID)
            writer.member("funnel", registration.funnel)
            writer.utm(registration.utm)
            writer.member("email_sha256", registration.emailSHA256)
        case .order(let order):
            writer.member("order_id", order.orderID)
            writer.member("user_id", order.userID)
            writer.member("status", order.status.rawValue)
            writer.member("amount", order.amount.description)
            writer.member("currency", order.currency)
            writer.member("product", order.product)
            writer.member("offer", order.offer)
            writer.member("manager_id", order.managerID)
            writer.member("manager_name", order.managerName)
            if let tags = order.tags {
                writer.key("tags")
                writer.beginArray()
                for tag in tags { writer.element(tag) }
                writer.endArray()
            }
            if let utm = order.utm { writer.utm(utm) }
            writer.member("created_at", order.createdAt.rfc3339String)
        case .payment(let payment):
            writer.member("payment_id", payment.paymentID)
            writer.member("order_id", payment.orderID)
            writer.member("user_id", payment.userID)
            writer.member("amount", payment.amount.description)
            writer.member("currency", payment.currency)
            writer.member("status", payment.status.rawValue)
        case .mail(let mail):
            writer.member("letter_id", mail.letterID)
            writer.member("channel", mail.channel)
            writer.member("user_id", mail.userID)
            writer.member("event", mail.event.rawValue)
        case .chat(let chat):
            writer.member("chat_id", chat.chatID)
            writer.member("message_id", chat.messageID)
            writer.member("user_id", chat.userID)
            writer.member("kind", chat.kind.rawValue)
        case .adStats(let stats):
            writer.member("network", stats.network)
            writer.member("account_id", stats.accountID)
            writer.member("campaign_id", stats.campaignID)
            writer.member("ad_id", stats.adID)
            writer.member("day", stats.day.description)
            writer.key("impressions")
            writer.raw(String(stats.impressions))
            writer.key("clicks")
            writer.raw(String(stats.clicks))
            writer.member("cost", stats.cost.description)
            writer.member("currency", stats.currency)
            writer.member("campaign_name", stats.campaignName)
            writer.member("ad_group_id", stats.adGroupID)
            writer.member("ad_group_name", stats.adGroupName)
            writer.member("ad_name", stats.adName)
        case .identity(let identity):
            writer.member("user_id", identity.userID)
            writer.member("alias", identity.alias)
        case .learning(let learning):
            writer.member("user_id", learning.userID)
            writer.member("course_id", learning.courseID)
            writer.member("lesson_id", learning.lessonID)
            writer.member("kind", learning.kind.rawValue)
        }
        writer.endObject()
        writer.endObject()
        return writer.bytes
    }
}

/// Writes compact JSON; just enough for the envelope, with string escaping per RFC 8259.
private struct JSONWriter {
    var bytes: [UInt8] = []
    private var needsComma = false

    init() {
        bytes.reserveCapacity(512)
    }

    mutating func beginObject() {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
    }

    mutating func endObject() {
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    mutating func beginArray() {
        bytes.append(UInt8(ascii: "["))
        needsComma = false
    }

    mutating func endArray() {
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    mutating func element(_ value: String) {
        separate()
        string(value)
        needsComma = true
    }

    mutating func key(_ key: String) {
        separate()
        string(key)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    mutating func member(_ name: String, _ value: String?) {
        guard let value else { return }
        key(name)
        string(value)
        needsComma = true
    }

    mutating func raw(_ text: String) {
        bytes.append(contentsOf: text.utf8)
        needsComma = true
    }

    mutating func utm(_ utm: UTM) {
        key("utm")
        beginObject()
        member("source", utm.source)
        member("medium", utm.medium)
        member("campaign", utm.campaign)
        member("content", utm.content)
        member("term", utm.term)
        endObject()
    }

    private mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    private mutating func string(_ text: String) {
        JSONStringLiteral.append(text, to: &bytes)
    }
}
