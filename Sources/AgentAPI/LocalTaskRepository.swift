import HouseholdAPI
import Hummingbird
import LocalStore
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The node's SQLite store as the household task API's repository. SQLite calls run on the
/// thread pool; the store's errors become API errors in `APIError.init(_: LocalStoreError)`.
struct LocalTaskRepository: TaskRepository {
    let store: LocalStore
    let listCache = TaskListCache()

    func taskList(_ state: TaskState) async throws -> (version: String, body: ByteBuffer, count: Int) {
        let (version, body, count) = try await blocking { [store, listCache] in try listCache.body(state, store: store) }
        return (String(version), body, count)
    }

    func tasks(_ state: TaskState) async throws -> [TaskItem] {
        try await blocking { [store] in try store.tasks(state) }
    }

    func createTask(_ new: NewTask) async throws -> TaskCreation {
        try await blocking { [store] in try store.create(new) }
    }

    func task(id: UUID) async throws -> TaskItem? {
        try await blocking { [store] in try store.task(id: id) }
    }

    func updateTask(id: UUID, _ patch: TaskPatch) async throws -> TaskItem {
        try await blocking { [store] in try store.updateTask(id: id, patch) }
    }

    func deleteTask(id: UUID, series: Bool) async throws {
        try await blocking { [store] in _ = try store.deleteTask(id: id, series: series) }
    }
}
