import Events

/// What the ingest server needs to know: where to listen, how much to accept and each project's credentials.
public struct IngestConfiguration: Sendable {
    /// Listen address. Default `127.0.0.1`.
    public var host: String
    /// Listen port. Default 8080.
    public var port: Int
    /// Largest request body accepted; larger bodies get 413. Default 1 MiB.
    public var maxBodyBytes: Int
    /// Projects by their environment name (`school-kz` → `SCHOOL_KZ`, see `ProjectCredentials.environmentName(of:)`).
    /// A project absent here is unknown: its requests get 401.
    public var projects: [String: ProjectCredentials]
    /// Where each event type goes. Default: the SPEC topic names.
    public var topics: EventTopics
    /// Longest wait for Kafka's answer to the readiness metadata request. Default 2 s.
    public var readinessTimeout: Duration

    public init(
        host: String = "127.0.0.1",
        port: Int = 8080,
        maxBodyBytes: Int = 1 << 20,
        projects: [String: ProjectCredentials] = [:],
        topics: EventTopics = EventTopics(),
        readinessTimeout: Duration = .seconds(2)
    ) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
        self.projects = projects
        self.topics = topics
        self.readinessTimeout = readinessTimeout
    }

    /// The credentials of the project named in a request path, if it is configured.
    public func credentials(of project: String) -> ProjectCredentials? {
        guard let name = ProjectCredentials.environmentName(of: project) else { return nil }
        return projects[name]
    }
}
