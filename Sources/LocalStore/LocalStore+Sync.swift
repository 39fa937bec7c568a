import GRDB
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What the sync service persists between cycles and processes.
public struct SyncRecord: Sendable, Equatable {
    public var centralURL: String?
    /// standalone, ok, offline, unauthorized or error.
    public var state: String
    public var lastAttemptAt: Int64?
    public var lastSuccessAt: Int64?
    public var lastError: String?
    /// Failed cycles by reason, since the database was created.
    public var errors: [String: Int]
    /// Central's clock minus this node's, in milliseconds, at the last answer (±0.5 s and half
    /// the round trip: the `Date` header has whole seconds). Nil until central has answered.
    public var clockOffsetMillis: Int64?

    public init(
        centralURL: String?, state: String, lastAttemptAt: Int64? = nil, lastSuccessAt: Int64? = nil,
        lastError: String? = nil, errors: [String: Int] = [:], clockOffsetMillis: Int64? = nil
    ) {
        self.centralURL = centralURL
        self.state = state
        self.lastAttemptAt = lastAttemptAt
        self.lastSuccessAt = lastSuccessAt
        self.lastError = lastError
        self.errors = errors
        self.clockOffsetMillis = clockOffsetMillis
    }
}

extension LocalStore {
    // MARK: Tasks

    /// Merges a page pulled from central and advances the pull cursor, in one transaction:
    /// a crash leaves both or neither. Stamps are observed against `referenceNow` (the later
    /// of the local clock and central's), so a Pi booted with a wrong clock still takes
    /// central's changes; a stamp further ahead than that is refused and nothing is applied.
    ///
    /// Other replicas' changes that come with central's proof (`proofs`, by change ID) are kept
    /// with it while some field of their task still carries their stamp: a resync snapshot
    /// carries them back to a central restored from a backup (``provenChanges(taskIDs:)``).
    public func applyPulled(
        _ changes: [TaskChange], cursor: FeedCursor, referenceNow: Int64,
        proofs: [String: String] = [:]
    ) throws -> [ApplyOutcome] {
        try write { db in
            var clock = try StoredClock.load(db)
            var outcomes: [ApplyOutcome] = []
            for change in changes {
                do {
                    try clock.observe(change.stamp, now: max(referenceNow, configuration.clock.nowMillis()))
                } catch {
                    throw LocalStoreError.remoteClockAhead("\(error)")
                }
                let existing = try TaskRecord.fetch(db, id: change.taskID)
                let (merged, changed) = TaskMerge.apply(change, to: existing)
                if changed { try merged.save(db) }
                outcomes.append(changed ? .applied : .alreadyKnown)
                if change.stamp.node != configuration.nodeName, let proof = proofs[change.id.lowercasedString] {
                    try db.cachedStatement(sql: "INSERT OR IGNORE INTO proven_change(change_id, task_id, stamp, body, proof) VALUES (?, ?, ?, ?, ?)")
                        .execute(arguments: [
                            change.id.lowercasedString, change.taskID.lowercasedString, change.stamp.description,
                            String(decoding: change.json(), as: UTF8.self), proof,
                        ])
                }
                if changed {
                    let stamps = merged.fieldStamps.compactMap { $0?.description }
                    try db.cachedStatement(sql: "DELETE FROM proven_change WHERE task_id = ? AND stamp NOT IN (?, ?, ?, ?, ?, ?, ?)")
                        .execute(arguments: StatementArguments([change.taskID.lowercasedString] + (0..<7).map { $0 < stamps.count ? stamps[$0] : "" }))
                }
            }
            try StoredClock.save(clock, db)
            try db.execute(sql: "UPDATE sync_cursor SET cursor = ? WHERE id = 1", arguments: [cursor.description])
            return outcomes
        }
    }

    /// Moves this node's clock past `floor`, the newest stamp central holds from this node:
    /// after a restore from its own backup, the clock row went back, and the node must not
    /// issue those stamps again. A floor further ahead of `referenceNow` than the clock's
    /// drift limit is left alone (it was made by a clock running far ahead; adopting it would
    /// freeze every later edit there); the merge's value tie-break keeps replicas convergent.
    /// Returns whether the clock moved.
    @discardableResult
    public func raiseClock(past floor: HLCTimestamp, referenceNow: Int64) throws -> Bool {
        try write { db in
            var clock = try StoredClock.load(db)
            guard (floor.physical, floor.counter) > (clock.physical, clock.counter),
                floor.physical <= max(referenceNow, configuration.clock.nowMillis()) + clock.maxForwardDrift
            else { return false }
            try clock.observe(
                HLCTimestamp(physical: floor.physical, counter: floor.counter, node: floor.node),
                now: max(referenceNow, configuration.clock.nowMillis()))
            try StoredClock.save(clock, db)
            return true
        }
    }

    /// Other replicas' changes kept for these tasks, with central's proof of each, by task: a
    /// resync snapshot sends them as they are instead of rebuilding them from fields.
    public func provenChanges(taskIDs: [UUID]) throws -> [UUID: [(change: TaskChange, proof: String)]] {
        try read { db in
            var out: [UUID: [(change: TaskChange, proof: String)]] = [:]
            for id in taskIDs {
                for row in try Row.fetchAll(
                    db.cachedStatement(sql: "SELECT body, proof FROM proven_change WHERE task_id = ?"),
                    arguments: [id.lowercasedString])
                {
                    let body: String = row["body"]
                    guard let change = try? JSONDecoder().decode(TaskChange.self, from: Data(body.utf8)) else { continue }
                    out[id, default: []].append((change, row["proof"]))
                }
            }
            return out
        }
    }

    /// Where the next pull starts, and whether a full resync is under way.
    public func pullPosition() throws -> (cursor: FeedCursor, resyncPending: Bool) {
        try read { db in
            let row = try Row.fetchOne(db, sql: "SELECT cursor, resync_pending FROM sync_cursor WHERE id = 1")
            return (row.flatMap { FeedCursor($0["cursor"] as String) } ?? .start, (row?["resync_pending"] as Int?) == 1)
        }
    }

    /// Starts a full resync (central lost history: restored from a backup): pull again from
    /// the start, and send again every raw sample central does not hold. Local changes are
    /// untouched; the snapshot push that follows restores central's copy of every task.
    public func beginResync(centralSamplesThrough: Int64?) throws {
        try write { db in
            try db.execute(
                sql: "UPDATE sync_cursor SET cursor = ?, resync_pending = 1 WHERE id = 1",
                arguments: [FeedCursor.start.description])
            let local = try stateValue("samples_delivered_through", db) ?? Int64.min
            let target = min(local, centralSamplesThrough ?? Int64.min)
            try db.execute(
                sql: "INSERT INTO store_state(key, value) VALUES ('samples_delivered_through', ?) "
                    + "ON CONFLICT(key) DO UPDATE SET value = excluded.value", arguments: [target])
            // Positions in the history central lost mean nothing any more.
            try db.execute(sql: "DELETE FROM store_state WHERE key IN ('acked_feed_seq', 'acked_feed_tag')")
        }
    }

    /// Ends a full resync, and counts it (`edge_sync_resyncs_total`) if one was under way.
    public func finishResync() throws {
        try write { db in
            try db.execute(sql: "UPDATE sync_cursor SET resync_pending = 0 WHERE id = 1 AND resync_pending = 1")
            if db.changesCount > 0 { try addToState("resyncs", 1, db) }
        }
    }

    /// Full resyncs finished since the database was created (`edge_sync_resyncs_total`).
    public func resyncsTotal() throws -> Int64 {
        try read { db in try stateValue("resyncs", db) ?? 0 }
    }

    /// Every stored record after `afterID` (tombstones included), in id order: a resync
    /// pushes them all as snapshot changes.
    public func snapshotRecords(after afterID: UUID?, limit: Int) throws -> [TaskRecord] {
        try read { db in
            let ids = try String.fetchAll(
                db, sql: "SELECT id FROM task WHERE id > ? ORDER BY id LIMIT ?",
                arguments: [afterID?.lowercasedString ?? "", limit])
            return try ids.compactMap { text in try UUID(uuidString: text).flatMap { try TaskRecord.fetch(db, id: $0) } }
        }
    }

    // MARK: Samples

    /// The next run of raw readings after `after` as a wire batch of at most `maxSamples`
    /// samples, read straight from storage; nil when there is nothing to send.
    ///
    /// The run stops before the first reading that may still move (a sample's identity is
    /// final once sent): one stamped after `aheadLimit` (central's clock plus the drift
    /// allowed: taken while this node's clock ran ahead), or an untrusted reading of this
    /// boot before its true time is known, for at most ``untrustedHoldMillis``.
    public func sampleBatch(node: String, after: Int64, maxSamples: Int, aheadLimit: Int64? = nil) throws -> SyncWire.SampleBatch? {
        try read { db in try sampleBatch(node: node, after: after, maxSamples: maxSamples, aheadLimit: aheadLimit, db) }
    }

    /// ``sampleBatch(node:after:maxSamples:aheadLimit:)`` for sending: in the same
    /// transaction, its readings are marked as possibly at central (`samples_sent_through`),
    /// so re-timing never moves them from now on, even if the answer is lost.
    ///
    /// The mark commits with `synchronous=NORMAL`, like readings: safe from a killed process,
    /// and no extra fsync per batch (the acknowledgement that follows has one).
    public func sampleBatchToSend(node: String, after: Int64, maxSamples: Int, aheadLimit: Int64?) throws -> SyncWire.SampleBatch? {
        try writeWithoutFsync { db in
            let batch = try sampleBatch(node: node, after: after, maxSamples: maxSamples, aheadLimit: aheadLimit, db)
            if let last = batch?.readings.last?.ts {
                try db.execute(
                    sql: """
                        INSERT INTO store_state(key, value) VALUES ('samples_sent_through', ?)
                        ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)
                        """, arguments: [last])
            }
            return batch
        }
    }

    /// Readings at or before this may be at central (delivered, or sent without an answer):
    /// they keep their timestamps for good.
    func sentThrough(_ db: Database) throws -> Int64 {
        max(try stateValue("samples_delivered_through", db) ?? Int64.min, try stateValue("samples_sent_through", db) ?? Int64.min)
    }

    func sampleBatch(node: String, after: Int64, maxSamples: Int, aheadLimit: Int64?, _ db: Database) throws -> SyncWire.SampleBatch? {
        let hold = try clockHold(aheadLimit: aheadLimit, db)
        var seriesIndex: [Int64: Int] = [:]
        var series: [SyncWire.SampleBatch.Series] = []
        var layoutIndex: [Int64: Int] = [:]
        var layouts: [[Int]] = []
        var readings: [SyncWire.SampleBatch.Reading] = []
        var samples = 0
        var names: [Int64: SeriesKey]?
        let rows = try Row.fetchCursor(
            db, sql: "SELECT ts, layout_id, clock_synced, vals, boot, mono FROM metric_reading WHERE ts > ? ORDER BY ts LIMIT ?",
            arguments: [after, max(1, maxSamples / 8)])
        while let row = try rows.next() {
            let code: Int = row["clock_synced"]
            if hold.holds(ts: row["ts"], code: code, boot: row["boot"], mono: row["mono"]) { break }
            let layoutID: Int64 = row["layout_id"]
            let ids = try catalog.layout(layoutID, db)
            if !readings.isEmpty && samples + ids.count > maxSamples { break }
            let index: Int
            if let known = layoutIndex[layoutID] {
                index = known
            } else {
                if names == nil { names = try Self.seriesNames(db) }
                var layout: [Int] = []
                for id in ids {
                    if let i = seriesIndex[id] {
                        layout.append(i)
                    } else {
                        guard let key = names?[id] else { throw LocalStoreError.corrupt(path: path, detail: "metric series \(id) is missing") }
                        seriesIndex[id] = series.count
                        layout.append(series.count)
                        series.append(.init(key))
                    }
                }
                index = layouts.count
                layoutIndex[layoutID] = index
                layouts.append(layout)
            }
            let values = Packed.doubles(row["vals"])
            readings.append(.init(ts: row["ts"], clock: SyncWire.SampleClock(code: Int16(code)), layout: index, values: values))
            samples += values.count
        }
        guard !readings.isEmpty else { return nil }
        return SyncWire.SampleBatch(
            node: node, after: after == Int64.min ? nil : after, series: series,
            layouts: layouts, readings: readings)
    }

    static func seriesNames(_ db: Database) throws -> [Int64: SeriesKey] {
        var names: [Int64: SeriesKey] = [:]
        for row in try Row.fetchAll(db, sql: "SELECT id, name, labels FROM metric_series") {
            if let labels = SeriesKey.parseLabels(row["labels"]) { names[row["id"]] = SeriesKey(row["name"], labels) }
        }
        return names
    }

    /// Records that central durably holds every sample up to `through` (never moves back),
    /// and counts the readings among them sent `untrusted`. The readings stay: retention
    /// alone removes local history.
    public func markDelivered(through: Int64, untrusted: Int = 0) throws {
        try write { db in
            if untrusted > 0 { try addToState("readings_sent_untrusted", Int64(untrusted), db) }
            try db.execute(
                sql: """
                    INSERT INTO store_state(key, value) VALUES ('samples_delivered_through', ?)
                    ON CONFLICT(key) DO UPDATE SET value = max(value, excluded.value)
                    """, arguments: [through])
        }
    }

    /// Raw samples not yet delivered, and the timestamp of the oldest.
    public func undeliveredSummary() throws -> (samples: Int, oldest: Int64?) {
        try read { db in
            let after = try stateValue("samples_delivered_through", db) ?? Int64.min
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT COALESCE(SUM(LENGTH(l.series) / 4), 0) AS n, MIN(m.ts) AS oldest
                        FROM metric_reading m JOIN metric_layout l ON l.id = m.layout_id WHERE m.ts > ?
                        """), arguments: [after])
            return (row?["n"] ?? 0, row?["oldest"])
        }
    }

    // MARK: Status

    public func syncRecord() throws -> SyncRecord? {
        try read { db in
            guard let row = try Row.fetchOne(db.cachedStatement(sql: "SELECT * FROM sync_status WHERE id = 1")) else { return nil }
            let errorsText: String = row["errors"]
            let errors = (try? JSONDecoder().decode([String: Int].self, from: Data(errorsText.utf8))) ?? [:]
            return SyncRecord(
                centralURL: row["central_url"], state: row["state"], lastAttemptAt: row["last_attempt_at"],
                lastSuccessAt: row["last_success_at"], lastError: row["last_error"], errors: errors,
                clockOffsetMillis: row["clock_offset_ms"])
        }
    }

    public func saveSyncRecord(_ record: SyncRecord) throws {
        let errors = String(decoding: try JSONEncoder().encode(record.errors), as: UTF8.self)
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO sync_status(id, central_url, state, last_attempt_at, last_success_at, last_error, errors, clock_offset_ms)
                    VALUES (1, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT(id) DO UPDATE SET central_url = excluded.central_url, state = excluded.state,
                        last_attempt_at = excluded.last_attempt_at, last_success_at = excluded.last_success_at,
                        last_error = excluded.last_error, errors = excluded.errors, clock_offset_ms = excluded.clock_offset_ms
                    """,
                arguments: [
                    record.centralURL, record.state, record.lastAttemptAt, record.lastSuccessAt, record.lastError, errors,
                    record.clockOffsetMillis,
                ])
        }
    }

    /// The highest change-log position, to notice writes made by other processes (the CLI).
    public func latestChangeSeq() throws -> Int64 {
        try read { db in try Int64.fetchOne(db, sql: "SELECT COALESCE(MAX(seq), 0) FROM change_log") ?? 0 }
    }
}
