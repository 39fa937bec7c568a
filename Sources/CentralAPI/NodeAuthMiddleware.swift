import CentralStore
import HouseholdAPI
import Hummingbird

/// Every `/v1/*` request needs `Authorization: Bearer <node token>`. The token is looked up
/// by its SHA-256 on every request (no comparison of secrets that could leak timing), so a
/// revoked token gets 401 at once, on every replica. A source address that fails too often
/// gets 429 with `Retry-After` before its token is looked at (`AuthFailureLimiter`). The
/// token itself is never logged.
struct NodeAuthMiddleware: RouterMiddleware {
    let store: CentralStore
    let limiter: AuthFailureLimiter

    func handle(
        _ request: Request, context: CentralRequestContext,
        next: (Request, CentralRequestContext) async throws -> Response
    ) async throws -> Response {
        let address = context.remoteAddress?.ipAddress ?? "unknown"
        if let seconds = limiter.retryAfterSeconds(address) {
            var error = APIError(
                .tooManyRequests, "too_many_failures",
                "too many failed authentications from this address; retry in \(seconds) s")
            error.headers[.retryAfter] = String(seconds)
            throw error
        }
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            limiter.recordFailure(address)
            throw CentralErrors.unauthorized
        }
        let token = String(header.dropFirst(7).drop(while: { $0 == " " }))
        guard token.utf8.count <= 256, let node = try await store.authenticate(token: token) else {
            limiter.recordFailure(address)
            throw CentralErrors.unauthorized
        }
        var context = context
        context.node = node
        context.logger[metadataKey: "node"] = "\(node.name)"
        return try await next(request, context)
    }
}
