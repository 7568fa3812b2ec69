import Foundation
import Logging
import Migrations
import PipelineTestSupport
import Postgres
import Testing

/// The BI role, connected for real, against every object of the database: it reads each `bi` view and
/// function and nothing else, and writes nowhere.
@Suite("the BI role is confined to reading schema bi")
struct BIReaderIsolationTests {
    /// A migrated database with a reader role of its own, an extra schema and a table in `public`.
    struct World {
        let admin: PostgresConnection
        let reader: PostgresConnection

        init() throws {
            let url = try ThrowawayPostgres.shared.createDatabase(prefix: "biiso")
            admin = try PostgresConnection(connectionString: url, logger: Logger(label: "test"))
            // Roles belong to the server: a name of its own keeps parallel tests apart.
            let role = "bi_iso_" + UUID().uuidString.prefix(8).lowercased()
            try Migrator(directory: MigratorTests.directory, logger: Logger(label: "test"))
                .migrate(admin, biReader: BIReader(role: role, password: "iso-secret"))
            // Objects a careless grant (to PUBLIC, or on a whole database) would expose.
            try admin.executeScript("""
                CREATE SCHEMA crm;
                CREATE TABLE crm.contacts (email text);
                INSERT INTO crm.contacts VALUES ('someone@example.com');
                CREATE TABLE public.notes (body text);
                INSERT INTO public.notes VALUES ('private');
                """)
            reader = try PostgresConnection(
                connectionString: url.replacingOccurrences(of: "postgresql://postgres@", with: "postgresql://\(role)@"),
                logger: Logger(label: "test"))
        }

        func close() {
            reader.close()
            admin.close()
        }

        /// Runs `sql` as the reader and returns the SQLSTATE it was refused with (nil if it succeeded).
        func refusal(_ sql: String) -> String? {
            do {
                _ = try reader.execute(sql)
                return nil
            } catch let error as PostgresError {
                return error.sqlState ?? "no sqlstate: \(error)"
            } catch {
                return "\(error)"
            }
        }
    }

    @Test("every table outside bi is refused: state tables, offsets, applied events, other schemas")
    func everyTableOutsideBIRefused() throws {
        let world = try World()
        defer { world.close() }
        let tables = try world.admin.execute("""
            SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables
            WHERE schemaname NOT IN ('pg_catalog', 'information_schema', 'bi') ORDER BY 1
            """).rows.map { $0[0]! }
        // The list comes from the catalog, so a table added by a later migration is covered too.
        for required in ["pipeline.consumer_offsets", "pipeline.applied_batches", "pipeline.worker_lease", "pipeline.users_log", "pipeline.funnel_daily",
                         "pipeline.fx_rates", "pipeline.schema_migrations", "crm.contacts", "public.notes"] {
            #expect(tables.contains(required), "\(required) not in \(tables)")
        }
        #expect(tables.count >= 20)
        for table in tables {
            #expect(world.refusal("SELECT * FROM \(table) LIMIT 1") == "42501", "\(table) readable by the BI role")
        }
        // Nor through a view or sequence of another schema, nor by schema privileges.
        for schema in try world.admin.execute("""
            SELECT nspname FROM pg_namespace
            WHERE nspname NOT IN ('bi', 'pg_catalog', 'information_schema', 'pg_toast') AND nspname NOT LIKE 'pg_temp%'
              AND nspname NOT LIKE 'pg_toast_temp%'
            """).rows.map({ $0[0]! }) {
            #expect(world.refusal("CREATE TABLE \(schema).intruder (x int)") == "42501", "CREATE in \(schema)")
        }
        let usage = try world.reader.execute("""
            SELECT nspname FROM pg_namespace WHERE has_schema_privilege(nspname, 'USAGE')
              AND nspname NOT IN ('bi', 'pg_catalog', 'information_schema', 'public')
              AND nspname NOT LIKE 'pg_%'
            """).rows.map { $0[0]! }
        #expect(usage == [], "the BI role may use schemas \(usage)")
    }

    @Test("every bi view and the traffic_summary and attribution_compare functions are readable")
    func everyBIViewReadable() throws {
        let world = try World()
        defer { world.close() }
        let views = try world.admin.execute("SELECT viewname FROM pg_views WHERE schemaname = 'bi' ORDER BY 1").rows.map { $0[0]! }
        // SPEC §4.1–4.8's eleven views, §4.9–4.11's five and §4.13–4.14's five.
        #expect(views.count == 21)
        for view in views {
            #expect(world.refusal("SELECT * FROM bi.\(view)") == nil, "bi.\(view) not readable")
        }
        #expect(world.refusal("SELECT * FROM bi.traffic_summary('alpha', '2026-01-01', '2026-01-31')") == nil)
        #expect(world.refusal("SELECT * FROM bi.attribution_compare('alpha', '2026-01-01', '2026-01-31')") == nil)
    }

    @Test("nothing in bi can be written, created, altered or dropped")
    func biIsReadOnly() throws {
        let world = try World()
        defer { world.close() }
        let statements = [
            // bi.ads is a simple view, so PostgreSQL would pass writes through to the table.
            "INSERT INTO bi.ads (project, network, campaign_id, ad_id) VALUES ('p', 'n', 'c', 'a')",
            "UPDATE bi.ads SET ad_name = 'changed'",
            "DELETE FROM bi.ads",
            "CREATE TABLE bi.intruder (x int)",
            "CREATE VIEW bi.intruder AS SELECT 1 AS x",
            "CREATE FUNCTION bi.intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'",
            "DROP VIEW bi.overview_daily",
            "ALTER VIEW bi.mail_letters RENAME TO stolen",
            "DROP FUNCTION bi.traffic_summary(text, date, date)",
            "CREATE OR REPLACE VIEW bi.funnel_daily AS SELECT 1 AS x",
            "COMMENT ON VIEW bi.funnel_daily IS 'changed'",
        ]
        for sql in statements {
            #expect(world.refusal(sql) == "42501", "\(sql)")
        }
        let rows = try world.admin.execute("SELECT count(*) FROM pipeline.ad_names").rows[0][0]
        #expect(rows == "0")
    }
}
