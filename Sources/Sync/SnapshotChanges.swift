#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A task's whole state as changes, for a full resync: one change per distinct field stamp,
/// carrying the original stamps, so merging them anywhere reproduces exactly this record (and
/// loses to anything newer). Fresh change IDs come from `makeUUID`.
public enum SnapshotChanges {
    public static func changes(for record: TaskRecord, makeUUID: () -> UUID) -> [TaskChange] {
        var patches: [HLCTimestamp: TaskPatch] = [:]
        if let s = record.titleStamp { patches[s, default: TaskPatch()].title = record.title }
        if let s = record.notesStamp { patches[s, default: TaskPatch()].notes = record.notes }
        if let s = record.dueAtStamp { patches[s, default: TaskPatch()].dueAt = FieldValue(record.dueAt) }
        if let s = record.assigneeStamp { patches[s, default: TaskPatch()].assignee = FieldValue(record.assignee) }
        if let s = record.doneStamp { patches[s, default: TaskPatch()].done = DoneState(done: record.done, completedAt: record.completedAt) }
        if let s = record.deletedStamp { patches[s, default: TaskPatch()].deleted = record.deleted }
        if let s = record.repeatStamp { patches[s, default: TaskPatch()].repeatRule = FieldValue(record.repeatRule) }
        return patches.keys.sorted().map { stamp in
            var patch = patches[stamp]!
            patch.series = record.series  // a fact of creation, like createdAt: on every change
            return TaskChange(
                id: makeUUID(), taskID: record.id, stamp: stamp, createdAt: record.createdAt,
                origin: record.origin, patch: patch)
        }
    }
}
