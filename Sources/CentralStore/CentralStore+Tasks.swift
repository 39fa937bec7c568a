import HouseholdTime
import PostgresNIO
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The household task API on central (docs/central-api.md). Central's own edits are stamped by the
/// reserved replica name `central`, never by the token's node: a node's token used from a
/// phone must not issue stamps that node's agent could also issue.
extension CentralStore {
    public static let replicaName = "central"

    public func tasks(_ state: TaskState) async throws -> [TaskItem] {
        try await operation("list tasks") { [client, logger] in
            let filter: PostgresQuery =
                switch state {
                case .all: "SELECT record FROM task WHERE NOT deleted ORDER BY created_at DESC, id"
                case .open: "SELECT record FROM task WHERE NOT deleted AND NOT done ORDER BY created_at DESC, id"
                case .done: "SELECT record FROM task WHERE NOT deleted AND done ORDER BY created_at DESC, id"
                }
            let decoder = JSONDecoder()
            return try await client.query(filter, logger: logger).column(String.self).map {
                try decoder.decode(TaskRecord.self, from: Data($0.utf8)).item
            }
        }
    }

    /// The stored record, tombstones included (tests and resync compare these).
    public func record(id: UUID) async throws -> TaskRecord? {
        try await operation("read task") { [client, logger] in
            try await client.query("SELECT record FROM task WHERE id = \(id)", logger: logger).column(String.self)
                .first.map { try JSONDecoder().decode(TaskRecord.self, from: Data($0.utf8)) }
        }
    }

    /// Every record, tombstones included, in id order.
    public func allRecords() async throws -> [TaskRecord] {
        try await operation("read tasks") { [client, logger] in
            let decoder = JSONDecoder()
            return try await client.query("SELECT record FROM task ORDER BY id", logger: logger).column(String.self)
                .map { try decoder.decode(TaskRecord.self, from: Data($0.utf8)) }
        }
    }

    public func task(id: UUID) async throws -> TaskItem? {
        guard let record = try await record(id: id), !record.deleted else { return nil }
        return record.item
    }

    /// Creates a task, or, when `new.id` names a task that exists already with the same
    /// content, returns it unchanged (`created == false`). Other content is `taskConflict`.
    public func createTask(_ new: NewTask) async throws -> TaskCreation {
        let patch: TaskPatch
        do { patch = try new.validatedPatch() } catch { throw CentralStoreError.invalidField(error) }
        let taskID = new.id ?? configuration.makeUUID()
        let (item, changed) = try await edit(taskID, creating: true) { existing, stamp in
            if let existing {
                if let conflict = existing.conflict(withCreation: patch) { throw CentralStoreError.taskConflict(conflict) }
                return nil
            }
            return TaskChange(
                id: self.configuration.makeUUID(), taskID: taskID, stamp: stamp, createdAt: stamp.physical,
                origin: Self.replicaName,
                patch: RepeatRule.withFirstDue(patch, now: stamp.physical, zone: self.configuration.timeZone))
        }
        return TaskCreation(item: item, created: changed)
    }

    public func updateTask(id: UUID, _ requested: TaskPatch) async throws -> TaskItem {
        var patch: TaskPatch
        do { patch = try TaskRules.validate(requested) } catch { throw CentralStoreError.invalidField(error) }
        patch.deleted = nil
        let requestedPatch = patch
        return try await edit(id, creating: false) { existing, stamp in
            guard let existing else { return nil }
            var effective = requestedPatch.effective(on: existing)
            guard !effective.isEmpty else { return nil }
            if let done = effective.done, done.done { effective.done = DoneState(done: true, completedAt: stamp.physical) }
            return TaskChange(
                id: self.configuration.makeUUID(), taskID: id, stamp: stamp, createdAt: existing.createdAt,
                origin: existing.origin, patch: effective)
        } followUp: { [self] tx, occurrence, stamp in
            // A recurring chore completed gets its next occurrence; a completion undone
            // withdraws the one it created if nobody touched it (RecurringChorePlan).
            guard requestedPatch.done != nil else { return [] }
            let next = try await self.storedRecord(RecurringChore.nextID(after: id), tx)
            return RecurringChorePlan.followUp(
                after: occurrence, next: next, stamp: stamp, changeID: self.configuration.makeUUID(),
                zone: self.configuration.timeZone
            ).map { [$0] } ?? []
        }.item
    }

    /// Deletes a task, or with `series` every live occurrence of its recurring chore.
    public func deleteTask(id: UUID, series: Bool = false) async throws {
        _ = try await edit(id, creating: false) { existing, stamp in
            guard let existing else { return nil }
            return TaskChange(
                id: self.configuration.makeUUID(), taskID: id, stamp: stamp, createdAt: existing.createdAt,
                origin: existing.origin, patch: TaskPatch(deleted: true))
        } followUp: { [self] tx, deleted, stamp in
            guard series else { return [] }
            let seriesID = deleted.seriesID
            let decoder = JSONDecoder()
            let others = try await tx.query(
                """
                SELECT record FROM task WHERE NOT deleted AND id <> \(id)
                  AND (id = \(seriesID) OR record::jsonb->>'series' = \(seriesID.lowercasedString))
                """, logger: logger
            ).column(String.self).map { try decoder.decode(TaskRecord.self, from: Data($0.utf8)) }
            return others.map { record in
                TaskChange(
                    id: self.configuration.makeUUID(), taskID: record.id, stamp: stamp,
                    createdAt: record.createdAt, origin: record.origin, patch: TaskPatch(deleted: true))
            }
        }
    }

    /// One household edit in one transaction: read the record under the feed lock, stamp
    /// after everything central holds for that task, merge, append to the feed. `followUp`
    /// gives the changes the edit brings about in other tasks (a recurring chore's next
    /// occurrence, the rest of a series deleted), under the edit's own stamp, so that they win
    /// or lose together with it wherever they meet other replicas' changes.
    private func edit(
        _ id: UUID, creating: Bool,
        _ makeChange: @escaping @Sendable (TaskRecord?, HLCTimestamp) throws -> TaskChange?,
        followUp: (@Sendable (PostgresConnection, TaskRecord, HLCTimestamp) async throws -> [TaskChange])? = nil
    )
        async throws -> (item: TaskItem, changed: Bool)
    {
        try await operation("edit task") { [self] in
            try await client.withTransaction(logger: logger) { tx in
                try await tx.query("SELECT pg_advisory_xact_lock(\(Self.feedLockKey))", logger: logger)
                let existing = try await self.storedRecord(id, tx)
                if !creating && (existing == nil || existing!.deleted) { throw CentralStoreError.taskNotFound(id.lowercasedString) }
                // Central's persisted clock, past every stamp it has merged and this task's newest.
                let row =
                    try await tx.query("SELECT physical, counter FROM central_clock WHERE id = 1", logger: logger)
                    .collect((Int64, Int32).self).first ?? (Int64(0), Int32(0))
                var clock = HybridLogicalClock(physical: row.0, counter: UInt16(clamping: row.1))
                if let latest = existing?.latestStamp, (latest.physical, latest.counter) > (clock.physical, clock.counter) {
                    clock = HybridLogicalClock(physical: latest.physical, counter: latest.counter)
                }
                let stamp = clock.tick(now: self.now(), node: Self.replicaName)
                guard let change = try makeChange(existing, stamp) else { return (existing!.item, false) }
                _ = try await self.merge([change], pushedBy: nil, tx)
                let after = try await self.storedRecord(id, tx)!
                if let followUp {
                    _ = try await self.merge(try await followUp(tx, after, stamp), pushedBy: nil, tx)
                }
                try await tx.query(
                    "UPDATE central_clock SET physical = \(stamp.physical), counter = \(Int32(stamp.counter)) WHERE id = 1",
                    logger: logger)
                return (after.item, true)
            }
        }
    }

    private func storedRecord(_ id: UUID, _ tx: PostgresConnection) async throws -> TaskRecord? {
        try await tx.query("SELECT record FROM task WHERE id = \(id)", logger: logger)
            .column(String.self).first.map { try JSONDecoder().decode(TaskRecord.self, from: Data($0.utf8)) }
    }
}
