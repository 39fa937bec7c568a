import GRDB
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A local change waiting for central's acknowledgement.
public struct PendingChange: Sendable, Equatable {
    /// Position in the change log (the push order).
    public var seq: Int64
    public var change: TaskChange
    /// The change's JSON as the log holds it (``TaskChange/json()`` when it was made): what
    /// the push sends, without encoding it again.
    public var body: [UInt8]
    /// When it was recorded, by this node's wall clock.
    public var recordedAt: Int64
}

extension LocalStore {
    /// Merges changes from central in one transaction, folding their stamps into the local
    /// clock so later local edits order after them. Remote changes are not re-logged for push.
    public func applyRemoteChanges(_ changes: [TaskChange]) throws -> [ApplyOutcome] {
        try write { db in
            var clock = try StoredClock.load(db)
            let now = configuration.clock.nowMillis()
            var outcomes: [ApplyOutcome] = []
            for change in changes {
                try clock.observe(change.stamp, now: max(now, clock.physical))
                let existing = try TaskRecord.fetch(db, id: change.taskID)
                let (merged, changed) = TaskMerge.apply(change, to: existing)
                if changed { try merged.save(db) }
                outcomes.append(changed ? .applied : .alreadyKnown)
            }
            try StoredClock.save(clock, db)
            return outcomes
        }
    }

    public func record(id: UUID) async throws -> TaskRecord? {
        try read { db in try TaskRecord.fetch(db, id: id) }
    }

    /// Standalone (no central configured), nothing will ever send the change log, so it is
    /// emptied instead of growing for ever. Nothing is lost: every task record keeps each
    /// field with its stamp, and a central configured later receives them all as a snapshot
    /// (`resync_pending` is set here, so the first sync is the full push a restored central
    /// gets). Quarantined changes stay for the operator. Returns how many changes went.
    @discardableResult
    public func compactChangeLogForStandalone() throws -> Int {
        try write { db in
            try db.execute(sql: "DELETE FROM change_log WHERE quarantine_reason IS NULL")
            let dropped = db.changesCount
            if dropped > 0 { try db.execute(sql: "UPDATE sync_cursor SET resync_pending = 1 WHERE id = 1") }
            return dropped
        }
    }

    /// The oldest `limit` unacknowledged local changes, in the order they were made. A change
    /// whose stored body cannot be read back (an older database, a bug) is quarantined on the
    /// spot, so it never stops the changes behind it.
    public func pendingChanges(limit: Int) throws -> [PendingChange] {
        while true {
            var unreadable: [(Int64, String)] = []
            let pending = try read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT seq, body, recorded_at FROM change_log WHERE quarantine_reason IS NULL ORDER BY seq LIMIT ?
                        """, arguments: [limit]
                )
                .compactMap { row -> PendingChange? in
                    let body = Array((row["body"] as String).utf8)
                    do {
                        // Read to check it (one bad record is quarantined, not sent) and for its ID.
                        let change = try JSONDecoder().decode(TaskChange.self, from: Data(body))
                        return PendingChange(seq: row["seq"], change: change, body: body, recordedAt: row["recorded_at"])
                    } catch {
                        unreadable.append((row["seq"], "the stored change cannot be read: \(Self.decodingReason(error))"))
                        return nil
                    }
                }
            }
            guard !unreadable.isEmpty else { return pending }
            try write { db in
                for (seq, reason) in unreadable {
                    try db.execute(
                        sql: "UPDATE change_log SET quarantine_reason = ?, quarantined_at = ? WHERE seq = ?",
                        arguments: [reason, configuration.clock.nowMillis(), seq])
                }
            }
        }
    }

    /// Number of unacknowledged local changes (quarantined ones excluded) and the recording
    /// time of the oldest.
    public func pendingSummary() throws -> (count: Int, oldestRecordedAt: Int64?) {
        try read { db in
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT COUNT(*) AS n, MIN(recorded_at) AS oldest FROM change_log WHERE quarantine_reason IS NULL
                        """))
            return (row?["n"] ?? 0, row?["oldest"])
        }
    }

    /// Removes changes central has acknowledged and, in the same transaction, remembers the
    /// highest feed position central gave them: the acknowledgement is only as good as that
    /// position, which every later pull asks central to prove it still holds.
    public func acknowledge(changeIDs: [UUID], position: FeedCursor? = nil) throws {
        guard !changeIDs.isEmpty || position != nil else { return }
        try write { db in
            for id in changeIDs {
                try db.execute(sql: "DELETE FROM change_log WHERE change_id = ?", arguments: [id.lowercasedString])
            }
            if let position, position.seq > (try stateValue("acked_feed_seq", db) ?? 0) {
                for (key, value) in [("acked_feed_seq", position.seq), ("acked_feed_tag", position.tag)] {
                    try db.execute(
                        sql: "INSERT INTO store_state(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        arguments: [key, value])
                }
            }
        }
    }

    /// The highest feed position central acknowledged for this node's changes (nil before
    /// the first, and after a resync starts).
    public func acknowledgedPosition() throws -> FeedCursor? {
        try read { db in
            guard let seq = try stateValue("acked_feed_seq", db), let tag = try stateValue("acked_feed_tag", db) else { return nil }
            return FeedCursor(seq: seq, tag: tag)
        }
    }

    // MARK: Quarantine

    /// Takes changes out of the push queue with a reason; they stay in the database.
    public func quarantine(_ reasons: [UUID: String]) throws {
        guard !reasons.isEmpty else { return }
        try write { db in
            for (id, reason) in reasons {
                try db.execute(
                    sql: "UPDATE change_log SET quarantine_reason = ?, quarantined_at = ? WHERE change_id = ?",
                    arguments: [String(reason.prefix(500)), configuration.clock.nowMillis(), id.lowercasedString])
            }
        }
    }

    /// Quarantined changes, oldest first.
    public func quarantinedChanges() throws -> [QuarantinedChange] {
        try read { db in
            try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT change_id, task_id, quarantine_reason, quarantined_at, recorded_at FROM change_log
                        WHERE quarantine_reason IS NOT NULL ORDER BY seq
                        """)
            ).map { row in
                QuarantinedChange(
                    changeID: row["change_id"], taskID: row["task_id"], reason: row["quarantine_reason"],
                    quarantinedAt: row["quarantined_at"], recordedAt: row["recorded_at"])
            }
        }
    }

    /// Puts quarantined changes matching `idPrefix` back in the queue (after a fix, say);
    /// returns the full IDs. `drop` deletes them instead: the change will never be sent.
    public func releaseQuarantined(idPrefix: String, drop: Bool) throws -> [String] {
        let prefix = idPrefix.lowercased()
        guard !prefix.isEmpty, prefix.allSatisfy({ $0.isHexDigit || $0 == "-" }) else {
            throw LocalStoreError.taskNotFound(String(idPrefix.prefix(40)))
        }
        return try write { db in
            let ids = try String.fetchAll(
                db,
                sql: """
                    SELECT change_id FROM change_log WHERE quarantine_reason IS NOT NULL AND change_id LIKE ? || '%'
                    """, arguments: [prefix])
            guard !ids.isEmpty else { throw LocalStoreError.quarantinedNotFound(String(idPrefix.prefix(40))) }
            guard ids.count == 1 || ids.contains(prefix) else {
                throw LocalStoreError.ambiguousID(prefix: prefix, candidates: ids)
            }
            let chosen = ids.count == 1 ? ids : [prefix]
            for id in chosen {
                if drop {
                    try db.execute(sql: "DELETE FROM change_log WHERE change_id = ?", arguments: [id])
                } else {
                    try db.execute(
                        sql: "UPDATE change_log SET quarantine_reason = NULL, quarantined_at = NULL WHERE change_id = ?",
                        arguments: [id])
                }
            }
            return chosen
        }
    }

    static func decodingReason(_ error: any Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            let field = context.codingPath.last?.stringValue
            return (field.map { "field \($0): " } ?? "") + context.debugDescription
        }
        if case DecodingError.keyNotFound(let key, _) = error { return "field \(key.stringValue) is missing" }
        if case DecodingError.typeMismatch(_, let context) = error {
            return "field \(context.codingPath.last?.stringValue ?? "?") has the wrong type"
        }
        return "malformed JSON"
    }
}

/// A local change kept out of the push queue, and why.
public struct QuarantinedChange: Sendable, Equatable {
    public var changeID: String
    public var taskID: String
    public var reason: String
    public var quarantinedAt: Int64?
    public var recordedAt: Int64
}

extension LocalStore {
    /// Stamps again the local changes central refused as stamped in the future (made while
    /// this node's wall clock ran far ahead; no other replica has seen them), in log order,
    /// with the clock brought back to `now`: past every stamp this store holds that is not in
    /// the refused future, but no further. The records carry the new stamps where they still
    /// carried the old ones, so what central receives is what this node shows. Returns the
    /// number of changes stamped again.
    @discardableResult
    public func restampFuture(changeIDs: Set<UUID>, now: Int64) throws -> Int {
        guard !changeIDs.isEmpty else { return 0 }
        return try write { db in
            let limit = now + HybridLogicalClock.defaultMaxForwardDrift
            // The newest stamp anyone may have seen from here: every stored field stamp within
            // the drift limit (pulled ones included).
            var sane: (Int64, UInt16) = (0, 0)
            for text in try String.fetchAll(
                db,
                sql: """
                    SELECT stamp FROM (SELECT title_v AS stamp FROM task UNION ALL SELECT notes_v FROM task
                        UNION ALL SELECT due_at_v FROM task UNION ALL SELECT assignee_v FROM task
                        UNION ALL SELECT done_v FROM task UNION ALL SELECT deleted_v FROM task
                        UNION ALL SELECT repeat_v FROM task) WHERE stamp IS NOT NULL
                    """)
            {
                guard let stamp = HLCTimestamp(text), stamp.physical <= limit else { continue }
                if (stamp.physical, stamp.counter) > sane { sane = (stamp.physical, stamp.counter) }
            }
            var clock = HybridLogicalClock(physical: sane.0, counter: sane.1)
            var count = 0
            let rows = try Row.fetchAll(db, sql: "SELECT seq, change_id, body FROM change_log WHERE quarantine_reason IS NULL ORDER BY seq")
            for row in rows {
                guard let id = UUID(uuidString: row["change_id"]), changeIDs.contains(id) else { continue }
                let body: String = row["body"]
                var change = try JSONDecoder().decode(TaskChange.self, from: Data(body.utf8))
                let old = change.stamp
                guard old.physical > limit else { continue }  // no longer in the future: send as it is
                change.stamp = clock.tick(now: now, node: old.node)
                if var record = try TaskRecord.fetch(db, id: change.taskID) {
                    func swap(_ stamp: inout HLCTimestamp?) { if stamp == old { stamp = change.stamp } }
                    swap(&record.titleStamp)
                    swap(&record.notesStamp)
                    swap(&record.dueAtStamp)
                    swap(&record.assigneeStamp)
                    swap(&record.doneStamp)
                    swap(&record.deletedStamp)
                    swap(&record.repeatStamp)
                    try record.save(db)
                }
                try db.execute(
                    sql: "UPDATE change_log SET stamp = ?, body = ? WHERE seq = ?",
                    arguments: [
                        change.stamp.description, String(decoding: change.json(), as: UTF8.self), row["seq"] as Int64,
                    ])
                count += 1
            }
            if count > 0 {
                try StoredClock.save(clock, db)
                try addToState("changes_restamped", Int64(count), db)
            }
            return count
        }
    }

    /// Local changes stamped again since the database was created (`edge_sync_changes_restamped_total`).
    public func changesRestampedTotal() throws -> Int64 {
        try read { db in try stateValue("changes_restamped", db) ?? 0 }
    }
}
