import Events
import Foundation
import Hummingbird
import Logging
import Normalizers
import Prometheus

/// The route handlers: authenticate, normalize, publish durably, answer.
struct IngestHandlers: Sendable {
    typealias Context = BasicRequestContext

    let configuration: IngestConfiguration
    let publisher: EventPublisher
    let readiness: KafkaReadiness
    let registry: PrometheusCollectorRegistry
    let chatAliases: ChatAliasStore
    /// Injected so that ids derived from the arrival time are reproducible in tests.
    let now: @Sendable () -> Instant

    static let visitorCookie = "vid"
    static let visitorCookieMaxAge = 365 * 24 * 60 * 60

    // MARK: GetCourse

    func getCourseCallback(_ request: Request, context: Context) async throws -> Response {
        let (project, credentials) = try project(of: context)
        let form = Self.query(of: request)
        var query = form.parameters
        try checkSecret(query.removeValue(forKey: "secret"), in: form, credentials: credentials, project: project)
        let kindText = context.parameters.get("kind") ?? ""
        guard let kind = GetCourseCallback.Kind(rawValue: kindText) else {
            throw IngestError(status: .notFound, message: "kind: must be user, order or payment, got \(JSONStringLiteral.make(kindText))")
        }
        let normalizer = GetCourseCallback(context: Self.context(project, credentials))
        let events = try normalized { () throws(NormalizationError) in
            _ = try form.checked()
            return try normalizer.normalize(kind: kind, query: query, receivedAt: now())
        }
        return try await accepted(events, context: context)
    }

    func getCourseDeal(_ request: Request, context: Context) async throws -> Response {
        let (project, credentials) = try project(of: context)
        let form = Self.query(of: request)
        try checkSecret(form.parameters["secret"], in: form, credentials: credentials, project: project)
        // The deal is in the body, but a query parameter that is not UTF-8 is refused here as on every route.
        _ = try normalized { () throws(NormalizationError) in try form.checked() }
        let body = try await body(of: request)
        let normalizer = GetCourseDealWebhook(context: Self.context(project, credentials))
        let events = try normalized { () throws(NormalizationError) in try normalizer.normalize(body: body) }
        return try await accepted(events, context: context)
    }

    /// A learning process's call: `kind` is one of SPEC §2's learning kinds, each process with its own URL.
    func getCourseLearning(_ request: Request, context: Context) async throws -> Response {
        let (project, credentials) = try project(of: context)
        let form = Self.query(of: request)
        var query = form.parameters
        try checkSecret(query.removeValue(forKey: "secret"), in: form, credentials: credentials, project: project)
        let kindText = context.parameters.get("kind") ?? ""
        guard let kind = LearningKind(rawValue: kindText) else {
            let known = LearningKind.allCases.map(\.rawValue).joined(separator: ", ")
            throw IngestError(status: .notFound, message: "kind: must be one of \(known), got \(JSONStringLiteral.make(kindText))")
        }
        let normalizer = GetCourseLearningCallback(context: Self.context(project, credentials))
        let event = try normalized { () throws(NormalizationError) in
            _ = try form.checked()
            return try normalizer.normalize(kind: kind, query: query, receivedAt: now())
        }
        return try await accepted([event], context: context)
    }

    // MARK: Learning and webinar platforms

    func learning(_ request: Request, context: Context) async throws -> Response {
        let (project, credentials) = try project(of: context)
        guard let secret = credentials.learningSecret else { throw IngestError.notConfigured("learning", project: project) }
        let headerName = LearningWebhook.signatureHeader
        guard let signature = request.headers[.init(headerName)!] else { throw IngestError.missingCredential(headerName) }
        let body = try await body(of: request)
        let normalizer = LearningWebhook(context: Self.context(project, credentials), secret: secret)
        let events = try normalized(signatureFields: [headerName]) { () throws(NormalizationError) in
            try normalizer.normalize(body: body, signature: signature)
        }
        return try await accepted(events, context: context)
    }

    // MARK: Mail services

    func unisenderGo(_ request: Request, context: Context) async throws -> Response {
        let (project, credentials) = try project(of: context)
        guard let key = credentials.unisenderKey else { throw IngestError.notConfigured("unisender-go", project: project) }
        let body = try await body(of: request)
        let normalizer = UnisenderGoWebhook(context: Self.context(project, credentials), apiKey: key)
        let events = try normalized(signatureFields: ["auth"]) { () throws(NormalizationError) in try normalizer.normalize(body: body) }
        return try await accepted(events, context: context)
    }

    func sendGrid(_ request: Request, context: Context) async throws -> Response {
        let (project, credentials) = try project(of: context)
        guard let key = credentials.sendgridKey else { throw IngestError.notConfigured("sendgrid", project: project) }
        let signatureName = "X-Twilio-Email-Event-Webhook-Signature"
        let timestampName = "X-Twilio-Email-Event-Webhook-Timestamp"
        guard let signature = request.headers[.init(signatureName)!] else {
            throw IngestError.missingCredential(signatureName)
        }
        guard let timestamp = request.headers[.init(timestampName)!] else {
            throw IngestError.missingCredential(timestampName)
        }
        let body = try await body(of: request)
        let normalizer: SendGridEventWebhook
        do {
            normalizer = try SendGridEventWebhook(context: Self.context(project, credentials), verificationKey: key)
        } catch {
            // A configuration fault, not the sender's: say so without revealing the key.
            throw IngestError(status: .forbidden, message: "sendgrid verification key of project \(JSONStringLiteral.make(project)) is invalid")
        }
        let events = try normalized(signatureFields: [signatureName]) { () throws(NormalizationError) in
            try normalizer.normalize(body: body, signature: signature, timestamp: timestamp)
        }
        return try await accepted(events, context: context)
    }

    // MARK: Telegram

    func telegram(_ request: Request, context: Context) async throws -> Response {
        let (project, credentials) = try project(of: context)
        guard let expected = credentials.telegramSecret else { throw IngestError.notConfigured("telegram", project: project) }
        let headerName = "X-Telegram-Bot-Api-Secret-Token"
        guard let given = request.headers[.init(headerName)!] else {
            throw IngestError.missingCredential(headerName)
        }
        guard ConstantTime.equals(given, expected) else { throw IngestError.wrongCredential(headerName) }
        let body = try await body(of: request)
        let normalizer = TelegramUpdate(context: Self.context(project, credentials), linkSecret: credentials.linkSecret)
        switch await chatAliases.normalize(body, with: normalizer) {
        case .success(let output):
            guard let reply = output.reply else { return try await accepted(output.events, context: context) }
            // The link is published before the member is told it worked; a refused token is still a 200, so
            // Telegram does not send the same refused update again.
            _ = try await publisher.publish(output.events, logger: context.logger)
            return Self.json(.ok, reply.webhookBody)
        case .failure(let error): throw error
        }
    }

    // MARK: Click tracker

    func click(_ request: Request, context: Context) async throws -> Response {
        let (project, credentials) = try project(of: context)
        let link = context.parameters.get("link") ?? ""
        let cookie = request.cookies[Self.visitorCookie]?.value
        // A cookie we did not write (too long, odd characters) is replaced rather than refused: the visitor is not at fault.
        let visitorID = cookie.flatMap(Self.plausibleVisitorID) ?? UUID().uuidString.lowercased()
        let tracker = ClickTracker(context: Self.context(project, credentials), allowedHosts: credentials.allowedHosts)
        let form = Self.query(of: request)
        let redirect = try normalized { () throws(NormalizationError) in
            try tracker.normalize(pathComponents: ["c", project, link], query: try form.checked(), visitorID: visitorID, receivedAt: now())
        }
        _ = try await publisher.publish([redirect.event], logger: context.logger)
        var response = Response(status: .found, headers: [.location: redirect.target, .cacheControl: "no-store"])
        response.setCookie(Cookie(
            name: Self.visitorCookie, value: visitorID, maxAge: Self.visitorCookieMaxAge, path: "/",
            httpOnly: true, sameSite: .lax))
        return response
    }

    // MARK: Operations

    func health(_ request: Request, context: Context) async throws -> Response {
        Self.json(.ok, "{\"status\":\"ok\"}")
    }

    func ready(_ request: Request, context: Context) async throws -> Response {
        if await readiness.isReady() {
            return Self.json(.ok, "{\"status\":\"ready\"}")
        }
        throw IngestError(status: .serviceUnavailable, message: "kafka did not answer a metadata request in time")
    }

    func metrics(_ request: Request, context: Context) async throws -> Response {
        Response(
            status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
            body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }

    // MARK: Helpers

    private func project(of context: Context) throws(IngestError) -> (String, ProjectCredentials) {
        let project = context.parameters.get("project") ?? ""
        guard let credentials = configuration.credentials(of: project) else { throw .unknownProject(project) }
        return (project, credentials)
    }

    /// The `secret` query parameter, compared in constant time; neither value is ever logged or echoed.
    /// A secret that does not decode to UTF-8 (listed in `form.undecodable`) is a wrong one, not a missing one.
    private func checkSecret(_ given: String?, in form: FormQuery, credentials: ProjectCredentials, project: String) throws(IngestError) {
        guard let expected = credentials.secret else { throw .notConfigured("getcourse", project: project) }
        if form.undecodable.contains("secret") { throw .wrongCredential("secret") }
        guard let given, !given.isEmpty else { throw .missingCredential("secret") }
        guard ConstantTime.equals(given, expected) else { throw .wrongCredential("secret") }
    }

    private func body(of request: Request) async throws -> [UInt8] {
        let limit = configuration.maxBodyBytes
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw IngestError.bodyTooLarge(limit: limit)
        }
        do {
            let buffer = try await request.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw IngestError.bodyTooLarge(limit: limit)
        }
    }

    /// Runs a normalizer, turning its error into 400, or into 403 when the field is the sender's signature.
    private func normalized<T>(signatureFields: Set<String> = [], _ body: () throws(NormalizationError) -> T) throws(IngestError) -> T {
        do {
            return try body()
        } catch {
            if signatureFields.contains(error.field) {
                throw IngestError(status: .forbidden, message: error.description)
            }
            throw .badInput(error)
        }
    }

    private func accepted(_ events: [Event], context: Context) async throws -> Response {
        let count = try await publisher.publish(events, logger: context.logger)
        return Self.json(.ok, "{\"accepted\":\(count)}")
    }

    static func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Decoded query parameters, `+` read as a space (form encoding, as platforms send it; Hummingbird's
    /// `queryParameters` keeps the `+`). Of a repeated name the last counts; a pair that is not UTF-8 once
    /// decoded is listed apart, for the route to refuse by name (`FormQuery.checked()`).
    static func query(of request: Request) -> FormQuery {
        FormQuery((request.uri.query ?? "")[...])
    }

    static func context(_ project: String, _ credentials: ProjectCredentials) -> ProjectContext {
        ProjectContext(project: project, salt: credentials.salt, timeZone: credentials.timeZone)
    }

    static func plausibleVisitorID(_ value: String) -> String? {
        guard !value.isEmpty, value.utf8.count <= 64,
              value.utf8.allSatisfy({ ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x41 && $0 <= 0x5A) || $0 == 0x2D })
        else { return nil }
        return value
    }
}
