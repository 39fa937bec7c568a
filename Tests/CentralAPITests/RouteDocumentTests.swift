import Foundation
import HouseholdAPI
import Testing

@testable import CentralAPI

/// Central's HTTP layer, where the Python suites cannot reach cheaply. The routes central
/// answers (its route table, which also drives 405 with `Allow`) and the operations its
/// OpenAPI document declares are the same set, in both directions.
@Suite struct RouteDocumentTests {
    @Test func everyRouteIsDocumentedAndEveryOperationIsRouted() throws {
        let object = try JSONSerialization.jsonObject(with: Data(CentralOpenAPIDocument.json.utf8)) as? [String: Any]
        let paths = try #require(object?["paths"] as? [String: [String: Any]])
        var documented = Set<String>()
        for (path, item) in paths {
            for method in item.keys where ["get", "put", "post", "patch", "delete"].contains(method) {
                documented.insert(method.uppercased() + " " + path)
            }
        }
        var routed = Set<String>()
        for route in CentralAPI.routes.routes {
            let path = "/" + route.path.map { $0.hasPrefix(":") ? "{" + $0.dropFirst() + "}" : $0 }.joined(separator: "/")
            for method in route.methods { routed.insert("\(method.rawValue) \(path)") }
        }
        #expect(routed.subtracting(documented).sorted().isEmpty, "routes without a documented operation")
        #expect(documented.subtracting(routed).sorted().isEmpty, "documented operations without a route")
        #expect(documented.contains("POST /v1/enroll"))
    }

    @Test func failedAuthenticationsAreLimitedPerAddressNotGlobally() {
        let limiter = AuthFailureLimiter(burst: 2, refillMillis: 60_000)
        limiter.recordFailure("192.0.2.1")
        limiter.recordFailure("192.0.2.1")
        #expect(limiter.retryAfterSeconds("192.0.2.1") == 60)
        #expect(limiter.retryAfterSeconds("192.0.2.2") == nil)
    }
}
