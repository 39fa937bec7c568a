import GRDB
import HouseholdTime
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension LocalStore {
    /// Creates a task, records the change for sync, and returns the task once it is durable.
    public func createTask(_ new: NewTask) throws -> TaskItem {
        try create(new).item
    }

    /// Creates a task, or, when `new.id` names a task that exists already with the same
    /// content, returns it unchanged (`created == false`): a retried request never makes a
    /// second task. The same ID with other content is `taskConflict`.
    public func create(_ new: NewTask) throws -> TaskCreation {
        let patch: TaskPatch
        do { patch = try new.validatedPatch() } catch { throw LocalStoreError.invalid(error) }
        let taskID = new.id ?? configuration.makeUUID()
        return try write { db in
            if new.id != nil, let existing = try TaskRecord.fetch(db, id: taskID) {
                if let conflict = existing.conflict(withCreation: patch) { throw LocalStoreError.taskConflict(conflict) }
                return TaskCreation(item: existing.item, created: false)
            }
            let stamp = try StoredClock.tick(db, now: configuration.clock.nowMillis(), node: configuration.nodeName)
            let change = TaskChange(
                id: configuration.makeUUID(), taskID: taskID, stamp: stamp,
                createdAt: stamp.physical, origin: configuration.nodeName,
                patch: RepeatRule.withFirstDue(patch, now: stamp.physical, zone: configuration.timeZone))
            return TaskCreation(item: try record(change, existing: nil, db).item, created: true)
        }
    }

    /// Applies a local edit. Fields already holding the requested value are left out of the
    /// change; an edit that changes nothing writes nothing.
    public func updateTask(id: UUID, _ requested: TaskPatch) throws -> TaskItem {
        var patch: TaskPatch
        do { patch = try TaskRules.validate(requested) } catch { throw LocalStoreError.invalid(error) }
        patch.deleted = nil
        return try write { db in
            guard let existing = try TaskRecord.fetch(db, id: id), !existing.deleted else {
                throw LocalStoreError.taskNotFound(id.lowercasedString)
            }
            let effective = patch.effective(on: existing)
            guard !effective.isEmpty else { return existing.item }
            var final = effective
            let stamp = try StoredClock.tick(db, now: configuration.clock.nowMillis(), node: configuration.nodeName)
            if let done = final.done, done.done {
                final.done = DoneState(done: true, completedAt: stamp.physical)
            }
            let change = TaskChange(
                id: configuration.makeUUID(), taskID: id, stamp: stamp,
                createdAt: existing.createdAt, origin: existing.origin, patch: final)
            let updated = try record(change, existing: existing, db)
            if final.done != nil {
                // A recurring chore completed gets its next occurrence; an undo withdraws it.
                let next = try TaskRecord.fetch(db, id: RecurringChore.nextID(after: id))
                if let follow = RecurringChorePlan.followUp(
                    after: updated, next: next, stamp: stamp, changeID: configuration.makeUUID(),
                    zone: configuration.timeZone)
                {
                    _ = try record(follow, existing: next, db)
                }
            }
            return updated.item
        }
    }

    /// Deletes a task (a tombstone that replicates), or with `series` every live occurrence of
    /// the recurring chore it belongs to, done ones included. Deleting a missing task is
    /// `taskNotFound`. Returns how many tasks were deleted.
    @discardableResult
    public func deleteTask(id: UUID, series: Bool = false) throws -> Int {
        try write { db in
            guard let existing = try TaskRecord.fetch(db, id: id), !existing.deleted else {
                throw LocalStoreError.taskNotFound(id.lowercasedString)
            }
            var doomed = [existing]
            if series {
                let seriesID = existing.seriesID.lowercasedString
                doomed = try Row.fetchAll(
                    db, sql: "SELECT * FROM task WHERE (series = ? OR id = ?) AND deleted = 0",
                    arguments: [seriesID, seriesID]
                ).map(TaskRecord.init(row:))
                if !doomed.contains(where: { $0.id == id }) { doomed.append(existing) }
            }
            // One stamp for the whole series: one decision, winning or losing as one.
            let stamp = try StoredClock.tick(db, now: configuration.clock.nowMillis(), node: configuration.nodeName)
            for record in doomed {
                let change = TaskChange(
                    id: configuration.makeUUID(), taskID: record.id, stamp: stamp,
                    createdAt: record.createdAt, origin: record.origin, patch: TaskPatch(deleted: true))
                _ = try self.record(change, existing: record, db)
            }
            return doomed.count
        }
    }

    /// A live task by its full ID.
    public func task(id: UUID) throws -> TaskItem? {
        try read { db in
            guard let record = try TaskRecord.fetch(db, id: id), !record.deleted else { return nil }
            return record.item
        }
    }

    /// Live tasks, newest first.
    public func tasks(_ state: TaskState = .all) throws -> [TaskItem] {
        try read { db in try Self.fetchTasks(state, db) }
    }

    /// Live tasks in one state, newest first.
    static func fetchTasks(_ state: TaskState, _ db: Database) throws -> [TaskItem] {
        let filter =
            switch state {
            case .all: ""
            case .open: "AND done = 0"
            case .done: "AND done = 1"
            }
        // Only the columns a listing shows, by position, through a cursor: a household list of
        // thousands of tasks is read without materialising rows or parsing stamps.
        let rows = try Row.fetchCursor(
            db.cachedStatement(
                sql: """
                    SELECT id, title, notes, due_at, assignee, done, completed_at, created_at, updated_at, origin, repeat_rule, series
                    FROM task WHERE deleted = 0 \(filter) ORDER BY created_at DESC, id
                    """))
        var items: [TaskItem] = []
        while let row = try rows.next() {
            let idText: String = row[0]
            guard let id = UUID(uuidString: idText) else { throw LocalStoreError.database("task row with invalid id") }
            items.append(
                TaskItem(
                    id: id, title: row[1], notes: row[2], dueAt: row[3], assignee: row[4], done: row[5],
                    completedAt: row[6], createdAt: row[7], updatedAt: row[8], origin: row[9],
                    repeatRule: row[10], series: (row[11] as String?).flatMap(UUID.init(uuidString:))))
        }
        return items
    }

    /// A number that changes whenever any task changes (in any process).
    public func tasksVersion() throws -> Int64 {
        try read { db in try Self.tasksVersion(db) }
    }

    static func tasksVersion(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT tasks_version FROM clock WHERE id = 1")) ?? 0
    }

    /// Live tasks and the version they are at, read in one snapshot.
    public func tasksSnapshot(_ state: TaskState = .all) throws -> (version: Int64, tasks: [TaskItem]) {
        try read { db in
            (try Self.tasksVersion(db), try Self.fetchTasks(state, db))
        }
    }

    /// Counts of live tasks by state, for status and metrics.
    public func taskCounts() throws -> (open: Int, done: Int) {
        try read { db in
            let row = try Row.fetchOne(
                db.cachedStatement(
                    sql: """
                        SELECT COALESCE(SUM(done = 0), 0) AS open, COALESCE(SUM(done = 1), 0) AS done
                        FROM task WHERE deleted = 0
                        """))
            return (row?["open"] ?? 0, row?["done"] ?? 0)
        }
    }

    /// Resolves a full ID or a unique prefix of one (case-insensitive, at least one hex digit)
    /// among live tasks.
    public func resolveTaskID(_ text: String) throws -> UUID {
        let prefix = text.lowercased()
        guard !prefix.isEmpty, prefix.count <= 36,
            prefix.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) || $0 == "-" })
        else { throw LocalStoreError.taskNotFound(String(text.prefix(40))) }
        let matches = try read { db in
            try String.fetchAll(
                db, sql: "SELECT id FROM task WHERE deleted = 0 AND id >= ? AND id < ? ORDER BY id LIMIT 5",
                arguments: [prefix, prefix + "\u{7f}"])
        }
        switch matches.count {
        case 0: throw LocalStoreError.taskNotFound(prefix)
        case 1: return UUID(uuidString: matches[0])!
        default: throw LocalStoreError.ambiguousID(prefix: prefix, candidates: matches.map { String($0.prefix(8)) })
        }
    }

    /// Merges `change` into the record, saves the row and logs the change for upstream sync,
    /// all in the caller's transaction.
    func record(_ change: TaskChange, existing: TaskRecord?, _ db: Database) throws -> TaskRecord {
        let (merged, _) = TaskMerge.apply(change, to: existing)
        try merged.save(db)
        let body = String(decoding: change.json(), as: UTF8.self)  // encoded once; pushed as it is
        try db.cachedStatement(sql: "INSERT INTO change_log(change_id, task_id, stamp, body, recorded_at) VALUES (?, ?, ?, ?, ?)")
            .execute(arguments: [
                change.id.lowercasedString, change.taskID.lowercasedString, change.stamp.description, body,
                configuration.clock.nowMillis(),
            ])
        return merged
    }

}
