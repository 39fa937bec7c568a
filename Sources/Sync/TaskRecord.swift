#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A task as a replica stores it: every field with the clock stamp of the change that set it,
/// and a tombstone. This is the state the merge rules work on; ``item`` is what people see.
///
/// A stamp of `nil` means the field was never set; any stamp beats it.
public struct TaskRecord: Sendable, Equatable {
    public var id: UUID
    public var title: String = ""
    public var titleStamp: HLCTimestamp?
    public var notes: String = ""
    public var notesStamp: HLCTimestamp?
    public var dueAt: Int64?
    public var dueAtStamp: HLCTimestamp?
    public var assignee: String?
    public var assigneeStamp: HLCTimestamp?
    public var done: Bool = false
    public var completedAt: Int64?
    public var doneStamp: HLCTimestamp?
    public var deleted: Bool = false
    public var deletedStamp: HLCTimestamp?
    public var repeatRule: String?
    public var repeatStamp: HLCTimestamp?
    /// The series of a generated occurrence; nil for a task created by a person (its series,
    /// if it repeats, is its own ID). See ``seriesID``.
    public var series: UUID?
    public var createdAt: Int64
    public var origin: String

    public init(id: UUID, createdAt: Int64, origin: String) {
        self.id = id
        self.createdAt = createdAt
        self.origin = origin
    }

    /// Every field's stamp (nil for a field never set), one per mergeable field.
    public var fieldStamps: [HLCTimestamp?] {
        [titleStamp, notesStamp, dueAtStamp, assigneeStamp, doneStamp, deletedStamp, repeatStamp]
    }

    /// The newest stamp of any field.
    public var latestStamp: HLCTimestamp? {
        fieldStamps.compactMap { $0 }.max()
    }

    /// Derived, so that every replica computes the same value: the clock time of the newest
    /// change applied, never earlier than creation.
    public var updatedAt: Int64 {
        max(createdAt, latestStamp?.physical ?? createdAt)
    }

    public var item: TaskItem {
        TaskItem(
            id: id, title: title, notes: notes, dueAt: dueAt, assignee: assignee, done: done,
            completedAt: completedAt, createdAt: createdAt, updatedAt: updatedAt, origin: origin,
            repeatRule: repeatRule, series: series)
    }

    /// The series this task belongs to: the first task's ID.
    public var seriesID: UUID { series ?? id }
}
