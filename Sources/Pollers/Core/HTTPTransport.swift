import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// One request a poller sends to an outside API, independent of the HTTP client that sends it.
public struct HTTPRequestData: Sendable, Equatable {
    public var method: String
    public var url: URL
    /// Header names as sent; a poller sets each at most once.
    public var headers: [String: String]
    public var body: Data?

    public init(method: String = "GET", url: URL, headers: [String: String] = [:], body: Data? = nil) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
    }
}

/// One answer of an outside API: status, headers under lowercased names, and the whole body.
public struct HTTPResponseData: Sendable, Equatable {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public init(status: Int, headers: [String: String] = [:], body: Data = Data()) {
        self.status = status
        self.headers = Dictionary(headers.map { ($0.key.lowercased(), $0.value) }, uniquingKeysWith: { _, last in last })
        self.body = body
    }

    /// The value of a header, whatever the case of `name`.
    public func header(_ name: String) -> String? { headers[name.lowercased()] }

    /// The body as UTF-8 text, for parsers and for error messages.
    public var text: String { String(decoding: body, as: UTF8.self) }
}

/// Sends a poller's requests; production uses `URLSessionTransport`, tests point it at loopback fakes.
public protocol HTTPTransport: Sendable {
    /// Sends `request` and returns the answer whatever its status; throws only when no answer came.
    func send(_ request: HTTPRequestData) async throws -> HTTPResponseData
}

/// The production transport: Foundation's URLSession with a timeout per request and no caching or cookies.
public struct URLSessionTransport: HTTPTransport {
    private let session: URLSession

    public init(timeout: Duration = .seconds(120)) {
        let configuration = URLSessionConfiguration.ephemeral
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        configuration.timeoutIntervalForRequest = seconds
        configuration.timeoutIntervalForResource = seconds
        configuration.requestCachePolicy = .reloadIgnoringLocalCacheData
        configuration.httpCookieStorage = nil
        configuration.urlCache = nil
        session = URLSession(configuration: configuration)
    }

    public func send(_ request: HTTPRequestData) async throws -> HTTPResponseData {
        var urlRequest = URLRequest(url: request.url)
        urlRequest.httpMethod = request.method
        for (name, value) in request.headers { urlRequest.setValue(value, forHTTPHeaderField: name) }
        urlRequest.httpBody = request.body
        let (body, response) = try await session.data(for: urlRequest)
        guard let http = response as? HTTPURLResponse else {
            throw PollError.transient("the answer from \(request.url.host ?? "the server") was not HTTP")
        }
        var headers: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { headers[name] = value }
        }
        return HTTPResponseData(status: http.statusCode, headers: headers, body: body)
    }
}

extension HTTPTransport {
    /// Sends `request`, turning a failure to get any answer into `PollError.transient` prefixed with `what`
    /// (an API's name and call), so every poller retries it alike; cancellation and poll errors pass through.
    public func sendOrTransient(_ request: HTTPRequestData, what: String) async throws -> HTTPResponseData {
        do {
            return try await send(request)
        } catch let error as PollError {
            throw error
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            throw PollError.transient("\(what): no answer: \(error.localizedDescription)")
        }
    }
}
