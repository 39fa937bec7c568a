import HouseholdAPI

/// The agent's paths and methods, as its OpenAPI document declares them (405 with `Allow`).
enum AgentRoutes {
    static let table = RouteTable([
        ([], [.get]), (["health"], [.get]), (["readiness"], [.get]), (["metrics"], [.get]), (["openapi.json"], [.get]),
        (["docs"], [.get]), (["v1", "tasks"], [.get, .post]), (["v1", "tasks", ":id"], [.get, .patch, .delete]),
        (["v1", "node"], [.get]), (["v1", "series"], [.get]), (["v1", "status"], [.get]), (["v1", "peers"], [.get]),
    ])
}
