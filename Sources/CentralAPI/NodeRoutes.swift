import CentralStore
import HouseholdAPI
import Hummingbird
import Sync

/// `GET /v1/nodes` and `GET /v1/series` (docs/central-api.md).
struct NodeRoutes {
    let store: CentralStore
    static let maxPoints = 100_000
    static let reserved: Set<String> = ["node", "name", "since", "until"]

    func register(_ group: RouterGroup<CentralRequestContext>) {
        group.get("nodes") { _, _ -> Response in
            try JSONResponse.make(["nodes": try await store.nodes()])
        }
        group.get("series") { request, _ -> Response in
            let query = request.uri.queryParameters
            guard let node = query["node"].map(String.init), !node.isEmpty else { throw APIError.badParameter("node is required") }
            guard let name = query["name"].map(String.init), !name.isEmpty else { throw APIError.badParameter("name is required") }
            func time(_ key: String) throws -> Int64? {
                guard let text = query[Substring(key)] else { return nil }
                guard let t = RFC3339.parse(String(text)) else { throw APIError.badParameter("\(key) must be an RFC 3339 date-time") }
                return t
            }
            let until = try time("until") ?? Int64.max / 2
            let since = try time("since") ?? 0
            guard since <= until else { throw APIError.badParameter("since must not be after until") }
            var labels: [String: String] = [:]
            for (key, value) in query where !Self.reserved.contains(String(key)) {
                labels[String(key)] = String(value)
            }
            let series: [CentralSeriesPoints]
            do {
                series = try await store.series(node: node, name: name, labels: labels, since: since, until: until, limit: Self.maxPoints)
            } catch CentralStoreError.invalidChange(let why) {
                throw APIError.badParameter(why)
            }
            var out = #"{"node":"# + JSONText.quote(node) + #","name":"# + JSONText.quote(name) + #","series":["#
            for (i, s) in series.enumerated() {
                if i > 0 { out += "," }
                out += #"{"labels":{"#
                out += s.labels.sorted { $0.key < $1.key }.map { JSONText.quote($0.key) + ":" + JSONText.quote($0.value) }.joined(separator: ",")
                out += #"},"points":["#
                out += s.points.map { #"{"t":""# + RFC3339.format(millis: $0.ts) + #"","v":"# + "\($0.value)" + #","clock":""# + $0.clock.rawValue + #""}"# }
                    .joined(separator: ",")
                out += "]}"
            }
            out += "]}"
            return JSONResponse.text(out, contentType: "application/json")
        }
    }
}
