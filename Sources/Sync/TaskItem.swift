#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A household task as people and the HTTP API see it (docs/agent-api.md).
///
/// JSON keys are snake_case and times are RFC 3339 UTC strings. Times are held as
/// milliseconds since the Unix epoch.
public struct TaskItem: Sendable, Equatable, Identifiable {
    public var id: UUID
    public var title: String
    public var notes: String
    public var dueAt: Int64?
    public var assignee: String?
    public var done: Bool
    public var completedAt: Int64?
    public var createdAt: Int64
    public var updatedAt: Int64
    /// The node that created the task.
    public var origin: String
    /// The canonical ``RepeatRule`` text of a recurring chore, else nil.
    public var repeatRule: String?
    /// The series of a generated occurrence (the first task's ID), else nil.
    public var series: UUID?

    public init(
        id: UUID, title: String, notes: String = "", dueAt: Int64? = nil, assignee: String? = nil,
        done: Bool = false, completedAt: Int64? = nil, createdAt: Int64, updatedAt: Int64, origin: String,
        repeatRule: String? = nil, series: UUID? = nil
    ) {
        self.repeatRule = repeatRule
        self.series = series
        self.id = id
        self.title = title
        self.notes = notes
        self.dueAt = dueAt
        self.assignee = assignee
        self.done = done
        self.completedAt = completedAt
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.origin = origin
    }

    /// The short form people type and see: the first eight hex digits of the ID.
    public var shortID: String { String(id.lowercasedString.prefix(8)) }
}

extension UUID {
    /// The lowercase form stored in databases and sent on the wire.
    public var lowercasedString: String { uuidString.lowercased() }
}

/// Read from JSON; written only by ``json()`` / ``appendJSON(to:)`` (TaskItem+JSON.swift).
extension TaskItem: Decodable {
    enum CodingKeys: String, CodingKey {
        case id, title, notes, done, assignee, origin, series
        case repeatRule = "repeat"
        case dueAt = "due_at", completedAt = "completed_at", createdAt = "created_at", updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(UUID.self, forKey: .id)
        title = try c.decode(String.self, forKey: .title)
        notes = try c.decodeIfPresent(String.self, forKey: .notes) ?? ""
        dueAt = try c.decodeRFC3339IfPresent(forKey: .dueAt)
        assignee = try c.decodeIfPresent(String.self, forKey: .assignee)
        done = try c.decode(Bool.self, forKey: .done)
        completedAt = try c.decodeRFC3339IfPresent(forKey: .completedAt)
        createdAt = try c.decodeRFC3339(forKey: .createdAt)
        updatedAt = try c.decodeRFC3339(forKey: .updatedAt)
        origin = try c.decode(String.self, forKey: .origin)
        repeatRule = try c.decodeIfPresent(String.self, forKey: .repeatRule)
        series = try c.decodeIfPresent(UUID.self, forKey: .series)
    }
}

extension KeyedDecodingContainer {
    /// Decodes an RFC 3339 string to milliseconds, with an error naming the key.
    public func decodeRFC3339(forKey key: Key) throws -> Int64 {
        let text = try decode(String.self, forKey: key)
        guard let millis = RFC3339.parse(text) else {
            throw DecodingError.dataCorruptedError(
                forKey: key, in: self, debugDescription: "\(key.stringValue) is not an RFC 3339 date-time")
        }
        return millis
    }

    public func decodeRFC3339IfPresent(forKey key: Key) throws -> Int64? {
        guard contains(key), try !decodeNil(forKey: key) else { return nil }
        return try decodeRFC3339(forKey: key)
    }
}
