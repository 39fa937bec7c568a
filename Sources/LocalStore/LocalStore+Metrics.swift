import GRDB
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension LocalStore {
    /// Stores one reading in one transaction and returns the timestamp it was stored under.
    ///
    /// A reading with its boot and `CLOCK_BOOTTIME` (``MetricReading/boot``) is placed in true
    /// time where that is known (see `LocalStore+ClockCorrection.swift`): a synchronised
    /// reading anchors its boot and re-times the readings it can; an untrusted reading of an
    /// anchored boot is stored at its true time, marked corrected. A reading that would still
    /// land at or before the newest stored one (the wall clock stepped back and nothing could
    /// be moved, or it has no boot) is stored 1 ms after it and marked untrusted: timestamps
    /// are unique, and no reading is stored behind what central already holds. Values that
    /// are not finite are left out.
    ///
    /// Readings commit with `synchronous=NORMAL`: atomic, and safe from a killed process, but
    /// not fsynced one by one. A per-reading fsync would rewrite two file pages per reading (a
    /// WAL frame is 4 KiB plus a 24-byte header, so it always straddles two pages), doubling
    /// the SD card writes for samples that at worst lose their last seconds in a power cut.
    /// The next task write or checkpoint fsyncs them; task writes stay `synchronous=FULL`.
    @discardableResult
    public func record(_ reading: MetricReading) throws -> Int64 {
        var pending = MetricCatalog.Pending()
        let stored: Int64 = try writeWithoutFsync { db in
            var ts = reading.timestamp
            var code = reading.clockSynchronized ? SyncWire.SampleClock.synced.code : SyncWire.SampleClock.untrusted.code
            var boot: BootRow?
            var retimed = false
            if let bootID = reading.boot, let mono = reading.mono {
                var row = try bootRow(bootID, db)
                if reading.clockSynchronized {
                    if row.anchor?.source != .ntp || abs(row.anchor!.trueTime(atMono: mono) - ts) > Self.ntpStepMillis {
                        let anchor = BootAnchor(mono: mono, wall: ts, source: .ntp)
                        try saveAnchor(anchor, boot: row.id, db)
                        row.anchor = anchor
                        retimed = try retime(row, present: ts, db) > 0
                    }
                } else if let anchor = row.anchor {
                    ts = anchor.trueTime(atMono: mono)
                    code = SyncWire.SampleClock.corrected.code
                }
                boot = row
            }
            let last = retimed ? try Int64.fetchOne(db, sql: "SELECT MAX(ts) FROM metric_reading") : try catalog.lastTimestamp(db)
            if let last, ts <= last {
                // Behind the newest reading. A true time (synced or corrected) keeps its
                // place among unsent readings when that slot is free; anything else goes
                // right after the newest, untrusted (never behind what central holds).
                var keeps = boot != nil && code != SyncWire.SampleClock.untrusted.code
                if keeps {
                    keeps =
                        try ts > sentThrough(db)
                        && Bool.fetchOne(db.cachedStatement(sql: "SELECT 1 FROM metric_reading WHERE ts = ?"), arguments: [ts]) != true
                }
                if !keeps {
                    ts = last + 1
                    code = SyncWire.SampleClock.untrusted.code
                }
            }
            var entries: [(Int64, Double)] = []
            entries.reserveCapacity(reading.values.count)
            for (key, value) in reading.values where value.isFinite {
                entries.append((try catalog.seriesID(key, db, &pending), value))
            }
            entries.sort { $0.0 < $1.0 }
            let layout = try catalog.layoutID(entries.map(\.0), db, &pending)
            try db.cachedStatement(sql: "INSERT INTO metric_reading(ts, layout_id, clock_synced, vals, boot, mono) VALUES (?, ?, ?, ?, ?, ?)")
                .execute(arguments: [ts, layout, code, Packed.doubles(entries.map(\.1)), boot?.id, reading.mono])
            if let boot { try noteStored(ts, boot: boot, db) }
            pending.lastTimestamp = max(ts, last ?? ts)
            return ts
        }
        catalog.commit(pending)
        return stored
    }

    /// Raw samples of every series called `name` whose labels include `labels`, with
    /// `since <= timestamp <= until`, in time order. Only raw samples: older data lives in
    /// rollups, which ``series(name:labels:since:until:step:)`` reads.
    public func series(name: String, labels: [String: String] = [:], since: Int64, until: Int64) throws -> [SeriesPoints] {
        try read { db in
            let wanted = try catalog.series(named: name, db).filter { $0.1.matches(labels) }
            guard !wanted.isEmpty, since <= until else { return [] }
            let keys = Dictionary(uniqueKeysWithValues: wanted)
            var points: [Int64: [SeriesPoints.Point]] = [:]
            var positions: [Int64: [(Int64, Int)]] = [:]  // layout -> [(series id, index)]
            let rows = try Row.fetchCursor(
                db, sql: "SELECT ts, layout_id, vals FROM metric_reading WHERE ts BETWEEN ? AND ? ORDER BY ts", arguments: [since, until])
            while let row = try rows.next() {
                let layoutID: Int64 = row["layout_id"]
                if positions[layoutID] == nil {
                    positions[layoutID] = try catalog.layout(layoutID, db).enumerated().compactMap { keys[$0.element] != nil ? ($0.element, $0.offset) : nil }
                }
                let vals: Data = row["vals"]
                for (id, index) in positions[layoutID]! {
                    if let value = Packed.double(vals, at: index) {
                        points[id, default: []].append(.init(timestamp: row["ts"], value: value))
                    }
                }
            }
            return wanted.compactMap { id, key in points[id].map { SeriesPoints(series: key, points: $0) } }
        }
    }

    /// Every series called `name` with `labels`, aggregated into `step`-millisecond buckets
    /// (aligned to multiples of `step`) over `since...until`, from raw samples and rollups alike.
    /// Data moves between raw, minute and hour storage without overlap, so each sample counts once.
    public func series(name: String, labels: [String: String] = [:], since: Int64, until: Int64, step: Int64) throws -> [SeriesBuckets] {
        precondition(step > 0)
        return try read { db in
            let wanted = try catalog.series(named: name, db).filter { $0.1.matches(labels) }
            guard !wanted.isEmpty, since <= until else { return [] }
            let keys = Dictionary(uniqueKeysWithValues: wanted)
            var buckets: [Int64: [Int64: SeriesBuckets.Bucket]] = [:]  // series -> bucket start -> bucket
            var positions: [Int64: [(Int64, Int)]] = [:]
            func indexes(_ layoutID: Int64) throws -> [(Int64, Int)] {
                if let p = positions[layoutID] { return p }
                let p = try catalog.layout(layoutID, db).enumerated().compactMap { keys[$0.element] != nil ? ($0.element, $0.offset) : nil }
                positions[layoutID] = p
                return p
            }
            func add(_ id: Int64, _ start: Int64, min: Double, max: Double, sum: Double, count: Int) {
                let bucket = start - ((start % step) + step) % step
                if var b = buckets[id]?[bucket] {
                    b.min = Swift.min(b.min, min)
                    b.max = Swift.max(b.max, max)
                    b.sum += sum
                    b.count += count
                    buckets[id]![bucket] = b
                } else {
                    buckets[id, default: [:]][bucket] = .init(timestamp: bucket, min: min, max: max, sum: sum, count: count)
                }
            }
            let raw = try Row.fetchCursor(
                db, sql: "SELECT ts, layout_id, vals FROM metric_reading WHERE ts BETWEEN ? AND ?", arguments: [since, until])
            while let row = try raw.next() {
                let vals: Data = row["vals"]
                for (id, index) in try indexes(row["layout_id"]) {
                    if let v = Packed.double(vals, at: index) { add(id, row["ts"], min: v, max: v, sum: v, count: 1) }
                }
            }
            for resolution in [RollupResolution.minute, .hour] {
                let rollups = try Row.fetchCursor(
                    db,
                    sql: """
                        SELECT bucket, layout_id, n, mins, maxs, sums FROM metric_rollup
                        WHERE resolution = ? AND bucket > ? AND bucket <= ?
                        """, arguments: [resolution.rawValue, since - resolution.rawValue, until])
                while let row = try rollups.next() {
                    let start: Int64 = row["bucket"]
                    let mins: Data = row["mins"], maxs: Data = row["maxs"], sums: Data = row["sums"]
                    for (id, index) in try indexes(row["layout_id"]) {
                        if let lo = Packed.double(mins, at: index), let hi = Packed.double(maxs, at: index), let s = Packed.double(sums, at: index) {
                            add(id, Swift.max(start, since), min: lo, max: hi, sum: s, count: row["n"])
                        }
                    }
                }
            }
            return wanted.compactMap { id, key in
                buckets[id].map { SeriesBuckets(series: key, buckets: $0.values.sorted { $0.timestamp < $1.timestamp }) }
            }
        }
    }

    /// Readings and samples stored raw.
    public func rawMetricCounts() throws -> (readings: Int, samples: Int) {
        try read { db in
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT COUNT(*) AS r, COALESCE(SUM(LENGTH(l.series) / 4), 0) AS s
                    FROM metric_reading m JOIN metric_layout l ON l.id = m.layout_id
                    """)
            return (row?["r"] ?? 0, row?["s"] ?? 0)
        }
    }
}

/// A reading as stored: its (strictly increasing) timestamp and values.
public struct StoredReading: Sendable, Equatable {
    public var timestamp: Int64
    public var clockSynchronized: Bool
    public var values: [SeriesKey: Double]
}

extension LocalStore {
    /// Up to `limit` raw readings with timestamps after `after`, oldest first.
    public func storedReadings(after: Int64, limit: Int) throws -> [StoredReading] {
        try read { db in
            var names: [Int64: SeriesKey] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT id, name, labels FROM metric_series") {
                if let labels = SeriesKey.parseLabels(row["labels"]) { names[row["id"]] = SeriesKey(row["name"], labels) }
            }
            return try Row.fetchAll(
                db, sql: "SELECT ts, layout_id, clock_synced, vals FROM metric_reading WHERE ts > ? ORDER BY ts LIMIT ?",
                arguments: [after, limit]
            ).map { row in
                let ids = try catalog.layout(row["layout_id"], db)
                let values = Packed.doubles(row["vals"])
                var map: [SeriesKey: Double] = [:]
                for (id, value) in zip(ids, values) { if let key = names[id] { map[key] = value } }
                return StoredReading(timestamp: row["ts"], clockSynchronized: row["clock_synced"], values: map)
            }
        }
    }
}
