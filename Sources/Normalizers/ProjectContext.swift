import Events
import Foundation

/// The tenant a request belongs to: its name, its personal-data salt and the zone its zone-less local times are in.
public struct ProjectContext: Sendable, Hashable {
    public var project: String
    /// Secret per project, so an `email_sha256` cannot be reversed with a table of hashed addresses
    /// nor joined across schools.
    public var salt: String
    /// GetCourse "call URL" dates (`2026-01-15 09:00:00`) carry no offset; they are account-local times.
    public var timeZone: TimeZone

    public init(project: String, salt: String, timeZone: TimeZone = .projectDefault) {
        self.project = project
        self.salt = salt
        self.timeZone = timeZone
    }
}
