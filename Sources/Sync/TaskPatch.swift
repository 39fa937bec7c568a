#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A set of field assignments to one task. A field that is `nil` is not touched; the
/// optional-valued fields (`dueAt`, `assignee`) use ``FieldValue`` so "set to null" differs
/// from "leave alone".
///
/// Wire form: an object holding only the assigned keys, e.g. `{"title": "Milk", "due_at": null}`.
public struct TaskPatch: Sendable, Equatable {
    public var title: String?
    public var notes: String?
    public var dueAt: FieldValue<Int64>?
    public var assignee: FieldValue<String>?
    /// `done` and `completedAt` travel together: completing stamps the time once, on the
    /// replica where it happened, so every replica ends with the same `completed_at`.
    public var done: DoneState?
    /// A tombstone (`true`) or its reversal (`false`).
    public var deleted: Bool?
    /// The canonical text of a ``RepeatRule``, or `.null` for a task that does not repeat.
    public var repeatRule: FieldValue<String>?
    /// The series a generated occurrence of a recurring chore belongs to (the first task's
    /// ID). Set once, when the occurrence is created; not an editable field.
    public var series: UUID?

    public init(
        title: String? = nil, notes: String? = nil, dueAt: FieldValue<Int64>? = nil,
        assignee: FieldValue<String>? = nil, done: DoneState? = nil, deleted: Bool? = nil,
        repeatRule: FieldValue<String>? = nil, series: UUID? = nil
    ) {
        self.repeatRule = repeatRule
        self.series = series
        self.title = title
        self.notes = notes
        self.dueAt = dueAt
        self.assignee = assignee
        self.done = done
        self.deleted = deleted
    }

    public var isEmpty: Bool {
        title == nil && notes == nil && dueAt == nil && assignee == nil && done == nil && deleted == nil
            && repeatRule == nil && series == nil
    }
}

/// An explicit value for a nullable field: `.value(x)` or `.null`.
public enum FieldValue<Wrapped: Sendable & Equatable>: Sendable, Equatable {
    case null
    case value(Wrapped)

    public init(_ optional: Wrapped?) {
        self = optional.map(FieldValue.value) ?? .null
    }

    public var optional: Wrapped? {
        if case .value(let v) = self { return v }
        return nil
    }
}

/// Whether a task is done, and since when.
public struct DoneState: Sendable, Equatable {
    public var done: Bool
    public var completedAt: Int64?

    public init(done: Bool, completedAt: Int64?) {
        self.done = done
        self.completedAt = done ? completedAt : nil
    }
}

/// Read from JSON; written only by ``json()`` (TaskChange+JSON.swift).
extension TaskPatch: Decodable {
    enum CodingKeys: String, CodingKey {
        case title, notes, assignee, done, deleted, series
        case dueAt = "due_at", completedAt = "completed_at", repeatRule = "repeat"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        title = try c.decodeIfPresent(String.self, forKey: .title)
        notes = try c.decodeIfPresent(String.self, forKey: .notes)
        if c.contains(.dueAt) {
            dueAt = FieldValue(try c.decodeRFC3339IfPresent(forKey: .dueAt))
        }
        if c.contains(.assignee) {
            assignee = FieldValue(try c.decodeIfPresent(String.self, forKey: .assignee))
        }
        if let done = try c.decodeIfPresent(Bool.self, forKey: .done) {
            self.done = DoneState(done: done, completedAt: try c.decodeRFC3339IfPresent(forKey: .completedAt))
        }
        deleted = try c.decodeIfPresent(Bool.self, forKey: .deleted)
        if c.contains(.repeatRule) {
            repeatRule = FieldValue(try c.decodeIfPresent(String.self, forKey: .repeatRule))
        }
        series = try c.decodeIfPresent(UUID.self, forKey: .series)
    }
}
