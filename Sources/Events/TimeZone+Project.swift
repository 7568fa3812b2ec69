import Foundation

extension TimeZone {
    /// The time zone a project's days and months use unless configured otherwise (SPEC §4).
    public static let projectDefaultIdentifier = "Europe/Moscow"

    /// `Europe/Moscow`; traps at first use if the system has no time zone database, since no day could be computed anyway.
    public static var projectDefault: TimeZone {
        guard let zone = TimeZone(identifier: projectDefaultIdentifier) else {
            fatalError("time zone \(projectDefaultIdentifier) is not available; install tzdata")
        }
        return zone
    }
}
