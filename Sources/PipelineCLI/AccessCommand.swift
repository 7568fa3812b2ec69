import ArgumentParser
import Foundation
import Migrations
import Postgres

/// `pipeline access`: which rows of the `bi` views each BI role may read (SPEC §6).
struct AccessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "access",
        abstract: "Grant, revoke and list what BI roles may read; PostgreSQL enforces it for every BI tool.",
        discussion: """
            A role granted a project sees that project's rows of every bi view and function; a role granted \
            a project and a network (optionally some campaigns) sees only the rows of those ads in the \
            ad-level views (funnel_daily, traffic_report, traffic_summary, creative_daily, creative_burnout, \
            deal_funnel_daily, attribution_compare, ads) and no row of the others; a role with no grant sees nothing. Grants add up and take effect on \
            the role's next query.
            """,
        subcommands: [AccessGrantCommand.self, AccessRevokeCommand.self, AccessListCommand.self])
}

/// Runs `body` on a connection to the configured database; a refusal of `AccessControl` becomes a
/// usage error, which names the option and exits non-zero.
private func withAccess<T>(_ global: GlobalOptions, _ body: (PostgresConnection) throws -> T) throws -> T {
    let settings = try global.settings()
    let connection = try PostgresConnection(connectionString: settings.databaseURL, logger: makeLogger("pipeline.access"))
    defer { connection.close() }
    do {
        return try body(connection)
    } catch let error as MigrationError {
        throw ValidationError(error.description)
    }
}

/// `pipeline access grant`: adds grants, creating the login role if it is missing.
struct AccessGrantCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grant",
        abstract: "Let ROLE read a project, or one network's ads in it (optionally some campaigns).")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The BI login role (a-z, 0-9, _); created if missing.")
    var role: String

    @Option(help: "The project (school) whose rows the role may read.")
    var project: String

    @Option(help: "Only this network's ads (as in ad_stats: yandex_direct, vk_ads, meta, google_ads, ...), in the ad-level views.")
    var network: String?

    @Option(name: .customLong("campaign"), help: "Only this campaign of the network; repeat for several.")
    var campaigns: [String] = []

    @Option(help: "Environment variable holding the role's password: needed to create the role, else sets it.")
    var passwordEnv: String?

    func validate() throws {
        do {
            _ = try AccessControl.grants(role: role, project: project, network: network, campaigns: campaigns)
        } catch let error as MigrationError {
            throw ValidationError(error.description)
        }
        if let passwordEnv, ProcessInfo.processInfo.environment[passwordEnv, default: ""].isEmpty {
            throw ValidationError("--password-env: environment variable \(passwordEnv) is not set or empty")
        }
    }

    func run() throws {
        let grants = try AccessControl.grants(role: role, project: project, network: network, campaigns: campaigns)
        let password = passwordEnv.map { ProcessInfo.processInfo.environment[$0, default: ""] }
        let added = try withAccess(global) { try AccessControl().grant(grants, password: password, in: $0) }
        for grant in grants { print("granted \(grant)") }
        print("\(added) new grant(s), \(grants.count - added) already there")
    }
}

/// `pipeline access revoke`: removes grants.
struct AccessRevokeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Remove ROLE's grants: all of them, or those of a project, a network or some campaigns.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The BI role.")
    var role: String

    @Option(help: "Only the grants of this project.")
    var project: String?

    @Option(help: "Only the grants of this network (with --project).")
    var network: String?

    @Option(name: .customLong("campaign"), help: "Only the grants of this campaign (with --network); repeat for several.")
    var campaigns: [String] = []

    func run() throws {
        let removed = try withAccess(global) {
            try AccessControl().revoke(role: role, project: project, network: network, campaigns: campaigns, in: $0)
        }
        print("revoked \(removed) grant(s) of \(role)")
    }
}

/// `pipeline access list`: every grant.
struct AccessListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List every grant: role, project, network, campaign.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        let grants = try withAccess(global) { try AccessControl().list(in: $0) }
        print("role\tproject\tnetwork\tcampaign")
        for grant in grants {
            print("\(grant.role)\t\(grant.project ?? "*")\t\(grant.network ?? "*")\t\(grant.campaignID ?? "*")")
        }
    }
}
