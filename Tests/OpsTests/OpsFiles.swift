import Foundation
import PipelineTestSupport

/// The operations files of the repository, read as the tools that use them read them.
enum OpsFiles {
    /// The repository root: <root>/Tests/OpsTests/OpsFiles.swift.
    static let root = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static func url(_ relativePath: String) -> URL { root.appendingPathComponent(relativePath) }

    static func text(_ relativePath: String) throws -> String {
        try String(contentsOf: url(relativePath), encoding: .utf8)
    }

    /// A YAML file as JSON values, read by PyYAML (what ops/setup.sh installs for the schema tests):
    /// no YAML parser is worth a package dependency here.
    static func yaml(_ relativePath: String) throws -> Any {
        let output = try run("/usr/bin/env", [
            "python3", "-c", "import json, sys, yaml; json.dump(yaml.safe_load(open(sys.argv[1])), sys.stdout)",
            url(relativePath).path,
        ])
        return try JSONSerialization.jsonObject(with: Data(output.utf8))
    }

    static func json(_ relativePath: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(contentsOf: url(relativePath)))
    }

    /// Runs a program to completion and returns its standard output; a non-zero exit throws with its output.
    @discardableResult
    static func run(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
        let outputFile = FileManager.default.temporaryDirectory.appendingPathComponent("ops-run-\(UUID())")
        defer { try? FileManager.default.removeItem(at: outputFile) }
        // Output in a file, not a pipe: a background process a script leaves behind cannot keep us reading.
        let process = try ChildProcess(
            executable: executable, arguments: arguments, environment: environment, workingDirectory: root.path,
            standardOutput: .file(outputFile.path), standardError: .standardOutput)
        let ended = process.wait()
        let output = try String(contentsOf: outputFile, encoding: .utf8)
        guard ended.status == 0 else {
            throw OpsTestError("\(executable) \(arguments.joined(separator: " ")) exited with \(ended.status): \(output)")
        }
        return output
    }

    /// Every dashboard file of ops/grafana/dashboards.
    static func dashboardFiles() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url("ops/grafana/dashboards").path)
            .filter { $0.hasSuffix(".json") }.sorted().map { "ops/grafana/dashboards/\($0)" }
    }

    /// Every query of every dashboard: panel targets (rows' nested panels too) and template variables.
    static func dashboardQueries() throws -> [DashboardQuery] {
        var queries: [DashboardQuery] = []
        for file in try dashboardFiles() {
            guard let dashboard = try json(file) as? [String: Any] else { throw OpsTestError("\(file): not an object") }
            var panels = dashboard["panels"] as? [[String: Any]] ?? []
            while !panels.isEmpty {
                let panel = panels.removeFirst()
                panels += panel["panels"] as? [[String: Any]] ?? []
                let title = panel["title"] as? String ?? "?"
                for target in panel["targets"] as? [[String: Any]] ?? [] {
                    let source = (target["datasource"] as? [String: Any] ?? panel["datasource"] as? [String: Any])?["uid"] as? String
                    if let expression = target["expr"] as? String {
                        queries.append(DashboardQuery(file: file, title: title, dataSource: source ?? "", text: expression))
                    }
                    if let sql = target["rawSql"] as? String {
                        queries.append(DashboardQuery(file: file, title: title, dataSource: source ?? "", text: sql))
                    }
                }
            }
            for variable in (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? [] {
                guard let query = variable["query"] as? String else { continue }
                let source = (variable["datasource"] as? [String: Any])?["uid"] as? String ?? ""
                queries.append(DashboardQuery(
                    file: file, title: "variable \(variable["name"] as? String ?? "?")", dataSource: source, text: query))
            }
        }
        return queries
    }

    /// The alert rules of ops/prometheus/alerts.yml.
    static func alertRules() throws -> [AlertRule] {
        guard let file = try yaml("ops/prometheus/alerts.yml") as? [String: Any],
              let groups = file["groups"] as? [[String: Any]]
        else { throw OpsTestError("alerts.yml: no groups") }
        return groups.flatMap { group in
            (group["rules"] as? [[String: Any]] ?? []).compactMap { rule -> AlertRule? in
                guard let name = rule["alert"] as? String else { return nil }
                let annotations = rule["annotations"] as? [String: String] ?? [:]
                return AlertRule(name: name, expression: rule["expr"] as? String ?? "", runbookURL: annotations["runbook_url"])
            }
        }
    }

    /// The saved questions ops/metabase/setup.py creates, by file name.
    static func metabaseQuestions() throws -> [(name: String, sql: String)] {
        let folder = "ops/metabase/questions"
        return try FileManager.default.contentsOfDirectory(atPath: url(folder).path)
            .filter { $0.hasSuffix(".sql") }.sorted()
            .map { ($0, try text("\(folder)/\($0)")) }
    }
}

/// One query of a dashboard: a PromQL expression or a SQL statement, with where it comes from.
struct DashboardQuery: CustomStringConvertible {
    let file: String
    let title: String
    /// The data source's uid: `prometheus` or `bi-postgres`.
    let dataSource: String
    let text: String

    var description: String { "\(file) «\(title)»" }
}

/// One Prometheus alert rule.
struct AlertRule {
    let name: String
    let expression: String
    let runbookURL: String?
}

struct OpsTestError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
