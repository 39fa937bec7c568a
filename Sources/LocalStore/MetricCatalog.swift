import GRDB
import Sync
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// In-memory cache of the series dictionary and layouts, so recording a reading normally costs
/// one INSERT. New ids are assigned inside the caller's transaction and enter the cache only
/// after it commits (`commit(_:)`), so a rolled-back transaction leaves no phantom ids.
final class MetricCatalog: Sendable {
    private struct State {
        var seriesIDs: [SeriesKey: Int64] = [:]
        var seriesByID: [Int64: SeriesKey] = [:]
        var layoutIDs: [[Int64]: Int64] = [:]
        var layouts: [Int64: [Int64]] = [:]
        var lastReadingTimestamp: Int64?
    }

    private let state = Mutex(State())

    /// Ids assigned during one transaction, published on commit.
    struct Pending {
        var series: [(SeriesKey, Int64)] = []
        var layouts: [([Int64], Int64)] = []
        var lastTimestamp: Int64?
    }

    func commit(_ pending: Pending) {
        state.withLock { s in
            for (key, id) in pending.series {
                s.seriesIDs[key] = id
                s.seriesByID[id] = key
            }
            for (ids, id) in pending.layouts {
                s.layoutIDs[ids] = id
                s.layouts[id] = ids
            }
            if let ts = pending.lastTimestamp { s.lastReadingTimestamp = ts }
        }
    }

    func seriesID(_ key: SeriesKey, _ db: Database, _ pending: inout Pending) throws -> Int64 {
        if let id = state.withLock({ $0.seriesIDs[key] }) ?? pending.series.first(where: { $0.0 == key })?.1 { return id }
        let labels = key.labelText
        if let id = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT id FROM metric_series WHERE name = ? AND labels = ?"), arguments: [key.name, labels])
        {
            pending.series.append((key, id))
            return id
        }
        try db.cachedStatement(sql: "INSERT INTO metric_series(name, labels) VALUES (?, ?)").execute(arguments: [key.name, labels])
        let id = db.lastInsertedRowID
        pending.series.append((key, id))
        return id
    }

    func layoutID(_ ids: [Int64], _ db: Database, _ pending: inout Pending) throws -> Int64 {
        if let id = state.withLock({ $0.layoutIDs[ids] }) ?? pending.layouts.first(where: { $0.0 == ids })?.1 { return id }
        let blob = Packed.ids(ids)
        if let id = try Int64.fetchOne(db.cachedStatement(sql: "SELECT id FROM metric_layout WHERE series = ?"), arguments: [blob]) {
            pending.layouts.append((ids, id))
            return id
        }
        try db.cachedStatement(sql: "INSERT INTO metric_layout(series) VALUES (?)").execute(arguments: [blob])
        let id = db.lastInsertedRowID
        pending.layouts.append((ids, id))
        return id
    }

    func lastTimestamp(_ db: Database) throws -> Int64? {
        if let ts = state.withLock({ $0.lastReadingTimestamp }) { return ts }
        return try Int64.fetchOne(db.cachedStatement(sql: "SELECT MAX(ts) FROM metric_reading"))
    }

    /// The series ids of a layout (loaded on first use).
    func layout(_ id: Int64, _ db: Database) throws -> [Int64] {
        if let ids = state.withLock({ $0.layouts[id] }) { return ids }
        let blob = try Data.fetchOne(db, sql: "SELECT series FROM metric_layout WHERE id = ?", arguments: [id]) ?? Data()
        let ids = Packed.ids(blob)
        state.withLock { $0.layouts[id] = ids }
        return ids
    }

    /// All series with this name, from the database (queries are rare; recording is not).
    func series(named name: String, _ db: Database) throws -> [(Int64, SeriesKey)] {
        try Row.fetchAll(db, sql: "SELECT id, labels FROM metric_series WHERE name = ? ORDER BY labels", arguments: [name]).compactMap { row in
            guard let labels = SeriesKey.parseLabels(row["labels"]) else { return nil }
            return (row["id"], SeriesKey(name, labels))
        }
    }
}
