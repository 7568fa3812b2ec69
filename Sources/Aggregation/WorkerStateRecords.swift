import Events

/// The state only the worker reads (users' daily ledgers, orders' status events) as text records,
/// one per line, for the state log in PostgreSQL: pure, so the format is tested without a database.
///
/// A ledger line is `L␉project␉user␉day␉registrations␉orders␉paid_orders␉payments␉revenue␉refunds`
/// (the measures are deltas, summed when read); an order event line is
/// `O␉project␉order␉event_id␉microseconds␉status`. Tabs, newlines and backslashes inside ids are
/// written `\t`, `\n` and `\\`. Migration 0010 writes the same format in SQL.
public struct WorkerStateRecords: Sendable, Equatable {
    public var ledgers: [UserKey: LedgerDays] = [:]
    public var orderEvents: [EntityKey: [OrderStatusEvent]] = [:]

    public init(orderEvents: [EntityKey: [OrderStatusEvent]] = [:]) {
        self.orderEvents = orderEvents
    }

    /// Adds ledger deltas (dropping days that come back to zero) and appends order events.
    public mutating func add(userDaily: [UserDayKey: LedgerMeasures], orderEvents newEvents: [EntityKey: [OrderStatusEvent]]) {
        for (key, delta) in userDaily {
            // One lookup for a user with a ledger, changed in place through its index.
            if let index = ledgers.index(forKey: key.user) {
                ledgers.values[index].add(delta, on: key.day)
                if ledgers.values[index].isEmpty { ledgers.remove(at: index) }
            } else {
                var days = LedgerDays()
                days.add(delta, on: key.day)
                if !days.isEmpty { ledgers[key.user] = days }
            }
        }
        for (key, events) in newEvents { Self.append(events, exactlyTo: &orderEvents[key, default: []]) }
    }

    /// Grows `list` to exactly what it holds: an order has a few status events, and doubling left
    /// a third of every list empty. In place, through the dictionary's subscript (one lookup).
    private static func append(_ events: [OrderStatusEvent], exactlyTo list: inout [OrderStatusEvent]) {
        list.reserveCapacity(list.count + events.count)
        list += events
    }

    /// How many lines `encode` writes.
    public var recordCount: Int {
        ledgers.values.reduce(0) { $0 + $1.count } + orderEvents.values.reduce(0) { $0 + $1.count }
    }

    /// Every ledger day and order event as lines.
    public func encode() -> String {
        var text = ""
        encode(linesPerChunk: .max) { chunk, _ in text += chunk }
        return text
    }

    /// Every ledger day and order event as lines, handed to `chunk` at most `linesPerChunk` lines
    /// at a time (with their count): a snapshot of a million users holds one chunk in memory at a
    /// time, not the whole text and its copies on the way to PostgreSQL.
    public func encode(linesPerChunk: Int, _ chunk: (String, Int) throws -> Void) rethrows {
        var text = ""
        var lines = 0
        func lineDone() throws {
            lines += 1
            guard lines == linesPerChunk else { return }
            try chunk(text, lines)
            text = ""
            lines = 0
        }
        for (user, days) in ledgers {
            for (day, measures) in days.entries {
                Self.appendLedgerLine(user, day, measures, to: &text)
                try lineDone()
            }
        }
        for (key, events) in orderEvents {
            for event in events {
                Self.appendOrderEventLine(key, event, to: &text)
                try lineDone()
            }
        }
        if lines > 0 { try chunk(text, lines) }
    }

    /// One batch's ledger deltas and new order events as lines.
    public static func encode(
        userDaily: some Sequence<(UserDayKey, LedgerMeasures)>, orderEvents: [EntityKey: [OrderStatusEvent]]
    ) -> String {
        var text = ""
        for (key, measures) in userDaily { appendLedgerLine(key.user, key.day, measures, to: &text) }
        appendOrderEventLines(orderEvents, to: &text)
        return text
    }

    private static func appendLedgerLine(_ user: UserKey, _ day: LocalDate, _ measures: LedgerMeasures, to text: inout String) {
        text += "L\t"
        appendEscaped(user.project, to: &text)
        text += "\t"
        appendEscaped(user.userID, to: &text)
        text += "\t\(day)\t\(measures.registrations)\t\(measures.orders)\t\(measures.paidOrders)\t\(measures.payments)"
        text += "\t\(measures.revenue)\t\(measures.refunds)\n"
    }

    private static func appendOrderEventLines(_ orderEvents: [EntityKey: [OrderStatusEvent]], to text: inout String) {
        for (key, events) in orderEvents {
            for event in events { appendOrderEventLine(key, event, to: &text) }
        }
    }

    private static func appendOrderEventLine(_ key: EntityKey, _ event: OrderStatusEvent, to text: inout String) {
        text += "O\t"
        appendEscaped(key.project, to: &text)
        text += "\t"
        appendEscaped(key.id, to: &text)
        text += "\t"
        appendEscaped(event.stamp.id, to: &text)
        text += "\t\(event.stamp.at.microsecondsSinceEpoch)\t\(event.status.rawValue)\n"
    }

    /// Adds the lines of `text` (a snapshot or a batch's deltas) to these records.
    public mutating func decode(_ text: String) throws(WorkerStateRecordError) {
        var lineNumber = 0
        for line in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            lineNumber += 1
            let fields = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
                .map { Self.unescape($0) }
            func fail(_ problem: String) -> WorkerStateRecordError {
                WorkerStateRecordError(line: lineNumber, problem: problem)
            }
            switch fields.first {
            case "L":
                guard fields.count == 10 else { throw fail("a ledger line has \(fields.count) fields, not 10") }
                guard let day = LocalDate(fields[3]) else { throw fail("day: not a date: \(fields[3])") }
                var counts: [Int64] = []
                for index in 4...7 {
                    guard let count = Int64(fields[index]) else { throw fail("field \(index + 1): not an integer: \(fields[index])") }
                    counts.append(count)
                }
                guard let revenue = DecimalNumber(fields[8]) else { throw fail("revenue: not a decimal: \(fields[8])") }
                guard let refunds = DecimalNumber(fields[9]) else { throw fail("refunds: not a decimal: \(fields[9])") }
                add(userDaily: [UserDayKey(user: UserKey(project: fields[1], userID: fields[2]), day: day):
                    LedgerMeasures(registrations: counts[0], orders: counts[1], paidOrders: counts[2], payments: counts[3],
                                   revenue: revenue, refunds: refunds)], orderEvents: [:])
            case "O":
                guard fields.count == 6 else { throw fail("an order event line has \(fields.count) fields, not 6") }
                guard let micros = Int64(fields[4]) else { throw fail("occurred_at: not microseconds: \(fields[4])") }
                guard let status = OrderStatus(rawValue: fields[5]) else { throw fail("status: unknown: \(fields[5])") }
                orderEvents[EntityKey(project: fields[1], id: fields[2]), default: []].append(OrderStatusEvent(
                    stamp: EventStamp(at: Instant(microsecondsSinceEpoch: micros), id: fields[3]), status: status))
            default:
                throw fail("unknown record kind \(fields.first ?? "")")
            }
        }
    }

    private static func appendEscaped(_ value: String, to text: inout String) {
        guard value.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\n") })
        else {
            text += value
            return
        }
        for character in value.unicodeScalars {
            switch character {
            case "\\": text += "\\\\"
            case "\t": text += "\\t"
            case "\n": text += "\\n"
            default: text.unicodeScalars.append(character)
            }
        }
    }

    private static func unescape(_ field: Substring.UTF8View.SubSequence) -> String {
        guard field.contains(UInt8(ascii: "\\")) else { return String(decoding: field, as: UTF8.self) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(field.count)
        var escaped = false
        for byte in field {
            if escaped {
                switch byte {
                case UInt8(ascii: "t"): bytes.append(UInt8(ascii: "\t"))
                case UInt8(ascii: "n"): bytes.append(UInt8(ascii: "\n"))
                default: bytes.append(byte)
                }
                escaped = false
            } else if byte == UInt8(ascii: "\\") {
                escaped = true
            } else {
                bytes.append(byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// A state log line that cannot be read, with its number within its row.
public struct WorkerStateRecordError: Error, Equatable, CustomStringConvertible {
    public let line: Int
    public let problem: String

    public init(line: Int, problem: String) {
        self.line = line
        self.problem = problem
    }

    public var description: String { "state log line \(line): \(problem)" }
}

/// One user's ledger: the measures of each day that has any. A small array rather than a
/// dictionary, because most users have one or two days and the owner keeps a ledger for every
/// user (a dictionary each was about 200 bytes more per user at a million users).
public struct LedgerDays: Sendable, Equatable {
    public private(set) var entries: ContiguousArray<(day: LocalDate, measures: LedgerMeasures)> = []

    public init() {}

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    /// Adds `delta` to `day`'s measures, dropping the day if they come back to zero.
    public mutating func add(_ delta: LedgerMeasures, on day: LocalDate) {
        if let index = entries.firstIndex(where: { $0.day == day }) {
            entries[index].measures += delta
            if entries[index].measures.isZero { entries.remove(at: index) }
        } else if !delta.isZero {
            // A quarter more at a time, not Array's doubling: a user's ledger is a dozen days or
            // so, and millions of them are the largest part of the worker's state.
            if entries.count == entries.capacity { entries.reserveCapacity(entries.count + entries.count / 4 + 1) }
            entries.append((day, delta))
        }
    }

    /// The days and their measures, as the aggregation takes them.
    public var byDay: [LocalDate: LedgerMeasures] {
        Dictionary(uniqueKeysWithValues: entries.map { ($0.day, $0.measures) })
    }

    public static func == (lhs: LedgerDays, rhs: LedgerDays) -> Bool { lhs.byDay == rhs.byDay }
}

extension BatchChanges {
    /// The lines a batch adds to the state log: its ledger deltas and new order events.
    public var workerStateRecordCount: Int {
        userDaily.count + newOrderEvents.values.reduce(0) { $0 + $1.count }
    }
}
