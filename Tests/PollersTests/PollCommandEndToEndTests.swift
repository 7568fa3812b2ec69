import Events
import Foundation
import PipelineTestSupport
import Pollers
import Testing

@Suite("pipeline poll --once against fake networks and a mock Kafka cluster")
struct PollCommandEndToEndTests {
    /// The `pipeline` executable built beside this test bundle (or named by PIPELINE_BIN).
    static func pipelineExecutable() throws -> URL { try PipelineExecutable.url() }

    /// Runs `pipeline` on a thread of its own (the fake servers need the cooperative pool meanwhile).
    static func run(_ arguments: [String], environment extra: [String: String]) async throws -> (status: Int32, stderr: String) {
        let executable = try pipelineExecutable().path
        return try await onOwnThread {
            var environment = ["LOG_LEVEL": "error", "DATABASE_URL": ""]
            environment.merge(extra) { $1 }
            let process = try ChildProcess(
                executable: executable, arguments: arguments, environment: environment,
                standardOutput: .discard, standardError: .capture)
            let errors = process.readOutput().standardError
            return (process.wait().status, errors)
        }
    }

    static let directReport = """
        Date\tCampaignId\tCampaignName\tAdGroupId\tAdGroupName\tAdId\tImpressions\tClicks\tCost
        2026-03-01\t55\tКурс Python\t4401\tМосква\t777\t1000\t12\t123450000

        """
    static let directAds = #"{"result":{"Ads":[{"Id":777,"Type":"TEXT_AD","TextAd":{"Title":"Python за 3 месяца"}}]}}"#
    static let vkBanners = #"{"count":1,"offset":0,"limit":200,"items":[{"id":11,"name":"Баннер весна","ad_group_id":901}]}"#
    static let vkAdGroups = #"{"count":1,"offset":0,"limit":200,"items":[{"id":901,"name":"Группа Москва"}]}"#
    static let vkDay = #"{"items":[{"id":11,"rows":[{"date":"2026-03-01","base":{"shows":100,"clicks":3,"goals":0,"spent":"45.10","cpm":"451","cpc":"15.03","cpa":"0","ctr":3,"cr":0}}],"total":{"base":{"shows":100,"clicks":3,"spent":"45.10"}}}],"total":{"base":{"shows":100,"clicks":3,"spent":"45.10"}}}"#

    static func vk(_ request: RecordedRequest) -> HTTPResponseData {
        switch request.path {
        case "/api/v2/banners.json": HTTPResponseData(status: 200, body: Data(vkBanners.utf8))
        case "/api/v2/ad_groups.json": HTTPResponseData(status: 200, body: Data(vkAdGroups.utf8))
        default: HTTPResponseData(status: 200, body: Data(vkDay.utf8))
        }
    }

    @Test("both networks' rows land in school.adstats under project:network:ad_id:day, as SPEC envelopes")
    func once() async throws {
        let kafka = try KafkaFixture()
        let direct = FakeAPI { request, _ in
            request.header("Authorization") == "Bearer direct-token"
                ? HTTPResponseData(status: 200, body: Data((request.path == "/json/v5/ads" ? Self.directAds : Self.directReport).utf8))
                : HTTPResponseData(status: 400, body: Data(#"{"error":{"request_id":"1","error_code":53,"error_string":"Authorization error","error_detail":"no token"}}"#.utf8))
        }
        let vk = FakeAPI { request, _ in Self.vk(request) }
        let before = Instant(microsecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1_000_000))
        let (status, stderr) = try await direct.serve { directURL in
            try await vk.serve { vkURL in
                try await Self.run(
                    ["poll", "--once", "--project", "school", "--yandex-direct-url", directURL.absoluteString,
                     "--vk-ads-url", vkURL.absoluteString, "--vk-ads-account-id", "vk-1", "--no-fx-rates"],
                    environment: [
                        "KAFKA_BROKERS": kafka.cluster.bootstrapServers,
                        "PIPELINE_YANDEX_DIRECT_TOKEN": "direct-token",
                        "PIPELINE_YANDEX_DIRECT_CLIENT_LOGIN": "school-login",
                        "PIPELINE_VK_ADS_TOKEN": "vk-token",
                    ])
            }
        }
        let after = Instant(microsecondsSinceEpoch: Int64(Date().timeIntervalSince1970 * 1_000_000))
        #expect(status == 0, "stderr: \(stderr)")
        let messages = try await kafka.messages(count: 2).sorted { $0.keyText < $1.keyText }
        #expect(messages.map(\.topic) == ["school.adstats", "school.adstats"])
        #expect(messages.map(\.keyText) == ["school:vk_ads:11:2026-03-01", "school:yandex_direct:777:2026-03-01"])
        let events = messages.map(\.event)
        #expect(events.map(\.id) == [
            "vk_ads:vk-1:901:11:2026-03-01:100:3:45.1RUB",
            "yandex_direct:school-login:55:777:2026-03-01:1000:12:123.45RUB",
        ])
        #expect(events.map(\.source) == ["vk_ads", "yandex_direct"])
        #expect(events.allSatisfy { $0.project == "school" && before <= $0.occurredAt && $0.occurredAt <= after })
        #expect(events.map(\.data) == [
            .adStats(AdStats(network: "vk_ads", accountID: "vk-1", campaignID: "901", adID: "11", day: LocalDate("2026-03-01")!,
                             impressions: 100, clicks: 3, cost: DecimalNumber("45.10")!, currency: "RUB",
                             campaignName: "Группа Москва", adGroupID: "901", adGroupName: "Группа Москва", adName: "Баннер весна")),
            .adStats(AdStats(network: "yandex_direct", accountID: "school-login", campaignID: "55", adID: "777", day: LocalDate("2026-03-01")!,
                             impressions: 1000, clicks: 12, cost: DecimalNumber("123.45")!, currency: "RUB",
                             campaignName: "Курс Python", adGroupID: "4401", adGroupName: "Москва", adName: "Python за 3 месяца")),
        ])
        #expect(direct.requests.map(\.path) == ["/json/v5/reports", "/json/v5/ads"])
        #expect(vk.requests.count == 3)
    }

    @Test("Meta and Google Ads are wired too: their rows land under their own keys")
    func metaAndGoogle() async throws {
        let kafka = try KafkaFixture()
        // The process polls the real today, so the fakes answer for the last day asked (`until`, `AND '…'`).
        let lastMetaDay = Recorder("")
        let lastGoogleDay = Recorder("")
        let meta = FakeAPI { request, _ in
            let day = String(request.query["time_range"]?.split(separator: "\"").dropLast().last ?? "")
            lastMetaDay.update { $0 = day }
            return request.path == "/v25.0/act_1234567/insights" && request.header("Authorization") == "Bearer meta-token"
                ? HTTPResponseData(status: 200, headers: ["Content-Type": "application/json"], body: Data(
                    #"{"data":[{"ad_id":"6142546123068","campaign_id":"6142546000000","impressions":"9708","inline_link_clicks":"41","spend":"5339.5","account_currency":"USD","date_start":"\#(day)","date_stop":"\#(day)"}],"paging":{"cursors":{"before":"MAZDZD","after":"MAZDZD"}}}"#.utf8))
                : HTTPResponseData(status: 400, body: Data(#"{"error":{"message":"unexpected","type":"OAuthException","code":100}}"#.utf8))
        }
        let google = FakeAPI { request, _ in
            let day = String(request.body.split(separator: "'").dropLast().last ?? "")
            lastGoogleDay.update { $0 = day }
            return request.path == "/v26/customers/1234567890/googleAds:searchStream" && request.header("developer-token") == "dev-token"
                ? HTTPResponseData(status: 200, headers: ["Content-Type": "application/json"], body: Data(
                    #"[{"results":[{"customer":{"resourceName":"customers/1234567890","currencyCode":"EUR"},"campaign":{"resourceName":"customers/1234567890/campaigns/55","id":"55"},"adGroupAd":{"resourceName":"customers/1234567890/adGroupAds/77~999","ad":{"resourceName":"customers/1234567890/ads/999","id":"999"}},"metrics":{"impressions":"1000","clicks":"80","costMicros":"2500000000"},"segments":{"date":"\#(day)"}}],"fieldMask":"campaign.id,adGroupAd.ad.id,segments.date,metrics.impressions,metrics.clicks,metrics.costMicros,customer.currencyCode","requestId":"abc"}]"#.utf8))
                : HTTPResponseData(status: 401, body: Data(#"{"error":{"code":401,"message":"unexpected","status":"UNAUTHENTICATED"}}"#.utf8))
        }
        let (status, stderr) = try await meta.serve { metaURL in
            try await google.serve { googleURL in
                try await Self.run(
                    ["poll", "--once", "--project", "school", "--meta-url", metaURL.absoluteString, "--meta-days", "3",
                     "--google-ads-url", googleURL.absoluteString, "--no-fx-rates"],
                    environment: [
                        "KAFKA_BROKERS": kafka.cluster.bootstrapServers,
                        "PIPELINE_META_TOKEN": "meta-token", "PIPELINE_META_AD_ACCOUNT_ID": "act_1234567",
                        "PIPELINE_GOOGLE_ADS_DEVELOPER_TOKEN": "dev-token", "PIPELINE_GOOGLE_ADS_ACCESS_TOKEN": "google-token",
                        "PIPELINE_GOOGLE_ADS_CUSTOMER_ID": "123-456-7890",
                    ])
            }
        }
        #expect(status == 0, "stderr: \(stderr)")
        let events = try await kafka.messages(count: 2).map(\.event).sorted { $0.id < $1.id }
        let (metaDay, googleDay) = (lastMetaDay.value, lastGoogleDay.value)
        #expect(LocalDate(metaDay) != nil && LocalDate(googleDay) != nil)
        #expect(events.map(\.id) == [
            "google_ads:1234567890:55:999:\(googleDay):1000:80:2500EUR",
            "meta:1234567:6142546000000:6142546123068:\(metaDay):9708:41:5339.5USD",
        ])
        #expect(events.map(\.partitionKey) == ["school:google_ads:999:\(googleDay)", "school:meta:6142546123068:\(metaDay)"])
    }

    @Test("a refused network makes the exit status 1 and names it, while the other one is still polled")
    func oneRefused() async throws {
        let kafka = try KafkaFixture()
        let direct = FakeAPI { _, _ in
            HTTPResponseData(status: 400, body: Data(#"{"error":{"request_id":"1","error_code":53,"error_string":"Authorization error","error_detail":"Invalid OAuth token"}}"#.utf8))
        }
        let vk = FakeAPI { request, _ in Self.vk(request) }
        let (status, stderr) = try await direct.serve { directURL in
            try await vk.serve { vkURL in
                try await Self.run(
                    ["poll", "--once", "--project", "school", "--yandex-direct-url", directURL.absoluteString,
                     "--vk-ads-url", vkURL.absoluteString, "--no-fx-rates"],
                    environment: [
                        "KAFKA_BROKERS": kafka.cluster.bootstrapServers,
                        "PIPELINE_YANDEX_DIRECT_TOKEN": "revoked", "PIPELINE_VK_ADS_TOKEN": "vk-token",
                    ])
            }
        }
        #expect(status == 1)
        #expect(stderr.contains("poll failed for: yandex_direct"))
        #expect(!stderr.contains("revoked"))
        let messages = try await kafka.messages(count: 1)
        #expect(messages.map(\.keyText) == ["school:vk_ads:11:2026-03-01"])
    }

    @Test("with only DATABASE_URL it stores the bank's rates and exits 0")
    func ratesOnly() async throws {
        let database = try RatesDatabase()
        let bank = FakeAPI { _, _ in HTTPResponseData(status: 200, body: Data(CBRSamples.february28)) }
        let (status, stderr) = try await bank.serve { bankURL in
            try await Self.run(
                ["poll", "--once", "--project", "school", "--cbr-url", bankURL.absoluteString, "--fx-days", "1"],
                environment: ["KAFKA_BROKERS": "127.0.0.1:1", "DATABASE_URL": database.url])
        }
        #expect(status == 0, "stderr: \(stderr)")
        #expect(try database.rows() == [
            "RUB AMD 2026-02-28 0.218536", "RUB EUR 2026-02-28 100.1000", "RUB KRW 2026-02-28 0.0635432", "RUB USD 2026-02-28 92.4512",
        ])
        // Today and tomorrow were asked for, as DD/MM/YYYY.
        #expect(bank.requests.count == 2)
        #expect(bank.requests.allSatisfy { $0.path == "/scripts/XML_daily.asp" && $0.query["date_req"]?.count == 10 })
    }

    @Test("with no credentials and no database there is nothing to poll, and it says so")
    func nothing() async throws {
        let (status, stderr) = try await Self.run(["poll", "--once", "--project", "school"], environment: ["KAFKA_BROKERS": "127.0.0.1:1"])
        #expect(status != 0)
        #expect(stderr.contains("nothing to poll"))
    }
}

@Suite("pipeline poll as a long-running role")
struct PollCommandServiceTests {
    static func freePort() throws -> Int { try PipelineExecutable.freePort() }

    @Test("it polls, serves its metrics, and exits 0 on SIGTERM")
    func sigterm() async throws {
        let kafka = try KafkaFixture()
        let vk = FakeAPI { request, _ in PollCommandEndToEndTests.vk(request) }
        let port = try Self.freePort()
        let errorLog = FileManager.default.temporaryDirectory.appendingPathComponent("poll-sigterm-\(UUID()).log")
        defer { try? FileManager.default.removeItem(at: errorLog) }
        let (status, metrics) = try await vk.serve { vkURL in
            let process = try ChildProcess(
                executable: try PollCommandEndToEndTests.pipelineExecutable().path,
                arguments: ["poll", "--project", "school", "--vk-ads-url", vkURL.absoluteString, "--no-fx-rates",
                            "--metrics-port", "\(port)"],
                environment: [
                    "LOG_LEVEL": "error", "DATABASE_URL": "", "KAFKA_BROKERS": kafka.cluster.bootstrapServers,
                    "PIPELINE_VK_ADS_TOKEN": "vk-token",
                ],
                standardOutput: .discard, standardError: .file(errorLog.path))
            // The first poll's row, then the metrics that counted it.
            #expect(try await kafka.messages(count: 1).count == 1, "stderr: \(Self.text(of: errorLog))")
            let transport = URLSessionTransport(timeout: .seconds(5))
            var metrics = ""
            for _ in 0..<100 {
                if let answer = try? await transport.send(HTTPRequestData(url: URL(string: "http://127.0.0.1:\(port)/metrics")!)),
                   answer.text.contains(#"pipeline_poll_runs_total{source="vk_ads",outcome="success"} 1"#)
                {
                    metrics = answer.text
                    break
                }
                try await Task.sleep(for: .milliseconds(100))
            }
            process.terminate()  // SIGTERM
            let status = try await onOwnThread { process.wait().status }
            return (status, metrics)
        }
        #expect(status == 0, "stderr: \(Self.text(of: errorLog))")
        let lines = Set(metrics.split(separator: "\n").map(String.init))
        #expect(lines.contains(#"pipeline_poll_runs_total{source="vk_ads",outcome="success"} 1"#))
        #expect(lines.contains(#"pipeline_poll_runs_total{source="vk_ads",outcome="failure"} 0"#))
        #expect(lines.contains(#"pipeline_poll_rows_total{source="vk_ads"} 1"#))
        let lastSuccess = lines.first { $0.hasPrefix(#"pipeline_poll_last_success_seconds{source="vk_ads"} "#) }
        let seconds = lastSuccess.flatMap { Double($0.split(separator: " ").last!) } ?? 0
        #expect(seconds > 1_700_000_000)
    }

    static func text(of file: URL) -> String { (try? String(contentsOf: file, encoding: .utf8)) ?? "" }
}
