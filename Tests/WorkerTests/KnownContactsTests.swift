import Aggregation
import Logging
import PipelineTestSupport
import Postgres
import Testing
@testable import Worker

/// The worker's memory of chat and mail ids with rows, against a real PostgreSQL catalog.
@Suite("known contacts")
struct KnownContactsTests {
    @Test("remembered for one contacts log; forgotten when another table takes its name, and at the limit")
    func rememberedPerTable() throws {
        var logger = Logger(label: "known-contacts-tests")
        logger.logLevel = .error
        let url = try ThrowawayPostgres.shared.createDatabase(prefix: "known")
        let connection = try PostgresConnection(connectionString: url, logger: logger)
        defer { connection.close() }
        try connection.execute("CREATE SCHEMA s")
        try connection.execute("CREATE TABLE s.contacts_log (project text, user_ids text[])")
        func user(_ id: String) -> UserKey { UserKey(project: "p", userID: id) }

        let known = KnownContacts(limit: 3)
        try known.check(schema: "s", in: connection)
        known.record([user("u1"), user("u2")], chatActive: [user("u2")])
        try known.check(schema: "s", in: connection) // the same table: nothing forgotten
        #expect(known.contains(user("u1")) && known.contains(user("u2")))
        #expect(!known.contains(user("u3")))
        #expect(known.isChatActive(user("u2")) && !known.isChatActive(user("u1")))

        // What a rebuild's swap does: another table under the same name.
        try connection.execute("ALTER TABLE s.contacts_log RENAME TO retired_contacts")
        try connection.execute("CREATE TABLE s.contacts_log (project text, user_ids text[])")
        try known.check(schema: "s", in: connection)
        #expect(known.count == 0)
        #expect(!known.isChatActive(user("u2")))

        known.record([user("u1"), user("u2")])
        known.record([user("u3"), user("u4")]) // 4 > 3: the older ones go
        #expect(known.contains(user("u3")) && known.contains(user("u4")))
        #expect(!known.contains(user("u1")) && known.count == 2)

        try connection.execute("DROP TABLE s.contacts_log")
        try known.check(schema: "s", in: connection)
        #expect(known.count == 0)
    }

    @Test("an id is not taken for another whose project and id join to the same text")
    func fingerprintsKeepProjectAndIDApart() {
        let pairs = [("ab", "c"), ("a", "bc"), ("", "abc"), ("abc", ""), ("1:a", "b"), ("1", ":ab")]
        let prints = pairs.map { KnownContacts.fingerprint(UserKey(project: $0.0, userID: $0.1)) }
        #expect(Set(prints).count == pairs.count)
        let known = KnownContacts(limit: 10)
        known.record([UserKey(project: "ab", userID: "c")], chatActive: [UserKey(project: "ab", userID: "c")])
        #expect(known.contains(UserKey(project: "ab", userID: "c")))
        #expect(!known.contains(UserKey(project: "a", userID: "bc")))
        #expect(!known.isChatActive(UserKey(project: "a", userID: "bc")))
    }

    @Test("a batch's ids: the unknown ones to insert, and every id's fingerprint to record once it commits")
    func unknownIDsOfABatch() {
        let ids = (1...5).map { UserKey(project: "p", userID: "u\($0)") }
        let known = KnownContacts(limit: 10)
        known.record([ids[0], ids[1]], chatActive: [ids[1]])
        let batch = Set(ids)
        let contacts = known.unknown(batch)
        #expect(Set(contacts.unknown) == Set(ids[2...]))
        #expect(Set(contacts.fingerprints) == Set(ids.map(KnownContacts.fingerprint)))
        let active = known.notKnownActive([ids[0], ids[1]])
        #expect(active.unknown == [ids[0]])
        #expect(Set(active.fingerprints) == Set([ids[0], ids[1]].map(KnownContacts.fingerprint)))

        // Recording the fingerprints makes every id known, as recording the ids does.
        known.record(fingerprints: contacts.fingerprints, chatActive: active.fingerprints)
        #expect(known.unknown(batch).unknown.isEmpty)
        #expect(known.notKnownActive([ids[0], ids[1]]).unknown.isEmpty)
        #expect(!known.isChatActive(ids[4]))
    }
}

/// The tests' view by id: the worker itself passes fingerprints computed once per batch.
extension KnownContacts {
    func contains(_ user: UserKey) -> Bool { contains(fingerprint: Self.fingerprint(user)) }

    func isChatActive(_ user: UserKey) -> Bool { isChatActive(fingerprint: Self.fingerprint(user)) }

    func record(_ committed: Set<UserKey>, chatActive active: Set<UserKey> = []) {
        record(fingerprints: committed.map(Self.fingerprint), chatActive: active.map(Self.fingerprint))
    }
}
