import GRDB
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// Rollup granularities, in milliseconds.
enum RollupResolution: Int64 {
    case minute = 60_000
    case hour = 3_600_000
}

extension LocalStore {
    /// Applies the retention policy and the size budget (README.md, "How it keeps data safe"):
    ///
    /// 1. raw readings older than `policy.raw` become per-minute rollups, but while a central is
    ///    configured (`protectUndelivered`) only those already delivered;
    /// 2. minute rollups older than `policy.minute` become hourly ones;
    /// 3. hourly rollups older than `policy.hour` are dropped;
    /// 4. while the database's used bytes exceed `policy.maxBytes`: roll up the oldest raw
    ///    readings early (keeping the last `keepRecentRaw`), then drop the oldest rollups.
    ///
    /// Tasks are never touched. Every transaction handles at most `policy.batch` readings, so a
    /// task write waits a few milliseconds at most. Samples dropped (including undelivered raw
    /// samples rolled up for the budget, which central can then never receive) are added to the
    /// persisted `samplesDroppedTotal`.
    @discardableResult
    public func maintainMetrics(_ policy: RetentionPolicy, now: Int64, protectUndelivered: Bool = false) throws -> MaintenanceReport {
        var report = MaintenanceReport()
        let delivered = protectUndelivered ? try samplesDeliveredThrough() : Int64.max
        let rawCutoff = min(now - policy.raw, delivered == Int64.max ? Int64.max : delivered + 1)
        while try rollUpRaw(before: rawCutoff, batch: policy.batch, undeliveredAfter: delivered, &report) {}
        while try rollUpMinutes(before: now - policy.minute, batch: policy.batch * 4, &report) {}
        while try dropRollups(before: now - policy.hour, resolution: .hour, batch: policy.batch * 4, &report) {}
        var guardCount = 0
        while try usedBytes() > policy.maxBytes, guardCount < 1_000_000 {
            guardCount += 1
            if try rollUpRaw(before: now - policy.keepRecentRaw, batch: policy.batch, undeliveredAfter: delivered, &report) { continue }
            if try dropRollups(before: Int64.max, resolution: nil, batch: policy.batch, &report) { continue }
            break
        }
        return report
    }

    /// Bytes of database pages in use (the file itself does not shrink; freed pages are reused).
    public func usedBytes() throws -> Int64 {
        try read { db in
            let pages = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA page_count")) ?? 0
            let free = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA freelist_count")) ?? 0
            let size = try Int64.fetchOne(db.cachedStatement(sql: "PRAGMA page_size")) ?? 4096
            return (pages - free) * size
        }
    }

    /// Samples dropped by retention and the budget since the database was created.
    public func samplesDroppedTotal() throws -> Int64 {
        try read { db in try stateValue("samples_dropped_total", db) ?? 0 }
    }

    /// The timestamp through which central has acknowledged raw readings (`Int64.min` if none).
    public func samplesDeliveredThrough() throws -> Int64 {
        try read { db in try stateValue("samples_delivered_through", db) ?? Int64.min }
    }

    func stateValue(_ key: String, _ db: Database) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT value FROM store_state WHERE key = ?"), arguments: [key])
    }

    func addToState(_ key: String, _ delta: Int64, _ db: Database) throws {
        try db.cachedStatement(
            sql: """
                INSERT INTO store_state(key, value) VALUES (?, ?)
                ON CONFLICT(key) DO UPDATE SET value = value + excluded.value
                """
        ).execute(arguments: [key, delta])
    }

    /// One batch of raw readings older than `cutoff` into minute rollups. False when none left.
    private func rollUpRaw(before cutoff: Int64, batch: Int, undeliveredAfter delivered: Int64, _ report: inout MaintenanceReport) throws -> Bool {
        try timed(&report) { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT ts, layout_id, vals FROM metric_reading WHERE ts < ? ORDER BY ts LIMIT ?", arguments: [cutoff, batch])
            guard let first = rows.first, let last = rows.last else { return nil }
            var groups: [RollupKey: RollupAccumulator] = [:]
            var undelivered: Int64 = 0
            for row in rows {
                let ts: Int64 = row["ts"]
                let values = Packed.doubles(row["vals"])
                let key = RollupKey(bucket: Self.floor(ts, RollupResolution.minute.rawValue), layout: row["layout_id"])
                groups[key, default: RollupAccumulator(width: values.count)].add(values)
                if ts > delivered { undelivered += Int64(values.count) }
            }
            for (key, acc) in groups { try merge(acc, into: key, resolution: .minute, db) }
            try db.execute(sql: "DELETE FROM metric_reading WHERE ts BETWEEN ? AND ?", arguments: [first["ts"] as Int64, last["ts"] as Int64])
            if undelivered > 0 { try addToState("samples_dropped_total", undelivered, db) }
            return BatchOutcome(readings: rows.count, dropped: undelivered)
        }
    }

    /// One batch of minute rollups older than `cutoff` into hour rollups.
    private func rollUpMinutes(before cutoff: Int64, batch: Int, _ report: inout MaintenanceReport) throws -> Bool {
        try timed(&report) { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT bucket, layout_id, n, mins, maxs, sums FROM metric_rollup
                    WHERE resolution = ? AND bucket < ? ORDER BY bucket LIMIT ?
                    """, arguments: [RollupResolution.minute.rawValue, cutoff, batch])
            guard !rows.isEmpty else { return nil }
            var groups: [RollupKey: RollupAccumulator] = [:]
            for row in rows {
                let key = RollupKey(bucket: Self.floor(row["bucket"], RollupResolution.hour.rawValue), layout: row["layout_id"])
                let part = RollupAccumulator(
                    n: row["n"], mins: Packed.doubles(row["mins"]), maxs: Packed.doubles(row["maxs"]), sums: Packed.doubles(row["sums"]))
                if groups[key] == nil { groups[key] = part } else { groups[key]!.merge(part) }
                try db.execute(
                    sql: "DELETE FROM metric_rollup WHERE resolution = ? AND bucket = ? AND layout_id = ?",
                    arguments: [RollupResolution.minute.rawValue, row["bucket"] as Int64, row["layout_id"] as Int64])
            }
            for (key, acc) in groups { try merge(acc, into: key, resolution: .hour, db) }
            return BatchOutcome(minutes: rows.count)
        }
    }

    /// Drops one batch of the oldest rollups before `cutoff` (of one resolution, or any).
    private func dropRollups(before cutoff: Int64, resolution: RollupResolution?, batch: Int, _ report: inout MaintenanceReport) throws -> Bool {
        try timed(&report) { db in
            let filter = resolution.map { "r.resolution = \($0.rawValue) AND" } ?? ""
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT r.resolution, r.bucket, r.layout_id, r.n, LENGTH(l.series) / 4 AS width
                    FROM metric_rollup r JOIN metric_layout l ON l.id = r.layout_id
                    WHERE \(filter) r.bucket < ? ORDER BY r.bucket LIMIT ?
                    """, arguments: [cutoff, batch])
            guard !rows.isEmpty else { return nil }
            var dropped: Int64 = 0
            for row in rows {
                try db.execute(
                    sql: "DELETE FROM metric_rollup WHERE resolution = ? AND bucket = ? AND layout_id = ?",
                    arguments: [row["resolution"] as Int64, row["bucket"] as Int64, row["layout_id"] as Int64])
                dropped += (row["n"] as Int64) * (row["width"] as Int64)
            }
            try addToState("samples_dropped_total", dropped, db)
            return BatchOutcome(dropped: dropped)
        }
    }

    private func merge(_ acc: RollupAccumulator, into key: RollupKey, resolution: RollupResolution, _ db: Database) throws {
        var total = acc
        if let row = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT n, mins, maxs, sums FROM metric_rollup WHERE resolution = ? AND bucket = ? AND layout_id = ?"),
            arguments: [resolution.rawValue, key.bucket, key.layout])
        {
            total.merge(RollupAccumulator(n: row["n"], mins: Packed.doubles(row["mins"]), maxs: Packed.doubles(row["maxs"]), sums: Packed.doubles(row["sums"])))
        }
        try db.cachedStatement(
            sql: """
                INSERT OR REPLACE INTO metric_rollup(resolution, bucket, layout_id, n, mins, maxs, sums) VALUES (?, ?, ?, ?, ?, ?, ?)
                """
        ).execute(arguments: [
            resolution.rawValue, key.bucket, key.layout, total.n,
            Packed.doubles(total.mins), Packed.doubles(total.maxs), Packed.doubles(total.sums),
        ])
    }

    /// Runs one batch in its own transaction and adds what it did to `report`.
    private func timed(_ report: inout MaintenanceReport, _ body: (Database) throws -> BatchOutcome?) throws -> Bool {
        var start = timespec(), end = timespec()
        clock_gettime(CLOCK_MONOTONIC, &start)
        let outcome = try write(body)
        clock_gettime(CLOCK_MONOTONIC, &end)
        if let outcome {
            report.rolledUpReadings += outcome.readings
            report.rolledUpMinutes += outcome.minutes
            report.droppedSamples += outcome.dropped
            report.transactions += 1
            let ms = Double(end.tv_sec - start.tv_sec) * 1000 + Double(end.tv_nsec - start.tv_nsec) / 1e6
            report.longestTransactionMillis = max(report.longestTransactionMillis, ms)
        }
        return outcome != nil
    }

    static func floor(_ ts: Int64, _ width: Int64) -> Int64 {
        ts - ((ts % width) + width) % width
    }
}

private struct BatchOutcome {
    var readings = 0
    var minutes = 0
    var dropped: Int64 = 0
}

private struct RollupKey: Hashable {
    var bucket: Int64
    var layout: Int64
}

/// min, max and sum per series position, and the number of readings folded in.
private struct RollupAccumulator {
    var n: Int64 = 0
    var mins: [Double]
    var maxs: [Double]
    var sums: [Double]

    init(width: Int) {
        mins = Array(repeating: .infinity, count: width)
        maxs = Array(repeating: -.infinity, count: width)
        sums = Array(repeating: 0, count: width)
    }

    init(n: Int64, mins: [Double], maxs: [Double], sums: [Double]) {
        self.n = n
        self.mins = mins
        self.maxs = maxs
        self.sums = sums
    }

    mutating func add(_ values: [Double]) {
        for i in 0..<min(values.count, sums.count) {
            mins[i] = Swift.min(mins[i], values[i])
            maxs[i] = Swift.max(maxs[i], values[i])
            sums[i] += values[i]
        }
        n += 1
    }

    mutating func merge(_ other: RollupAccumulator) {
        for i in 0..<min(other.sums.count, sums.count) {
            mins[i] = Swift.min(mins[i], other.mins[i])
            maxs[i] = Swift.max(maxs[i], other.maxs[i])
            sums[i] += other.sums[i]
        }
        n += other.n
    }
}
