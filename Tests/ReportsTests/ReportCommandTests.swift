import Foundation
import PipelineTestSupport
import Testing

/// The real `pipeline report` and `pipeline digest` processes on the data set: the page opened in
/// headless Chromium (one run: DOM and screenshot), the digest sent to a fake Telegram.
@Suite("pipeline report and digest, end to end")
struct ReportCommandTests {
    static func pipelineExecutable() throws -> URL { try PipelineExecutable.url() }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// What a finished process left behind.
    struct Outcome {
        let status: Int32
        let output: String
        let errors: String
    }

    /// Runs a program to its end with its output in files (a pipe can hang when a grandchild keeps it
    /// open), waiting without blocking a thread of the concurrency pool.
    static func run(_ executable: URL, _ arguments: [String], environment: [String: String] = [:],
                    in directory: URL) async throws -> Outcome {
        let name = UUID().uuidString
        let outURL = directory.appendingPathComponent("\(name).out")
        let errURL = directory.appendingPathComponent("\(name).err")
        let process = try ChildProcess(
            executable: executable.path, arguments: arguments, environment: environment,
            standardOutput: .file(outURL.path), standardError: .file(errURL.path))
        let status = try await onOwnThread { process.wait().status }
        return Outcome(status: status,
                       output: (try? String(contentsOf: outURL, encoding: .utf8)) ?? "",
                       errors: (try? String(contentsOf: errURL, encoding: .utf8)) ?? "")
    }

    static func temporaryDirectory() throws -> URL {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("report-test-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory
    }

    @Test("the report opened in headless Chromium: every section present and filled, a full-size, non-blank screenshot")
    func chromium() async throws {
        let databaseURL = try await ReportDataSet.databaseURL()
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let page = directory.appendingPathComponent("report.html")

        let report = try await Self.run(
            try Self.pipelineExecutable(),
            ["report", "--project", ReportDataSet.project, "--from", "2026-03-08", "--to", "2026-03-14", "--output", page.path],
            environment: ["DATABASE_URL": databaseURL], in: directory)
        #expect(report.status == 0, "\(report.errors)")
        #expect(report.output.hasPrefix("wrote \(page.path) ("))
        let written = try String(contentsOf: page, encoding: .utf8)

        // One Chromium run gives both the DOM after parsing and layout, and the screenshot.
        let screenshot = directory.appendingPathComponent("report.png")
        let browser = try await Self.run(
            URL(fileURLWithPath: "/usr/bin/chromium"),
            ["--headless", "--no-sandbox", "--disable-gpu", "--user-data-dir=\(directory.appendingPathComponent("profile").path)",
             "--dump-dom", "--screenshot=\(screenshot.path)", "--window-size=1280,4000", page.absoluteString],
            in: directory)
        #expect(browser.status == 0, "\(browser.errors)")
        let dom = PageText(browser.output)

        #expect(dom.sectionIDs == ["headline", "daily", "funnel", "products", "launches", "traffic", "attribution", "cohorts",
                                   "creatives", "mailings", "managers", "community", "learning", "webinars", "retention",
                                   "repeat"])
        for id in dom.sectionIDs {
            let section = dom.section(id)
            #expect(!section.contains("class=\"empty\""), "section \(id) says it has no data")
            let cells = dom.rows(in: id).flatMap { $0 }.filter { !$0.isEmpty }
            let marks = ["<rect ", "<path ", "<circle "].map { section.components(separatedBy: $0).count - 1 }.reduce(0, +)
            #expect(!cells.isEmpty || marks > 0 || section.contains("class=\"card\""), "section \(id) is empty")
        }
        // The browser read the markup as written: the same tables, cell for cell, as the file holds.
        let file = PageText(written)
        for id in ["products", "launches", "traffic", "attribution", "cohorts", "creatives", "mailings", "managers", "community",
                   "learning", "webinars", "retention", "repeat"] {
            #expect(dom.rows(in: id) == file.rows(in: id), "section \(id)")
            #expect(!dom.rows(in: id).isEmpty, "section \(id)")
        }
        #expect(dom.section("headline").components(separatedBy: "class=\"card\"").count - 1 == 16)
        #expect(PageText.plain(dom.section("headline")).contains(
            "data-metric=\"revenue\"><div class=\"label\">Revenue</div><div class=\"value\">24 900.00</div>"))
        #expect(dom.rows(in: "traffic").last == [
            "Total", "", "", "9 600.00", "4 700", "170", "6", "4", "6", "5", "24 900.00", "3 000.00",
            "56.47", "2 400.00", "1 600.00", "1 920.00", "128.1 %", "2.59", "43.8 %", "4 100.00",
        ])
        // Names reach the page from the database, escaped, beside their ids.
        #expect(dom.rows(in: "managers").first?.first == "Анна Петрова (m-anna)")
        #expect(dom.rows(in: "attribution").last?.first == "Total")
        #expect(dom.section("daily").components(separatedBy: "<rect ").count - 1 == 14)
        #expect(dom.section("creatives").components(separatedBy: "<path ").count - 1 == 4)

        // REPORTS_TEST_OUTPUT=DIR keeps the page and its screenshot for a human to look at.
        if let keep = ProcessInfo.processInfo.environment["REPORTS_TEST_OUTPUT"] {
            for file in [page, screenshot] {
                let target = URL(fileURLWithPath: keep).appendingPathComponent(file.lastPathComponent)
                try? FileManager.default.removeItem(at: target)
                try FileManager.default.copyItem(at: file, to: target)
            }
        }
        let image = try PNGImage(Array(try Data(contentsOf: screenshot)))
        #expect(image.width == 1280 && image.height == 4000)
        var colours = Set<Int>()
        var contentRows = 0
        var lastContentRow = -1
        for y in 0..<image.height {
            let first = image.rgb(x: 0, y: y)
            var varied = false
            for x in 0..<image.width {
                let colour = image.rgb(x: x, y: y)
                if colour != first { varied = true }
                if colours.count < 4096 { colours.insert(colour) }
            }
            if varied {
                contentRows += 1
                lastContentRow = y
            }
        }
        print("report screenshot: \(colours.count) colours, \(contentRows) rows with content, last at y=\(lastContentRow)")
        // A blank page is one colour with no row of content; nine sections of tables and charts cannot
        // fit in the top half of the screenshot.
        #expect(colours.count >= 32)
        #expect(contentRows >= 800)
        #expect(lastContentRow >= 2000)
    }

    @Test("pipeline report refuses a reversed period and an unknown project, naming the option")
    func refusals() async throws {
        let databaseURL = try await ReportDataSet.databaseURL()
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let reversed = try await Self.run(
            try Self.pipelineExecutable(),
            ["report", "--project", ReportDataSet.project, "--from", "2026-03-14", "--to", "2026-03-08"],
            environment: ["DATABASE_URL": databaseURL], in: directory)
        #expect(reversed.status != 0 && reversed.errors.contains("--to: 2026-03-08 is before --from 2026-03-14"))
        let badDate = try await Self.run(
            try Self.pipelineExecutable(),
            ["report", "--project", ReportDataSet.project, "--from", "2026-02-30", "--to", "2026-03-08"],
            environment: ["DATABASE_URL": databaseURL], in: directory)
        #expect(badDate.status != 0 && badDate.errors.contains("--from: must be a date YYYY-MM-DD, got \"2026-02-30\""))
        let unknown = try await Self.run(
            try Self.pipelineExecutable(),
            ["report", "--project", "no-such-school", "--from", "2026-03-08", "--to", "2026-03-14",
             "--output", directory.appendingPathComponent("x.html").path],
            environment: ["DATABASE_URL": databaseURL], in: directory)
        #expect(unknown.status != 0 && unknown.errors.contains("--project: no figures for project \"no-such-school\""))
        #expect(!FileManager.default.fileExists(atPath: directory.appendingPathComponent("x.html").path))
    }

    @Test("pipeline digest sends the day's message to the chat through the Bot API")
    func digest() async throws {
        let databaseURL = try await ReportDataSet.databaseURL()
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let token = "987654:digest-token"
        let telegram = FakeTelegram(replies: [.sent(messageID: 501)])
        let executable = try Self.pipelineExecutable()
        let outcome = try await telegram.serve { base in
            try await Self.run(
                // The fake answers from this process's concurrency pool, which other tests can hold for
                // minutes (see TelegramBotTests.bot): a long timeout, so that no request is sent twice meanwhile.
                executable, ["digest", "--project", ReportDataSet.project, "--date", "2026-03-14", "--telegram-timeout", "900"],
                environment: [
                    "DATABASE_URL": databaseURL, "PIPELINE_DIGEST_TELEGRAM_TOKEN": token,
                    "PIPELINE_DIGEST_CHAT_ID": "-100777", "PIPELINE_DIGEST_TELEGRAM_API_URL": base.absoluteString,
                ], in: directory)
        }
        #expect(outcome.status == 0, "\(outcome.errors)")
        #expect(outcome.output == "sent the digest of r-school for 2026-03-14 to chat -100777 (message 501)\n")
        #expect(!outcome.output.contains(token) && !outcome.errors.contains(token))
        let request = try #require(telegram.requests.first)
        #expect(telegram.requests.count == 1)
        #expect(request.method == "POST" && request.path == "/bot\(token)/sendMessage")
        #expect(request.contentType == "application/json")
        let json = request.json
        #expect((json["chat_id"] as? NSNumber)?.int64Value == -100777)
        #expect(json["parse_mode"] as? String == "HTML")
        #expect(PageText.plain(json["text"] as? String ?? "") == ReportExpectations.digestText)
    }

    @Test("pipeline digest --dry-run prints the message; without a token it says which variable is missing")
    func digestDryRunAndMissingToken() async throws {
        let databaseURL = try await ReportDataSet.databaseURL()
        let directory = try Self.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let dry = try await Self.run(
            try Self.pipelineExecutable(), ["digest", "--project", ReportDataSet.project, "--date", "2026-03-14", "--dry-run"],
            environment: ["DATABASE_URL": databaseURL], in: directory)
        #expect(dry.status == 0, "\(dry.errors)")
        #expect(PageText.plain(dry.output) == ReportExpectations.digestText + "\n")
        let missing = try await Self.run(
            try Self.pipelineExecutable(), ["digest", "--project", ReportDataSet.project],
            environment: ["DATABASE_URL": databaseURL, "PIPELINE_DIGEST_TELEGRAM_TOKEN": ""], in: directory)
        #expect(missing.status != 0 && missing.errors.contains("PIPELINE_DIGEST_TELEGRAM_TOKEN is not set"))
    }
}
