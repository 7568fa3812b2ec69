import Events
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension BackfillError {
    /// Why the Export API gave no export; never contains the API key (URLs are not quoted).
    public enum ExportAPI: Sendable, Hashable, CustomStringConvertible {
        /// An answer with `success: false` and a code other than "not ready" and "busy" (e.g. a wrong key).
        case api(code: Int?, message: String)
        case http(status: Int)
        case malformed(String)
        case transport(String)
        /// Still 909 ("not ready") or 905/903 ("busy") after the configured waiting.
        case gaveUp(String)

        public var description: String {
            switch self {
            case .api(let code, let message): "Export API refused: \(code.map { "error_code \($0): " } ?? "")\(message)"
            case .http(let status): "Export API answered HTTP \(status)"
            case .malformed(let problem): "Export API answer unreadable: \(problem)"
            case .transport(let problem): "Export API unreachable: \(problem)"
            case .gaveUp(let problem): "Export API: \(problem)"
            }
        }
    }
}

/// GetCourse's Export API (INPUTS.md §1.4): create an export of users, deals or payments, then poll its result.
///
/// `GET {base}/pl/api/account/{users|deals|payments}?key=…&filters` → `{"success":true,"info":{"export_id":N}}`;
/// `GET {base}/pl/api/account/exports/{N}?key=…` → `{"success":true,"info":{"fields":[…],"items":[[…]]}}`.
/// `error_code` 909 means "not ready yet": poll again after `pollInterval`. 905 (and 903, handled alike in the
/// wild) mean the export queue is busy: create again after `busyInterval`. Every request, creating and
/// polling alike, waits for the `RequestBudget` (100 per 2 hours).
public struct GetCourseExportClient: Sendable {
    /// The waits; defaults follow the pollers seen in the wild (30 s polls as NiktarioN/getcourse-api's
    /// export poller, 5 min when busy), so a slow export does not eat the 100-request budget.
    public struct Waits: Sendable, Hashable {
        public var pollInterval: Double = 30
        public var busyInterval: Double = 300
        /// Give up on an export still not ready after this long.
        public var maxExportWait: Double = 3600
        /// Give up after this many busy answers in a row.
        public var maxBusyRetries: Int = 12

        public init() {}
    }

    public let baseURL: URL
    private let key: String
    private let session: URLSession
    /// The one periodic clock (`WallClock`): real in the command, driven by hand in tests.
    public let clock: any WallClock
    public let budget: RequestBudget
    public let waits: Waits

    public init(baseURL: URL, key: String, session: URLSession = .shared, clock: any WallClock = SystemWallClock(),
                budget: RequestBudget = RequestBudget(), waits: Waits = Waits()) {
        self.baseURL = baseURL
        self.key = key
        self.session = session
        self.clock = clock
        self.budget = budget
        self.waits = waits
    }

    /// An answer of the API, classified.
    enum Answer {
        case ok(JSONObject)
        case notReady
        case busy
    }

    /// Creates an export and waits for its rows. With `exportID` (from a checkpoint), polls that export first
    /// and creates a new one only if it is gone.
    public func export(kind: GetCourseExportKind, filters: [(String, String)], exportID: Int? = nil) async throws(BackfillError) -> APIExportTable {
        if let exportID {
            do {
                return try await result(kind: kind, exportID: exportID)
            } catch {
                // Expired or unknown: fall through to a new export; anything else is a real failure.
                guard case .exportAPI(.api) = error else { throw error }
            }
        }
        var busy = 0
        while true {
            switch try await request(path: "pl/api/account/\(kind.apiPath)", filters: filters) {
            case .ok(let info):
                guard case .number(let literal)? = info["export_id"], let id = Int(literal) else {
                    throw .exportAPI(.malformed("info.export_id: missing or not an integer"))
                }
                return try await result(kind: kind, exportID: id)
            case .busy:
                busy += 1
                if busy > waits.maxBusyRetries {
                    throw .exportAPI(.gaveUp("export queue still busy (error_code 905) after \(waits.maxBusyRetries) retries"))
                }
                try await sleep(waits.busyInterval)
            case .notReady:
                throw .exportAPI(.malformed("error_code 909 answering the creation of an export"))
            }
        }
    }

    /// Polls export `exportID` until its rows are there.
    public func result(kind: GetCourseExportKind, exportID: Int) async throws(BackfillError) -> APIExportTable {
        let started = seconds()
        while true {
            switch try await request(path: "pl/api/account/exports/\(exportID)", filters: []) {
            case .ok(let info):
                return try Self.table(info, kind: kind, exportID: exportID)
            case .notReady, .busy:
                if seconds() - started >= waits.maxExportWait {
                    throw .exportAPI(.gaveUp("export \(exportID) still not ready (error_code 909) after \(Int(waits.maxExportWait)) s"))
                }
                try await sleep(waits.pollInterval)
            }
        }
    }

    /// `info.fields` and `info.items` as a table; array cells (groups, tags) are joined with ", ".
    static func table(_ info: JSONObject, kind: GetCourseExportKind, exportID: Int) throws(BackfillError) -> APIExportTable {
        guard case .array(let fields)? = info["fields"] else { throw .exportAPI(.malformed("info.fields: missing or not an array")) }
        guard case .array(let items)? = info["items"] else { throw .exportAPI(.malformed("info.items: missing or not an array")) }
        var header: [String] = []
        for (index, field) in fields.enumerated() {
            guard case .string(let title) = field else { throw .exportAPI(.malformed("info.fields[\(index)]: not a string")) }
            header.append(title)
        }
        var rows: [[String]] = []
        rows.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            guard case .array(let cells) = item else { throw .exportAPI(.malformed("info.items[\(index)]: not an array")) }
            rows.append(cells.map(cellText))
        }
        return APIExportTable(name: "\(kind.apiPath) export \(exportID)", exportID: exportID, header: header, items: rows)
    }

    static func cellText(_ value: JSONValue) -> String {
        switch value {
        case .null: ""
        case .bool(let flag): flag ? "1" : "0"
        case .number(let literal): literal
        case .string(let text): text
        case .array(let values): values.map(cellText).filter { !$0.isEmpty }.joined(separator: ", ")
        case .object: ""
        }
    }

    /// The clock's instant as seconds, the unit of `Waits` and `RequestBudget`.
    private func seconds() -> Double {
        Double(clock.now().microsecondsSinceEpoch) / 1_000_000
    }

    private func sleep(_ seconds: Double) async throws(BackfillError) {
        do {
            // Whole milliseconds, rounded up so a wait for the budget never ends a little early.
            try await clock.sleep(for: .milliseconds(Int64((seconds * 1000).rounded(.up))))
        } catch {
            throw .exportAPI(.transport("cancelled while waiting"))
        }
    }

    private func request(path: String, filters: [(String, String)]) async throws(BackfillError) -> Answer {
        let delay = await budget.delay(at: seconds())
        if delay > 0 { try await sleep(delay) }
        await budget.record(at: seconds())

        var components = URLComponents(url: baseURL.appendingPathComponent(path), resolvingAgainstBaseURL: false)!
        components.queryItems = [URLQueryItem(name: "key", value: key)] + filters.map { URLQueryItem(name: $0.0, value: $0.1) }
        // `+` is a space to PHP's query parser; encode it so a filter value survives.
        components.percentEncodedQuery = components.percentEncodedQuery?.replacingOccurrences(of: "+", with: "%2B")
        var request = URLRequest(url: components.url!)
        request.timeoutInterval = 120
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await session.data(for: request)
        } catch {
            // URLError's description may quote the URL, and with it the key: say only what kind of failure.
            throw .exportAPI(.transport((error as? URLError).map { "URLError \($0.code.rawValue)" } ?? "request failed"))
        }
        if let http = response as? HTTPURLResponse, http.statusCode != 200 {
            throw .exportAPI(.http(status: http.statusCode))
        }
        let json: JSONValue
        do {
            json = try JSONParser.parse(Array(data))
        } catch {
            throw .exportAPI(.malformed("not JSON (\(error.message) at byte \(error.offset))"))
        }
        guard case .object(let object) = json else { throw .exportAPI(.malformed("not a JSON object")) }
        if case .bool(true)? = object["success"] {
            guard case .object(let info)? = object["info"] else { throw .exportAPI(.malformed("info: missing or not an object")) }
            return .ok(info)
        }
        var code: Int?
        if case .number(let literal)? = object["error_code"] { code = Int(literal) }
        if case .string(let text)? = object["error_code"] { code = Int(text) }
        switch code {
        case 909: return .notReady
        case 905, 903: return .busy
        default:
            var message = "no message"
            for name in ["error_message", "message", "error"] {
                if case .string(let text)? = object[name], !text.isEmpty { message = text; break }
            }
            throw .exportAPI(.api(code: code, message: message))
        }
    }
}
