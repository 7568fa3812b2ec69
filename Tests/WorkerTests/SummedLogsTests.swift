import Foundation
import Logging
import Migrations
import PipelineTestSupport
import Postgres
import Testing
@testable import Worker

@Suite("the logs of sums: funnel, mail, chat and money per month appended per batch and folded into their tables (migration 0014)")
struct SummedLogsTests {
    /// A database with every migration and the views.
    static func migratedDatabase() throws -> (url: String, connection: PostgresConnection) {
        let url = try ThrowawayPostgres.shared.createDatabase(prefix: "sumlogs")
        let connection = try PostgresConnection(connectionString: url, logger: Logger(label: "test"))
        _ = try Migrator(
            directory: WorkerHarness.packageRoot.appendingPathComponent("schemas/migrations"), logger: Logger(label: "test")
        ).migrate(connection)
        return (url, connection)
    }

    static func strings(_ sql: String, _ connection: PostgresConnection) throws -> [String] {
        try connection.execute(sql).rows.map { try $0.decode(0, as: String.self) }
    }

    static let chatRows = "SELECT concat_ws('/', project, chat_id, day, messages, joins, leaves) FROM %@ ORDER BY 1"

    @Test("a fold adds each key's logged deltas to the table's row (or inserts it) and empties the log; BI reads the same sums before and after")
    func foldAddsSums() throws {
        let (_, connection) = try Self.migratedDatabase()
        defer { connection.close() }
        _ = try connection.execute("""
            INSERT INTO pipeline.chat_daily (project, chat_id, day, messages, joins, leaves) VALUES ('a', 'c1', '2026-01-05', 2, 1, 0)
            """)
        _ = try connection.execute("""
            INSERT INTO pipeline.chat_daily_log (project, chat_ids, days, messages, joins, leaves) VALUES
                ('a', '{c1,c2}', '{2026-01-05,2026-01-05}', '{3,1}', '{0,1}', '{1,0}'),
                ('b', '{c1}', '{2026-01-05}', '{4}', '{0}', '{0}'),
                ('a', '{c1}', '{2026-01-05}', '{1}', '{0}', '{0}')
            """)
        // a/c1: 2 + 3 + 1 messages, 1 + 0 + 0 joins, 0 + 1 + 0 leaves; a/c2 and b/c1 only logged.
        let expected = ["a/c1/2026-01-05/6/1/1", "a/c2/2026-01-05/1/1/0", "b/c1/2026-01-05/4/0/0"]
        #expect(try Self.strings(String(format: Self.chatRows, "bi_all.chat_daily_sums"), connection) == expected)

        try SummedLog.chat.fold(schema: "pipeline", in: connection)
        #expect(try Self.strings(String(format: Self.chatRows, "pipeline.chat_daily"), connection) == expected)
        #expect(try connection.execute("SELECT count(*) FROM pipeline.chat_daily_log").rows[0].decode(0, as: Int.self) == 0)
        #expect(try Self.strings(String(format: Self.chatRows, "bi_all.chat_daily_sums"), connection) == expected)
    }

    @Test("the funnel sums spend exactly and leaves out keys whose figures went back to zero, folded or not")
    func funnelZeroKeys() throws {
        let (_, connection) = try Self.migratedDatabase()
        defer { connection.close() }
        // Ad x: a registration moved away again (1 − 1) with its spend 0.10 − 0.10; ad y: 0.10 + 0.20 spend.
        _ = try connection.execute("""
            INSERT INTO pipeline.funnel_log (project, days, networks, campaign_ids, ad_ids, impressions, ad_clicks, spend,
                                             visits, registrations, orders, paid_orders, payments, revenue, refunds) VALUES
                ('a', '{2026-01-05,2026-01-05}', '{vk,vk}', '{c,c}', '{x,y}', '{0,0}', '{0,0}', '{0.10,0.10}', '{0,0}',
                 '{1,0}', '{0,0}', '{0,0}', '{0,0}', '{0,0}', '{0,0}'),
                ('a', '{2026-01-05,2026-01-05}', '{vk,vk}', '{c,c}', '{x,y}', '{0,0}', '{0,0}', '{-0.10,0.20}', '{0,0}',
                 '{-1,0}', '{0,0}', '{0,0}', '{0,0}', '{0,0}', '{0,0}')
            """)
        let sql = "SELECT concat_ws('/', ad_id, spend, registrations) FROM bi_all.funnel_daily ORDER BY 1"
        #expect(try Self.strings(sql, connection) == ["y/0.30/0"])
        try SummedLog.funnel.fold(schema: "pipeline", in: connection)
        #expect(try Self.strings(sql, connection) == ["y/0.30/0"])
        // The table keeps x's zero row for the next delta, as before the logs.
        #expect(try connection.execute("SELECT count(*) FROM pipeline.funnel_daily").rows[0].decode(0, as: Int.self) == 2)
    }

    @Test("the worker's compactor folds on its own connection beside a batch's open transaction: it neither waits for the row that transaction appends nor removes it")
    func foldBesideABatch() throws {
        let (url, connection) = try Self.migratedDatabase()
        defer { connection.close() }
        _ = try connection.execute("""
            INSERT INTO pipeline.user_monthly_log (project, user_ids, months, payments, revenue, refunds) VALUES
                ('a', '{u1}', '{2026-01-01}', '{1}', '{100.50}', '{0}'), ('a', '{u1}', '{2026-01-01}', '{1}', '{20}', '{5}')
            """)
        let batch = try PostgresConnection(connectionString: url, logger: Logger(label: "test"))
        defer { batch.close() }
        _ = try batch.execute("BEGIN")
        _ = try batch.execute("""
            INSERT INTO pipeline.user_monthly_log (project, user_ids, months, payments, revenue, refunds)
            VALUES ('a', '{u1,u2}', '{2026-01-01,2026-02-01}', '{1,1}', '{7,8}', '{0,0}')
            """)
        let compactor = LogCompactor(databaseURL: url, schema: "pipeline", logger: Logger(label: "test"))
        compactor.request(idLogs: false, sums: true)
        // Returns once the fold ended: it did not wait for the open transaction.
        compactor.finish()
        let table = "SELECT concat_ws('/', user_id, month, payments, revenue, refunds) FROM %@ ORDER BY 1"
        #expect(try Self.strings(String(format: table, "pipeline.user_monthly"), connection) == ["u1/2026-01-01/2/120.50/5"])
        #expect(try connection.execute("SELECT count(*) FROM pipeline.user_monthly_log").rows[0].decode(0, as: Int.self) == 0)

        _ = try batch.execute("COMMIT")
        let summed = ["u1/2026-01-01/3/127.50/5", "u2/2026-02-01/1/8/0"]
        #expect(try Self.strings(String(format: table, "bi_all.user_monthly_sums"), connection) == summed)
        compactor.request(idLogs: false, sums: true)
        compactor.finish()
        #expect(try Self.strings(String(format: table, "pipeline.user_monthly"), connection) == summed)
    }
}
