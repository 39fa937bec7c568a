import CentralStore
import HouseholdAPI
import Hummingbird
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Central's PostgreSQL store as the household task API's repository.
struct CentralTaskRepository: TaskRepository {
    let store: CentralStore

    func taskList(_ state: TaskState) async throws -> (version: String, body: ByteBuffer, count: Int) {
        let tasks = try await store.tasks(state)
        let body = TaskItem.listJSON(tasks)
        // Stateless replicas share no counter; a hash of the body is an exact ETag.
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in body { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return (String(hash, radix: 16), ByteBuffer(bytes: body), tasks.count)
    }

    func tasks(_ state: TaskState) async throws -> [TaskItem] { try await store.tasks(state) }

    func createTask(_ new: NewTask) async throws -> TaskCreation { try await store.createTask(new) }
    func task(id: UUID) async throws -> TaskItem? { try await store.task(id: id) }
    func updateTask(id: UUID, _ patch: TaskPatch) async throws -> TaskItem { try await store.updateTask(id: id, patch) }
    func deleteTask(id: UUID, series: Bool) async throws { try await store.deleteTask(id: id, series: series) }
}
