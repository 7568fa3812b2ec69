import Events

/// Registrations per project and local day: the first aggregate, computed without I/O.
public struct RegistrationDayCounts: Sendable, Equatable {
    /// The key of one row of `pipeline.registrations_daily`.
    public struct Key: Sendable, Hashable, Comparable {
        public var project: String
        public var day: LocalDate

        public init(project: String, day: LocalDate) {
            self.project = project
            self.day = day
        }

        public static func < (lhs: Key, rhs: Key) -> Bool {
            (lhs.project, lhs.day) < (rhs.project, rhs.day)
        }
    }

    /// How much each row grows; combined per key so a batch costs one upsert per row.
    public private(set) var increments: [Key: Int] = [:]

    public init() {}

    /// Counts the registrations among `events` (other types are not this aggregate's).
    public init(_ events: some Sequence<Event>, projects: ProjectDirectory) {
        for event in events {
            guard case .registration = event.data else { continue }
            let zone = projects.settings(for: event.project).timeZone
            increments[Key(project: event.project, day: localDate(of: event.occurredAt, in: zone)), default: 0] += 1
        }
    }
}
