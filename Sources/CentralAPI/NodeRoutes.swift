import CentralStore
import HouseholdAPI
import Hummingbird
import Sync

/// `GET /v1/nodes` and `GET /v1/series` (docs/central-api.md).
struct NodeRoutes {
    let store: CentralStore
    static let maxPoints = 100_000
    static let maxSteps = 11_000
    static let reserved: Set<String> = ["node", "name", "since", "until", "step"]

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
            var step: (millis: Int64, text: String)?
            if let text = query["step"].map(String.init) {
                guard !text.hasPrefix("0"), let millis = DurationText.parseMillis(text), millis >= 1000 else {
                    throw APIError.badParameter("step must be a duration of at least 1s, such as 60s, 5m or 1h")
                }
                step = (millis, text)
            }
            // Raw: the whole history by default. Stepped, as on the agent: the last hour.
            let until = try time("until") ?? (step == nil ? Int64.max / 2 : store.nowMillis())
            let since = try time("since") ?? (step == nil ? 0 : until - 3_600_000)
            guard since <= until else { throw APIError.badParameter("since must not be after until") }
            if let step, (until - since) / step.millis >= Int64(Self.maxSteps) {
                throw APIError.badParameter("at most \(Self.maxSteps) steps of \(step.text) between since and until; widen the step or narrow the range")
            }
            var labels: [String: String] = [:]
            for (key, value) in query where !Self.reserved.contains(String(key)) {
                labels[String(key)] = String(value)
            }
            do {
                let body: [UInt8]
                if let step {
                    let series = try await store.series(
                        node: node, name: name, labels: labels, since: since, until: until, step: step.millis, limit: Self.maxPoints)
                    body = SeriesAnswer.json(node: node, name: name, step: step.text, series: series)
                } else {
                    let series = try await store.series(node: node, name: name, labels: labels, since: since, until: until, limit: Self.maxPoints)
                    body = SeriesAnswer.json(node: node, name: name, series: series)
                }
                return JSONResponse.raw(ByteBuffer(bytes: body))
            } catch CentralStoreError.invalidChange(let why) {
                throw APIError.badParameter(why)
            }
        }
    }
}
