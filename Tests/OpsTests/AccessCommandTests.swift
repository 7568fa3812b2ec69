import Foundation
import Logging
import PipelineTestSupport
import Postgres
import Testing

/// `pipeline access` as an operator runs it: grant (creating the role), list, revoke, and refusals
/// that name the option.
@Suite("pipeline access")
struct AccessCommandTests {
    @Test("grant creates the role with the password from the named variable, list shows the grants, revoke removes them")
    func grantListRevoke() throws {
        let (url, reader) = try BIQueries.migratedDatabase(prefix: "ops_access")
        reader.close()
        let role = "ops_contractor_\(UUID().uuidString.prefix(8).lowercased())"
        let environment = ["DATABASE_URL": url, "LOG_LEVEL": "error", "OPS_CONTRACTOR_PASSWORD": "c0ntractor"]
        let granted = try PipelineProcess.run(
            ["access", "grant", role, "--project", "demo-school", "--network", "vk_ads", "--campaign", "c1", "--campaign", "c2",
             "--password-env", "OPS_CONTRACTOR_PASSWORD"], environment: environment)
        #expect(granted.contains("2 new grant(s), 0 already there"), "\(granted)")
        // Granting the same again adds nothing; a project grant adds one.
        #expect(try PipelineProcess.run(["access", "grant", role, "--project", "demo-school", "--network", "vk_ads",
                                         "--campaign", "c1"], environment: environment).contains("0 new grant(s), 1 already there"))
        let list = try PipelineProcess.run(["access", "list"], environment: environment)
        #expect(list.contains("\(role)\tdemo-school\tvk_ads\tc1") && list.contains("\(role)\tdemo-school\tvk_ads\tc2"), "\(list)")
        #expect(list.contains("\(BIQueries.readerRole)\t*\t*\t*"), "the default BI role sees every project:\n\(list)")

        // The role logs in and reads the bi views (no rows yet: nothing applied).
        let quiet = Logger(label: "ops-test") { _ in SwiftLogNoOpLogHandler() }
        let contractor = try PostgresConnection(
            connectionString: url.replacingOccurrences(of: "postgresql://postgres@", with: "postgresql://\(role):c0ntractor@"),
            logger: quiet)
        defer { contractor.close() }
        #expect(try contractor.execute("SELECT count(*) FROM bi.funnel_daily").rows[0].decode(0, as: Int.self) == 0)

        #expect(try PipelineProcess.run(["access", "revoke", role, "--project", "demo-school", "--network", "vk_ads",
                                         "--campaign", "c2"], environment: environment).contains("revoked 1 grant(s)"))
        #expect(try PipelineProcess.run(["access", "revoke", role], environment: environment).contains("revoked 1 grant(s)"))
        #expect(!(try PipelineProcess.run(["access", "list"], environment: environment)).contains(role))
    }

    @Test("bad input is refused naming the option, and nothing is granted", arguments: [
        (["access", "grant", "Bad-Role", "--project", "p"], "ROLE:"),
        (["access", "grant", "ops_x", "--project", "p", "--campaign", "c1"], "--campaign:"),
        (["access", "grant", "ops_x", "--project", ""], "--project:"),
        (["access", "grant", "ops_x_new_role", "--project", "p"], "--password-env:"),
        (["access", "grant", "ops_x", "--project", "p", "--password-env", "OPS_UNSET_VARIABLE"], "--password-env:"),
        (["access", "revoke", "ops_x", "--network", "vk_ads"], "--network:"),
    ])
    func refusals(arguments: [String], names option: String) throws {
        let (url, reader) = try BIQueries.migratedDatabase(prefix: "ops_access_bad")
        reader.close()
        do {
            _ = try PipelineProcess.run(arguments, environment: ["DATABASE_URL": url, "LOG_LEVEL": "error"])
            Issue.record("\(arguments) was accepted")
        } catch {
            #expect("\(error)".contains(option), "\(error)")
        }
        let quiet = Logger(label: "ops-test") { _ in SwiftLogNoOpLogHandler() }
        let admin = try PostgresConnection(connectionString: url, logger: quiet)
        defer { admin.close() }
        #expect(try admin.execute("SELECT count(*) FROM pipeline.access_grants WHERE role_name LIKE 'ops_x%'")
            .rows[0].decode(0, as: Int.self) == 0)
    }
}
