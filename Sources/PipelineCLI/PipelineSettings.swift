import Aggregation
import ArgumentParser
import Events
import Foundation
import Kafka
import Logging

/// The configuration of every role, read in one place: defaults, then the file, then the environment.
struct PipelineSettings {
    var kafka = KafkaConfiguration(bootstrapServers: "127.0.0.1:9092")
    var databaseURL = ""
    var topics = EventTopics()
    var projects = ProjectDirectory()
    var workerGroupID = "school-workers"
    var migrationsDirectory: URL?

    /// Reads the file named by `--config` or `PIPELINE_CONFIG` (if any), then the environment.
    static func load(configPath: String?, environment: [String: String] = ProcessInfo.processInfo.environment)
        throws -> PipelineSettings
    {
        var settings = PipelineSettings()
        if let path = configPath ?? environment[EnvironmentVariable.configFile] {
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            let file: ConfigFile
            do {
                file = try JSONDecoder().decode(ConfigFile.self, from: data)
            } catch {
                throw ValidationError("config file \(path): \(describe(error))")
            }
            try settings.apply(file, path: path)
        }
        if let brokers = environment[EnvironmentVariable.kafkaBrokers], !brokers.isEmpty {
            settings.kafka.bootstrapServers = brokers
        }
        for (name, value) in environment where name.hasPrefix(EnvironmentVariable.kafkaPropertyPrefix) {
            let property = name.dropFirst(EnvironmentVariable.kafkaPropertyPrefix.count)
                .lowercased().replacingOccurrences(of: "_", with: ".")
            settings.kafka.properties[property] = value
        }
        settings.databaseURL = environment[EnvironmentVariable.databaseURL] ?? ""
        if let directory = environment[EnvironmentVariable.migrationsDirectory] {
            settings.migrationsDirectory = URL(fileURLWithPath: directory)
        }
        return settings
    }

    private mutating func apply(_ file: ConfigFile, path: String) throws {
        if let kafka = file.kafka {
            if let brokers = kafka.brokers { self.kafka.bootstrapServers = brokers }
            for (key, value) in kafka.properties ?? [:] {
                if key.contains("password") || key.contains("secret") {
                    throw ValidationError("config file \(path): kafka.properties.\(key): secrets belong in the environment (\(EnvironmentVariable.kafkaPropertyPrefix)…)")
                }
                self.kafka.properties[key] = value
            }
        }
        if let topics = file.topics {
            self.topics = EventTopics(
                clicks: topics.clicks ?? self.topics.clicks,
                registrations: topics.registrations ?? self.topics.registrations,
                orders: topics.orders ?? self.topics.orders,
                mails: topics.mails ?? self.topics.mails,
                chat: topics.chat ?? self.topics.chat,
                adStats: topics.adstats ?? self.topics.adStats,
                learning: topics.learning ?? self.topics.learning,
                deadLetter: topics.deadletter ?? self.topics.deadLetter)
        }
        if let defaults = file.projects?["default"] {
            projects.defaults = try defaults.settings(over: .default, field: "projects.default", path: path)
        }
        for (name, project) in file.projects ?? [:] where name != "default" {
            projects.projects[name] = try project.settings(
                over: projects.defaults, field: "projects.\(name)", path: path)
        }
        if let group = file.worker?.group_id { workerGroupID = group }
    }

    /// The JSON configuration file; every key optional.
    struct ConfigFile: Decodable {
        struct Kafka: Decodable { var brokers: String?; var properties: [String: String]? }
        struct Topics: Decodable {
            var clicks, registrations, orders, mails, chat, adstats, learning, deadletter: String?
        }
        struct Project: Decodable {
            var time_zone: String?
            var base_currency: String?

            func settings(over base: ProjectSettings, field: String, path: String) throws -> ProjectSettings {
                var result = base
                if let zone = time_zone {
                    guard let timeZone = TimeZone(identifier: zone) else {
                        throw ValidationError("config file \(path): \(field).time_zone: unknown time zone \"\(zone)\"")
                    }
                    result.timeZone = timeZone
                }
                if let currency = base_currency {
                    guard currency.count == 3, currency.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
                        throw ValidationError("config file \(path): \(field).base_currency: must be a 3-letter ISO 4217 code")
                    }
                    result.baseCurrency = currency
                }
                return result
            }
        }
        struct Worker: Decodable { var group_id: String? }
        var kafka: Kafka?
        var topics: Topics?
        var projects: [String: Project]?
        var worker: Worker?
    }

    /// The migrations directory: explicit, else `schemas/migrations` under the working
    /// directory, else beside the package the executable was built in.
    func resolvedMigrationsDirectory() throws -> URL {
        if let directory = migrationsDirectory { return directory }
        var candidates = [URL(fileURLWithPath: FileManager.default.currentDirectoryPath)]
        var executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        for _ in 0..<5 {
            executable.deleteLastPathComponent()
            candidates.append(executable)
        }
        for base in candidates {
            let directory = base.appendingPathComponent("schemas/migrations")
            if FileManager.default.fileExists(atPath: directory.path) { return directory }
        }
        throw ValidationError("migrations directory not found: run from the repository root or set \(EnvironmentVariable.migrationsDirectory)")
    }
}

/// A JSON decoding error as one line naming the key path and the problem.
func describe(_ error: Error) -> String {
    func path(_ context: DecodingError.Context) -> String {
        context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }.joined(separator: ".")
    }
    switch error as? DecodingError {
    case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
        return "\(path(context)): \(context.debugDescription)"
    case .keyNotFound(let key, let context):
        return "\(path(context)).\(key.stringValue): missing"
    default:
        return "\(error)"
    }
}

/// A logger for a role, at the level `LOG_LEVEL` names (default info), on standard error.
func makeLogger(_ label: String) -> Logger {
    var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
    let level = ProcessInfo.processInfo.environment[EnvironmentVariable.logLevel].flatMap(Logger.Level.init(rawValue:))
    logger.logLevel = level ?? .info
    return logger
}
