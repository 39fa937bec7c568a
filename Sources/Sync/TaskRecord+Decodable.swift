#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The stored form of a record (central keeps one per task): every field with its stamp,
/// times in integer milliseconds so nothing is rounded. Read here; written only by
/// ``json()`` (TaskChange+JSON.swift).
extension TaskRecord: Decodable {
    enum CodingKeys: String, CodingKey {
        case id, title, titleStamp = "title_v", notes, notesStamp = "notes_v", dueAt = "due_at", dueAtStamp = "due_at_v"
        case assignee, assigneeStamp = "assignee_v", done, completedAt = "completed_at", doneStamp = "done_v"
        case deleted, deletedStamp = "deleted_v", createdAt = "created_at", origin
        case repeatRule = "repeat", repeatStamp = "repeat_v", series
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            id: try c.decode(UUID.self, forKey: .id), createdAt: try c.decode(Int64.self, forKey: .createdAt),
            origin: try c.decode(String.self, forKey: .origin))
        title = try c.decode(String.self, forKey: .title)
        titleStamp = try c.decodeIfPresent(HLCTimestamp.self, forKey: .titleStamp)
        notes = try c.decode(String.self, forKey: .notes)
        notesStamp = try c.decodeIfPresent(HLCTimestamp.self, forKey: .notesStamp)
        dueAt = try c.decodeIfPresent(Int64.self, forKey: .dueAt)
        dueAtStamp = try c.decodeIfPresent(HLCTimestamp.self, forKey: .dueAtStamp)
        assignee = try c.decodeIfPresent(String.self, forKey: .assignee)
        assigneeStamp = try c.decodeIfPresent(HLCTimestamp.self, forKey: .assigneeStamp)
        done = try c.decode(Bool.self, forKey: .done)
        completedAt = try c.decodeIfPresent(Int64.self, forKey: .completedAt)
        doneStamp = try c.decodeIfPresent(HLCTimestamp.self, forKey: .doneStamp)
        deleted = try c.decode(Bool.self, forKey: .deleted)
        deletedStamp = try c.decodeIfPresent(HLCTimestamp.self, forKey: .deletedStamp)
        repeatRule = try c.decodeIfPresent(String.self, forKey: .repeatRule)
        repeatStamp = try c.decodeIfPresent(HLCTimestamp.self, forKey: .repeatStamp)
        series = try c.decodeIfPresent(UUID.self, forKey: .series)
    }
}
