import CentralStore
import Sync

/// The body of central's `GET /v1/series`, written by the JSON writer: a node's series of one
/// name, raw points or (with `step`) buckets, keys sorted.
enum SeriesAnswer {
    static func json(node: String, name: String, series: [CentralSeriesPoints]) -> [UInt8] {
        json(node: node, name: name, step: nil, series: series, labels: \.labels, points: \.points) { w, p in
            w.string("clock", p.clock.rawValue)
            w.time("t", p.ts)
            w.double("v", p.value)
        }
    }

    static func json(node: String, name: String, step: String, series: [CentralSeriesBuckets]) -> [UInt8] {
        json(node: node, name: name, step: step, series: series, labels: \.labels, points: \.buckets) { w, b in
            w.double("avg", b.average)
            w.int("count", Int64(b.count))
            w.double("max", b.max)
            w.double("min", b.min)
            w.time("t", b.start)
        }
    }

    /// The answer around each series' labels and its points, each point written by `point`.
    private static func json<Series, Point>(
        node: String, name: String, step: String?, series: [Series], labels: KeyPath<Series, [String: String]>,
        points: KeyPath<Series, [Point]>, point: (inout JSONObjectWriter, Point) -> Void
    ) -> [UInt8] {
        JSONObjectWriter.object { w in
            w.string("name", name)
            w.string("node", node)
            w.objects("series", series) { w, s in
                w.stringObject("labels", s[keyPath: labels].sorted { $0.key < $1.key })
                w.objects("points", s[keyPath: points], point)
            }
            w.string("step", step)
        }
    }
}
