#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What `POST /v1/tasks` did: created the task, or found it created already by an earlier
/// request with the same client-chosen ID (a retry over flaky Wi-Fi), which changes nothing.
public struct TaskCreation: Sendable, Equatable {
    public var item: TaskItem
    /// False when the task existed already with this content: the request was a replay.
    public var created: Bool

    public init(item: TaskItem, created: Bool) {
        self.item = item
        self.created = created
    }
}

extension TaskRecord {
    /// Why a create request with this record's ID is not a replay of the one that made it,
    /// or nil when it is. A field edited since the task was created no longer shows what the
    /// creation said, so only fields still holding their creation stamp are compared; a
    /// deleted task is never a replay (its ID is not reused).
    public func conflict(withCreation patch: TaskPatch) -> String? {
        let id = self.id.lowercasedString
        if deleted { return "task \(id) was created and then deleted; choose a new id" }
        let stamps = [titleStamp, notesStamp, dueAtStamp, assigneeStamp, doneStamp, repeatStamp].compactMap { $0 }
        guard let creation = stamps.min() else { return nil }
        var differing: [String] = []
        if titleStamp == creation, let title = patch.title, title != self.title { differing.append("title") }
        if notesStamp == creation, let notes = patch.notes, notes != self.notes { differing.append("notes") }
        if dueAtStamp == creation, let due = patch.dueAt, due.optional != dueAt { differing.append("due_at") }
        if assigneeStamp == creation, let assignee = patch.assignee, assignee.optional != self.assignee { differing.append("assignee") }
        if let rule = patch.repeatRule, rule.optional != repeatRule, repeatStamp == creation || repeatStamp == nil {
            differing.append("repeat")
        }
        guard !differing.isEmpty else { return nil }
        return "task \(id) exists with another \(differing.joined(separator: ", ")); a retry must repeat the request unchanged, a new task needs a new id"
    }
}
