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
    ///
    /// Samples older than the retention (before `raw_from`, or before the first day
    /// `--sample-retention` keeps) are `expired`: acknowledged, counted, not stored. A batch
    /// reaching more than `maxFuture` ahead of central's clock is refused as a whole.
    public func ingest(_ batch: SyncWire.SampleBatch, from node: AuthenticatedNode) async throws -> SyncWire.SampleAck {
        guard batch.node == node.name else {
            throw CentralStoreError.wrongNode("this token belongs to node \(node.name), not \(batch.node.prefix(60))")
        }
        let now = self.now()
        // Readings are in strictly increasing ts order (checked by the API before this).
        if let last = batch.readings.last, last.ts > now + configuration.maxFuture,
            let index = batch.readings.firstIndex(where: { $0.ts > now + configuration.maxFuture })
        {
            let ts = batch.readings[index].ts
            throw CentralStoreError.sampleInFuture(
                "readings[\(index)].ts \(ts) (\(RFC3339.representable.contains(ts) ? RFC3339.format(millis: ts) : "out of range")) "
                    + "is more than \(configuration.maxFuture / 3_600_000) h ahead of central's clock (\(RFC3339.format(millis: now))); fix the node's clock")
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
        // The days this batch writes into, unless retention gave them up already.
        let keep = configuration.retention.rawCutoff(now: now).start
        var days: [SampleDay] = []
        for reading in batch.readings where reading.ts >= keep && !reading.values.isEmpty {
            let day = SampleDay(containing: reading.ts)
            if days.last != day { days.append(day) }
        }
        let batchDays = days
        try await ensureRawPartitions(batchDays)
        // `replay` false: a plain INSERT, which fails (23505) if any row is already stored; the
        // usual batch is new, and PostgreSQL then searches each row's index page once instead
        // of twice (ON CONFLICT probes before it inserts). A replayed batch (its answer was
        // lost) is run again with ON CONFLICT DO NOTHING.
        let insert: @Sendable (_ legacy: Bool, _ replay: Bool) async throws -> SyncWire.SampleAck = {
            [client, logger, sids, tss, values, clocks] legacy, replay in
            try await client.withConnection { connection in
                try await connection.readCommitted(logger) { tx in
                    // The node's row lock: one node's batches in turn, and what retention waits
                    // for before it moves `raw_from` (it then holds the table EXCLUSIVE). The
                    // INSERT below reads `raw_from` after this, so it sees any move committed.
                    let locked = try await tx.query(
                        """
                        SELECT samples_through, (SELECT greatest(raw_from, \(keep)) FROM sample_state)
                        FROM node WHERE id = \(node.id) FOR UPDATE OF node
                        """, logger: logger
                    ).collect((Int64?, Int64).self)
                    let held = locked.first?.0 ?? nil
                    if let after, held == nil || held! < after {
                        throw CentralStoreError.rewound(
                            "the node has samples through \(after) acknowledged, central holds them through \(held.map(String.init) ?? "nothing")")
                    }
                    let kept = locked.first?.1 ?? keep
                    // ts ascends through the batch: the expired samples are a prefix.
                    let expired = Self.countBefore(kept, in: tss)
                    var inserted = 0
                    if expired < tss.count {
                        if !replay && !legacy {
                            try await tx.query(
                                """
                                INSERT INTO sample (node_id, series_id, ts, value, clock)
                                SELECT \(node.id), u.s, u.t, u.v, u.c
                                FROM unnest(\(PackedArray(sids))::int4[], \(PackedArray(tss))::int8[], \(PackedArray(values))::float8[], \(PackedArray(clocks))::int2[]) AS u(s, t, v, c)
                                WHERE u.t >= \(kept)
                                """, logger: logger)
                            inserted = tss.count - expired
                        } else {
                            // While rows of the table of before partitioning wait to be moved, a
                            // sample already there is a duplicate too.
                            let notMoved =
                                legacy
                                ? """
                                AND NOT EXISTS (SELECT 1 FROM sample_legacy l WHERE l.node_id = \(node.id) AND l.series_id = u.s AND l.ts = u.t)
                                """ : ""
                            let rows = try await tx.query(
                                """
                                WITH ins AS (
                                    INSERT INTO sample (node_id, series_id, ts, value, clock)
                                    SELECT \(node.id), u.s, u.t, u.v, u.c
                                    FROM unnest(\(PackedArray(sids))::int4[], \(PackedArray(tss))::int8[], \(PackedArray(values))::float8[], \(PackedArray(clocks))::int2[]) AS u(s, t, v, c)
                                    WHERE u.t >= \(kept) \(unescaped: notMoved)
                                    ON CONFLICT DO NOTHING RETURNING 1)
                                SELECT count(*)::int8 FROM ins
                                """, logger: logger
                            ).collect(Int64.self)
                            inserted = Int(rows.first ?? 0)
                        }
                    }
                    try await tx.query(
                        """
                        UPDATE node SET samples_through = greatest(samples_through, \(last)), samples_stored = samples_stored + \(Int64(inserted)),
                            last_sync_at = now() WHERE id = \(node.id)
                        """, logger: logger)
                    return SyncWire.SampleAck(
                        storedThrough: last ?? after, samples: total, inserted: inserted,
                        duplicates: total - inserted - expired, expired: expired)
                }
            }
        }
        return try await operation("ingest samples") { [self] in
            var legacy = !legacyGone.load(ordering: .acquiring)
            var replay = false
            var partitionsChecked = false
            while true {
                do {
                    return try await insert(legacy, replay)
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23505" && !replay {
                    // Some of the batch is stored already: the same batch, duplicates skipped.
                    replay = true
                } catch let error as PSQLError where legacy && error.serverInfo?[.sqlState] == "42P01" {
                    // sample_legacy was dropped while this batch waited for its node's row.
                    legacyGone.store(true, ordering: .releasing)
                    legacy = false
                } catch let error as PSQLError where error.serverInfo?[.sqlState] == "23514" && !partitionsChecked {
                    // No partition for a row: one this process believed in was dropped by hand.
                    partitionsChecked = true
                    forgetPartitions()
                    try await ensureRawPartitions(batchDays)
                    legacy = legacy && !legacyGone.load(ordering: .acquiring)
                }
            }
        }
    }

    /// How many of the ascending `values` are below `limit`.
    static func countBefore(_ limit: Int64, in values: [Int64]) -> Int {
        var low = 0, high = values.count
        while low < high {
            let mid = (low + high) / 2
            if values[mid] < limit { low = mid + 1 } else { high = mid }
        }
        return low
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
                try await client.query(
                    """
                    INSERT INTO series (name, labels) SELECT * FROM unnest(\(names)::text[], \(labels)::text[])
                    ON CONFLICT DO NOTHING
                    """, logger: logger)
                return try await client.query(
                    """
                    SELECT s.id, s.name, s.labels FROM series s
                    JOIN unnest(\(names)::text[], \(labels)::text[]) AS k(name, labels) ON s.name = k.name AND s.labels = k.labels
                    """, logger: logger
                ).collect((Int32, String, String).self)
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
    public func series(
        node: String, name: String, labels: [String: String], since: Int64, until: Int64,
        limit: Int
    ) async throws -> [CentralSeriesPoints] {
        try await operation("read series") { [self] in
            let matching = try await matchingSeries(name: name, labels: labels)
            guard !matching.isEmpty else { return [] }
            let ids = matching.map(\.0)
            let idList = ids.map(String.init).joined(separator: ",")
            let rows = try await withLegacy { [client, logger] legacy in
                // Numbers only, written out: this part is spliced into the query text.
                let old =
                    legacy
                    ? """
                    UNION ALL SELECT l.series_id, l.ts, l.value, l.clock FROM sample_legacy l, nd
                    WHERE l.node_id = nd.id AND l.series_id = ANY(ARRAY[\(idList)]::int4[]) AND l.ts BETWEEN \(since) AND \(until)
                    """ : ""
                return try await client.query(
                    """
                    WITH nd AS (SELECT id FROM node WHERE name = \(node))
                    SELECT * FROM (
                        SELECT p.series_id, p.ts, p.value, p.clock FROM sample p, nd
                        WHERE p.node_id = nd.id AND p.series_id = ANY(\(ids)::int4[]) AND p.ts BETWEEN \(since) AND \(until)
                        \(unescaped: old)) q
                    ORDER BY 1, 2 LIMIT \(limit + 1)
                    """, logger: logger
                ).collect((Int32, Int64, Double, Int16).self)
            }
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

    /// One node's series aggregated into `step`-millisecond buckets (aligned to multiples of
    /// `step`) over `since...until`, from raw samples, per-minute and hourly rollups alike,
    /// each sample counted once: in one statement (one snapshot), raw rows from
    /// `rolled_through` on, per-minute rollups from `minute_from` to `rolled_through`, hourly
    /// ones before `minute_from`. A rollup that starts before `since` counts in `since`'s
    /// bucket, as on the agent. At most `limit` buckets in all.
    public func series(
        node: String, name: String, labels: [String: String], since: Int64, until: Int64,
        step: Int64, limit: Int
    ) async throws -> [CentralSeriesBuckets] {
        precondition(step > 0)
        return try await operation("read series") { [self] in
            let matching = try await matchingSeries(name: name, labels: labels)
            guard !matching.isEmpty else { return [] }
            let ids = matching.map(\.0)
            let idList = ids.map(String.init).joined(separator: ",")
            let rows = try await withLegacy { [client, logger] legacy in
                // Numbers only, written out: this part is spliced into the query text.
                let old =
                    legacy
                    ? """
                    UNION ALL SELECT l.series_id, l.ts, l.value, l.value, l.value, 1 FROM sample_legacy l, nd, st
                    WHERE l.node_id = nd.id AND l.series_id = ANY(ARRAY[\(idList)]::int4[]) AND l.ts BETWEEN \(since) AND \(until)
                      AND l.ts >= st.r
                    """ : ""
                return try await client.query(
                    """
                    WITH nd AS (SELECT id FROM node WHERE name = \(node)),
                    st AS (SELECT rolled_through AS r, minute_from AS m FROM sample_state),
                    pts (series_id, t, lo, hi, total, n) AS (
                        SELECT p.series_id, p.ts, p.value, p.value, p.value, 1 FROM sample p, nd, st
                        WHERE p.node_id = nd.id AND p.series_id = ANY(\(ids)::int4[]) AND p.ts BETWEEN \(since) AND \(until)
                          AND p.ts >= st.r
                        \(unescaped: old)
                        UNION ALL
                        SELECT r.series_id, greatest(r.ts, \(since)), r.min, r.max, r.avg * r.count, r.count FROM sample_minute r, nd, st
                        WHERE r.node_id = nd.id AND r.series_id = ANY(\(ids)::int4[]) AND r.ts > \(since - 60_000) AND r.ts <= \(until)
                          AND r.ts < st.r AND r.ts >= st.m
                        UNION ALL
                        SELECT r.series_id, greatest(r.ts, \(since)), r.min, r.max, r.avg * r.count, r.count FROM sample_hour r, nd, st
                        WHERE r.node_id = nd.id AND r.series_id = ANY(\(ids)::int4[]) AND r.ts > \(since - 3_600_000) AND r.ts <= \(until)
                          AND r.ts < st.m)
                    SELECT series_id, t - ((t % \(step)) + \(step)) % \(step) AS bucket,
                           min(lo), max(hi), sum(total), sum(n)::int8
                    FROM pts GROUP BY 1, 2 ORDER BY 1, 2 LIMIT \(limit + 1)
                    """, logger: logger
                ).collect((Int32, Int64, Double, Double, Double, Int64).self)
            }
            if rows.count > limit {
                throw CentralStoreError.invalidChange("more than \(limit) buckets; narrow the time range or widen the step")
            }
            var buckets: [Int32: [CentralSeriesBuckets.Bucket]] = [:]
            for row in rows {
                buckets[row.0, default: []].append(.init(start: row.1, min: row.2, max: row.3, sum: row.4, count: Int(row.5)))
            }
            return matching.compactMap { id, labels in
                buckets[id].map { CentralSeriesBuckets(labels: labels, buckets: $0) }
            }
        }
    }

    /// The series called `name` whose labels include `labels`.
    func matchingSeries(name: String, labels: [String: String]) async throws -> [(Int32, [String: String])] {
        var matching: [(Int32, [String: String])] = []
        for try await (id, text) in try await client.query(
            "SELECT id, labels FROM series WHERE name = \(name) ORDER BY labels", logger: logger
        ).decode((Int32, String).self) {
            let parsed = Dictionary((SeriesKey.parseLabels(text) ?? []).map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
            if labels.allSatisfy({ parsed[$0.key] == $0.value }) { matching.append((id, parsed)) }
        }
        return matching
    }

    /// Runs a read with `sample_legacy` included while it may exist; if it was dropped in the
    /// meantime (42P01), again without.
    func withLegacy<T: Sendable>(_ body: (Bool) async throws -> T) async throws -> T {
        let legacy = !legacyGone.load(ordering: .acquiring)
        do {
            return try await body(legacy)
        } catch let error as PSQLError where legacy && error.serverInfo?[.sqlState] == "42P01" {
            legacyGone.store(true, ordering: .releasing)
            return try await body(false)
        }
    }
}

/// Samples of one series of one node in buckets of a step.
public struct CentralSeriesBuckets: Sendable, Equatable {
    public struct Bucket: Sendable, Equatable {
        public var start: Int64
        public var min: Double
        public var max: Double
        public var sum: Double
        public var count: Int
        public var average: Double { sum / Double(count) }
        public init(start: Int64, min: Double, max: Double, sum: Double, count: Int) {
            self.start = start
            self.min = min
            self.max = max
            self.sum = sum
            self.count = count
        }
    }
    public var labels: [String: String]
    public var buckets: [Bucket]
}
