import Aggregation
import Postgres

/// Chat and mail ids this worker saw committed in its contacts log (`contacts_log`): an id once
/// logged stays (compaction merges, never drops) and its `chat_active` never turns false, so an
/// id named again by a mail or chat event needs no entry, and one known active no second one.
/// Forgotten when the table is another one (a rebuild swapped in) and, to bound memory, when it
/// holds `limit` ids.
///
/// Ids are kept as fingerprints: the first 16 bytes of SHA-256 over the project's length, the
/// project and the id (`EventIDHash`'s hash), half what a `UserKey` takes in a set, and
/// cryptographic, so that no id can be made to pass for another one and lose its row.
final class KnownContacts {
    let limit: Int
    private var table: UInt32?
    private var users: Set<EventIDHash> = []
    private var chatActive: Set<EventIDHash> = []

    init(limit: Int) {
        self.limit = limit
    }

    /// Reads which table `schema.contacts_log` is inside the caller's transaction, after the offsets are
    /// locked (a swap locks them first, so the table cannot change before this transaction ends).
    func check(schema: String, in connection: PostgresConnection) throws {
        let oid = try Self.contactsTable(schema: schema, in: connection)
        if oid != table {
            reset()
            table = oid
        }
    }

    /// Throws `LeaseLost` if `schema.contacts_log` is not the table these ids were seen in (a batch
    /// computed ahead was filtered with them); changes nothing.
    func verify(schema: String, in connection: PostgresConnection) throws {
        guard try Self.contactsTable(schema: schema, in: connection) == table else { throw LeaseLost(reason: "\(schema).contacts_log is another table (a rebuild was swapped in)") }
    }

    /// Forgets every id (the memory they were recorded with was dropped).
    func reset() {
        users.removeAll()
        chatActive.removeAll()
        table = nil
    }

    private static func contactsTable(schema: String, in connection: PostgresConnection) throws -> UInt32? {
        let rows = try connection.execute("SELECT to_regclass($1)::oid::bigint", ["\(schema).contacts_log"]).rows
        return try rows.first.flatMap { try $0.decodeIfPresent(0, as: Int64.self) }.map { UInt32(truncatingIfNeeded: $0) }
    }

    func contains(fingerprint: EventIDHash) -> Bool { users.contains(fingerprint) }

    func isChatActive(fingerprint: EventIDHash) -> Bool { chatActive.contains(fingerprint) }

    /// Records the fingerprints of a committed batch's ids, which all have rows now, and of those
    /// now chat-active (a batch computes each once: `unknown`, `notKnownActive`).
    func record(fingerprints committed: [EventIDHash], chatActive active: [EventIDHash]) {
        if users.count + committed.count > limit { users.removeAll(keepingCapacity: true) }
        users.formUnion(committed)
        if chatActive.count + active.count > limit { chatActive.removeAll(keepingCapacity: true) }
        chatActive.formUnion(active)
    }

    /// The ids of `contacts` not known to have a row, and the fingerprints of all of them.
    func unknown(_ contacts: Set<UserKey>) -> (unknown: [UserKey], fingerprints: [EventIDHash]) {
        unknown(contacts, where: contains(fingerprint:))
    }

    /// The ids of `active` not known to be chat-active, and the fingerprints of all of them.
    func notKnownActive(_ active: Set<UserKey>) -> (unknown: [UserKey], fingerprints: [EventIDHash]) {
        unknown(active, where: isChatActive(fingerprint:))
    }

    private func unknown(
        _ ids: Set<UserKey>, where known: (EventIDHash) -> Bool
    ) -> (unknown: [UserKey], fingerprints: [EventIDHash]) {
        var unknown: [UserKey] = []
        var fingerprints: [EventIDHash] = []
        fingerprints.reserveCapacity(ids.count)
        for id in ids {
            let fingerprint = Self.fingerprint(id)
            fingerprints.append(fingerprint)
            if !known(fingerprint) { unknown.append(id) }
        }
        return (unknown, fingerprints)
    }

    /// The project's length comes first, so that no two (project, id) pairs hash the same text.
    static func fingerprint(_ user: UserKey) -> EventIDHash {
        EventIDHash(id: "\(user.project.utf8.count):\(user.project)\(user.userID)")
    }

    var count: Int { users.count }
}
