import Hummingbird

/// An API's paths and their methods, as its OpenAPI document declares them, so a known path
/// asked with another method answers 405 with `Allow` instead of 404.
public struct RouteTable: Sendable {
    public var routes: [(path: [String], methods: [HTTPRequest.Method])]

    public init(_ routes: [(path: [String], methods: [HTTPRequest.Method])]) {
        self.routes = routes
    }

    /// The methods a path accepts, or nil if no route has that path.
    public func methods(for path: String) -> [HTTPRequest.Method]? {
        let parts = path.split(separator: "/").map(String.init)
        return routes.first { route in
            route.path.count == parts.count && zip(route.path, parts).allSatisfy { $0.hasPrefix(":") || $0 == $1 }
        }?.methods
    }
}
