import PostgresNIO
import Sync
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Raw samples of one series of one node, as received.
public struct CentralSeriesPoints: Sendable, Equatable {
    public var labels: [String: String]
    public var points: [(ts: Int64, value: Double, clock: SyncWire.SampleClock)]

    public static func == (a: Self, b: Self) -> Bool {
        a.labels == b.labels && a.points.count == b.points.count
            && zip(a.points, b.points).allSatisfy { $0.ts == $1.ts && $0.value == $1.value && $0.clock == $1.clock }
    }
}

extension CentralStore {
    /// Stores a batch of one node's samples in one transaction and answers only after COMMIT.
    /// A sample is keyed by (node, series, ts): a replayed batch inserts nothing and still
    /// acknowledges. `after` newer than what central holds means central lost samples it had
    /// acknowledged (restored from a backup): `rewound`, and the agent resyncs.
    public func ingest(_ batch: SyncWire.SampleBatch, from node: AuthenticatedNode) async throws -> SyncWire.SampleAck {
        guard batch.node == node.name else {
            throw CentralStoreError.wrongNode("this token belongs to node \(node.name), not \(batch.node.prefix(60))")
        }
        let seriesIDs = try await resolveSeries(batch.series.map(\.key))
        var sids: [Int32] = []
        var tss: [Int64] = []
        var values: [Double] = []
        var clocks: [Int16] = []
        let total = batch.sampleCount
        sids.reserveCapacity(total)
        tss.reserveCapacity(total)
        values.reserveCapacity(total)
        clocks.reserveCapacity(total)
        let layouts = batch.layouts.map { $0.map { seriesIDs[$0] } }
        for reading in batch.readings {
            let layout = layouts[reading.layout]
            let clock = reading.clock.code
            for (i, value) in reading.values.enumerated() {
                sids.append(layout[i])
                tss.append(reading.ts)
                values.append(value)
                clocks.append(clock)
            }
        }
        let last = batch.readings.last?.ts
        let after = batch.after
        return try await operation("ingest samples") { [client, logger, sids, tss, values, clocks] in
            try await client.withTransaction(logger: logger) { tx in
                let through = try await tx.query(
                    "SELECT samples_through FROM node WHERE id = \(node.id) FOR UPDATE", logger: logger).column(Int64?.self)
                let held = through.first ?? nil
                if let after, held == nil || held! < after {
                    throw CentralStoreError.rewound(
                        "the node has samples through \(after) acknowledged, central holds them through \(held.map(String.init) ?? "nothing")")
                }
                var inserted = 0
                if !tss.isEmpty {
                    let rows = try await tx.query("""
                        WITH ins AS (
                            INSERT INTO sample (node_id, series_id, ts, value, clock)
                            SELECT \(node.id), * FROM unnest(\(sids)::int4[], \(tss)::int8[], \(values)::float8[], \(clocks)::int2[])
                            ON CONFLICT DO NOTHING RETURNING 1)
                        SELECT count(*)::int8 FROM ins
                        """, logger: logger).column(Int64.self)
                    inserted = Int(rows.first ?? 0)
                }
                try await tx.query("""
                    UPDATE node SET samples_through = greatest(samples_through, \(last)), samples_stored = samples_stored + \(Int64(inserted)),
                        last_sync_at = now() WHERE id = \(node.id)
                    """, logger: logger)
                return SyncWire.SampleAck(storedThrough: last ?? after, samples: total, inserted: inserted, duplicates: total - inserted)
            }
        }
    }

    /// Series ids, from the process-wide cache or created (`ON CONFLICT DO NOTHING`, then
    /// read back), outside the ingest transaction: ids are immutable.
    func resolveSeries(_ keys: [SeriesKey]) async throws -> [Int32] {
        var ids = seriesIDs.withLock { cache in keys.map { cache[$0] } }
        let missing = keys.indices.filter { ids[$0] == nil }
        if !missing.isEmpty {
            let names = missing.map { keys[$0].name }
            let labels = missing.map { keys[$0].labelText }
            let found = try await operation("resolve series") { [client, logger] in
                try await client.query("""
                    INSERT INTO series (name, labels) SELECT * FROM unnest(\(names)::text[], \(labels)::text[])
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
                return try await client.query("""
                    SELECT s.id, s.name, s.labels FROM series s
                    JOIN unnest(\(names)::text[], \(labels)::text[]) AS k(name, labels) ON s.name = k.name AND s.labels = k.labels
                    """, logger: logger).collect((Int32, String, String).self)
            }
            let byText = Dictionary(found.map { ("\($0.1)\u{0}\($0.2)", $0.0) }, uniquingKeysWith: { a, _ in a })
            seriesIDs.withLock { cache in
                for i in missing {
                    let id = byText["\(keys[i].name)\u{0}\(keys[i].labelText)"]
                    ids[i] = id
                    if let id { cache[keys[i]] = id }
                }
            }
        }
        return try ids.map { id in
            guard let id else { throw CentralStoreError.unavailable("series could not be registered") }
            return id
        }
    }

    /// Raw samples of one node's series in `[since, until]`, in time order, at most `limit`
    /// points in all. Series are matched by name and labels first; only their points are read.
    public func series(node: String, name: String, labels: [String: String], since: Int64, until: Int64,
                       limit: Int) async throws -> [CentralSeriesPoints] {
        try await operation("read series") { [client, logger] in
            var matching: [(Int32, [String: String])] = []
            for try await (id, text) in try await client.query(
                "SELECT id, labels FROM series WHERE name = \(name) ORDER BY labels", logger: logger).decode((Int32, String).self) {
                let parsed = Dictionary((SeriesKey.parseLabels(text) ?? []).map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
                if labels.allSatisfy({ parsed[$0.key] == $0.value }) { matching.append((id, parsed)) }
            }
            guard !matching.isEmpty else { return [] }
            let ids = matching.map(\.0)
            let rows = try await client.query("""
                SELECT p.series_id, p.ts, p.value, p.clock FROM sample p JOIN node n ON n.id = p.node_id
                WHERE n.name = \(node) AND p.series_id = ANY(\(ids)::int4[]) AND p.ts BETWEEN \(since) AND \(until)
                ORDER BY p.series_id, p.ts LIMIT \(limit + 1)
                """, logger: logger).collect((Int32, Int64, Double, Int16).self)
            if rows.count > limit {
                throw CentralStoreError.invalidChange("more than \(limit) points; narrow the time range")
            }
            var points: [Int32: [(ts: Int64, value: Double, clock: SyncWire.SampleClock)]] = [:]
            for row in rows { points[row.0, default: []].append((row.1, row.2, SyncWire.SampleClock(code: row.3))) }
            return matching.compactMap { id, labels in
                points[id].map { CentralSeriesPoints(labels: labels, points: $0) }
            }
        }
    }
}
