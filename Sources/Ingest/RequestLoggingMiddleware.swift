import Hummingbird
import Logging

/// Puts the request's project into its logger (beside Hummingbird's `hb.request.id`) and logs one line per request.
///
/// Every line logged while handling a request goes through `context.logger`, so it carries both. One line per request,
/// at info (debug for answered probes and scrapes, warning for 503s); it names the
/// route pattern, never the concrete URI: query strings carry GetCourse secrets and personal data. A refusal is
/// logged by its field only (`cost_money_value`), not its problem, which may quote the sender's value.
struct RequestLoggingMiddleware<Context: RequestContext>: RouterMiddleware {
    static var projectKey: String { "project" }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        context.logger[metadataKey: Self.projectKey] = .string(Self.project(of: context))
        let logger = context.logger
        let route = context.endpointPath ?? "unmatched"
        let method = request.method.rawValue
        do {
            let response = try await next(request, context)
            // Probes and scrapes arrive every few seconds: at info they would drown the webhooks.
            let level: Logger.Level = context.parameters.get("project") == nil ? .debug : .info
            logger.log(level: level, "request", metadata: ["method": .string(method), "route": .string(route), "status": .stringConvertible(response.status.code)])
            return response
        } catch let error as IngestError {
            let level: Logger.Level = error.status.code >= 500 ? .warning : .info
            logger.log(level: level, "request refused", metadata: [
                "method": .string(method), "route": .string(route), "status": .stringConvertible(error.status.code),
                "reason": .string(Self.reason(error.message)),
            ])
            throw error
        } catch let error as any HTTPResponseError {
            logger.info("request refused", metadata: ["method": .string(method), "route": .string(route), "status": .stringConvertible(error.status.code)])
            throw error
        } catch {
            logger.error("request failed", metadata: ["method": .string(method), "route": .string(route), "error.type": .string("\(type(of: error))")])
            throw error
        }
    }

    /// The path's project when it is a well-formed name, `-` for routes without one; anything else is not echoed.
    static func project(of context: Context) -> String {
        guard let project = context.parameters.get("project") else { return "-" }
        return ProjectCredentials.environmentName(of: project) == nil ? "(invalid)" : project
    }

    /// `"field: problem"` → `field`, `unknown project "x"` → `unknown project`: what follows may quote the sender's value.
    static func reason(_ message: String) -> String {
        let cut = [message.range(of: ": "), message.range(of: " \"")].compactMap { $0?.lowerBound }.min()
        return cut.map { String(message[..<$0]) } ?? message
    }
}
