import Foundation
import LocalStore
import Sync
import TestSupport
import Testing

/// The store's side of sync: what is pushed, what central's answers do to it, and that
/// every step that records an acknowledgement is all or nothing.
@Suite struct LocalStoreSyncTests {
    let dir = TemporaryDirectory()
    let t0: Int64 = 1_763_788_800_000

    func open(clock: ManualClock) throws -> LocalStore {
        var config = LocalStore.Configuration(nodeName: "a")
        config.clock = clock.wallClock
        return try LocalStore(directory: dir.path, configuration: config)
    }

    func remote(_ task: UUID, at physical: Int64, _ patch: TaskPatch, node: String = "b") -> TaskChange {
        TaskChange(
            id: UUID(), taskID: task, stamp: HLCTimestamp(physical: physical, counter: 0, node: node),
            createdAt: t0, origin: node, patch: patch)
    }

    @Test func aPulledPageIsMergedTogetherWithItsCursor() throws {
        let clock = ManualClock(t0)
        let store = try open(clock: clock)
        let task = UUID()
        let cursor = FeedCursor(seq: 2, tag: 0x1234)
        let outcomes = try store.applyPulled(
            [remote(task, at: t0 - 10, TaskPatch(title: "From b", notes: "")), remote(task, at: t0 - 20, TaskPatch(title: "Older"))],
            cursor: cursor, referenceNow: t0)
        #expect(outcomes == [.applied, .alreadyKnown])
        #expect(try store.task(id: task)?.title == "From b")
        #expect(try store.pullPosition().cursor == cursor)
        // Pulled changes are central's, not ours: nothing is queued to push back.
        #expect(try store.pendingChanges(limit: 10).isEmpty)
        // A local edit afterwards orders after what was pulled, even with our clock behind.
        clock.set(t0 - 60_000)
        let edited = try store.updateTask(id: task, TaskPatch(title: "Mine"))
        let stamp = try #require(try store.pendingChanges(limit: 1).first?.change.stamp)
        #expect(stamp > HLCTimestamp(physical: t0 - 10, counter: 0, node: "b"))
        #expect(edited.title == "Mine")
    }

    @Test func aStampFarAheadOfCentralIsRefusedAndNothingMoves() throws {
        let store = try open(clock: ManualClock(t0))
        let good = remote(UUID(), at: t0, TaskPatch(title: "fine", notes: ""))
        let ahead = remote(UUID(), at: t0 + 24 * 3_600_000, TaskPatch(title: "a day ahead", notes: ""))
        #expect(throws: LocalStoreError.self) {
            _ = try store.applyPulled([good, ahead], cursor: FeedCursor(seq: 9, tag: 1), referenceNow: t0)
        }
        #expect(try store.tasks().isEmpty, "the page is all or nothing")
        #expect(try store.pullPosition().cursor == .start)
    }

    @Test func centralsClockLetsAPiBootedInThePastTakeItsChanges() throws {
        // Our wall clock says 1970; central's Date header says now.
        let store = try open(clock: ManualClock(5_000))
        let change = remote(UUID(), at: t0, TaskPatch(title: "from central's present", notes: ""))
        #expect(try store.applyPulled([change], cursor: FeedCursor(seq: 1, tag: 7), referenceNow: t0 + 1000) == [.applied])
    }

    @Test func onlyAcknowledgedChangesLeaveTheLog() throws {
        let store = try open(clock: ManualClock(t0))
        let first = try store.createTask(NewTask(title: "one"))
        _ = try store.createTask(NewTask(title: "two"))
        let pending = try store.pendingChanges(limit: 10)
        #expect(pending.map(\.change.taskID).first == first.id)
        try store.acknowledge(changeIDs: [pending[0].change.id, UUID()])
        #expect(try store.pendingChanges(limit: 10).map(\.change.id) == [pending[1].change.id])
    }

    @Test func otherReplicasChangesAreKeptWithTheirProofWhileTheirStampCounts() throws {
        let store = try open(clock: ManualClock(t0))
        let task = UUID()
        let fromCentral = remote(task, at: t0, TaskPatch(title: "Bins"), node: "central")
        let fromB = remote(UUID(), at: t0, TaskPatch(title: "b's"), node: "b")
        let own = remote(UUID(), at: t0, TaskPatch(title: "mine"), node: "a")
        _ = try store.applyPulled(
            [fromCentral, fromB, own], cursor: FeedCursor(seq: 3, tag: 1), referenceNow: t0,
            proofs: [
                fromCentral.id.lowercasedString: "ab12", fromB.id.lowercasedString: "cd34",
                own.id.lowercasedString: "ef56",
            ])
        let kept = try store.provenChanges(taskIDs: [task, fromB.taskID, own.taskID])
        #expect(kept[task]?.map(\.change) == [fromCentral] && kept[task]?.map(\.proof) == ["ab12"])
        #expect(kept[fromB.taskID]?.map(\.proof) == ["cd34"])
        #expect(kept[own.taskID] == nil, "its own changes it delivers itself")
        // Every field it set now carries a newer stamp: it is no longer kept.
        _ = try store.applyPulled([remote(task, at: t0 + 1000, TaskPatch(title: "Bins out"))], cursor: FeedCursor(seq: 4, tag: 1), referenceNow: t0)
        #expect(try store.provenChanges(taskIDs: [task]).isEmpty)
    }

    @Test func sampleBatchesAreBoundedOrderedAndCarryTheClockFlag() throws {
        let clock = ManualClock(t0)
        let store = try open(clock: clock)
        let load = SeriesKey("node_load1"), temp = SeriesKey("node_thermal_zone_temp", ["type": "cpu-thermal", "zone": "0"])
        for i in 0..<10 {
            let values: [SeriesKey: Double] = i % 2 == 0 ? [load: Double(i), temp: 40.5 + Double(i)] : [load: Double(i)]
            try store.record(MetricReading(timestamp: t0 + Int64(i) * 1000, clockSynchronized: true, values: values))
        }
        // The wall clock stepped back: stored after the last reading, marked untrusted.
        let bumped = try store.record(MetricReading(timestamp: t0 - 3_600_000, clockSynchronized: true, values: [load: 99]))
        #expect(bumped == t0 + 9001)

        let first = try #require(try store.sampleBatch(node: "a", after: Int64.min, maxSamples: 7))
        #expect(first.after == nil)
        #expect(first.sampleCount <= 7 && first.sampleCount > 0)
        #expect(first.readings.map(\.ts) == first.readings.map(\.ts).sorted())
        #expect(first.readings.first?.ts == t0)
        // Every reading decodes to exactly what was stored.
        let reading = first.readings[0]
        let keys = first.layouts[reading.layout].map { first.series[$0].key }
        #expect(Dictionary(uniqueKeysWithValues: zip(keys, reading.values)) == [load: 0, temp: 40.5])
        #expect(first.readings.allSatisfy { $0.clock == .synced })

        var after = try #require(first.readings.last?.ts)
        var all = first.readings
        while let next = try store.sampleBatch(node: "a", after: after, maxSamples: 7) {
            #expect(next.after == after && next.readings.allSatisfy { $0.ts > after })
            all += next.readings
            after = try #require(next.readings.last?.ts)
        }
        #expect(all.count == 11)
        #expect(all.last?.ts == bumped && all.last?.clock == .untrusted)
    }

    @Test func theDeliveredMarkNeverMovesBackExceptForAResync() throws {
        let store = try open(clock: ManualClock(t0))
        try store.record(MetricReading(timestamp: t0, clockSynchronized: true, values: [SeriesKey("node_load1"): 1]))
        try store.record(MetricReading(timestamp: t0 + 1000, clockSynchronized: true, values: [SeriesKey("node_load1"): 2]))
        try store.markDelivered(through: t0 + 1000)
        try store.markDelivered(through: t0)
        #expect(try store.samplesDeliveredThrough() == t0 + 1000)
        #expect(try store.undeliveredSummary().samples == 0)
        #expect(try store.sampleBatch(node: "a", after: try store.samplesDeliveredThrough(), maxSamples: 100) == nil)

        // Central was restored from a backup that holds samples through t0 only.
        _ = try store.applyPulled([], cursor: FeedCursor(seq: 5, tag: 9), referenceNow: t0)
        try store.beginResync(centralSamplesThrough: t0)
        #expect(try store.pullPosition() == (FeedCursor.start, true))
        #expect(try store.samplesDeliveredThrough() == t0)
        #expect(try store.undeliveredSummary().samples == 1)
        try store.finishResync()
        #expect(try store.pullPosition().resyncPending == false)

        // A central that lost every sample: everything is sent again.
        try store.beginResync(centralSamplesThrough: nil)
        #expect(try store.sampleBatch(node: "a", after: try store.samplesDeliveredThrough(), maxSamples: 100)?.readings.count == 2)
    }

    @Test func theSyncRecordKeepsEveryFieldAcrossProcesses() throws {
        let store = try open(clock: ManualClock(t0))
        #expect(try store.syncRecord() == nil)
        let record = SyncRecord(
            centralURL: "https://central:8081", state: "offline", lastAttemptAt: t0, lastSuccessAt: t0 - 5000,
            lastError: "central is unreachable", errors: ["unreachable": 2, "timeout": 1], clockOffsetMillis: -61_500)
        try store.saveSyncRecord(record)
        try store.close()
        #expect(try open(clock: ManualClock(t0)).syncRecord() == record)
    }

    @Test func snapshotRecordsPageThroughEveryTaskIncludingTombstones() throws {
        let store = try open(clock: ManualClock(t0))
        var ids = Set<UUID>()
        for i in 0..<7 { ids.insert(try store.createTask(NewTask(title: "task \(i)")).id) }
        let gone = try #require(ids.first)
        try store.deleteTask(id: gone)
        var seen: [TaskRecord] = []
        var last: UUID?
        while true {
            let page = try store.snapshotRecords(after: last, limit: 3)
            guard let tail = page.last else { break }
            #expect(page.count <= 3)
            seen += page
            last = tail.id
        }
        #expect(Set(seen.map(\.id)) == ids && seen.count == ids.count)
        #expect(seen.map { $0.id.uuidString.lowercased() } == seen.map { $0.id.uuidString.lowercased() }.sorted())
        #expect(seen.first { $0.id == gone }?.deleted == true)
    }
}

/// Standalone, the change log is folded into the records: it stays bounded, and the first
/// central configured later gets everything as a snapshot.
@Suite struct StandaloneCompactionTests {
    let dir = TemporaryDirectory()

    @Test func theLogEmptiesTheRecordsStayAndTheFirstSyncIsASnapshot() throws {
        let store = try LocalStore(directory: dir.path, configuration: .init(nodeName: "a"))
        let task = try store.createTask(NewTask(title: "Milk"))
        for i in 0..<50 { _ = try store.updateTask(id: task.id, TaskPatch(title: "Milk \(i)")) }
        let before = try store.snapshotRecords(after: nil, limit: 10)
        #expect(try store.pendingChanges(limit: 100).count == 51)
        #expect(try store.pullPosition().resyncPending == false)
        #expect(try store.compactChangeLogForStandalone() == 51)
        #expect(try store.pendingChanges(limit: 100).isEmpty)
        #expect(try store.pullPosition().resyncPending, "a central configured later gets the whole list")
        #expect(try store.snapshotRecords(after: nil, limit: 10) == before, "nothing of the tasks is lost")
        #expect(try store.compactChangeLogForStandalone() == 0)
        // What the snapshot would send rebuilds the same record anywhere.
        let rebuilt = SnapshotChanges.changes(for: before[0], makeUUID: { UUID() })
            .reduce(nil as TaskRecord?) { TaskMerge.apply($1, to: $0).record }
        #expect(rebuilt == before[0])
    }
}
