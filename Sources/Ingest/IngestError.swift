import Events
import Hummingbird
import Normalizers

/// Why a request was refused, as the HTTP answer the sender sees: a status and a JSON `{"error": …}` safe to return.
public struct IngestError: HTTPResponseError, CustomStringConvertible {
    public let status: HTTPResponse.Status
    /// Never contains a secret: only field names, problems and project names.
    public let message: String
    let headers: HTTPFields

    init(status: HTTPResponse.Status, message: String, headers: HTTPFields = [:]) {
        self.status = status
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status.code): \(message)" }

    /// 400 naming the field and the problem. A well-formed JSON body of the wrong shape is a 400 too:
    /// the normalizers cannot tell the two apart, and senders treat both alike (no retry).
    static func badInput(_ error: NormalizationError) -> IngestError {
        IngestError(status: .badRequest, message: error.description)
    }

    static func unknownProject(_ project: String) -> IngestError {
        IngestError(status: .unauthorized, message: "unknown project \(JSONStringLiteral.make(project))")
    }

    static func missingCredential(_ what: String) -> IngestError {
        IngestError(status: .unauthorized, message: "\(what) missing")
    }

    static func wrongCredential(_ what: String) -> IngestError {
        IngestError(status: .forbidden, message: "\(what) does not match")
    }

    static func notConfigured(_ route: String, project: String) -> IngestError {
        IngestError(status: .forbidden, message: "\(route) is not configured for project \(JSONStringLiteral.make(project))")
    }

    static func bodyTooLarge(limit: Int) -> IngestError {
        IngestError(status: .contentTooLarge, message: "body: larger than \(limit) bytes")
    }

    /// 503 with `Retry-After`: nothing was acknowledged, so the sender must send again.
    static let kafkaUnavailable = IngestError(
        status: .serviceUnavailable, message: "kafka unavailable, retry", headers: [.retryAfter: "5"])

    /// 503 with `Retry-After`: a chat migration could not be written to the state directory, so it is not taken.
    static let stateUnavailable = IngestError(
        status: .serviceUnavailable, message: "state directory not writable, retry", headers: [.retryAfter: "5"])

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        let body = "{\"error\":\(JSONStringLiteral.make(message))}"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
