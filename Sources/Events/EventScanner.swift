import Foundation

/// The decoder's fast path: reads an event straight from its bytes, without a JSON tree, and
/// gives up on anything it does not handle itself, so that `Event.decode(json:)` decodes that
/// document the full way and reports the full way's error.
///
/// It gives up on escapes in strings and names, numbers other than plain unsigned integers,
/// unknown, repeated or out-of-order members (`data` before `type`), and every value the full
/// decoder refuses. So whenever it returns an event, the full decoder returns an equal one
/// (`FastPathFuzzTests` compares the two on every mutation of the valid samples). Building the
/// tree, hashing each name and looking members up by name was most of the worker's decoding time.
struct EventScanner {
    /// Why the fast path stopped: the document is not one it reads; the full decoder decides.
    struct GiveUp: Error {}

    private let bytes: UnsafeBufferPointer<UInt8>
    private var index = 0

    private init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    /// The event in `json`, or nil when the full decoder must decide.
    static func event(in json: [UInt8]) -> Event? {
        json.withUnsafeBufferPointer { bytes in
            var scanner = EventScanner(bytes: bytes)
            return try? scanner.document()
        }
    }

    // MARK: The envelope and the data of each type

    private mutating func document() throws(GiveUp) -> Event {
        var id: String?, type: EventType?, project: String?, source: String?, occurred: (Instant, String)?
        var data: EventData?
        try members(of: FieldNames.envelope) { scanner, field throws(GiveUp) in
            switch field {
            case 0: id = try scanner.string()
            case 1: type = try scanner.enumeration(EventType.self)
            case 2: project = try scanner.string()
            case 3: source = try scanner.string()
            case 4: occurred = try scanner.timestamp()
            default:
                guard let type else { throw GiveUp() }
                data = try scanner.data(of: type)
            }
        }
        skipWhitespace()
        guard index == bytes.count, let id, let project, let source, let occurred, let data else { throw GiveUp() }
        // A text of at most 200 bytes has at most 200 code points: counted only for longer ones.
        guard !id.isEmpty, id.utf8.count <= Event.maximumIDLength || id.unicodeScalars.count <= Event.maximumIDLength else {
            throw GiveUp()
        }
        return Event(id: id, project: project, source: source, occurredAt: occurred.0, occurredAtText: occurred.1, data: data)
    }

    private mutating func data(of type: EventType) throws(GiveUp) -> EventData {
        switch type {
        case .click: .click(try click())
        case .registration: .registration(try registration())
        case .order: .order(try order())
        case .payment: .payment(try payment())
        case .mail: .mail(try mail())
        case .chat: .chat(try chat())
        case .adStats: .adStats(try adStats())
        case .identity: .identity(try identity())
        case .learning: .learning(try learning())
        }
    }

    private mutating func click() throws(GiveUp) -> Click {
        var visitorID: String?, url: String?, utm: UTM?, clickIDs: [String: String]?
        try members(of: FieldNames.click) { scanner, field throws(GiveUp) in
            switch field {
            case 0: visitorID = try scanner.string()
            case 1: url = try scanner.string()
            case 2: utm = try scanner.utm()
            default: clickIDs = try scanner.optional { scanner throws(GiveUp) in try scanner.clickIDs() }
            }
        }
        guard let visitorID, let url, let utm else { throw GiveUp() }
        return Click(visitorID: visitorID, url: url, utm: utm, clickIDs: clickIDs)
    }

    private mutating func registration() throws(GiveUp) -> Registration {
        var userID: String?, visitorID: String?, funnel: String?, utm: UTM?, emailSHA256: String?
        try members(of: FieldNames.registration) { scanner, field throws(GiveUp) in
            switch field {
            case 0: userID = try scanner.string()
            case 1: visitorID = try scanner.optionalString()
            case 2: funnel = try scanner.optionalString()
            case 3: utm = try scanner.utm()
            default: emailSHA256 = try scanner.optionalString()
            }
        }
        guard let userID, let utm else { throw GiveUp() }
        return Registration(userID: userID, visitorID: visitorID, funnel: funnel, utm: utm, emailSHA256: emailSHA256)
    }

    private mutating func order() throws(GiveUp) -> Order {
        var orderID: String?, userID: String?, status: OrderStatus?, amount: DecimalNumber?, currency: String?
        var product: String?, offer: String?, managerID: String?, managerName: String?, tags: [String]?, utm: UTM?
        var createdAt: Instant?
        try members(of: FieldNames.order) { scanner, field throws(GiveUp) in
            switch field {
            case 0: orderID = try scanner.string()
            case 1: userID = try scanner.string()
            case 2: status = try scanner.enumeration(OrderStatus.self)
            case 3: amount = try scanner.amount(mustBePositive: false)
            case 4: currency = try scanner.currency()
            case 5: product = try scanner.optionalString()
            case 6: offer = try scanner.optionalString()
            case 7: managerID = try scanner.optionalString()
            case 8: managerName = try scanner.optionalString()
            case 9: tags = try scanner.optional { scanner throws(GiveUp) in try scanner.tags() }
            case 10: utm = try scanner.optional { scanner throws(GiveUp) in try scanner.utm() }
            default: createdAt = try scanner.timestamp().0
            }
        }
        guard let orderID, let userID, let status, let amount, let currency, let createdAt else { throw GiveUp() }
        return Order(
            orderID: orderID, userID: userID, status: status, amount: amount, currency: currency, product: product,
            offer: offer, managerID: managerID, managerName: managerName, tags: tags, utm: utm, createdAt: createdAt
        )
    }

    private mutating func payment() throws(GiveUp) -> Payment {
        var paymentID: String?, orderID: String?, userID: String?, amount: DecimalNumber?, currency: String?
        var status: PaymentStatus?
        try members(of: FieldNames.payment) { scanner, field throws(GiveUp) in
            switch field {
            case 0: paymentID = try scanner.string()
            case 1: orderID = try scanner.string()
            case 2: userID = try scanner.string()
            case 3: amount = try scanner.amount(mustBePositive: true)
            case 4: currency = try scanner.currency()
            default: status = try scanner.enumeration(PaymentStatus.self)
            }
        }
        guard let paymentID, let orderID, let userID, let amount, let currency, let status else { throw GiveUp() }
        return Payment(paymentID: paymentID, orderID: orderID, userID: userID, amount: amount, currency: currency, status: status)
    }

    private mutating func mail() throws(GiveUp) -> Mail {
        var letterID: String?, channel: String?, userID: String?, event: MailEvent?
        try members(of: FieldNames.mail) { scanner, field throws(GiveUp) in
            switch field {
            case 0: letterID = try scanner.string()
            case 1: channel = try scanner.nonEmptyString()
            case 2: userID = try scanner.string()
            default: event = try scanner.enumeration(MailEvent.self)
            }
        }
        guard let letterID, let channel, let userID, let event else { throw GiveUp() }
        return Mail(letterID: letterID, channel: channel, userID: userID, event: event)
    }

    private mutating func chat() throws(GiveUp) -> Chat {
        var chatID: String?, messageID: String?, userID: String?, kind: ChatKind?
        try members(of: FieldNames.chat) { scanner, field throws(GiveUp) in
            switch field {
            case 0: chatID = try scanner.string()
            case 1: messageID = try scanner.string()
            case 2: userID = try scanner.string()
            default: kind = try scanner.enumeration(ChatKind.self)
            }
        }
        guard let chatID, let messageID, let userID, let kind else { throw GiveUp() }
        return Chat(chatID: chatID, messageID: messageID, userID: userID, kind: kind)
    }

    private mutating func adStats() throws(GiveUp) -> AdStats {
        var network: String?, accountID: String?, campaignID: String?, adID: String?, day: LocalDate?
        var impressions: Int64?, clicks: Int64?, cost: DecimalNumber?, currency: String?
        var campaignName: String?, adGroupID: String?, adGroupName: String?, adName: String?
        try members(of: FieldNames.adStats) { scanner, field throws(GiveUp) in
            switch field {
            case 0: network = try scanner.string()
            case 1: accountID = try scanner.string()
            case 2: campaignID = try scanner.string()
            case 3: adID = try scanner.string()
            case 4: day = try scanner.date()
            case 5: impressions = try scanner.count()
            case 6: clicks = try scanner.count()
            case 7: cost = try scanner.amount(mustBePositive: false)
            case 8: currency = try scanner.currency()
            case 9: campaignName = try scanner.optionalString()
            case 10: adGroupID = try scanner.optionalString()
            case 11: adGroupName = try scanner.optionalString()
            default: adName = try scanner.optionalString()
            }
        }
        guard let network, let accountID, let campaignID, let adID, let day, let impressions, let clicks, let cost,
              let currency
        else { throw GiveUp() }
        return AdStats(
            network: network, accountID: accountID, campaignID: campaignID, adID: adID, day: day,
            impressions: impressions, clicks: clicks, cost: cost, currency: currency, campaignName: campaignName,
            adGroupID: adGroupID, adGroupName: adGroupName, adName: adName
        )
    }

    private mutating func identity() throws(GiveUp) -> Identity {
        var userID: String?, alias: String?
        try members(of: FieldNames.identity) { scanner, field throws(GiveUp) in
            switch field {
            case 0: userID = try scanner.string()
            default: alias = try scanner.nonEmptyString()
            }
        }
        guard let userID, let alias, !alias.hasSameUTF8(as: userID) else { throw GiveUp() }
        return Identity(userID: userID, alias: alias)
    }

    private mutating func learning() throws(GiveUp) -> Learning {
        var userID: String?, courseID: String?, lessonID: String?, kind: LearningKind?
        try members(of: FieldNames.learning) { scanner, field throws(GiveUp) in
            switch field {
            case 0: userID = try scanner.string()
            case 1: courseID = try scanner.string()
            case 2: lessonID = try scanner.optionalString()
            default: kind = try scanner.enumeration(LearningKind.self)
            }
        }
        guard let userID, let courseID, let kind else { throw GiveUp() }
        return Learning(userID: userID, courseID: courseID, lessonID: lessonID, kind: kind)
    }

    private mutating func utm() throws(GiveUp) -> UTM {
        var utm = UTM()
        try members(of: FieldNames.utm) { scanner, field throws(GiveUp) in
            let value = try scanner.optionalString()
            switch field {
            case 0: utm.source = value
            case 1: utm.medium = value
            case 2: utm.campaign = value
            case 3: utm.content = value
            default: utm.term = value
            }
        }
        return utm
    }

    /// An order's tags, by the rules of the full decoder's `decodeTags`.
    private mutating func tags() throws(GiveUp) -> [String] {
        try expect(UInt8(ascii: "["))
        var tags: [String] = []
        skipWhitespace()
        if try peek() == UInt8(ascii: "]") {
            index += 1
            return tags
        }
        while true {
            let tag = try nonEmptyString()
            guard tags.count < Order.maximumTags, tag.unicodeScalars.count <= Order.maximumTagLength else { throw GiveUp() }
            tags.append(tag)
            skipWhitespace()
            switch try peek() {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return tags
            default: throw GiveUp()
            }
        }
    }

    /// A map of click ids: any names, string values. Two names that are different bytes but equal
    /// Strings (canonically equivalent) are left to the full decoder, where the later one wins.
    private mutating func clickIDs() throws(GiveUp) -> [String: String] {
        try expect(UInt8(ascii: "{"))
        var result: [String: String] = [:]
        var name = try firstName()
        while let range = name {
            let key = try text(range)
            guard result.updateValue(try string(), forKey: key) == nil else { throw GiveUp() }
            name = try nextName()
        }
        return result
    }

    // MARK: Objects

    /// Reads one object whose member names are all in `fields`, each at most once, calling `read`
    /// with the name's position in `fields` for the reader to consume the value.
    private mutating func members(
        of fields: FieldNames, _ read: (inout EventScanner, Int) throws(GiveUp) -> Void
    ) throws(GiveUp) {
        try expect(UInt8(ascii: "{"))
        var seen: UInt64 = 0
        var name = try firstName()
        while let range = name {
            guard let field = fields.position(of: UnsafeBufferPointer(rebasing: bytes[range])) else { throw GiveUp() }
            let bit: UInt64 = 1 << UInt64(field)
            guard seen & bit == 0 else { throw GiveUp() }
            seen |= bit
            try read(&self, field)
            name = try nextName()
        }
    }

    /// After `{`: the first member's name (its value next), or nil for an empty object.
    private mutating func firstName() throws(GiveUp) -> Range<Int>? {
        skipWhitespace()
        if try peek() == UInt8(ascii: "}") {
            index += 1
            return nil
        }
        return try nameAndColon()
    }

    /// After a member's value: the next member's name, or nil at the object's end.
    private mutating func nextName() throws(GiveUp) -> Range<Int>? {
        skipWhitespace()
        switch try peek() {
        case UInt8(ascii: ","):
            index += 1
            skipWhitespace()
            return try nameAndColon()
        case UInt8(ascii: "}"):
            index += 1
            return nil
        default:
            throw GiveUp()
        }
    }

    private mutating func nameAndColon() throws(GiveUp) -> Range<Int> {
        let name = try stringBytes().range
        try expect(UInt8(ascii: ":"))
        return name
    }

    // MARK: Values

    /// nil for `null`, else what `read` reads.
    private mutating func optional<Value>(_ read: (inout EventScanner) throws(GiveUp) -> Value) throws(GiveUp) -> Value? {
        if try isNull() { return nil }
        return try read(&self)
    }

    private mutating func isNull() throws(GiveUp) -> Bool {
        skipWhitespace()
        guard try peek() == UInt8(ascii: "n") else { return false }
        guard bytes.count - index >= 4, bytes[index + 1] == UInt8(ascii: "u"), bytes[index + 2] == UInt8(ascii: "l"),
              bytes[index + 3] == UInt8(ascii: "l")
        else { throw GiveUp() }
        index += 4
        return true
    }

    private mutating func string() throws(GiveUp) -> String {
        let (range, ascii) = try stringBytes()
        return ascii ? String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) : try text(range)
    }

    private mutating func optionalString() throws(GiveUp) -> String? {
        try isNull() ? nil : try string()
    }

    private mutating func nonEmptyString() throws(GiveUp) -> String {
        let text = try string()
        guard !text.isEmpty else { throw GiveUp() }
        return text
    }

    private mutating func enumeration<Value: RawRepresentable & CaseIterable>(_ type: Value.Type) throws(GiveUp) -> Value
    where Value.RawValue == String {
        let text = try string()
        guard let value = Value.allCases.first(where: { $0.rawValue.hasSameUTF8(as: text) }) else { throw GiveUp() }
        return value
    }

    private mutating func currency() throws(GiveUp) -> String {
        let (range, _) = try stringBytes()
        guard ObjectReader.isCurrencyCode(bytes[range]) else { throw GiveUp() }
        return String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// A decimal string by the full decoder's rule (`ObjectReader.amountShape`).
    private mutating func amount(mustBePositive: Bool) throws(GiveUp) -> DecimalNumber {
        let (range, _) = try stringBytes()
        let digits = UnsafeBufferPointer(rebasing: bytes[range])
        guard ObjectReader.amountShape(digits) == .valid, let number = DecimalNumber(String(decoding: digits, as: UTF8.self)),
              !mustBePositive || !number.isZero
        else { throw GiveUp() }
        return number
    }

    /// A plain unsigned integer literal up to `AdStats.maximumCount` (the full decoder also takes
    /// `10.0` and `1e2`; those are left to it).
    private mutating func count() throws(GiveUp) -> Int64 {
        skipWhitespace()
        let start = index
        var value: Int64 = 0
        while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
            let (product, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, carry) = product.addingReportingOverflow(Int64(bytes[index] - UInt8(ascii: "0")))
            guard !overflow, !carry else { throw GiveUp() }
            value = sum
            index += 1
        }
        let length = index - start
        guard length > 0, length == 1 || bytes[start] != UInt8(ascii: "0"), value <= AdStats.maximumCount else { throw GiveUp() }
        if index < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[index]) {
            throw GiveUp()
        }
        return value
    }

    private mutating func timestamp() throws(GiveUp) -> (Instant, String) {
        let text = try string()
        guard case .success(let instant) = Instant.parse(text) else { throw GiveUp() }
        return (instant, text)
    }

    private mutating func date() throws(GiveUp) -> LocalDate {
        guard let date = LocalDate(try string()) else { throw GiveUp() }
        return date
    }

    // MARK: Bytes

    /// A string's bytes between its quotes, and whether they are all ASCII. Gives up on escapes
    /// (and on control characters, which JSON refuses unescaped).
    private mutating func stringBytes() throws(GiveUp) -> (range: Range<Int>, ascii: Bool) {
        skipWhitespace()
        guard try peek() == UInt8(ascii: "\"") else { throw GiveUp() }
        let start = index + 1
        var scan = start
        var high: UInt8 = 0
        while scan < bytes.count {
            let byte = bytes[scan]
            if byte == UInt8(ascii: "\"") {
                index = scan + 1
                return (start..<scan, high < 0x80)
            }
            guard byte != UInt8(ascii: "\\"), byte >= 0x20 else { throw GiveUp() }
            high |= byte
            scan += 1
        }
        throw GiveUp()
    }

    /// The bytes as a String, giving up on invalid UTF-8 (as the full parser refuses it).
    private func text(_ range: Range<Int>) throws(GiveUp) -> String {
        guard let text = String(validating: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self) else { throw GiveUp() }
        return text
    }

    private mutating func expect(_ byte: UInt8) throws(GiveUp) {
        skipWhitespace()
        guard try peek() == byte else { throw GiveUp() }
        index += 1
    }

    private func peek() throws(GiveUp) -> UInt8 {
        guard index < bytes.count else { throw GiveUp() }
        return bytes[index]
    }

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }
}

/// The member names of one kind of object, looked up by their bytes (the full decoder checks
/// members against the same lists, `Event.FieldLists`).
struct FieldNames: Sendable {
    private let names: [[UInt8]]

    init(_ names: [String]) {
        precondition(names.count <= 64, "a bit per member")
        self.names = names.map { Array($0.utf8) }
    }

    /// The name's position in the list, or nil when it is not one of them.
    func position(of name: UnsafeBufferPointer<UInt8>) -> Int? {
        for (position, candidate) in names.enumerated() where candidate.count == name.count {
            let equal = candidate.withUnsafeBufferPointer { candidate in
                name.isEmpty || memcmp(candidate.baseAddress!, name.baseAddress!, name.count) == 0
            }
            if equal { return position }
        }
        return nil
    }

    static let envelope = FieldNames(Event.FieldLists.envelope)
    static let utm = FieldNames(Event.FieldLists.utm)
    static let click = FieldNames(Event.FieldLists.click)
    static let registration = FieldNames(Event.FieldLists.registration)
    static let order = FieldNames(Event.FieldLists.order)
    static let payment = FieldNames(Event.FieldLists.payment)
    static let mail = FieldNames(Event.FieldLists.mail)
    static let chat = FieldNames(Event.FieldLists.chat)
    static let adStats = FieldNames(Event.FieldLists.adStats)
    static let identity = FieldNames(Event.FieldLists.identity)
    static let learning = FieldNames(Event.FieldLists.learning)
}
