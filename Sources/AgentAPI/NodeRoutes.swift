import HouseholdAPI
import Hummingbird
import LocalStore
import Sampling
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `/v1/peers`, `/v1/node`, `/v1/series`, `/v1/status`.
struct NodeRoutes<Context: RequestContext> {
    let environment: AgentAPI.Environment

    func register(_ group: RouterGroup<Context>) {
        group.get("peers") { _, _ -> Response in
            // The household's other Pis, for the page to switch to when this one stops answering.
            try JSONResponse.make(["peers": environment.peers.urls])
        }
        group.get("node") { _, _ -> Response in
            guard let latest = environment.latest.value else { throw APIError.notReady("no hardware reading has been taken yet") }
            let data = try latest.reading.jsonData(
                node: environment.nodeName, takenAt: Date(timeIntervalSince1970: Double(latest.takenAt) / 1000))
            return JSONResponse.raw(data)
        }
        group.get("series") { request, _ -> Response in
            let query = try SeriesQuery(request.uri.queryParameters, now: environment.wallClock.nowMillis())
            let store = environment.store
            if let step = query.step {
                let series = try await blocking {
                    try store.series(name: query.name, labels: query.labels, since: query.since, until: query.until, step: step)
                }
                return try JSONResponse.make(
                    SeriesResponse(
                        name: query.name, step: query.stepText,
                        series: series.map {
                            .init(labels: $0.series.labelMap, points: $0.buckets.map { .stepped($0) })
                        }))
            }
            let series = try await blocking {
                try store.series(name: query.name, labels: query.labels, since: query.since, until: query.until)
            }
            return try JSONResponse.make(
                SeriesResponse(
                    name: query.name, step: nil,
                    series: series.map {
                        .init(labels: $0.series.labelMap, points: $0.points.map { .raw($0) })
                    }))
        }
        group.get("status") { _, _ -> Response in
            let env = environment
            let status = try await blocking {
                try AgentStatus.current(
                    store: env.store, node: env.nodeName, version: env.version, startedAt: env.startedAt,
                    sync: env.sync, now: env.wallClock.nowMillis(),
                    clockSynchronized: env.latest.value?.reading.clockSynchronized)
            }
            return try JSONResponse.make(status)
        }
    }
}

/// The parameters of `GET /v1/series`, checked.
struct SeriesQuery {
    var name: String
    var since: Int64
    var until: Int64
    var step: Int64?
    var stepText: String?
    var labels: [String: String]

    init(_ parameters: Parameters, now: Int64) throws {
        guard let name = parameters["name"].map(String.init), !name.isEmpty else {
            throw APIError.badParameter("name is required, e.g. name=node_load1")
        }
        self.name = name
        func time(_ key: String) throws -> Int64? {
            guard let text = parameters[key.utf8Substring] else { return nil }
            guard let millis = RFC3339.parse(String(text)) else {
                throw APIError.badParameter("\(key) must be an RFC 3339 date-time such as 2026-11-22T04:00:00Z")
            }
            return millis
        }
        // The cost of a query follows the rows stored in the range, not its width (raw samples
        // exist only for the retention period), so any range is accepted; an empty or inverted
        // one simply holds nothing.
        until = try time("until") ?? now
        since = try time("since") ?? until - 3_600_000
        if let text = parameters["step"].map(String.init) {
            guard !text.hasPrefix("0"), let step = DurationText.parseMillis(text), step >= 1000 else {
                throw APIError.badParameter("step must be a duration of at least 1s, such as 60s, 5m or 1h")
            }
            self.step = step
            stepText = text
        }
        var labels: [String: String] = [:]
        for (key, value) in parameters where !["name", "since", "until", "step"].contains(String(key)) {
            labels[String(key)] = String(value)
        }
        self.labels = labels
    }
}

extension String {
    var utf8Substring: Substring { Substring(self) }
}

struct SeriesResponse: Encodable {
    var name: String
    var step: String?
    var series: [Entry]

    struct Entry: Encodable {
        var labels: [String: String]
        var points: [Point]
    }

    enum Point: Encodable {
        case raw(SeriesPoints.Point)
        case stepped(SeriesBuckets.Bucket)

        enum Keys: String, CodingKey { case t, v, avg, min, max, count }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            switch self {
            case .raw(let p):
                try c.encode(RFC3339.format(millis: p.timestamp), forKey: .t)
                try c.encode(p.value, forKey: .v)
            case .stepped(let b):
                try c.encode(RFC3339.format(millis: b.timestamp), forKey: .t)
                try c.encode(b.average, forKey: .avg)
                try c.encode(b.min, forKey: .min)
                try c.encode(b.max, forKey: .max)
                try c.encode(b.count, forKey: .count)
            }
        }
    }

    enum Keys: String, CodingKey { case name, step, series }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(name, forKey: .name)
        try c.encode(step, forKey: .step)
        try c.encode(series, forKey: .series)
    }
}

extension SeriesKey {
    var labelMap: [String: String] {
        Dictionary(labels.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
    }
}
