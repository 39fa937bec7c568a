#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What a person supplies to create a task; the replica adds ID, clock stamps and origin.
public struct NewTask: Sendable, Equatable {
    public var title: String
    public var notes: String
    public var dueAt: Int64?
    public var assignee: String?
    /// The ID the client chose (`POST /v1/tasks` with `id`), so that a retried request finds
    /// the task it created instead of making a second one. Nil: the store chooses one.
    public var id: UUID?
    /// A ``RepeatRule`` as typed; stored in its canonical text.
    public var repeatRule: String?

    public init(
        title: String, notes: String = "", dueAt: Int64? = nil, assignee: String? = nil, id: UUID? = nil,
        repeatRule: String? = nil
    ) {
        self.repeatRule = repeatRule
        self.id = id
        self.title = title
        self.notes = notes
        self.dueAt = dueAt
        self.assignee = assignee
    }

    /// The complete patch that creates the task, checked against ``TaskRules``.
    public func validatedPatch() throws(InvalidFieldError) -> TaskPatch {
        try TaskRules.validate(
            TaskPatch(
                title: title, notes: notes, dueAt: FieldValue(dueAt), assignee: FieldValue(assignee),
                done: DoneState(done: false, completedAt: nil), deleted: false,
                repeatRule: repeatRule.map { FieldValue.value($0) }))
    }
}
