import Hummingbird
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where `/v1/tasks` keeps the household's tasks: the node's SQLite store on an agent,
/// PostgreSQL on central. The routes are the same on both (docs/central-api.md).
public protocol TaskRepository: Sendable {
    /// The encoded `{"tasks": [...]}` list and a version that changes whenever it does (the ETag).
    func taskList(_ state: TaskState) async throws -> (version: String, body: ByteBuffer, count: Int)
    /// The live tasks in `state`, newest first (`created_at` descending, then ID), for paging.
    func tasks(_ state: TaskState) async throws -> [TaskItem]
    /// Creates the task, or finds the one an earlier request with the same `new.id` created.
    func createTask(_ new: NewTask) async throws -> TaskCreation
    func task(id: UUID) async throws -> TaskItem?
    func updateTask(id: UUID, _ patch: TaskPatch) async throws -> TaskItem
    /// Deletes the task, or with `series` every live occurrence of its recurring chore.
    func deleteTask(id: UUID, series: Bool) async throws
}
