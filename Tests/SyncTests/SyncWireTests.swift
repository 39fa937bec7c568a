import Foundation
import Sync
import TestSupport
import Testing

/// The sync protocol's pure parts: cursors, backoff, snapshots, the Date header, batch rules.
@Suite struct SyncWireTests {
    @Test func feedCursorRoundTripsAndRejectsGarbage() throws {
        let cursor = FeedCursor(seq: 1234, tag: -42)
        #expect(cursor.description == "1234-ffffffffffffffd6")
        #expect(FeedCursor(cursor.description) == cursor)
        #expect(FeedCursor.start.description == "0-0000000000000000")
        for bad in ["", "12", "12-", "-1-0000000000000000", "1-000000000000000", "1-00000000000000000", "x-0000000000000000", "1-zzzzzzzzzzzzzzzz"] {
            #expect(FeedCursor(bad) == nil, "\(bad)")
        }
        let page = SyncWire.ChangePage(changes: [], cursor: cursor, more: true)
        let decoded = try JSONDecoder().decode(SyncWire.ChangePage.self, from: Data(page.json()))
        #expect(decoded == page)
    }

    @Test func backoffGrowsWithFullJitterToItsCapAndResets() {
        var backoff = Backoff()
        var random = SeededRandom(seed: 7)
        var ceilings: [Int64] = []
        for _ in 0..<10 {
            let ceiling = backoff.ceiling
            ceilings.append(ceiling)
            let delay = backoff.failed(using: &random)
            #expect(delay >= 5_000 && delay <= ceiling, "delay \(delay) outside [5 s, \(ceiling)]")
        }
        #expect(ceilings == [5_000, 10_000, 20_000, 40_000, 80_000, 160_000, 180_000, 180_000, 180_000, 180_000])
        // Jitter: many draws at the cap are spread out, not one value.
        var draws = Set<Int64>()
        for _ in 0..<50 { draws.insert(backoff.failed(using: &random)) }
        #expect(draws.count > 40)
        #expect(draws.allSatisfy { $0 >= 5_000 && $0 <= 180_000 })
        // Retry-After from central is a floor.
        #expect(backoff.failed(retryAfterMillis: 200_000, using: &random) == 200_000)
        backoff.succeeded()
        #expect(backoff.ceiling == 5_000)
        #expect(backoff.failed(using: &random) == 5_000)
    }

    @Test func snapshotChangesRebuildTheRecordAndReplayAsNoOps() {
        var random = SeededRandom(seed: 3)
        let id = UUID()
        let t0: Int64 = 1_763_788_800_000
        for round in 0..<50 {
            // A record made of changes from several nodes, some sharing a stamp.
            var record: TaskRecord?
            var changes: [TaskChange] = []
            for i in 0..<Int.random(in: 1...8, using: &random) {
                let node = ["pi-a", "pi-b", "central"][Int.random(in: 0...2, using: &random)]
                let stamp = HLCTimestamp(physical: t0 + Int64.random(in: 0...5, using: &random), counter: 0, node: node)
                var patch = TaskPatch()
                switch Int.random(in: 0...5, using: &random) {
                case 0: patch.title = "t\(i)"
                case 1: patch.notes = "n\(i)"
                case 2: patch.dueAt = Bool.random(using: &random) ? .null : .value(t0 + Int64(i))
                case 3: patch.assignee = .value("who\(i)")
                case 4: patch.done = DoneState(done: Bool.random(using: &random), completedAt: t0)
                default: patch.deleted = Bool.random(using: &random)
                }
                let change = TaskChange(id: UUID(), taskID: id, stamp: stamp, createdAt: t0, origin: "pi-a", patch: patch)
                changes.append(change)
                record = TaskMerge.apply(change, to: record).record
            }
            let original = record!
            let snapshot = SnapshotChanges.changes(for: original, makeUUID: { UUID() })
            let rebuilt = snapshot.reduce(nil as TaskRecord?) { TaskMerge.apply($1, to: $0).record }
            #expect(rebuilt == original, "round \(round)")
            for change in snapshot.shuffled(using: &random) {
                #expect(!TaskMerge.apply(change, to: original).changed, "round \(round): a snapshot change altered its own record")
            }
        }
    }

    @Test func httpDateParsesIMFFixdateOnly() {
        #expect(HTTPDate.parse("Sun, 06 Nov 1994 08:49:37 GMT") == 784_111_777_000)
        #expect(HTTPDate.parse("Sun, 22 Nov 2026 07:53:14 GMT") == RFC3339.parse("2026-11-22T07:53:14Z"))
        for bad in ["", "Sun, 06 Nov 1994 08:49:37 UTC", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT"] {
            #expect(HTTPDate.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func sampleBatchStructureIsChecked() {
        let series = [
            SyncWire.SampleBatch.Series(name: "node_load1", labels: [:]),
            SyncWire.SampleBatch.Series(name: "node_cpu_seconds_total", labels: ["cpu": "0", "mode": "idle"]),
        ]
        func batch(after: Int64? = 10, layouts: [[Int]] = [[0, 1]], readings: [SyncWire.SampleBatch.Reading]) -> SyncWire.SampleBatch {
            SyncWire.SampleBatch(node: "pi", after: after, series: series, layouts: layouts, readings: readings)
        }
        let good = batch(readings: [.init(ts: 11, clock: .synced, layout: 0, values: [1, 2]), .init(ts: 12, clock: .untrusted, layout: 0, values: [3, 4])])
        #expect(good.structuralProblem() == nil)
        #expect(good.sampleCount == 4)
        #expect(batch(readings: [.init(ts: 10, clock: .synced, layout: 0, values: [1, 2])]).structuralProblem() != nil, "ts not after `after`")
        #expect(
            batch(readings: [.init(ts: 12, clock: .synced, layout: 0, values: [1, 2]), .init(ts: 12, clock: .synced, layout: 0, values: [1, 2])])
                .structuralProblem() != nil)
        #expect(batch(readings: [.init(ts: 11, clock: .synced, layout: 1, values: [1, 2])]).structuralProblem() != nil, "no layout 1")
        #expect(batch(readings: [.init(ts: 11, clock: .synced, layout: 0, values: [1])]).structuralProblem() != nil, "too few values")
        #expect(batch(layouts: [[0, 2]], readings: []).structuralProblem() != nil, "no series 2")
        #expect(batch(layouts: [[0, 0]], readings: []).structuralProblem() != nil, "series twice in a layout")
        #expect(batch(readings: [.init(ts: 11, clock: .synced, layout: 0, values: [1, .infinity])]).structuralProblem() != nil)
        // Series keys survive the wire form.
        #expect(series[1].key == SeriesKey("node_cpu_seconds_total", ["cpu": "0", "mode": "idle"]))
    }

    @Test func taskRecordStoredFormRoundTrips() throws {
        var record = TaskRecord(id: UUID(), createdAt: 1_763_788_800_123, origin: "pi-a")
        record.title = "Milk \"oat\""
        record.titleStamp = HLCTimestamp(physical: 1_763_788_800_123, counter: 3, node: "pi-a")
        record.dueAt = 1_763_800_000_000
        record.dueAtStamp = HLCTimestamp(physical: 1_763_788_800_200, counter: 0, node: "central")
        record.done = true
        record.completedAt = 1_763_788_900_000
        record.doneStamp = HLCTimestamp(physical: 1_763_788_900_000, counter: 0, node: "pi-b")
        let decoded = try JSONDecoder().decode(TaskRecord.self, from: Data(record.json()))
        #expect(decoded == record)
    }
}
