import HostProbes
import HouseholdAPI
import Hummingbird
import LocalStore

/// `/health`, `/readiness`, `/metrics`, `/openapi.json`, `/docs` and `/`: open even when an
/// API token is configured.
struct ProbeRoutes<Context: RequestContext> {
    let environment: AgentAPI.Environment

    func register(_ router: Router<Context>) {
        router.get("health") { _, _ -> Response in
            let store = environment.store
            do {
                try await blocking { try store.healthCheck() }
                return JSONResponse.text(#"{"status":"ok"}"#, contentType: "application/json")
            } catch {
                return JSONResponse.text(
                    #"{"status":"unhealthy","message":"the database cannot be read"}"#, contentType: "application/json",
                    status: .serviceUnavailable)
            }
        }
        router.get("readiness") { _, _ -> Response in
            let health = environment.store.health()
            guard health == .ok else { throw APIError.notReady(health.description) }
            switch environment.readiness.current {
            case .ready: return JSONResponse.text(#"{"status":"ready"}"#, contentType: "application/json")
            case .starting: throw APIError.notReady("the agent is starting")
            case .stopping: throw APIError.notReady("the agent is shutting down")
            }
        }
        router.get("metrics") { _, _ -> Response in
            let env = environment
            let body = try await blocking {
                let hardware = env.scrapeHardware?() ?? env.latest.value?.reading.metricFamilies ?? []
                return PrometheusExposition.renderBytes(hardware + (try AgentMetrics.families(env, now: env.wallClock.nowMillis())))
            }
            return JSONResponse.text(bytes: body, contentType: PrometheusExposition.contentType)
        }
        router.get("openapi.json") { _, _ -> Response in
            JSONResponse.text(OpenAPIDocument.json, contentType: "application/json")
        }
        router.get("docs") { _, _ -> Response in
            JSONResponse.text(DocsPage.html, contentType: "text/html; charset=utf-8")
        }
        router.get("/") { _, _ -> Response in
            JSONResponse.text(HouseholdPage.html, contentType: "text/html; charset=utf-8")
        }
    }
}
