#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A change's JSON, its one encoder, keys sorted: an agent stores it once in its change log
/// and pushes those bytes; central stores every applied change verbatim in its feed.
extension TaskChange {
    public func json() -> [UInt8] {
        JSONObjectWriter.object { w in
            w.uuid("change_id", id)
            w.time("created_at", createdAt)
            w.string("origin", origin)
            w.object("set") { patch.write(into: &$0) }
            w.string("stamp", stamp.description)
            w.uuid("task_id", taskID)
        }
    }
}

extension TaskPatch {
    /// The patch on its own: only the assigned keys, sorted.
    public func json() -> [UInt8] {
        JSONObjectWriter.object { write(into: &$0) }
    }

    /// The assigned members (absent fields stay absent, a field set to null is `null`), sorted.
    func write(into w: inout JSONObjectWriter) {
        if let assignee { w.string("assignee", assignee.optional) }
        if let done { w.time("completed_at", done.completedAt) }
        if let deleted { w.bool("deleted", deleted) }
        if let done { w.bool("done", done.done) }
        if let dueAt { w.time("due_at", dueAt.optional) }
        if let notes { w.string("notes", notes) }
        if let repeatRule { w.string("repeat", repeatRule.optional) }
        if let series { w.uuid("series", series) }
        if let title { w.string("title", title) }
    }
}

/// A record's stored form (central's `task.record`), its one encoder, keys sorted.
extension TaskRecord {
    public func json() -> [UInt8] {
        JSONObjectWriter.object { w in
            if let assignee { w.string("assignee", assignee) }
            if let assigneeStamp { w.string("assignee_v", assigneeStamp.description) }
            if let completedAt { w.int("completed_at", completedAt) }
            w.int("created_at", createdAt)
            w.bool("deleted", deleted)
            if let deletedStamp { w.string("deleted_v", deletedStamp.description) }
            w.bool("done", done)
            if let doneStamp { w.string("done_v", doneStamp.description) }
            if let dueAt { w.int("due_at", dueAt) }
            if let dueAtStamp { w.string("due_at_v", dueAtStamp.description) }
            w.uuid("id", id)
            w.string("notes", notes)
            if let notesStamp { w.string("notes_v", notesStamp.description) }
            w.string("origin", origin)
            if let repeatRule { w.string("repeat", repeatRule) }
            if let repeatStamp { w.string("repeat_v", repeatStamp.description) }
            if let series { w.uuid("series", series) }
            w.string("title", title)
            if let titleStamp { w.string("title_v", titleStamp.description) }
        }
    }
}
