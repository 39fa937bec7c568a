import CentralStore
import HouseholdAPI
import Hummingbird
import Logging

/// edge-central's HTTP API: the sync endpoints, the household task API, nodes and series,
/// probes, `/metrics` and `/openapi.json` (docs/central-api.md).
public enum CentralAPI {
    static let routes = RouteTable([
        (["health"], [.get]), (["readiness"], [.get]), (["metrics"], [.get]), (["openapi.json"], [.get]),
        (["v1", "tasks"], [.get, .post]), (["v1", "tasks", ":id"], [.get, .patch, .delete]),
        (["v1", "nodes"], [.get]), (["v1", "series"], [.get]),
        (["v1", "enroll"], [.post]),
        (["v1", "sync", "changes"], [.get, .post]), (["v1", "sync", "samples"], [.post]), (["v1", "sync", "resync"], [.post]),
        (["v1", "sync", "peers"], [.post]),
    ])

    public static func router(store: CentralStore, metrics: CentralMetrics, logRequests: Bool = true) -> Router<CentralRequestContext> {
        let router = Router(context: CentralRequestContext.self)
        if logRequests { router.add(middleware: LogRequestsMiddleware(.debug)) }
        router.add(middleware: ErrorMiddleware(routes: routes, serviceName: "central API", translate: CentralErrors.translate))
        router.get("health") { _, _ in
            JSONResponse.text(#"{"status":"ok"}"#, contentType: "application/json")
        }
        router.get("readiness") { _, _ -> Response in
            guard store.isMigrated else { throw APIError.notReady("the database schema is not migrated yet") }
            guard metrics.isDatabaseUp else { throw APIError.notReady("PostgreSQL is unreachable") }
            return JSONResponse.text(#"{"status":"ready"}"#, contentType: "application/json")
        }
        router.get("metrics") { _, _ in
            // Per-node figures come from PostgreSQL at scrape time; while it is down they are left out.
            let nodes = metrics.isDatabaseUp ? try? await store.nodes() : nil
            let storage = metrics.isDatabaseUp && store.isMigrated ? try? await store.storageSummary() : nil
            return JSONResponse.text(
                metrics.render(nodes: nodes ?? [], storage: storage, now: store.nowMillis()),
                contentType: "text/plain; version=0.0.4; charset=utf-8")
        }
        router.get("openapi.json") { _, _ in
            JSONResponse.text(CentralOpenAPIDocument.json, contentType: "application/json")
        }
        // Enrollment carries a join token, not a node token: its own group, without node auth.
        let enroll = router.group("v1")
        enroll.add(middleware: DatabaseGateMiddleware(store: store, metrics: metrics))
        EnrollRoutes(store: store, metrics: metrics).register(enroll)
        let v1 = router.group("v1")
        v1.add(middleware: DatabaseGateMiddleware(store: store, metrics: metrics))
        v1.add(middleware: NodeAuthMiddleware(store: store, limiter: metrics.authFailures))
        TaskRoutes(store: CentralTaskRepository(store: store)).register(v1)
        NodeRoutes(store: store).register(v1)
        SyncRoutes(store: store, metrics: metrics).register(v1)
        return router
    }
}
