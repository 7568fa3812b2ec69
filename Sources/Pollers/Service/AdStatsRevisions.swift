import Events

/// Turns polled rows into `ad_stats` envelopes whose ids name the figures, so that re-polling an
/// unchanged day gives the same id (the worker's dedup drops it) and a revised day a new one.
///
/// The id is `<source>:<account>:<campaign>:<ad>:<day>:<impressions>:<clicks>:<cost><currency>`,
/// readable on purpose (an operator sees the figures in the id); when that would exceed SPEC's 200
/// characters, the identifying part is replaced by a 64-bit FNV-1a digest of it.
///
/// Revisions that come back (A → B → A): the second A would repeat the first A's id, the worker would
/// drop it as a duplicate, and B would stay the latest — wrong. So the value remembers, per row key, the
/// figures it has produced; figures seen before but not the latest get the suffix `:r<poll instant µs>`,
/// a new id whose later `occurred_at` makes it the latest. Memory lives as long as the process: after a
/// restart an A → B → A spanning it is not recognised (see docs/pollers.md).
///
/// An unchanged re-poll repeats the earlier envelope exactly, `occurred_at` included (the instant the
/// figures were first seen), so the duplicate is byte-for-byte the same fact.
public struct AdStatsRevisions: Sendable {
    struct Key: Hashable, Sendable {
        var account: String
        var campaign: String
        var ad: String
        var day: LocalDate
    }

    struct Figures: Hashable, Sendable {
        var impressions: Int64
        var clicks: Int64
        var cost: DecimalNumber
        var currency: String
    }

    struct Entry: Sendable {
        var latest: Figures
        var id: String
        var occurredAt: Instant
        var produced: Set<Figures>
    }

    public let project: String
    public let source: String
    private var entries: [Key: Entry] = [:]

    public init(project: String, source: String) {
        self.project = project
        self.source = source
    }

    /// How many row keys are remembered (for tests and for the pruning below).
    public var count: Int { entries.count }

    /// The envelopes of one poll's rows, polled at `polledAt`; remembers them for the next poll.
    public mutating func events(for rows: [AdStats], polledAt: Instant) -> [Event] {
        rows.map { row in
            let key = Key(account: row.accountID, campaign: row.campaignID, ad: row.adID, day: row.day)
            let figures = Figures(impressions: row.impressions, clicks: row.clicks, cost: row.cost.normalized, currency: row.currency)
            var entry: Entry
            if let known = entries[key], known.latest == figures {
                entry = known
            } else {
                var id = Self.baseID(source: source, key: key, figures: figures)
                var produced = entries[key]?.produced ?? []
                if produced.contains(figures) {
                    id += ":r\(polledAt.microsecondsSinceEpoch)"
                }
                produced.insert(figures)
                entry = Entry(latest: figures, id: id, occurredAt: polledAt, produced: produced)
            }
            entries[key] = entry
            return Event(id: entry.id, project: project, source: source, occurredAt: entry.occurredAt, data: .adStats(row))
        }
    }

    /// Forgets days before `day`: they are out of every future window, so they cannot come back.
    public mutating func forget(daysBefore day: LocalDate) {
        entries = entries.filter { $0.key.day >= day }
    }

    static func baseID(source: String, key: Key, figures: Figures) -> String {
        let identity = "\(source):\(key.account):\(key.campaign):\(key.ad):\(key.day)"
        let values = "\(figures.impressions):\(figures.clicks):\(figures.cost)\(figures.currency)"
        // Room for the figures and a revision suffix (":r" + 16 digits) within SPEC's 200 characters.
        if identity.count + 1 + values.count + 18 <= 200 {
            return "\(identity):\(values)"
        }
        return "\(source):h\(fnv1a64Hex(identity)):\(key.day):\(values)"
    }

    /// FNV-1a, 64 bits: stable across processes and platforms, unlike `Hasher`.
    static func fnv1a64Hex(_ text: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in text.utf8 {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        let digits = String(hash, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}
