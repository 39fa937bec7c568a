/// What a person supplies to create a task; the replica adds ID, clock stamps and origin.
public struct NewTask: Sendable, Equatable {
    public var title: String
    public var notes: String
    public var dueAt: Int64?
    public var assignee: String?

    public init(title: String, notes: String = "", dueAt: Int64? = nil, assignee: String? = nil) {
        self.title = title
        self.notes = notes
        self.dueAt = dueAt
        self.assignee = assignee
    }

    /// The complete patch that creates the task, checked against ``TaskRules``.
    public func validatedPatch() throws(InvalidFieldError) -> TaskPatch {
        try TaskRules.validate(TaskPatch(
            title: title, notes: notes, dueAt: FieldValue(dueAt), assignee: FieldValue(assignee),
            done: DoneState(done: false, completedAt: nil), deleted: false))
    }
}
