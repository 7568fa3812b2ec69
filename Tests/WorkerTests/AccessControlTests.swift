import Aggregation
import Events
import Foundation
import Migrations
import PipelineTestSupport
import Postgres
import Testing
import Verification
import Worker

/// Access per role (SPEC §6), enforced by PostgreSQL: each role reads exactly the rows its grants
/// allow, in every `bi` view and function, and cannot read past them.
@Suite("access per role")
struct AccessControlTests {
    /// SPEC §6's ad-level views (the functions traffic_summary and attribution_compare are checked apart).
    static let adLevelViews: Set<String> = ["funnel_daily", "traffic_report", "creative_daily", "creative_burnout",
                                            "deal_funnel_daily", "ads"]

    /// A world with figures in both projects and several networks: a random data set through the worker.
    static func world() throws -> WorkerHarness {
        var generator = RandomEvents(seed: 5)
        let data = generator.dataSet(count: 700)
        let harness = try WorkerHarness(partitions: 2)
        try harness.importRates(data.rates)
        try harness.produce(data.deliveries)
        var configuration = harness.workerConfiguration(batch: 200)
        configuration.projects = data.projects
        _ = try PipelineWorker(configuration: configuration, logger: harness.logger).run()
        return harness
    }

    /// A connection as `role` (the throwaway server trusts local connections; the password is still set).
    static func connect(_ harness: WorkerHarness, as role: String) throws -> PostgresConnection {
        let url = harness.databaseURL.replacingOccurrences(of: "postgresql://postgres@", with: "postgresql://\(role):pw-\(role)@")
        return try PostgresConnection(connectionString: url, logger: harness.logger)
    }

    /// Rows in a canonical order, so two reads compare as multisets.
    static func sorted(_ rows: [Oracle.Row]) -> [String] {
        rows.map { row in row.keys.sorted().map { "\($0)=\((row[$0] ?? nil) ?? "NULL")" }.joined(separator: "|") }.sorted()
    }

    /// Whether a row of `view` is one the grants let through: computed here from the grant list,
    /// apart from the SQL that enforces it.
    static func allows(_ grants: [AccessGrant], view: String, _ row: Oracle.Row) -> Bool {
        let project = (row["project"] ?? nil) ?? ""
        return grants.contains { grant in
            guard grant.project == nil || grant.project == project else { return false }
            guard let network = grant.network else { return true }
            guard adLevelViews.contains(view) || view == "traffic_summary" || view == "attribution_compare" else { return false }
            return network == (row["network"] ?? nil) && (grant.campaignID == nil || grant.campaignID == (row["campaign_id"] ?? nil))
        }
    }

    @Test("a project role, network contractors, a campaign contractor and a role without grants each see exactly their rows of every view and function")
    func rowsPerRole() throws {
        let harness = try Self.world()
        let admin = try harness.connection()
        defer { admin.close() }
        let suffix = harness.groupID.suffix(8)
        let access = AccessControl()
        let project = "acc_p_\(suffix)", yandex = "acc_y_\(suffix)", campaign = "acc_k_\(suffix)", nobody = "acc_n_\(suffix)"
        let grants: [String: [AccessGrant]] = [
            project: try AccessControl.grants(role: project, project: "alpha", network: nil, campaigns: []),
            yandex: try AccessControl.grants(role: yandex, project: "alpha", network: "yandex_direct", campaigns: []),
            // Grants add up: one campaign of vk_ads in alpha and one of google_ads in beta.
            campaign: try AccessControl.grants(role: campaign, project: "alpha", network: "vk_ads", campaigns: ["c1"])
                + AccessControl.grants(role: campaign, project: "beta", network: "google_ads", campaigns: ["c2"]),
            nobody: [],
        ]
        for (role, list) in grants where !list.isEmpty {
            try access.grant(list, password: "pw-\(role)", in: admin)
        }
        // A role that had a grant and lost it.
        try access.grant(try AccessControl.grants(role: nobody, project: "beta", network: nil, campaigns: []),
                         password: "pw-\(nobody)", in: admin)
        #expect(try access.revoke(role: nobody, project: nil, network: nil, campaigns: [], in: admin) == 1)

        var checkedRows = 0
        for (role, list) in grants.sorted(by: { $0.key < $1.key }) {
            let connection = try Self.connect(harness, as: role)
            defer { connection.close() }
            for view in BIComparison.views {
                let all = try BIComparison.read(admin, "SELECT * FROM bi.\(view)")
                let expected = all.filter { Self.allows(list, view: view, $0) }
                if role == nobody {
                    // Its privileges went with its last grant.
                    #expect(throws: PostgresError.self) { try BIComparison.read(connection, "SELECT * FROM bi.\(view)") }
                    continue
                }
                let seen = try BIComparison.read(connection, "SELECT * FROM bi.\(view)")
                #expect(Self.sorted(seen) == Self.sorted(expected), "\(role) reading bi.\(view)")
                checkedRows += seen.count
            }
            guard role != nobody else { continue }
            for summaryProject in ["alpha", "beta"] {
                for function in ["traffic_summary", "attribution_compare"] {
                    let sql = "SELECT * FROM bi.\(function)($1, '2026-01-01', '2026-12-31')"
                    let all = try BIComparison.read(admin, sql, [summaryProject])
                    let expected = all.filter { Self.allows(list, view: function, $0.merging(["project": summaryProject]) { $1 }) }
                    #expect(Self.sorted(try BIComparison.read(connection, sql, [summaryProject])) == Self.sorted(expected),
                            "\(role) calling bi.\(function)('\(summaryProject)')")
                }
            }
        }
        // The data set reaches every kind of row: not a comparison of empty sets.
        #expect(checkedRows > 500)
        let yandexRows = try BIComparison.read(admin, "SELECT * FROM bi.funnel_daily WHERE project = 'alpha' AND network = 'yandex_direct'")
        let vkC1Rows = try BIComparison.read(admin, "SELECT * FROM bi.funnel_daily WHERE project = 'alpha' AND network = 'vk_ads' AND campaign_id = 'c1'")
        #expect(!yandexRows.isEmpty && !vkC1Rows.isEmpty)
        #expect(try access.list(in: admin).filter { $0.role.hasSuffix(String(suffix)) }.map(\.description) == [
            "\(campaign): project alpha, network vk_ads, campaign c1",
            "\(campaign): project beta, network google_ads, campaign c2",
            "\(project): project alpha",
            "\(yandex): project alpha, network yandex_direct",
        ])
    }

    @Test("grants and revokes take effect on the role's next query, without reconnecting")
    func immediate() throws {
        let harness = try Self.world()
        let admin = try harness.connection()
        defer { admin.close() }
        let role = "acc_i_\(harness.groupID.suffix(8))"
        let access = AccessControl()
        try access.grant(try AccessControl.grants(role: role, project: "alpha", network: "vk_ads", campaigns: []),
                         password: "pw-\(role)", in: admin)
        let connection = try Self.connect(harness, as: role)
        defer { connection.close() }
        func count(_ view: String) throws -> Int {
            try connection.execute("SELECT count(*) FROM bi.\(view)").rows[0].decode(0, as: Int.self)
        }
        let vkRows = try count("funnel_daily")
        #expect(vkRows > 0)
        #expect(try count("overview_daily") == 0)  // a contractor sees no row of the project-level views
        try access.grant(try AccessControl.grants(role: role, project: "alpha", network: nil, campaigns: []),
                         password: nil, in: admin)
        #expect(try count("funnel_daily") > vkRows)
        #expect(try count("overview_daily") > 0)
        #expect(try access.revoke(role: role, project: "alpha", network: nil, campaigns: [], in: admin) == 2)
        #expect(throws: PostgresError.self) { try count("funnel_daily") }
    }

    @Test("a contractor cannot widen its view: other projects, SET ROLE, row_security, schema pipeline, bi_all, writes, new objects, leaky functions")
    func cannotWiden() throws {
        let harness = try Self.world()
        let admin = try harness.connection()
        defer { admin.close() }
        let role = "acc_w_\(harness.groupID.suffix(8))"
        try AccessControl().grant(try AccessControl.grants(role: role, project: "alpha", network: "yandex_direct", campaigns: []),
                                  password: "pw-\(role)", in: admin)
        let connection = try Self.connect(harness, as: role)
        defer { connection.close() }
        func refused(_ sql: String) -> Bool {
            do {
                try connection.executeScript(sql)
                return false
            } catch let error as PostgresError {
                return error.sqlState == "42501"  // insufficient_privilege
            } catch {
                return false
            }
        }
        #expect(refused("SELECT count(*) FROM pipeline.users_log"))
        #expect(refused("SELECT count(*) FROM pipeline.contacts_log"))
        #expect(refused("SELECT * FROM bi_all.user_elements('{u1}', '{2026-01-01}')"))
        #expect(refused("SELECT count(*) FROM pipeline.access_grants"))
        #expect(refused("SELECT count(*) FROM bi_all.funnel_daily"))
        #expect(refused("SET ROLE postgres"))
        // bi.ads is a simple view, which would pass writes through to its table.
        #expect(refused("INSERT INTO bi.ads (project, network, campaign_id, ad_id) VALUES ('alpha', 'x', '', '')"))
        #expect(refused("DELETE FROM bi.ads"))
        #expect(refused("CREATE TABLE bi.mine (a int)"))
        #expect(refused("CREATE TABLE public.mine (a int)"))
        #expect(refused("CREATE VIEW bi.everything AS SELECT * FROM bi_all.funnel_daily"))
        // Another project through the function's argument: no row.
        #expect(try connection.execute("SELECT count(*) FROM bi.traffic_summary('beta', '2026-01-01', '2026-12-31')")
            .rows[0].decode(0, as: Int.self) == 0)
        // row_security concerns row-level policies; the narrowing is the views' own and stays.
        try connection.executeScript("SET row_security = off")
        let networks = try connection.execute("SELECT DISTINCT network FROM bi.funnel_daily").rows.map { try $0.decode(0, as: String.self) }
        #expect(networks == ["yandex_direct"])
        // A cheap function of its own that records what it is shown: it only ever sees granted rows.
        try connection.executeScript("""
            CREATE TEMP TABLE seen (network text);
            CREATE FUNCTION pg_temp.peek(text) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS
            $$ BEGIN INSERT INTO seen VALUES ($1); RETURN true; END $$;
            """)
        _ = try connection.execute("SELECT count(*) FROM bi.funnel_daily WHERE pg_temp.peek(network)")
        _ = try connection.execute("SELECT count(*) FROM bi.creative_burnout WHERE pg_temp.peek(network)")
        let peeked = try connection.execute("SELECT DISTINCT network FROM seen").rows.map { try $0.decode(0, as: String.self) }
        #expect(peeked == ["yandex_direct"])
        #expect(try admin.execute("SELECT count(DISTINCT network) FROM bi.funnel_daily").rows[0].decode(0, as: Int.self) > 2)
    }

    @Test("grant refuses bad input, naming the option; a superuser cannot be narrowed")
    func refusals() throws {
        #expect(throws: MigrationError.self) { try AccessControl.grants(role: "Bad-Name", project: "alpha", network: nil, campaigns: []) }
        #expect(throws: MigrationError.self) { try AccessControl.grants(role: "pg_reader", project: "alpha", network: nil, campaigns: []) }
        #expect(throws: MigrationError.self) { try AccessControl.grants(role: "r", project: "", network: nil, campaigns: []) }
        #expect(throws: MigrationError.self) { try AccessControl.grants(role: "r", project: "alpha", network: nil, campaigns: ["c1"]) }
        #expect(throws: MigrationError.self) { try AccessControl.grants(role: "r", project: "alpha", network: "", campaigns: []) }
        do {
            _ = try AccessControl.grants(role: "r", project: "alpha", network: nil, campaigns: ["c1"])
        } catch {
            #expect("\(error)".hasPrefix("--campaign:"))
        }
        let harness = try WorkerHarness(partitions: 1)
        let admin = try harness.connection()
        defer { admin.close() }
        #expect(throws: MigrationError.self) {
            try AccessControl().grant(try AccessControl.grants(role: "postgres", project: "alpha", network: nil, campaigns: []),
                                      password: nil, in: admin)
        }
        // A role that does not exist needs a password.
        #expect(throws: MigrationError.self) {
            try AccessControl().grant(try AccessControl.grants(role: "acc_nopw_\(harness.groupID.suffix(8))", project: "alpha",
                                                               network: nil, campaigns: []), password: nil, in: admin)
        }
        #expect(try AccessControl().list(in: admin).allSatisfy { $0.role != "postgres" })
    }
}
