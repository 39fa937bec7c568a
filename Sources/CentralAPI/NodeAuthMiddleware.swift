import CentralStore
import HouseholdAPI
import Hummingbird

/// Every `/v1/*` request needs `Authorization: Bearer <node token>`. The token is looked up
/// by its hash on every request, so a revoked token gets 401 at once, on every replica.
/// The token itself is never logged.
struct NodeAuthMiddleware: RouterMiddleware {
    let store: CentralStore

    func handle(_ request: Request, context: CentralRequestContext,
                next: (Request, CentralRequestContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw CentralErrors.unauthorized
        }
        let token = String(header.dropFirst(7).drop(while: { $0 == " " }))
        guard token.utf8.count <= 256, let node = try await store.authenticate(token: token) else {
            throw CentralErrors.unauthorized
        }
        var context = context
        context.node = node
        context.logger[metadataKey: "node"] = "\(node.name)"
        return try await next(request, context)
    }
}
