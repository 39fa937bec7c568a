/// The merge rules, the same on every replica (agent and central):
///
/// - each field is a last-writer-wins register ordered by ``HLCTimestamp`` (node name breaks ties);
/// - a delete is the `deleted` field set by a stamped change, so it wins over every edit ordered
///   before it, while other fields keep merging underneath the tombstone;
/// - applying a change twice, or changes in any order, gives the same record.
///
/// Pure: no I/O, no clock. Stores call it inside their own transactions.
public enum TaskMerge {
    /// The record after `change`, and whether anything in it changed.
    public static func apply(_ change: TaskChange, to existing: TaskRecord?) -> (record: TaskRecord, changed: Bool) {
        var record = existing ?? TaskRecord(id: change.taskID, createdAt: change.createdAt, origin: change.origin)
        let before = record
        // Immutable facts: should agree everywhere; if a buggy peer disagrees, converge on the
        // smallest (createdAt, origin) so the result does not depend on arrival order.
        if (change.createdAt, change.origin) < (record.createdAt, record.origin) {
            record.createdAt = change.createdAt
            record.origin = change.origin
        }
        let stamp = change.stamp
        let patch = change.patch
        if let title = patch.title, wins(stamp, over: record.titleStamp) {
            record.title = title
            record.titleStamp = stamp
        }
        if let notes = patch.notes, wins(stamp, over: record.notesStamp) {
            record.notes = notes
            record.notesStamp = stamp
        }
        if let dueAt = patch.dueAt, wins(stamp, over: record.dueAtStamp) {
            record.dueAt = dueAt.optional
            record.dueAtStamp = stamp
        }
        if let assignee = patch.assignee, wins(stamp, over: record.assigneeStamp) {
            record.assignee = assignee.optional
            record.assigneeStamp = stamp
        }
        if let done = patch.done, wins(stamp, over: record.doneStamp) {
            record.done = done.done
            record.completedAt = done.completedAt
            record.doneStamp = stamp
        }
        if let deleted = patch.deleted, wins(stamp, over: record.deletedStamp) {
            record.deleted = deleted
            record.deletedStamp = stamp
        }
        return (record, record != before || existing == nil)
    }

    static func wins(_ stamp: HLCTimestamp, over current: HLCTimestamp?) -> Bool {
        guard let current else { return true }
        return current < stamp
    }
}
