import Hummingbird
import LocalStore
import Sync
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The encoded `GET /v1/tasks` bodies, per state, with the task version they show. Phones poll
/// the list every second; it changes only when a task does, so each request costs one small
/// read of the version instead of reading and encoding every task.
final class TaskListCache: Sendable {
    private let entries = Mutex<[TaskState: (version: Int64, body: ByteBuffer, count: Int)]>([:])

    /// The body for `state` and its version, from the cache while the version is current.
    func body(_ state: TaskState, store: LocalStore) throws -> (version: Int64, body: ByteBuffer, count: Int) {
        let version = try store.tasksVersion()
        if let cached = entries.withLock({ $0[state] }), cached.version == version { return cached }
        let snapshot = try store.tasksSnapshot(state)
        let entry = (version: snapshot.version, body: ByteBuffer(bytes: TaskItem.listJSON(snapshot.tasks)), count: snapshot.tasks.count)
        entries.withLock { $0[state] = entry }
        return entry
    }
}
