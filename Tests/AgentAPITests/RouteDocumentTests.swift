import Foundation
import HouseholdAPI
import Testing

@testable import AgentAPI

/// The routes the agent answers (its route table, which also drives 405 with `Allow`) and
/// the operations its OpenAPI document declares are the same set, in both directions.
@Suite struct RouteDocumentTests {
    @Test func everyRouteIsDocumentedAndEveryOperationIsRouted() throws {
        let documented = try OpenAPIOperations.parse(OpenAPIDocument.json)
        let routed = OpenAPIOperations.of(AgentRoutes.table)
        #expect(routed.subtracting(documented).sorted().isEmpty, "routes without a documented operation")
        #expect(documented.subtracting(routed).sorted().isEmpty, "documented operations without a route")
        #expect(documented.count >= 10)
    }
}

/// (METHOD, /path/{param}) pairs, from an OpenAPI document or a route table.
enum OpenAPIOperations {
    static func parse(_ json: String) throws -> Set<String> {
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        let paths = try #require(object?["paths"] as? [String: [String: Any]])
        var operations = Set<String>()
        for (path, item) in paths {
            for method in item.keys where ["get", "put", "post", "patch", "delete", "head", "options"].contains(method) {
                operations.insert(method.uppercased() + " " + path)
            }
        }
        return operations
    }

    static func of(_ table: RouteTable) -> Set<String> {
        var operations = Set<String>()
        for route in table.routes {
            let path = "/" + route.path.map { $0.hasPrefix(":") ? "{" + $0.dropFirst() + "}" : $0 }.joined(separator: "/")
            for method in route.methods { operations.insert("\(method.rawValue) \(path)") }
        }
        return operations
    }
}
