import Foundation

/// Per-project settings that change what a figure means: the calendar and the money unit.
public struct ProjectSettings: Sendable, Equatable {
    /// Days and months are calendar days in this zone. Default `Europe/Moscow`.
    public var timeZone: TimeZone
    /// Every amount is converted to this currency. Default `RUB`.
    public var baseCurrency: String

    public init(timeZone: TimeZone, baseCurrency: String) {
        self.timeZone = timeZone
        self.baseCurrency = baseCurrency
    }

    /// `Europe/Moscow` and `RUB`, SPEC §4's defaults.
    public static let `default` = ProjectSettings(
        timeZone: TimeZone(identifier: "Europe/Moscow")!, baseCurrency: "RUB")
}

/// The settings of every project: explicit ones, and a default for the rest.
public struct ProjectDirectory: Sendable, Equatable {
    public var defaults: ProjectSettings
    public var projects: [String: ProjectSettings]

    public init(defaults: ProjectSettings = .default, projects: [String: ProjectSettings] = [:]) {
        self.defaults = defaults
        self.projects = projects
    }

    public func settings(for project: String) -> ProjectSettings {
        projects[project] ?? defaults
    }
}
