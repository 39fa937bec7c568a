#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One change to one task, as recorded in a replica's change log and sent between replicas.
///
/// Every change carries the task's immutable facts (`createdAt`, `origin`), so a replica that
/// receives an edit before the task's creation (delivery order is not guaranteed) still builds
/// the same record as everyone else.
public struct TaskChange: Sendable, Equatable, Identifiable {
    /// Unique per change: replays of the same change are recognised by it.
    public var id: UUID
    public var taskID: UUID
    /// When and where the change was made, by the hybrid logical clock.
    public var stamp: HLCTimestamp
    public var createdAt: Int64
    public var origin: String
    public var patch: TaskPatch

    public init(id: UUID, taskID: UUID, stamp: HLCTimestamp, createdAt: Int64, origin: String, patch: TaskPatch) {
        self.id = id
        self.taskID = taskID
        self.stamp = stamp
        self.createdAt = createdAt
        self.origin = origin
        self.patch = patch
    }
}

/// Read from JSON; written only by ``json()`` (TaskChange+JSON.swift), the one encoder.
extension TaskChange: Decodable {
    enum CodingKeys: String, CodingKey {
        case id = "change_id", taskID = "task_id", stamp, origin, patch = "set"
        case createdAt = "created_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(UUID.self, forKey: .id)
        taskID = try c.decode(UUID.self, forKey: .taskID)
        stamp = try c.decode(HLCTimestamp.self, forKey: .stamp)
        createdAt = try c.decodeRFC3339(forKey: .createdAt)
        origin = try c.decode(String.self, forKey: .origin)
        patch = try c.decode(TaskPatch.self, forKey: .patch)
    }
}
