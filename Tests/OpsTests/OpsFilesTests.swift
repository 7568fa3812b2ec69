import Foundation
import Testing

@Suite("ops files: metric names, alerts, runbook, Grafana macros")
struct OpsFilesTests {
    /// What `pipeline poll` exposes: the names the dashboards and alerts may read of it.
    static let pollMetrics: Set<String> = [
        "pipeline_poll_runs_total", "pipeline_poll_rows_total", "pipeline_poll_last_success_seconds",
        "pipeline_poll_account_runs_total", "pipeline_poll_token_expiry_seconds", "pipeline_poll_token_renewable",
        "pipeline_poll_token_renewal_failing",
    ]

    /// Every `pipeline_*` name the dashboards and alert rules read.
    static func referencedMetrics() throws -> [String: [String]] {
        var names: [String: [String]] = [:]
        for query in try OpsFiles.dashboardQueries() where query.dataSource == "prometheus" {
            for name in MetricNames.referenced(in: query.text) { names[name, default: []].append(query.description) }
        }
        for rule in try OpsFiles.alertRules() {
            for name in MetricNames.referenced(in: rule.expression) { names[name, default: []].append("alert \(rule.name)") }
        }
        return names
    }

    @Test("metric names are read out of PromQL expressions", arguments: [
        ("sum by (topic) (rate(pipeline_ingest_events_total[5m]))", ["pipeline_ingest_events_total"]),
        ("histogram_quantile(0.95, sum by (le) (rate(pipeline_worker_batch_duration_seconds_bucket[$__rate_interval])))",
         ["pipeline_worker_batch_duration_seconds_bucket"]),
        ("pipeline_poll_last_success_seconds > 0 and time() - pipeline_poll_last_success_seconds > 6 * 3600",
         ["pipeline_poll_last_success_seconds"]),
        ("sum(rate(pipeline_ingest_requests_total{status=~\"5..\"}[5m])) / sum(rate(pipeline_ingest_requests_total[5m]))",
         ["pipeline_ingest_requests_total"]),
        ("my_pipeline_thing + up{job=\"worker\"}", []),
    ])
    func referencedNames(expression: String, expected: [String]) {
        #expect(MetricNames.referenced(in: expression) == Set(expected))
    }

    @Test("sample names and values are read out of a Prometheus exposition")
    func exposedNames() {
        let exposition = """
            # TYPE pipeline_worker_messages_total counter
            pipeline_worker_messages_total{topic="school.clicks"} 3
            pipeline_worker_messages_total{topic="school.orders"} 0
            pipeline_worker_messages_total_extra 9
            # TYPE pipeline_worker_batch_duration_seconds histogram
            pipeline_worker_batch_duration_seconds_bucket{le="0.005"} 0
            pipeline_worker_batch_duration_seconds_count 0
            pipeline_worker_last_batch_timestamp_seconds 1764000000.5

            """
        #expect(MetricNames.exposed(in: exposition) == [
            "pipeline_worker_messages_total", "pipeline_worker_messages_total_extra",
            "pipeline_worker_batch_duration_seconds_bucket", "pipeline_worker_batch_duration_seconds_count",
            "pipeline_worker_last_batch_timestamp_seconds",
        ])
        #expect(MetricNames.samples(of: "pipeline_worker_messages_total", in: exposition) == [
            "topic=\"school.clicks\"": 3, "topic=\"school.orders\"": 0,
        ])
        #expect(MetricNames.samples(of: "pipeline_worker_last_batch_timestamp_seconds", in: exposition) == ["": 1_764_000_000.5])
    }

    @Test("every dashboard and alert reads only metrics the roles or the pollers expose, and the pollers' names are SPEC'd ones")
    func pollerNamesAreTheAgreedOnes() throws {
        let referenced = try Self.referencedMetrics()
        let polled = Set(referenced.keys.filter { $0.hasPrefix("pipeline_poll_") })
        #expect(polled.isSubset(of: Self.pollMetrics), "unknown poller metrics: \(polled.subtracting(Self.pollMetrics))")
        // The alerts and the health dashboard must watch the pollers at all.
        #expect(polled == Self.pollMetrics)
    }

    @Test("the dashboards use only the provisioned data sources, and the three dashboards exist")
    func dataSources() throws {
        #expect(try OpsFiles.dashboardFiles() == ["ops/grafana/dashboards/business.json", "ops/grafana/dashboards/engagement.json",
                                                  "ops/grafana/dashboards/pipeline-health.json"])
        let provisioned = try OpsFiles.yaml("ops/grafana/provisioning/datasources/datasources.yml") as? [String: Any]
        let uids = Set((provisioned?["datasources"] as? [[String: Any]] ?? []).compactMap { $0["uid"] as? String })
        #expect(uids == ["prometheus", "bi-postgres"])
        for query in try OpsFiles.dashboardQueries() {
            #expect(uids.contains(query.dataSource), "\(query) uses data source \(query.dataSource)")
        }
    }

    @Test("GitHub-style anchors of runbook headings", arguments: [
        ("Consumer lag growing", "consumer-lag-growing"),
        ("Ingest 5xx", "ingest-5xx"),
        ("Dead letters: appearing!", "dead-letters-appearing"),
    ])
    func anchors(heading: String, anchor: String) {
        #expect(Runbook.anchor(of: heading) == anchor)
    }

    @Test("every alert has a summary and a runbook_url naming an existing section of ops/RUNBOOK.md")
    func alertsHaveRunbooks() throws {
        let rules = try OpsFiles.alertRules()
        #expect(rules.count >= 5)
        let sections = try Runbook.anchors(in: OpsFiles.text("ops/RUNBOOK.md"))
        for rule in rules {
            guard let url = rule.runbookURL else {
                Issue.record("alert \(rule.name) has no runbook_url")
                continue
            }
            let parts = url.split(separator: "#", maxSplits: 1).map(String.init)
            #expect(parts.count == 2 && parts[0] == "ops/RUNBOOK.md", "alert \(rule.name): \(url)")
            #expect(parts.count == 2 && sections.contains(parts[1]), "alert \(rule.name): no section #\(parts.last ?? "") in ops/RUNBOOK.md")
        }
        // The alerts the issue asks for, by what they watch.
        let watched = rules.map(\.expression).joined(separator: "\n")
        for metric in ["pipeline_worker_consumer_lag", "pipeline_worker_dead_letters_total", "pipeline_ingest_requests_total",
                       "pipeline_poll_runs_total", "up{job=\"worker\"}"] {
            #expect(watched.contains(metric), "no alert watches \(metric)")
        }
    }

    @Test("the runbook's own links point at its sections")
    func runbookLinks() throws {
        let text = try OpsFiles.text("ops/RUNBOOK.md")
        let sections = Runbook.anchors(in: text)
        var rest = Substring(text)
        while let link = rest.range(of: "](#") {
            let end = rest[link.upperBound...].firstIndex(of: ")") ?? rest.endIndex
            let anchor = String(rest[link.upperBound..<end])
            #expect(sections.contains(anchor), "RUNBOOK.md links to missing #\(anchor)")
            rest = rest[end...]
        }
    }

    @Test("Grafana macros and variables expand as Grafana expands them; anything else is refused")
    func grafanaMacros() throws {
        let from = "2026-10-01T00:00:00Z", to = "2026-10-31T23:59:59Z"
        #expect(try GrafanaSQL.expand(
            "SELECT 1 FROM t WHERE project = '$project' AND day BETWEEN $__timeFrom()::date AND $__timeTo()::date",
            from: from, to: to, variables: ["project": "demo-school"])
            == "SELECT 1 FROM t WHERE project = 'demo-school' AND day BETWEEN '2026-10-01T00:00:00Z'::date AND '2026-10-31T23:59:59Z'::date")
        #expect(try GrafanaSQL.expand("WHERE $__timeFilter(day) AND p = '${project}'", from: from, to: to, variables: ["project": "x"])
            == "WHERE day BETWEEN '2026-10-01T00:00:00Z' AND '2026-10-31T23:59:59Z' AND p = 'x'")
        #expect(throws: GrafanaSQL.UnknownMacro.self) {
            try GrafanaSQL.expand("SELECT $__timeGroup(day, 1d)", from: from, to: to, variables: [:])
        }
        #expect(throws: GrafanaSQL.UnknownMacro.self) {
            try GrafanaSQL.expand("WHERE school = '$school'", from: from, to: to, variables: ["project": "x"])
        }
    }

    @Test("the business dashboard's filters: product, offer, tag kind and value, funnel — multi-select with All, each used by a panel")
    func businessVariables() throws {
        guard let dashboard = try OpsFiles.json("ops/grafana/dashboards/business.json") as? [String: Any] else {
            throw OpsTestError("business.json: not an object")
        }
        let variables = (dashboard["templating"] as? [String: Any])?["list"] as? [[String: Any]] ?? []
        let filters = ["product", "offer", "tag_kind", "tag_value", "funnel"]
        #expect(variables.compactMap { $0["name"] as? String } == ["project"] + filters)
        let panels = try OpsFiles.dashboardQueries().filter { $0.file.hasSuffix("business.json") && !$0.title.hasPrefix("variable ") }
        for variable in variables where filters.contains(variable["name"] as? String ?? "") {
            let name = variable["name"] as? String ?? "?"
            #expect(variable["multi"] as? Bool == true && variable["includeAll"] as? Bool == true, "\(name)")
            // All inserts this literal as it is; the filters test for it, so that All needs no list of every value
            // (an empty list would be `IN ()`, a syntax error) and also keeps rows whose value is NULL.
            #expect(variable["allValue"] as? String == "'__all__'", "\(name)")
            let using = panels.filter { $0.text.contains("('__all__' IN ($\(name)) OR ") }
            #expect(!using.isEmpty, "no panel filters by $\(name)")
            for panel in panels where panel.text.contains("$\(name)") {
                #expect(panel.text.components(separatedBy: "$\(name)").count - 1
                        == 2 * (panel.text.components(separatedBy: "('__all__' IN ($\(name)) OR ").count - 1),
                        "\(panel) uses $\(name) outside the All-or-selection filter")
            }
        }
        // Names beside ids: every panel that shows campaigns, ads or managers reads their names.
        for title in ["Campaigns: ROMI, ROAS, ДРР", "Creatives by status", "Sales managers", "Attribution: first touch and deal",
                      "Deal attribution by funnel"] {
            let panel = panels.first { $0.title == title }
            #expect(panel?.text.contains("bi.ads") == true || panel?.text.contains("bi.managers n") == true, "\(title)")
        }
    }

    @Test("multi-value variables expand to Grafana's quoted list")
    func grafanaMultiValue() throws {
        #expect(try GrafanaSQL.expand(
            "WHERE ('__all__' IN ($product) OR product IN ($product)) AND project = '$project'",
            from: "", to: "", variables: ["product": BIQueries.someChosen["product"]!, "project": "p"])
            == "WHERE ('__all__' IN ('Course A','') OR product IN ('Course A','')) AND project = 'p'")
        #expect(BIQueries.someChosen["offer"] == "'it''s VIP'")
    }

    @Test("ops/check-compose.sh passes: the compose file parses, runs real subcommands, and is scraped")
    func checkCompose() throws {
        let output = try OpsFiles.run(
            "/bin/bash", [OpsFiles.url("ops/check-compose.sh").path],
            environment: ["PIPELINE_BIN": try PipelineProcess.executable().path])
        #expect(output.contains("check-compose: worker → pipeline worker"))
        #expect(output.contains("check-compose: Prometheus scrapes worker:9100"))
        #expect(output.contains("check-compose: Prometheus scrapes ingest:8080"))
    }
}

/// Section anchors of a Markdown file, as GitHub renders them.
enum Runbook {
    static func anchor(of heading: String) -> String {
        String(heading.lowercased().unicodeScalars.compactMap { scalar -> Character? in
            if scalar == " " { return "-" }
            if scalar == "-" || scalar == "_" || CharacterSet.alphanumerics.contains(scalar) { return Character(scalar) }
            return nil
        })
    }

    static func anchors(in markdown: String) -> Set<String> {
        Set(markdown.split(separator: "\n").filter { $0.hasPrefix("#") }.map {
            anchor(of: $0.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces))
        })
    }
}
