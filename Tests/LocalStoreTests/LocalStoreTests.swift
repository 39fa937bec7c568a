import Foundation
import GRDB
import LocalStore
import Sync
import TestSupport
import Testing

/// A wall clock the test moves by hand.
final class ManualClock: @unchecked Sendable {
    private let lock = NSLock()
    private var millis: Int64
    init(_ millis: Int64) { self.millis = millis }
    func set(_ value: Int64) { lock.withLock { millis = value } }
    var wallClock: WallClock { WallClock { [self] in lock.withLock { millis } } }
}

/// Hands out the given IDs first (for tasks and changes alike), then random ones.
final class IDQueue: @unchecked Sendable {
    private let lock = NSLock()
    private var ids: [UUID]
    init(_ ids: [UUID]) { self.ids = ids }
    func next() -> UUID { lock.withLock { ids.isEmpty ? UUID() : ids.removeFirst() } }
}

@Suite struct LocalStoreTests {
    let dir = TemporaryDirectory()
    let t0: Int64 = 1_763_788_800_000

    func open(node: String = "rpi-worker-1", clock: ManualClock? = nil) throws -> LocalStore {
        var config = LocalStore.Configuration(nodeName: node)
        if let clock { config.clock = clock.wallClock }
        return try LocalStore(directory: dir.path, configuration: config)
    }

    @Test func migratesAnEmptyDirectoryAndReopensWithTheSameData() throws {
        let store = try open()
        let task = try store.createTask(NewTask(title: "Buy milk", notes: "oat", dueAt: t0, assignee: "mum"))
        try store.close()
        let again = try open()
        #expect(try again.task(id: task.id) == task)
        #expect(FileManager.default.fileExists(atPath: dir.file("agent.db")))
        let mode = try DatabaseQueue(path: dir.file("agent.db")).read { try String.fetchOne($0, sql: "PRAGMA journal_mode") }
        #expect(mode == "wal")
    }

    @Test func taskWritesAreCommittedWithSynchronousFullEvenAfterAReading() throws {
        let store = try open()
        _ = try store.createTask(NewTask(title: "durable"))
        #expect(try store.writerSynchronousMode() == 2)
        try store.record(MetricReading(timestamp: t0, clockSynchronized: true, values: [SeriesKey("node_load1"): 0.5]))
        #expect(try store.writerSynchronousMode() == 2, "sample commits must not leave the writer at NORMAL")
    }

    /// `/metrics` reads its figures together: every read inside `readTogether` sees one snapshot, even while
    /// another thread commits, and another store on the same file is not drawn into it.
    @Test func readsTogetherShareOneSnapshot() throws {
        let store = try open()
        _ = try store.createTask(NewTask(title: "before"))
        let other = try open()
        let seen = try store.readTogether {
            let first = try store.taskCounts().open
            try DispatchQueue.global().sync { _ = try other.createTask(NewTask(title: "during")) }
            return (first, try store.taskCounts().open, try store.pendingSummary().count, try other.taskCounts().open)
        }
        #expect(seen.0 == 1)
        #expect(seen.1 == 1, "a read inside readTogether saw a commit made after the snapshot")
        #expect(seen.2 == 1)
        #expect(seen.3 == 2, "another store's reads are its own")
        #expect(try store.taskCounts().open == 2)
    }

    @Test func createRecordsTheTaskAndItsChangeTogether() throws {
        let store = try open()
        let task = try store.createTask(NewTask(title: "  Buy milk  ", assignee: " "))
        #expect(task.title == "Buy milk")
        #expect(task.assignee == nil)
        #expect(task.origin == "rpi-worker-1")
        let pending = try store.pendingChanges(limit: 10)
        #expect(pending.count == 1)
        #expect(pending[0].change.taskID == task.id)
        #expect(pending[0].change.patch.title == "Buy milk")
    }

    @Test func aCreateRetriedWithItsClientIDFindsItsTaskAndWritesNothing() throws {
        let store = try open()
        let id = UUID()
        let first = try store.create(NewTask(title: " Bins ", dueAt: 1_796_000_000_000, id: id))
        #expect(first.created && first.item.id == id && first.item.title == "Bins")
        // Same request again, as a phone retries after a lost answer: the same task, no second change.
        let again = try store.create(NewTask(title: " Bins ", dueAt: 1_796_000_000_000, id: id))
        #expect(!again.created && again.item == first.item)
        #expect(try store.pendingChanges(limit: 10).count == 1)
        // The same id with other content is a conflict, never an overwrite.
        #expect(
            throws: LocalStoreError.taskConflict(
                "task \(id.lowercasedString) exists with another due_at; "
                    + "a retry must repeat the request unchanged, a new task needs a new id")
        ) {
            try store.create(NewTask(title: "Bins", dueAt: 1_796_000_060_000, id: id))
        }
        // After an edit of the title the retry still finds its task; after a delete it does not.
        _ = try store.updateTask(id: id, TaskPatch(title: "Bins out"))
        #expect(!(try store.create(NewTask(title: "Bins", dueAt: 1_796_000_000_000, id: id))).created)
        try store.deleteTask(id: id)
        #expect(throws: LocalStoreError.self) { try store.create(NewTask(title: "Bins", dueAt: 1_796_000_000_000, id: id)) }
        #expect(try store.tasks().isEmpty)
    }

    @Test func invalidInputIsRefusedAndWritesNothing() throws {
        let store = try open()
        #expect(throws: LocalStoreError.invalid(InvalidFieldError(field: "title", message: "title must not be empty"))) {
            try store.createTask(NewTask(title: "   "))
        }
        #expect(throws: LocalStoreError.self) { try store.createTask(NewTask(title: "ok", notes: String(repeating: "n", count: 4001))) }
        #expect(try store.tasks().isEmpty)
        #expect(try store.pendingSummary().count == 0)
    }

    @Test func doneStampsCompletionAndUndoClearsIt() throws {
        let clock = ManualClock(t0)
        let store = try open(clock: clock)
        let task = try store.createTask(NewTask(title: "Bins"))
        clock.set(t0 + 60_000)
        let done = try store.updateTask(id: task.id, TaskPatch(done: DoneState(done: true, completedAt: nil)))
        #expect(done.done && done.completedAt == t0 + 60_000)
        #expect(try store.tasks(.open).isEmpty)
        #expect(try store.tasks(.done).map(\.id) == [task.id])
        let reopened = try store.updateTask(id: task.id, TaskPatch(done: DoneState(done: false, completedAt: nil)))
        #expect(!reopened.done && reopened.completedAt == nil)
    }

    @Test func anEditThatChangesNothingWritesNothing() throws {
        let store = try open()
        let task = try store.createTask(NewTask(title: "Bins"))
        let same = try store.updateTask(id: task.id, TaskPatch(title: "Bins"))
        #expect(same == task)
        #expect(try store.pendingSummary().count == 1)
    }

    @Test func deletingTwiceReturnsNotFound() throws {
        let store = try open()
        let task = try store.createTask(NewTask(title: "Bins"))
        try store.deleteTask(id: task.id)
        #expect(try store.task(id: task.id) == nil)
        #expect(throws: LocalStoreError.taskNotFound(task.id.lowercasedString)) { try store.deleteTask(id: task.id) }
        #expect(try store.tasks(.all).isEmpty)
    }

    @Test func idPrefixesResolveWhenUniqueOnly() throws {
        // Task ID, then its change ID, for each of the two tasks.
        let ids = IDQueue([
            UUID(uuidString: "aaaa0000-0000-4000-8000-000000000001")!, UUID(),
            UUID(uuidString: "aaab0000-0000-4000-8000-000000000002")!, UUID(),
        ])
        var config = LocalStore.Configuration(nodeName: "n")
        config.makeUUID = { ids.next() }
        let store = try LocalStore(directory: dir.path, configuration: config)
        let first = try store.createTask(NewTask(title: "one"))
        _ = try store.createTask(NewTask(title: "two"))
        #expect(try store.resolveTaskID("AAAA") == first.id)
        #expect(try store.resolveTaskID(first.id.lowercasedString) == first.id)
        #expect(throws: LocalStoreError.ambiguousID(prefix: "aaa", candidates: ["aaaa0000", "aaab0000"])) { try store.resolveTaskID("aaa") }
        #expect(throws: LocalStoreError.taskNotFound("b")) { try store.resolveTaskID("b") }
        #expect(throws: LocalStoreError.self) { try store.resolveTaskID("'; DROP TABLE task; --") }
    }

    @Test func clockKeepsIncreasingAcrossRestartsWhenTheWallClockGoesBackAYear() throws {
        let clock = ManualClock(t0)
        let store = try open(clock: clock)
        let before = try store.createTask(NewTask(title: "before reboot"))
        try store.close()
        clock.set(t0 - 365 * 86_400_000)
        let rebooted = try open(clock: clock)
        let after = try rebooted.createTask(NewTask(title: "after reboot"))
        let stamps = try rebooted.pendingChanges(limit: 10).map(\.change.stamp)
        #expect(stamps.count == 2 && stamps[0] < stamps[1])
        #expect(after.createdAt >= before.createdAt)
    }

    @Test func twoConnectionsWritingAtOnceNeverSeeLocked() async throws {
        let a = try open(node: "daemon"), b = try open(node: "cli")
        try await withThrowingTaskGroup(of: Void.self) { group in
            for store in [a, b] {
                group.addTask {
                    for i in 0..<150 { _ = try store.createTask(NewTask(title: "task \(i)")) }
                }
            }
            try await group.waitForAll()
        }
        #expect(try a.tasks().count == 300)
        let stamps = try a.pendingChanges(limit: 1000).map(\.change.stamp)
        #expect(Set(stamps).count == 300, "every change has its own stamp")
        #expect(stamps == stamps.sorted(), "log order is stamp order across both writers")
    }

    @Test func refusesAFileThatIsNotSQLiteAndLeavesItUntouched() throws {
        let garbage = Data("definitely not an sqlite database, just a text file that is long enough\n".utf8)
        try garbage.write(to: URL(fileURLWithPath: dir.file("agent.db")))
        #expect(throws: LocalStoreError.notADatabase(path: dir.file("agent.db"))) { try open() }
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir.file("agent.db"))) == garbage)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["agent.db"])
    }

    @Test func reportsATruncatedDatabaseAsDamaged() throws {
        let store = try open()
        for i in 0..<400 { _ = try store.createTask(NewTask(title: "task \(i) " + String(repeating: "x", count: 150))) }
        try store.checkpoint()
        try store.close()
        let path = dir.file("agent.db")
        let full = try Data(contentsOf: URL(fileURLWithPath: path))
        let truncated = full.prefix(full.count / 2)
        try truncated.write(to: URL(fileURLWithPath: path))
        do {
            let damaged = try open()
            _ = try damaged.tasks()
            let findings = try damaged.integrityCheck()
            #expect(findings != ["ok"])
        } catch let error as LocalStoreError {
            guard case .corrupt = error else { Issue.record("unexpected \(error)"); return }
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == truncated)
    }

    @Test func refusesADataDirectoryThatCannotBeCreated() throws {
        try Data("x".utf8).write(to: URL(fileURLWithPath: dir.file("plain-file")))
        #expect(throws: LocalStoreError.self) {
            try LocalStore(directory: dir.file("plain-file/data"), configuration: .init(nodeName: "n"))
        }
        #expect(throws: LocalStoreError.dataDirectoryUnusable(path: dir.file("plain-file"), reason: "it is not a directory")) {
            try LocalStore(directory: dir.file("plain-file"), configuration: .init(nodeName: "n"))
        }
    }

    @Test func remoteChangesMergeAndAdvanceTheLocalClock() async throws {
        let clock = ManualClock(t0)
        let store = try open(clock: clock)
        let task = try store.createTask(NewTask(title: "Milk"))
        let remote = TaskChange(
            id: UUID(), taskID: task.id, stamp: HLCTimestamp(physical: t0 + 120_000, counter: 3, node: "rpi-worker-2"),
            createdAt: task.createdAt, origin: task.origin, patch: TaskPatch(title: "Oat milk"))
        #expect(try store.applyRemoteChanges([remote]) == [.applied])
        #expect(try store.applyRemoteChanges([remote]) == [.alreadyKnown])
        #expect(try store.task(id: task.id)?.title == "Oat milk")
        #expect(try store.pendingSummary().count == 1, "remote changes are not queued for push again")
        // A local edit made with a wall clock behind the remote stamp still wins after it.
        let local = try store.updateTask(id: task.id, TaskPatch(title: "Milk again"))
        #expect(local.title == "Milk again")
        let stamp = try store.pendingChanges(limit: 10).last!.change.stamp
        #expect(remote.stamp < stamp)
    }

    @Test func acknowledgedChangesLeaveTheQueue() throws {
        let store = try open()
        _ = try store.createTask(NewTask(title: "a"))
        _ = try store.createTask(NewTask(title: "b"))
        let pending = try store.pendingChanges(limit: 10)
        try store.acknowledge(changeIDs: [pending[0].change.id])
        #expect(try store.pendingChanges(limit: 10).map(\.change.id) == [pending[1].change.id])
    }

    @Test func backupIsConsistentWhileAnotherConnectionWrites() async throws {
        let store = try open()
        for i in 0..<200 { _ = try store.createTask(NewTask(title: "seed \(i)")) }
        let writer = try open(node: "writer")
        let copy = dir.file("backup.db")
        let writes = Task.detached {
            for i in 0..<200 { _ = try writer.createTask(NewTask(title: "during \(i)")) }
        }
        try store.backup(to: copy)
        try await writes.value
        let backup = try DatabaseQueue(path: copy)
        let check = try await backup.read { try String.fetchAll($0, sql: "PRAGMA integrity_check") }
        #expect(check == ["ok"])
        let (tasks, log) = try await backup.read {
            (try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM task")!, try Int.fetchOne($0, sql: "SELECT COUNT(*) FROM change_log")!)
        }
        #expect(tasks >= 200 && tasks <= 400)
        #expect(tasks == log, "a consistent snapshot has a change for every task")
        #expect(throws: LocalStoreError.destinationExists(path: copy)) { try store.backup(to: copy) }
    }
}
