import Logging
import Postgres

/// One grant of `pipeline.access_grants`: which rows of the `bi` views a role may read (SPEC §6).
public struct AccessGrant: Sendable, Hashable, CustomStringConvertible {
    public var role: String
    /// nil: every project (the default BI role).
    public var project: String?
    /// nil: the whole project, every view; else only this network's ads, in the ad-level views.
    public var network: String?
    /// nil: every campaign of the network.
    public var campaignID: String?

    public init(role: String, project: String?, network: String? = nil, campaignID: String? = nil) {
        self.role = role
        self.project = project
        self.network = network
        self.campaignID = campaignID
    }

    public var description: String {
        var text = "\(role): project \(project ?? "*")"
        if let network { text += ", network \(network)" }
        if let campaignID { text += ", campaign \(campaignID)" }
        return text
    }
}

/// Grants, revokes and lists what BI roles may read. PostgreSQL enforces it: the `bi` views keep
/// only the rows of the querying role's grants (`bi_all.my_grants`), and a granted role gets
/// USAGE on schema `bi` and SELECT/EXECUTE on its views and functions, nothing else.
public struct AccessControl: Sendable {
    public init() {}

    /// A role name we create and quote: lowercase letters, digits and `_`, not starting with a
    /// digit, at most 63 bytes, and not one of PostgreSQL's own (`pg_…`).
    public static func checkRoleName(_ role: String) throws {
        let scalars = Array(role.unicodeScalars)
        let valid = !scalars.isEmpty && scalars.count <= 63
            && scalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "_" }
            && !("0"..."9").contains(scalars[0])
        guard valid else {
            throw MigrationError.access("ROLE: \"\(role)\" must be 1 to 63 of a-z, 0-9 and _, not starting with a digit")
        }
        guard !role.hasPrefix("pg_") else { throw MigrationError.access("ROLE: \"\(role)\" is reserved by PostgreSQL (pg_…)") }
    }

    /// The grants `grant` adds: one per campaign, or one for the network or the whole project.
    public static func grants(role: String, project: String, network: String?, campaigns: [String]) throws -> [AccessGrant] {
        try checkRoleName(role)
        guard !project.isEmpty else { throw MigrationError.access("--project: must not be empty") }
        if let network, network.isEmpty { throw MigrationError.access("--network: must not be empty") }
        guard campaigns.isEmpty || network != nil else {
            throw MigrationError.access("--campaign: needs --network (a campaign belongs to one network)")
        }
        guard network == nil || campaigns.allSatisfy({ !$0.isEmpty }) else {
            throw MigrationError.access("--campaign: must not be empty")
        }
        guard !campaigns.isEmpty else { return [AccessGrant(role: role, project: project, network: network)] }
        return campaigns.map { AccessGrant(role: role, project: project, network: network, campaignID: $0) }
    }

    /// Adds `grants` (all of one role), creating the login role with `password` if it does not exist
    /// (setting `password` if it does and one is given). One transaction; effective on the role's next query.
    /// Returns how many grants were new.
    @discardableResult
    public func grant(_ grants: [AccessGrant], password: String?, in connection: PostgresConnection) throws -> Int {
        guard let role = grants.first?.role else { return 0 }
        precondition(grants.allSatisfy { $0.role == role }, "grants of one role at a time")
        try Self.checkRoleName(role)
        return try connection.transaction {
            let existing = try connection.execute(
                """
                SELECT r.rolsuper OR pg_has_role(r.oid, (SELECT nspowner FROM pg_namespace WHERE nspname = 'pipeline'), 'USAGE')
                FROM pg_roles r WHERE r.rolname = $1
                """, [role]).rows
            if let row = existing.first {
                guard try !row.decode(0, as: Bool.self) else {
                    throw MigrationError.access("ROLE: \(role) is a superuser or owns the pipeline's tables: it sees everything whatever it is granted")
                }
                if let password { try Self.run("ALTER ROLE %I LOGIN PASSWORD %L", role, password, connection) }
            } else {
                guard let password, !password.isEmpty else {
                    throw MigrationError.access("--password-env: role \(role) does not exist yet; name an environment variable holding its password")
                }
                try Self.run("CREATE ROLE %I LOGIN PASSWORD %L", role, password, connection)
            }
            let added = try connection.execute(
                """
                INSERT INTO pipeline.access_grants (role_name, project, network, campaign_id)
                SELECT $1, g.project, g.network, g.campaign_id
                FROM unnest($2::text[], $3::text[], $4::text[]) AS g(project, network, campaign_id)
                ON CONFLICT DO NOTHING
                RETURNING 1
                """,
                [role, grants.map(\.project), grants.map(\.network), grants.map(\.campaignID)]).rows.count
            try Self.grantPrivileges(to: role, connection)
            return added
        }
    }

    /// Removes the role's grants within the scope named (none: all of them; a project: its every
    /// grant there; a network: those of that network; campaigns: those rows). A role left without
    /// grants also loses its privileges on schema `bi`. Returns how many grants were removed.
    @discardableResult
    public func revoke(
        role: String, project: String?, network: String?, campaigns: [String], in connection: PostgresConnection
    ) throws -> Int {
        try Self.checkRoleName(role)
        guard network == nil || project != nil else { throw MigrationError.access("--network: needs --project") }
        guard campaigns.isEmpty || network != nil else { throw MigrationError.access("--campaign: needs --network") }
        return try connection.transaction {
            let removed = try connection.execute(
                """
                DELETE FROM pipeline.access_grants
                WHERE role_name = $1
                  AND ($2::text IS NULL OR project = $2)
                  AND ($3::text IS NULL OR network = $3)
                  AND (cardinality($4::text[]) = 0 OR campaign_id = ANY($4::text[]))
                RETURNING 1
                """, [role, project, network, campaigns]).rows.count
            let left = try connection.execute("SELECT 1 FROM pipeline.access_grants WHERE role_name = $1", [role]).rows
            let exists = try connection.execute("SELECT 1 FROM pg_roles WHERE rolname = $1", [role]).rows.count == 1
            if left.isEmpty, exists {
                for template in [
                    "REVOKE ALL ON ALL TABLES IN SCHEMA bi FROM %I", "REVOKE ALL ON ALL FUNCTIONS IN SCHEMA bi FROM %I",
                    "REVOKE ALL ON SCHEMA bi FROM %I",
                ] {
                    try Self.run(template, role, nil, connection)
                }
            }
            return removed
        }
    }

    /// Every grant, by role, then project (every project first), network and campaign.
    public func list(in connection: PostgresConnection) throws -> [AccessGrant] {
        try connection.execute(
            """
            SELECT role_name, project, network, campaign_id FROM pipeline.access_grants
            ORDER BY role_name COLLATE "C", project COLLATE "C" NULLS FIRST, network COLLATE "C" NULLS FIRST,
                     campaign_id COLLATE "C" NULLS FIRST
            """
        ).rows.map { row in
            AccessGrant(role: try row.decode(0, as: String.self), project: try row.decodeIfPresent(1, as: String.self),
                        network: try row.decodeIfPresent(2, as: String.self),
                        campaignID: try row.decodeIfPresent(3, as: String.self))
        }
    }

    /// What a granted role may use: the `bi` schema's views and functions, nothing else. Granted
    /// again whenever the views are re-created (`Migrator.applyViews`).
    static func grantPrivileges(to role: String, _ connection: PostgresConnection) throws {
        for template in [
            "GRANT USAGE ON SCHEMA bi TO %I", "GRANT SELECT ON ALL TABLES IN SCHEMA bi TO %I",
            "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA bi TO %I",
        ] {
            try run(template, role, nil, connection)
        }
    }

    /// Runs a statement whose identifier (and literal) are quoted server-side by format('%I', '%L'):
    /// identifiers cannot be bound parameters, and nothing here is interpolated. A template without
    /// `%L` leaves `literal` unused (format ignores extra arguments).
    static func run(_ template: String, _ identifier: String, _ literal: String?, _ connection: PostgresConnection) throws {
        let statement = try connection.execute(
            "SELECT format($1, $2::text, $3::text)", [template, identifier, literal]
        ).rows[0].decode(0, as: String.self)
        try connection.executeScript(statement)
    }
}
