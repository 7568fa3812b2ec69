extension Event {
    /// The members each object of an event may have, in the order SPEC §2 lists them (the fast
    /// path, `EventScanner`, reads by the same lists).
    enum FieldLists {
        static let envelope = ["id", "type", "project", "source", "occurred_at", "data"]
        static let utm = ["source", "medium", "campaign", "content", "term"]
        static let click = ["visitor_id", "url", "utm", "click_ids"]
        static let registration = ["user_id", "visitor_id", "funnel", "utm", "email_sha256"]
        static let order = ["order_id", "user_id", "status", "amount", "currency", "product", "offer",
                            "manager_id", "manager_name", "tags", "utm", "created_at"]
        static let payment = ["payment_id", "order_id", "user_id", "amount", "currency", "status"]
        static let mail = ["letter_id", "channel", "user_id", "event"]
        static let chat = ["chat_id", "message_id", "user_id", "kind"]
        static let adStats = ["network", "account_id", "campaign_id", "ad_id", "day", "impressions", "clicks", "cost",
                              "currency", "campaign_name", "ad_group_id", "ad_group_name", "ad_name"]
        static let identity = ["user_id", "alias"]
        static let learning = ["user_id", "course_id", "lesson_id", "kind"]
    }

    /// The longest `id` accepted, in Unicode code points (as JSON Schema's `maxLength` counts).
    public static let maximumIDLength = 200

    /// Parses and validates one event, accepting exactly what `schemas/events/envelope.v3.json` accepts
    /// (and, for `identity`, also refusing an alias equal to its `user_id`).
    ///
    /// Checks run in a fixed order, so each document has one well-defined error: the JSON syntax, then
    /// repeated and unknown members, then the envelope fields in order (`id`, `type`, `project`,
    /// `source`, `occurred_at`, `data`), then the data fields in the order SPEC §2 lists them.
    ///
    /// The usual shapes are read straight from the bytes (`EventScanner`), which accepts only what
    /// this full way accepts, as an equal event; everything else, and every error, comes from the
    /// full way.
    /// - Throws: `EventDecodingError` naming the field by its JSON path (`$` for the document itself).
    public static func decode(json: [UInt8]) throws(EventDecodingError) -> Event {
        if let event = EventScanner.event(in: json) { return event }
        return try decodeThroughTree(json: json)
    }

    /// The fast path alone: the event, or nil where `decode(json:)` goes the full way (for tests
    /// comparing the two).
    package static func decodeFastPathOnly(json: [UInt8]) -> Event? {
        EventScanner.event(in: json)
    }

    /// The full way: parses the JSON into a tree, then reads and checks each field in a fixed
    /// order, giving every refused document its one error.
    package static func decodeThroughTree(json: [UInt8]) throws(EventDecodingError) -> Event {
        let root: JSONValue
        do {
            root = try JSONParser.parse(json)
        } catch {
            throw EventDecodingError(field: "$", problem: "invalid JSON: \(error.message) at byte \(error.offset)")
        }
        let envelope = try ObjectReader(root, path: "$")
        try envelope.checkMembers(allowed: FieldLists.envelope)

        let id = try envelope.string("id")
        let idLength = id.unicodeScalars.count
        if idLength == 0 {
            throw EventDecodingError(field: "id", problem: "must not be empty")
        }
        if idLength > maximumIDLength {
            throw EventDecodingError(field: "id", problem: "must be at most \(maximumIDLength) characters, got \(idLength)")
        }
        let typeName = try envelope.string("type")
        guard let type = EventType.allCases.first(where: { $0.rawValue.hasSameUTF8(as: typeName) }) else {
            throw EventDecodingError(field: "type", problem: "unknown event type \(ObjectReader.quoted(typeName))")
        }
        let project = try envelope.string("project")
        let source = try envelope.string("source")
        let (occurredAt, occurredAtText) = try envelope.timestamp("occurred_at")
        let data = try decodeData(of: type, from: ObjectReader(envelope.required("data"), path: "data"))
        return Event(id: id, project: project, source: source, occurredAt: occurredAt, occurredAtText: occurredAtText, data: data)
    }

    /// Convenience for text already in memory; same rules as `decode(json: [UInt8])`.
    public static func decode(json: String) throws(EventDecodingError) -> Event {
        try decode(json: Array(json.utf8))
    }

    private static func decodeData(of type: EventType, from data: ObjectReader) throws(EventDecodingError) -> EventData {
        switch type {
        case .click:
            try data.checkMembers(allowed: FieldLists.click)
            return .click(Click(
                visitorID: try data.string("visitor_id"),
                url: try data.string("url"),
                utm: try decodeUTM(data.required("utm"), path: data.fieldPath("utm")),
                clickIDs: try decodeClickIDs(data.optional("click_ids"), path: data.fieldPath("click_ids"))
            ))
        case .registration:
            try data.checkMembers(allowed: FieldLists.registration)
            return .registration(Registration(
                userID: try data.string("user_id"),
                visitorID: try data.optionalString("visitor_id"),
                funnel: try data.optionalString("funnel"),
                utm: try decodeUTM(data.required("utm"), path: data.fieldPath("utm")),
                emailSHA256: try data.optionalString("email_sha256")
            ))
        case .order:
            try data.checkMembers(allowed: FieldLists.order)
            return .order(Order(
                orderID: try data.string("order_id"),
                userID: try data.string("user_id"),
                status: try data.enumeration("status", as: OrderStatus.self),
                amount: try data.amount("amount", mustBePositive: false),
                currency: try data.currency("currency"),
                product: try data.optionalString("product"),
                offer: try data.optionalString("offer"),
                managerID: try data.optionalString("manager_id"),
                managerName: try data.optionalString("manager_name"),
                tags: try decodeTags(data.optional("tags"), path: data.fieldPath("tags")),
                utm: try data.optional("utm").map { value throws(EventDecodingError) in try decodeUTM(value, path: data.fieldPath("utm")) },
                createdAt: try data.timestamp("created_at").0
            ))
        case .payment:
            try data.checkMembers(allowed: FieldLists.payment)
            return .payment(Payment(
                paymentID: try data.string("payment_id"),
                orderID: try data.string("order_id"),
                userID: try data.string("user_id"),
                amount: try data.amount("amount", mustBePositive: true),
                currency: try data.currency("currency"),
                status: try data.enumeration("status", as: PaymentStatus.self)
            ))
        case .mail:
            try data.checkMembers(allowed: FieldLists.mail)
            return .mail(Mail(
                letterID: try data.string("letter_id"),
                channel: try data.nonEmptyString("channel"),
                userID: try data.string("user_id"),
                event: try data.enumeration("event", as: MailEvent.self)
            ))
        case .chat:
            try data.checkMembers(allowed: FieldLists.chat)
            return .chat(Chat(
                chatID: try data.string("chat_id"),
                messageID: try data.string("message_id"),
                userID: try data.string("user_id"),
                kind: try data.enumeration("kind", as: ChatKind.self)
            ))
        case .adStats:
            try data.checkMembers(allowed: FieldLists.adStats)
            return .adStats(AdStats(
                network: try data.string("network"),
                accountID: try data.string("account_id"),
                campaignID: try data.string("campaign_id"),
                adID: try data.string("ad_id"),
                day: try data.date("day"),
                impressions: try data.count("impressions"),
                clicks: try data.count("clicks"),
                cost: try data.amount("cost", mustBePositive: false),
                currency: try data.currency("currency"),
                campaignName: try data.optionalString("campaign_name"),
                adGroupID: try data.optionalString("ad_group_id"),
                adGroupName: try data.optionalString("ad_group_name"),
                adName: try data.optionalString("ad_name")
            ))
        case .identity:
            try data.checkMembers(allowed: FieldLists.identity)
            let userID = try data.string("user_id")
            let alias = try data.nonEmptyString("alias")
            // SPEC §4.15: an alias equal to its user links nothing and is invalid. JSON Schema cannot
            // compare two members, so this is the one rule only the decoder enforces.
            if alias.hasSameUTF8(as: userID) {
                throw EventDecodingError(field: data.fieldPath("alias"), problem: "must differ from user_id")
            }
            return .identity(Identity(userID: userID, alias: alias))
        case .learning:
            try data.checkMembers(allowed: FieldLists.learning)
            return .learning(Learning(
                userID: try data.string("user_id"),
                courseID: try data.string("course_id"),
                lessonID: try data.optionalString("lesson_id"),
                kind: try data.enumeration("kind", as: LearningKind.self)
            ))
        }
    }

    private static func decodeUTM(_ value: JSONValue, path: String) throws(EventDecodingError) -> UTM {
        let utm = try ObjectReader(value, path: path)
        try utm.checkMembers(allowed: FieldLists.utm)
        return UTM(
            source: try utm.optionalString("source"),
            medium: try utm.optionalString("medium"),
            campaign: try utm.optionalString("campaign"),
            content: try utm.optionalString("content"),
            term: try utm.optionalString("term")
        )
    }

    /// An order's tags: a list of at most `Order.maximumTags` non-empty strings of at most
    /// `Order.maximumTagLength` code points each (the platform's tags are short labels).
    private static func decodeTags(_ value: JSONValue?, path: String) throws(EventDecodingError) -> [String]? {
        guard let value else { return nil }
        guard case .array(let elements) = value else {
            throw EventDecodingError(field: path, problem: "must be an array of strings, got \(value.typeName)")
        }
        if elements.count > Order.maximumTags {
            throw EventDecodingError(field: path, problem: "must have at most \(Order.maximumTags) tags, got \(elements.count)")
        }
        var tags: [String] = []
        tags.reserveCapacity(elements.count)
        for (index, element) in elements.enumerated() {
            let elementPath = path + "[\(index)]"
            let tag = try ObjectReader.string(element, path: elementPath)
            if tag.isEmpty { throw EventDecodingError(field: elementPath, problem: "must not be empty") }
            let length = tag.unicodeScalars.count
            if length > Order.maximumTagLength {
                throw EventDecodingError(field: elementPath, problem: "must be at most \(Order.maximumTagLength) characters, got \(length)")
            }
            tags.append(tag)
        }
        return tags
    }

    private static func decodeClickIDs(_ value: JSONValue?, path: String) throws(EventDecodingError) -> [String: String]? {
        guard let value else { return nil }
        let reader = try ObjectReader(value, path: path)
        let keys = reader.object.keys
        try reader.checkMembers(allowed: keys)
        var result: [String: String] = [:]
        for key in keys {
            // A null member is a value of the wrong type here: the map holds strings only.
            result[key] = try ObjectReader.string(reader.object[key]!, path: reader.fieldPath(key))
        }
        return result
    }
}
