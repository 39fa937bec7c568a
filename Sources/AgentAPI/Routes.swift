import Hummingbird

/// The API's paths and their methods, as the OpenAPI document declares them, so a known path
/// asked with another method answers 405 with `Allow` instead of 404.
enum Routes {
    static let table: [(path: [String], methods: [HTTPRequest.Method])] = [
        ([], [.get]), (["health"], [.get]), (["readiness"], [.get]), (["metrics"], [.get]), (["openapi.json"], [.get]),
        (["docs"], [.get]), (["v1", "tasks"], [.get, .post]), (["v1", "tasks", ":id"], [.get, .patch, .delete]),
        (["v1", "node"], [.get]), (["v1", "series"], [.get]), (["v1", "status"], [.get]),
    ]

    /// The methods a path accepts, or nil if no route has that path.
    static func methods(for path: String) -> [HTTPRequest.Method]? {
        let parts = path.split(separator: "/").map(String.init)
        return table.first { route in
            route.path.count == parts.count && zip(route.path, parts).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
        }?.methods
    }
}
