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

    /// The oldest `limit` unacknowledged local changes, in the order they were made.
    public func pendingChanges(limit: Int) throws -> [PendingChange] {
        try read { db in
            try Row.fetchAll(db, sql: "SELECT seq, body, recorded_at FROM change_log ORDER BY seq LIMIT ?", arguments: [limit])
                .map { row in
                    let body: String = row["body"]
                    return PendingChange(
                        seq: row["seq"], change: try JSONDecoder().decode(TaskChange.self, from: Data(body.utf8)),
                        recordedAt: row["recorded_at"])
                }
        }
    }

    /// Number of unacknowledged local changes and the recording time of the oldest.
    public func pendingSummary() throws -> (count: Int, oldestRecordedAt: Int64?) {
        try read { db in
            let row = try Row.fetchOne(db, sql: "SELECT COUNT(*) AS n, MIN(recorded_at) AS oldest FROM change_log")
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
}
