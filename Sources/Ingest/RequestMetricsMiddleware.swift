import Hummingbird

/// Counts every routed request by route pattern and final status, errors included.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: IngestMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let route = context.endpointPath ?? "unmatched"
        do {
            let response = try await next(request, context)
            metrics.countRequest(route: route, status: response.status.code)
            return response
        } catch let error as any HTTPResponseError {
            metrics.countRequest(route: route, status: error.status.code)
            throw error
        } catch {
            metrics.countRequest(route: route, status: 500)
            throw error
        }
    }
}
