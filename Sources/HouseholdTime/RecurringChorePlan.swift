import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What completing an occurrence of a recurring chore, or undoing that, does besides the
/// occurrence's own change. The same on every replica that takes household edits (agent and
/// central); the next occurrence's ID is ``RecurringChore/nextID(after:)``.
public enum RecurringChorePlan {
    /// What an edit of `occurrence` stamped `stamp` brings about in its next occurrence `next`
    /// (nil if absent): when the edit completed it, the next occurrence's creation; when it
    /// reopened it, the next occurrence's withdrawal; else nothing. The follow-up carries the
    /// edit's own stamp: wherever a completion and an undo of it meet, the one that wins the
    /// occurrence's `done` also wins the next occurrence's `deleted`.
    public static func followUp(
        after occurrence: TaskRecord, next: TaskRecord?, stamp: HLCTimestamp, changeID: UUID,
        zone: HouseholdTimeZone
    ) -> TaskChange? {
        guard occurrence.doneStamp == stamp else { return nil }
        if occurrence.done, let completedAt = occurrence.completedAt {
            return nextOccurrence(after: occurrence, existingNext: next, completedAt: completedAt, stamp: stamp, changeID: changeID, zone: zone)
        }
        return occurrence.done ? nil : withdrawal(of: next, stamp: stamp, changeID: changeID)
    }

    /// The change that creates the occurrence after `occurrence` (its record once completed),
    /// or nil: it does not repeat, or its next occurrence is there already and live (created by
    /// an earlier completion that was undone, and edited since). A next occurrence that was
    /// withdrawn (a tombstone) is created again.
    public static func nextOccurrence(
        after occurrence: TaskRecord, existingNext: TaskRecord?, completedAt: Int64,
        stamp: HLCTimestamp, changeID: UUID, zone: HouseholdTimeZone
    ) -> TaskChange? {
        guard let text = occurrence.repeatRule, let rule = try? RepeatRule.parse(text) else { return nil }
        if let existingNext, !existingNext.deleted { return nil }
        let due = rule.nextDue(previousDue: occurrence.dueAt, completedAt: completedAt, zone: zone)
        guard RFC3339.representable.contains(due) else { return nil }
        let patch = TaskPatch(
            title: occurrence.title, notes: occurrence.notes, dueAt: .value(due), assignee: FieldValue(occurrence.assignee),
            done: DoneState(done: false, completedAt: nil), deleted: false, repeatRule: .value(text), series: occurrence.seriesID)
        return TaskChange(
            id: changeID, taskID: RecurringChore.nextID(after: occurrence.id), stamp: stamp,
            createdAt: stamp.physical, origin: stamp.node, patch: patch)
    }

    /// The tombstone that withdraws the occurrence a completion created, when that completion
    /// is undone: only if it is live and nobody has touched it since it was created.
    public static func withdrawal(of next: TaskRecord?, stamp: HLCTimestamp, changeID: UUID) -> TaskChange? {
        guard let next, !next.deleted, next.series != nil, RecurringChore.isUntouched(next) else { return nil }
        return TaskChange(
            id: changeID, taskID: next.id, stamp: stamp, createdAt: next.createdAt, origin: next.origin,
            patch: TaskPatch(deleted: true))
    }
}
