import Foundation
import Logging
import Migrations
import PipelineTestSupport
import Postgres
import Testing
@testable import Worker

@Suite("the id logs: users, contacts, activity months, chat members and letters' readers as rows of arrays (migration 0013)")
struct SetLogsTests {
    static let usersArrays = ["user_ids", "first_reg_at", "first_reg_ids", "first_reg_day", "networks", "campaign_ids", "ad_ids"]
    static let recipientsArrays = [
        "channels", "letter_ids", "user_ids", "first_open_at", "first_open_day", "first_click_at", "first_click_day",
    ]

    /// A database migrated through `lastVersion` (every migration when nil).
    static func migrated(through lastVersion: Int? = nil) throws -> PostgresConnection {
        try migratedDatabase(through: lastVersion).connection
    }

    /// As `migrated`, with the database's URL.
    static func migratedDatabase(through lastVersion: Int? = nil) throws -> (url: String, connection: PostgresConnection) {
        let url = try ThrowawayPostgres.shared.createDatabase(prefix: "setlogs")
        let connection = try PostgresConnection(connectionString: url, logger: Logger(label: "test"))
        let all = try Migrator(
            directory: WorkerHarness.packageRoot.appendingPathComponent("schemas/migrations"), logger: Logger(label: "test"))
        let chosen = all.migrations.filter { lastVersion == nil || $0.version <= lastVersion! }
        _ = try Migrator(migrations: chosen, logger: Logger(label: "test")).migrate(connection)
        return (url, connection)
    }

    /// Each row of `table` as "project: elements", elements joined by "," and each element's values by "/".
    static func rows(_ table: String, _ arrays: [String], _ connection: PostgresConnection) throws -> [String] {
        let zipped = "array_to_string(ARRAY(SELECT concat_ws('/', " + arrays.indices.map { "e.c\($0)::text" }.joined(separator: ", ")
            + ") FROM unnest(" + arrays.joined(separator: ", ") + ") AS e(" + arrays.indices.map { "c\($0)" }.joined(separator: ", ")
            + ")), ',')"
        return try connection.execute("SELECT project || ': ' || \(zipped) FROM pipeline.\(table) ORDER BY 1").rows
            .map { try $0.decode(0, as: String.self) }
    }

    /// The distinct elements of `table` as "project/values", sorted.
    static func elements(_ table: String, _ arrays: [String], _ connection: PostgresConnection) throws -> [String] {
        try rows(table, arrays, connection).flatMap { row -> [String] in
            let parts = row.split(separator: ":", maxSplits: 1).map(String.init)
            let project = parts[0]
            return parts[1].trimmingCharacters(in: .whitespaces).split(separator: ",").map { "\(project)/\($0)" }
        }.sorted()
    }

    @Test("compaction merges duplicates (a user's earliest registration, a contact active once stays active, a reader's earliest touches), one project per row, at most a chunk each")
    func compaction() throws {
        let connection = try Self.migrated()
        defer { connection.close() }
        _ = try connection.execute("""
            INSERT INTO pipeline.contacts_log (project, user_ids, chat_active) VALUES
                ('a', '{u1,u2,u3}', '{f,f,t}'), ('b', '{u1}', '{f}'), ('a', '{u1,u2,u4}', '{t,f,f}'), ('a', '{u3}', '{f}')
            """)
        _ = try connection.execute("""
            INSERT INTO pipeline.activity_months_log (project, user_ids, months, contact) VALUES
                ('a', '{u1,u1,u2}', '{2026-01-01,2026-02-01,2026-01-01}', '{t,t,f}'),
                ('a', '{u1,u2}', '{2026-01-01,2026-01-01}', '{t,t}')
            """)
        _ = try connection.execute("""
            INSERT INTO pipeline.chat_members_log (project, chat_ids, days, user_ids) VALUES
                ('a', '{c1,c1}', '{2026-01-05,2026-01-05}', '{u1,u2}'), ('a', '{c1,c2}', '{2026-01-05,2026-01-05}', '{u1,u1}'),
                ('b', '{c1}', '{2026-01-05}', '{u1}')
            """)
        // u1 logged new (no registration), then with a registration at 10:00 (e9), then an earlier one at
        // 10:00 with a smaller id (e10 < e9 byte-wise); u2 never registered.
        _ = try connection.execute("""
            INSERT INTO pipeline.users_log (project, user_ids, first_reg_at, first_reg_ids, first_reg_day, networks,
                                            campaign_ids, ad_ids) VALUES
                ('a', '{u1,u2}', '{NULL,NULL}', '{NULL,NULL}', '{NULL,NULL}', '{(unattributed),(unattributed)}', '{"",""}', '{"",""}'),
                ('a', '{u1}', '{2026-01-05T10:00:00Z}', '{e9}', '{2026-01-05}', '{vk_ads}', '{c9}', '{a9}'),
                ('a', '{u1}', '{2026-01-05T10:00:00Z}', '{e10}', '{2026-01-05}', '{yandex}', '{c10}', '{a10}')
            """)
        // u1's open of L1 was logged at 10:00, then an earlier one at 09:00 (a late event); the click once.
        _ = try connection.execute("""
            INSERT INTO pipeline.mail_recipients_log (project, channels, letter_ids, user_ids, first_open_at, first_open_day,
                                                      first_click_at, first_click_day) VALUES
                ('a', '{email,email}', '{L1,L2}', '{u1,u1}', '{2026-01-05T10:00:00Z,2026-01-06T10:00:00Z}',
                 '{2026-01-05,2026-01-06}', '{NULL,NULL}', '{NULL,NULL}'),
                ('a', '{email}', '{L1}', '{u1}', '{2026-01-04T09:00:00Z}', '{2026-01-04}', '{2026-01-07T08:00:00Z}', '{2026-01-07}')
            """)
        try connection.transaction {
            var logs = SetLogs(schema: "pipeline")
            logs.chunkElements = 2
            logs.rarelyDuplicatedRowLimit = 0
            try logs.compact(in: connection)
        }

        // a: u1 active (second row), u2 never, u3 active (first row), u4 never; b: u1 never.
        #expect(try Self.elements("contacts_log", ["user_ids", "chat_active"], connection)
            == ["a/u1/true", "a/u2/false", "a/u3/true", "a/u4/false", "b/u1/false"])
        // (u1, January, contact) was logged twice; (u2, January) once as a contact, once not: both stay.
        #expect(try Self.elements("activity_months_log", ["user_ids", "months", "contact"], connection)
            == ["a/u1/2026-01-01/true", "a/u1/2026-02-01/true", "a/u2/2026-01-01/false", "a/u2/2026-01-01/true"])
        #expect(try Self.elements("chat_members_log", ["chat_ids", "days", "user_ids"], connection)
            == ["a/c1/2026-01-05/u1", "a/c1/2026-01-05/u2", "a/c2/2026-01-05/u1", "b/c1/2026-01-05/u1"])
        _ = try connection.execute("SET TIME ZONE 'UTC'")
        #expect(try Self.elements("users_log", Self.usersArrays, connection)
            == ["a/u1/2026-01-05 10:00:00+00/e10/2026-01-05/yandex/c10/a10", "a/u2/(unattributed)//"])
        #expect(try Self.elements("mail_recipients_log", Self.recipientsArrays, connection)
            == ["a/email/L1/u1/2026-01-04 09:00:00+00/2026-01-04/2026-01-07 08:00:00+00/2026-01-07",
                "a/email/L2/u1/2026-01-06 10:00:00+00/2026-01-06"])
        // Four elements of a and one of b in chunks of two: rows of 2, 2 and 1 for a, 1 for b.
        let sizes = try connection.execute(
            "SELECT project || ' ' || cardinality(user_ids) FROM pipeline.contacts_log ORDER BY 1").rows
            .map { try $0.decode(0, as: String.self) }
        #expect(sizes == ["a 2", "a 2", "b 1"])
    }

    @Test("the worker's compactor runs on its own connection beside a batch's open transaction: it neither waits for the row that transaction appends nor removes it")
    func compactorBesideABatch() throws {
        let (url, connection) = try Self.migratedDatabase()
        defer { connection.close() }
        let arrays = ["user_ids", "months", "contact"]
        _ = try connection.execute("""
            INSERT INTO pipeline.activity_months_log (project, user_ids, months, contact) VALUES
                ('a', '{u1,u2}', '{2026-01-01,2026-01-01}', '{t,t}'), ('a', '{u1,u3}', '{2026-01-01,2026-02-01}', '{t,f}'),
                ('a', '{u2}', '{2026-01-01}', '{t}')
            """)
        let batch = try PostgresConnection(connectionString: url, logger: Logger(label: "test"))
        defer { batch.close() }
        _ = try batch.execute("BEGIN")
        _ = try batch.execute("""
            INSERT INTO pipeline.activity_months_log (project, user_ids, months, contact)
            VALUES ('a', '{u2,u4}', '{2026-01-01,2026-03-01}', '{t,f}')
            """)

        let compactor = LogCompactor(databaseURL: url, schema: "pipeline", logger: Logger(label: "test"))
        compactor.request(idLogs: true, sums: false)
        // Returns once the compaction ended: it did not wait for the open transaction.
        compactor.finish()
        // The three committed rows became one; the open transaction's row is not visible yet.
        #expect(try Self.rows("activity_months_log", arrays, connection).count == 1)
        #expect(try Self.elements("activity_months_log", arrays, connection)
            == ["a/u1/2026-01-01/true", "a/u2/2026-01-01/true", "a/u3/2026-02-01/false"])

        _ = try batch.execute("COMMIT")
        #expect(try Self.elements("activity_months_log", arrays, connection)
            == ["a/u1/2026-01-01/true", "a/u2/2026-01-01/true", "a/u2/2026-01-01/true", "a/u3/2026-02-01/false",
                "a/u4/2026-03-01/false"])
        // The next compaction merges it too.
        compactor.request(idLogs: true, sums: false)
        compactor.finish()
        #expect(try Self.rows("activity_months_log", arrays, connection).count == 1)
        #expect(try Self.elements("activity_months_log", arrays, connection)
            == ["a/u1/2026-01-01/true", "a/u2/2026-01-01/true", "a/u3/2026-02-01/false", "a/u4/2026-03-01/false"])
    }

    @Test("users_log and contacts_log, which hold few duplicates, are rewritten only past a number of rows; the other logs always")
    func rarelyDuplicatedLogsWaitForRows() throws {
        let connection = try Self.migrated()
        defer { connection.close() }
        _ = try connection.execute("""
            INSERT INTO pipeline.contacts_log (project, user_ids, chat_active) VALUES
                ('a', '{u1}', '{f}'), ('a', '{u2}', '{f}'), ('a', '{u1}', '{t}')
            """)
        _ = try connection.execute("""
            INSERT INTO pipeline.users_log (project, user_ids, first_reg_at, first_reg_ids, first_reg_day, networks,
                                            campaign_ids, ad_ids) VALUES
                ('a', '{u1}', '{NULL}', '{NULL}', '{NULL}', '{(unattributed)}', '{""}', '{""}'),
                ('a', '{u2}', '{NULL}', '{NULL}', '{NULL}', '{(unattributed)}', '{""}', '{""}')
            """)
        _ = try connection.execute("""
            INSERT INTO pipeline.chat_members_log (project, chat_ids, days, user_ids) VALUES
                ('a', '{c1}', '{2026-01-05}', '{u1}'), ('a', '{c1}', '{2026-01-05}', '{u1}')
            """)
        var logs = SetLogs(schema: "pipeline")
        logs.rarelyDuplicatedRowLimit = 3
        try logs.compact(in: connection)
        // 3 and 2 rows, not more than 3: left as they are; the chat members' duplicate merged.
        #expect(try Self.rows("contacts_log", ["user_ids", "chat_active"], connection).count == 3)
        #expect(try Self.rows("users_log", Self.usersArrays, connection).count == 2)
        #expect(try Self.elements("chat_members_log", ["chat_ids", "days", "user_ids"], connection) == ["a/c1/2026-01-05/u1"])

        _ = try connection.execute("INSERT INTO pipeline.contacts_log (project, user_ids, chat_active) VALUES ('a', '{u3}', '{f}')")
        try logs.compact(in: connection)
        // 4 rows: rewritten, u1 active once stays active.
        #expect(try Self.rows("contacts_log", ["user_ids", "chat_active"], connection).count == 1)
        #expect(try Self.elements("contacts_log", ["user_ids", "chat_active"], connection) == ["a/u1/true", "a/u2/false", "a/u3/false"])
        #expect(try Self.rows("users_log", Self.usersArrays, connection).count == 2)
    }

    @Test("migration 0013 carries the five tables' rows over, per project, and drops the tables")
    func migration() throws {
        let connection = try Self.migrated(through: 12)
        defer { connection.close() }
        _ = try connection.execute("""
            INSERT INTO pipeline.contacts (project, user_id, chat_active) VALUES ('a', 'u1', true), ('a', 'tg:7', false), ('b', 'u1', false)
            """)
        _ = try connection.execute("""
            INSERT INTO pipeline.activity_months (project, user_id, month, contact) VALUES
                ('a', 'u1', '2026-01-01', true), ('a', 'u1', '2026-01-01', false), ('b', 'u9', '2026-03-01', false)
            """)
        _ = try connection.execute("""
            INSERT INTO pipeline.chat_members_daily (project, chat_id, day, user_id) VALUES ('a', 'c1', '2026-01-05', 'tg:7')
            """)
        _ = try connection.execute("""
            INSERT INTO pipeline.users (project, user_id, first_reg_at, first_reg_id, first_reg_day, network, campaign_id, ad_id)
            VALUES ('a', 'u1', '2026-01-05T10:00:00Z', 'e1', '2026-01-05', 'vk_ads', 'c1', 'a1'), ('b', 'u2', NULL, NULL, NULL,
                    '(unattributed)', '', '')
            """)
        _ = try connection.execute("""
            INSERT INTO pipeline.mail_recipients (project, channel, letter_id, user_id, first_open_at, first_open_day)
            VALUES ('b', 'telegram', 'L3', 'tg:7', '2026-01-05T10:00:00Z', '2026-01-05')
            """)
        let all = try Migrator(
            directory: WorkerHarness.packageRoot.appendingPathComponent("schemas/migrations"), logger: Logger(label: "test"))
        let applied = try Migrator(migrations: all.migrations.filter { $0.version <= 13 }, logger: Logger(label: "test"))
            .migrate(connection)
        #expect(applied == ["0013_id_set_logs.sql"])

        #expect(try Self.rows("contacts_log", ["user_ids", "chat_active"], connection).count == 2, "one row per project")
        #expect(try Self.elements("contacts_log", ["user_ids", "chat_active"], connection)
            == ["a/tg:7/false", "a/u1/true", "b/u1/false"])
        #expect(try Self.elements("activity_months_log", ["user_ids", "months", "contact"], connection)
            == ["a/u1/2026-01-01/false", "a/u1/2026-01-01/true", "b/u9/2026-03-01/false"])
        #expect(try Self.elements("chat_members_log", ["chat_ids", "days", "user_ids"], connection) == ["a/c1/2026-01-05/tg:7"])
        _ = try connection.execute("SET TIME ZONE 'UTC'")
        #expect(try Self.elements("users_log", Self.usersArrays, connection)
            == ["a/u1/2026-01-05 10:00:00+00/e1/2026-01-05/vk_ads/c1/a1", "b/u2/(unattributed)//"])
        #expect(try Self.elements("mail_recipients_log", Self.recipientsArrays, connection)
            == ["b/telegram/L3/tg:7/2026-01-05 10:00:00+00/2026-01-05"])
        #expect(try connection.execute("""
            SELECT to_regclass('pipeline.contacts') IS NULL AND to_regclass('pipeline.activity_months') IS NULL
               AND to_regclass('pipeline.chat_members_daily') IS NULL AND to_regclass('pipeline.mail_recipients') IS NULL
               AND to_regclass('pipeline.users') IS NULL
            """).rows[0].decode(0, as: Bool.self))
    }
}
