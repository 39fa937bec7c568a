extension TaskPatch {
    /// The fields of this patch that would change `record`: an edit that sets a field to the
    /// value it already has is left out, so it neither writes nor wins a later conflict.
    public func effective(on record: TaskRecord) -> TaskPatch {
        var out = TaskPatch()
        if let t = title, t != record.title { out.title = t }
        if let n = notes, n != record.notes { out.notes = n }
        if let d = dueAt, d.optional != record.dueAt { out.dueAt = d }
        if let a = assignee, a.optional != record.assignee { out.assignee = a }
        if let d = done, d.done != record.done { out.done = d }
        if let r = repeatRule, r.optional != record.repeatRule { out.repeatRule = r }
        return out
    }
}
