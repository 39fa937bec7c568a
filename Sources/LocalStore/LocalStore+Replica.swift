#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import GRDB
import Sync

/// A local change waiting for central's acknowledgement.
public struct PendingChange: Sendable, Equatable {
    /// Position in the change log (the push order).
    public var seq: Int64
    public var change: TaskChange
    /// When it was recorded, by this node's wall clock.
    public var recordedAt: Int64
}

extension LocalStore: ReplicaStore {
    /// Merges changes from central in one transaction, folding their stamps into the local
    /// clock so later local edits order after them. Remote changes are not re-logged for push.
    public func applyRemote(_ changes: [TaskChange]) async throws -> [ApplyOutcome] {
        try applyRemoteChanges(changes)
    }

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

    /// The oldest `limit` unacknowledged local changes, in the order they were made. A change
    /// whose stored body cannot be read back (an older database, a bug) is quarantined on the
    /// spot, so it never stops the changes behind it.
    public func pendingChanges(limit: Int) throws -> [PendingChange] {
        while true {
            var unreadable: [(Int64, String)] = []
            let pending = try read { db in
                try Row.fetchAll(db, sql: """
                    SELECT seq, body, recorded_at FROM change_log WHERE quarantine_reason IS NULL ORDER BY seq LIMIT ?
                    """, arguments: [limit])
                    .compactMap { row -> PendingChange? in
                        let body: String = row["body"]
                        do {
                            let change = try JSONDecoder().decode(TaskChange.self, from: Data(body.utf8))
                            return PendingChange(seq: row["seq"], change: change, recordedAt: row["recorded_at"])
                        } catch {
                            unreadable.append((row["seq"], "the stored change cannot be read: \(Self.decodingReason(error))"))
                            return nil
                        }
                    }
            }
            guard !unreadable.isEmpty else { return pending }
            try write { db in
                for (seq, reason) in unreadable {
                    try db.execute(sql: "UPDATE change_log SET quarantine_reason = ?, quarantined_at = ? WHERE seq = ?",
                                   arguments: [reason, configuration.clock.nowMillis(), seq])
                }
            }
        }
    }

    /// Number of unacknowledged local changes (quarantined ones excluded) and the recording
    /// time of the oldest.
    public func pendingSummary() throws -> (count: Int, oldestRecordedAt: Int64?) {
        try read { db in
            let row = try Row.fetchOne(db, sql: """
                SELECT COUNT(*) AS n, MIN(recorded_at) AS oldest FROM change_log WHERE quarantine_reason IS NULL
                """)
            return (row?["n"] ?? 0, row?["oldest"])
        }
    }

    /// Removes changes central has acknowledged.
    public func acknowledge(changeIDs: [UUID]) throws {
        guard !changeIDs.isEmpty else { return }
        try write { db in
            for id in changeIDs {
                try db.execute(sql: "DELETE FROM change_log WHERE change_id = ?", arguments: [id.lowercasedString])
            }
        }
    }

    // MARK: Quarantine

    /// Takes changes out of the push queue with a reason; they stay in the database.
    public func quarantine(_ reasons: [UUID: String]) throws {
        guard !reasons.isEmpty else { return }
        try write { db in
            for (id, reason) in reasons {
                try db.execute(sql: "UPDATE change_log SET quarantine_reason = ?, quarantined_at = ? WHERE change_id = ?",
                               arguments: [String(reason.prefix(500)), configuration.clock.nowMillis(), id.lowercasedString])
            }
        }
    }

    /// Quarantined changes, oldest first.
    public func quarantinedChanges() throws -> [QuarantinedChange] {
        try read { db in
            try Row.fetchAll(db, sql: """
                SELECT change_id, task_id, quarantine_reason, quarantined_at, recorded_at FROM change_log
                WHERE quarantine_reason IS NOT NULL ORDER BY seq
                """).map { row in
                QuarantinedChange(changeID: row["change_id"], taskID: row["task_id"], reason: row["quarantine_reason"],
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
            let ids = try String.fetchAll(db, sql: """
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
                    try db.execute(sql: "UPDATE change_log SET quarantine_reason = NULL, quarantined_at = NULL WHERE change_id = ?",
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
