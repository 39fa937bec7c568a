/// The merge rules, the same on every replica (agent and central):
///
/// - each field is a last-writer-wins register ordered by ``HLCTimestamp`` (node name breaks ties);
/// - two different values under one stamp (a replica restored from a backup reissued a stamp it
///   had used) are ordered by the value itself, so every replica keeps the same one whatever
///   the order of delivery;
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
        if let title = patch.title, wins(stamp, title, over: record.titleStamp, record.title) {
            record.title = title
            record.titleStamp = stamp
        }
        if let notes = patch.notes, wins(stamp, notes, over: record.notesStamp, record.notes) {
            record.notes = notes
            record.notesStamp = stamp
        }
        if let dueAt = patch.dueAt, wins(stamp, TieBreak(dueAt.optional), over: record.dueAtStamp, TieBreak(record.dueAt)) {
            record.dueAt = dueAt.optional
            record.dueAtStamp = stamp
        }
        if let assignee = patch.assignee, wins(stamp, TieBreak(assignee.optional), over: record.assigneeStamp, TieBreak(record.assignee)) {
            record.assignee = assignee.optional
            record.assigneeStamp = stamp
        }
        if let done = patch.done,
            wins(stamp, TieBreak(done.done, done.completedAt), over: record.doneStamp, TieBreak(record.done, record.completedAt))
        {
            record.done = done.done
            record.completedAt = done.completedAt
            record.doneStamp = stamp
        }
        if let rule = patch.repeatRule, wins(stamp, TieBreak(rule.optional), over: record.repeatStamp, TieBreak(record.repeatRule)) {
            record.repeatRule = rule.optional
            record.repeatStamp = stamp
        }
        // The series is a fact of creation, like createdAt: the smallest one seen, whatever the order.
        if let series = patch.series, record.series.map({ series.lowercasedString < $0.lowercasedString }) ?? true {
            record.series = series
        }
        if let deleted = patch.deleted, wins(stamp, TieBreak(deleted), over: record.deletedStamp, TieBreak(record.deleted)) {
            record.deleted = deleted
            record.deletedStamp = stamp
        }
        return (record, record != before || existing == nil)
    }

    static func wins(_ stamp: HLCTimestamp, _ value: String, over current: HLCTimestamp?, _ currentValue: String) -> Bool {
        wins(stamp, TieBreak(value), over: current, TieBreak(currentValue))
    }

    /// Later stamp wins; under one stamp, the greater value (see ``TieBreak``).
    static func wins(_ stamp: HLCTimestamp, _ value: TieBreak, over current: HLCTimestamp?, _ currentValue: TieBreak) -> Bool {
        guard let current else { return true }
        if current != stamp { return current < stamp }
        return currentValue < value
    }
}

/// A field value as bytes in a total order, for the tie-break under one stamp: strings by
/// their UTF-8 bytes (not Swift's Unicode ordering, under which two different spellings can
/// compare equal), absent before present, false before true.
struct TieBreak: Comparable {
    let bytes: [UInt8]

    init(_ text: String) { bytes = [1] + Array(text.utf8) }
    init(_ text: String?) { bytes = text.map { [1] + Array($0.utf8) } ?? [0] }
    init(_ flag: Bool) { bytes = [flag ? 1 : 0] }
    init(_ number: Int64?) {
        guard let number else {
            bytes = [0]
            return
        }
        // Big-endian with the sign bit flipped: byte order is numeric order.
        let biased = UInt64(bitPattern: number) ^ (1 << 63)
        bytes = [1] + (0..<8).reversed().map { UInt8(truncatingIfNeeded: biased >> ($0 * 8)) }
    }
    init(_ flag: Bool, _ number: Int64?) { bytes = TieBreak(flag).bytes + TieBreak(number).bytes }

    static func < (a: TieBreak, b: TieBreak) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}
