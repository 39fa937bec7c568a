import CentralStore
import HouseholdAPI
import Hummingbird

/// While the database monitor knows PostgreSQL is down (or the schema is not migrated yet),
/// `/v1/*` answers 503 at once instead of each request waiting out its timeout.
struct DatabaseGateMiddleware: RouterMiddleware {
    let store: CentralStore
    let metrics: CentralMetrics

    func handle(
        _ request: Request, context: CentralRequestContext,
        next: (Request, CentralRequestContext) async throws -> Response
    ) async throws -> Response {
        guard store.isMigrated, metrics.isDatabaseUp else {
            throw CentralStoreError.unavailable(store.isMigrated ? "PostgreSQL is unreachable" : "the schema is not migrated yet")
        }
        return try await next(request, context)
    }
}
