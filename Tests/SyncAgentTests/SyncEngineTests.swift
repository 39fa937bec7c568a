import Foundation
import LocalStore
import Logging
import NIOCore
import NIOHTTP1
import Sync
import SyncAgent
import Synchronization
import TestSupport
import Testing

/// A central that answers exactly the requests a test scripts, in order. Any other request,
/// or one left unsent, is a test failure: the engine's I/O is checked, not just its result.
final class ScriptedCentral: CentralTransport {
    struct Step: Sendable {
        var method: HTTPMethod
        var path: String
        var answer: @Sendable (ByteBuffer?) throws(SyncFailure) -> CentralAnswer
    }

    let baseURL = "http://central.test"
    private let steps: Mutex<[Step]>

    init(_ steps: [Step]) { self.steps = Mutex(steps) }

    func send(_ method: HTTPMethod, _ path: String, json: ByteBuffer?) async throws(SyncFailure) -> CentralAnswer {
        let step: Step? = steps.withLock { $0.isEmpty ? nil : $0.removeFirst() }
        guard let step else {
            Issue.record("unexpected request \(method) \(path): the script is finished")
            throw SyncFailure(.local, "unscripted request")
        }
        guard step.method == method, path.hasPrefix(step.path) else {
            Issue.record("expected \(step.method) \(step.path), got \(method) \(path)")
            throw SyncFailure(.local, "unscripted request")
        }
        return try step.answer(json)
    }

    func shutdown() async {}

    var unsent: Int { steps.withLock { $0.count } }
}

func decode<T: Decodable>(_ type: T.Type, _ body: ByteBuffer?) -> T? {
    guard let body else { return nil }
    return try? JSONDecoder().decode(T.self, from: Data(body.readableBytesView))
}

func answer<T: Encodable>(_ value: T, central: Int64? = nil) -> CentralAnswer {
    CentralAnswer(
        body: ByteBuffer(bytes: try! JSONEncoder().encode(value)),
        clock: central.map { .init(central: $0, local: $0) })
}

/// A pull's page, written by its one encoder as central writes it.
func answer(_ page: SyncWire.ChangePage, central: Int64? = nil) -> CentralAnswer {
    CentralAnswer(body: ByteBuffer(bytes: page.json()), clock: central.map { .init(central: $0, local: $0) })
}

func failure(_ status: Int, _ code: String) -> SyncFailure {
    SyncFailure.fromResponse(status: status, code: code, message: "scripted", retryAfterMillis: status >= 500 ? 5000 : nil)
}

let emptyPage = ScriptedCentral.Step(method: .GET, path: "/v1/sync/changes?cursor=") { _ in
    answer(SyncWire.ChangePage(changes: [], cursor: FeedCursor(seq: 3, tag: 0xabc), more: false))
}

@Suite struct SyncEngineTests {
    let dir = TemporaryDirectory()
    let t0: Int64 = 1_763_788_800_000

    func store() throws -> LocalStore {
        try LocalStore(directory: dir.path, configuration: .init(nodeName: "rpi-worker-1"))
    }

    func engine(_ store: LocalStore, _ central: ScriptedCentral) -> SyncEngine {
        SyncEngine(store: store, client: central, node: "rpi-worker-1", logger: Logger(label: "test"))
    }

    @Test func theLogIsPushedInOrderAndRemovedOnlyOnceAcknowledged() async throws {
        let store = try store()
        let titles = ["one", "two", "three"]
        for title in titles { _ = try store.createTask(NewTask(title: title)) }
        let sent = Mutex<SyncWire.ChangePush?>(nil)
        let central = ScriptedCentral([
            .init(method: .POST, path: "/v1/sync/changes") { body in
                let push = decode(SyncWire.ChangePush.self, body)
                sent.withLock { $0 = push }
                return answer(SyncWire.ChangePushResponse(results: (push?.changes ?? []).map { .init(changeID: $0.id, outcome: .applied) }))
            },
            emptyPage,
        ])
        let report = try await engine(store, central).cycle()
        let push = try #require(sent.withLock { $0 })
        #expect(push.node == "rpi-worker-1" && push.mode == .log)
        #expect(push.changes.map(\.patch.title) == titles)
        #expect(report.changesPushed == 3 && report.changesApplied == 3)
        #expect(try store.pendingChanges(limit: 10).isEmpty)
        #expect(try store.pullPosition().cursor == FeedCursor(seq: 3, tag: 0xabc))
        #expect(central.unsent == 0)
    }

    @Test func anAnswerThatLeavesAChangeOutRemovesNothing() async throws {
        let store = try store()
        for title in ["one", "two"] { _ = try store.createTask(NewTask(title: title)) }
        let central = ScriptedCentral([
            .init(method: .POST, path: "/v1/sync/changes") { body in
                let first = decode(SyncWire.ChangePush.self, body)?.changes.first
                return answer(SyncWire.ChangePushResponse(results: first.map { [.init(changeID: $0.id, outcome: .applied)] } ?? []))
            }
        ])
        await #expect(throws: SyncFailure.self) { try await engine(store, central).cycle() }
        #expect(try store.pendingChanges(limit: 10).count == 2)
    }

    @Test func aRejectedChangeIsQuarantinedAndTheRestOfTheCycleGoesOn() async throws {
        let store = try store()
        for title in ["one", "two", "three"] { _ = try store.createTask(NewTask(title: title)) }
        let ids = try store.pendingChanges(limit: 10).map(\.change.id)
        let central = ScriptedCentral([
            .init(method: .POST, path: "/v1/sync/changes") { body in
                let push = decode(SyncWire.ChangePush.self, body)!
                return answer(
                    SyncWire.ChangePushResponse(
                        results: push.changes.map {
                            $0.id == ids[1]
                                ? .init(changeID: $0.id, outcome: .rejected, reason: "title breaks a rule")
                                : .init(changeID: $0.id, outcome: .applied, position: FeedCursor(seq: 7, tag: 0x77))
                        }))
            },
            emptyPage,
        ])
        let report = try await engine(store, central).cycle()
        #expect(report.changesQuarantined == 1)
        #expect(try store.pendingChanges(limit: 10).isEmpty)
        #expect(try store.quarantinedChanges().map(\.changeID) == [ids[1].lowercasedString])
        #expect(try store.quarantinedChanges().first?.reason.contains("title breaks a rule") == true)
        #expect(try store.acknowledgedPosition() == FeedCursor(seq: 7, tag: 0x77))
        #expect(central.unsent == 0, "the pull still ran")
    }

    @Test func theAcknowledgedPositionIsCheckedOnTheNextPushAndPull() async throws {
        let store = try store()
        _ = try store.createTask(NewTask(title: "one"))
        try store.acknowledge(changeIDs: [], position: FeedCursor(seq: 12, tag: 0x1234))
        let central = ScriptedCentral([
            .init(method: .POST, path: "/v1/sync/changes?check=12-0000000000001234") { body in
                let push = decode(SyncWire.ChangePush.self, body)!
                return answer(SyncWire.ChangePushResponse(results: push.changes.map { .init(changeID: $0.id, outcome: .applied) }))
            },
            .init(method: .GET, path: "/v1/sync/changes?cursor=0-0000000000000000&limit=500&check=12-0000000000001234") { _ in
                answer(SyncWire.ChangePage(changes: [], cursor: .start, more: false))
            },
        ])
        _ = try await engine(store, central).cycle()
        #expect(central.unsent == 0)
    }

    @Test func aChangeStampedInTheFutureIsStampedAgainOnceTheClockIsRight() async throws {
        // The change was made while this node's wall clock ran a day ahead.
        let aDayAhead = WallClock.system.nowMillis() + 86_400_000
        var config = LocalStore.Configuration(nodeName: "rpi-worker-1")
        config.clock = WallClock { aDayAhead }
        let early = try LocalStore(directory: dir.path, configuration: config)
        let task = try early.createTask(NewTask(title: "from the future"))
        let refused = try #require(try early.pendingChanges(limit: 1).first?.change)
        try early.close()
        // The clock is right again (NTP stepped it back).
        let fixed = try self.store()
        let now = WallClock.system.nowMillis()
        let pushes = Mutex<[SyncWire.ChangePush]>([])
        let central = ScriptedCentral([
            .init(method: .POST, path: "/v1/sync/changes") { body in
                let push = decode(SyncWire.ChangePush.self, body)!
                pushes.withLock { $0.append(push) }
                return CentralAnswer(
                    body: ByteBuffer(
                        bytes: try! JSONEncoder().encode(
                            SyncWire.ChangePushResponse(
                                results: push.changes.map {
                                    .init(changeID: $0.id, outcome: .stampInFuture, reason: "a day ahead")
                                }))),
                    clock: .init(central: now, local: now))
            },
            .init(method: .POST, path: "/v1/sync/changes") { body in
                let push = decode(SyncWire.ChangePush.self, body)!
                pushes.withLock { $0.append(push) }
                return answer(SyncWire.ChangePushResponse(results: push.changes.map { .init(changeID: $0.id, outcome: .applied) }))
            },
            emptyPage,
        ])
        let report = try await engine(fixed, central).cycle()
        #expect(report.changesRestamped == 1)
        let sent = pushes.withLock { $0 }
        #expect(sent.count == 2)
        let again = try #require(sent.last?.changes.first)
        #expect(again.id == refused.id, "the same change, stamped again")
        #expect(again.stamp.physical < now + 60_000 && again.stamp.physical >= now - 60_000)
        #expect(try await fixed.record(id: task.id)?.titleStamp == again.stamp, "the record carries the new stamp")
        #expect(try fixed.pendingChanges(limit: 10).isEmpty)
        #expect(try fixed.changesRestampedTotal() == 1)
        // Later edits are stamped from the right clock, after the re-stamped one.
        _ = try fixed.updateTask(id: task.id, TaskPatch(notes: "now"))
        let next = try #require(try fixed.pendingChanges(limit: 1).first?.change.stamp)
        #expect(next > again.stamp && next.physical < now + 60_000)
        #expect(central.unsent == 0)
    }

    @Test func aRefusedPushKeepsEverythingAndStopsTheCycle() async throws {
        let store = try store()
        _ = try store.createTask(NewTask(title: "kept"))
        let central = ScriptedCentral([
            .init(method: .POST, path: "/v1/sync/changes") { _ throws(SyncFailure) in throw failure(503, "database_unavailable") }
        ])
        do {
            _ = try await engine(store, central).cycle()
            Issue.record("the cycle succeeded against a 503")
        } catch {
            #expect(error.reason == .serverError && error.state == "offline" && error.retryAfterMillis == 5000)
        }
        #expect(try store.pendingChanges(limit: 10).count == 1)
        #expect(central.unsent == 0)
    }

    @Test func aForgottenCursorLeadsToAFullResyncThatKeepsLocalChanges() async throws {
        let store = try store()
        _ = try store.applyPulled([], cursor: FeedCursor(seq: 40, tag: 0x99), referenceNow: t0)
        let mine = try store.createTask(NewTask(title: "mine"))
        let theirs = UUID()
        let snapshot = Mutex<SyncWire.ChangePush?>(nil)
        let fromStart = SyncWire.ChangePage(
            changes: [
                TaskChange(
                    id: UUID(), taskID: theirs, stamp: HLCTimestamp(physical: t0, counter: 0, node: "b"),
                    createdAt: t0, origin: "b", patch: TaskPatch(title: "theirs", notes: ""))
            ],
            cursor: FeedCursor(seq: 1, tag: 0x1), more: false)
        let central = ScriptedCentral([
            .init(method: .POST, path: "/v1/sync/changes") { body in
                let push = decode(SyncWire.ChangePush.self, body)
                return answer(SyncWire.ChangePushResponse(results: (push?.changes ?? []).map { .init(changeID: $0.id, outcome: .applied) }))
            },
            // Central was restored from a backup: it does not know our cursor.
            .init(method: .GET, path: "/v1/sync/changes?cursor=40-") { _ throws(SyncFailure) in throw failure(410, "cursor_unknown") },
            .init(method: .POST, path: "/v1/sync/resync") { _ in
                answer(SyncWire.ResyncResponse(samplesThrough: nil, resyncOpenUntil: "2026-11-28T00:00:00Z"))
            },
            .init(method: .POST, path: "/v1/sync/changes") { body in
                let push = decode(SyncWire.ChangePush.self, body)
                snapshot.withLock { $0 = push }
                return answer(SyncWire.ChangePushResponse(results: (push?.changes ?? []).map { .init(changeID: $0.id, outcome: .applied) }))
            },
            .init(method: .GET, path: "/v1/sync/changes?cursor=0-") { _ in answer(fromStart) },
            .init(method: .GET, path: "/v1/sync/changes?cursor=1-") { _ in
                answer(SyncWire.ChangePage(changes: [], cursor: FeedCursor(seq: 1, tag: 0x1), more: false))
            },
        ])
        let report = try await engine(store, central).cycle()
        #expect(report.resynced)
        let push = try #require(snapshot.withLock { $0 })
        #expect(push.mode == .snapshot && Set(push.changes.map(\.taskID)) == [mine.id])
        #expect(try store.task(id: theirs)?.title == "theirs")
        #expect(try store.task(id: mine.id)?.title == "mine")
        #expect(try store.pullPosition() == (FeedCursor(seq: 1, tag: 0x1), false))
        #expect(central.unsent == 0)
    }

    @Test func samplesAreMarkedDeliveredOnlyThroughWhatCentralStored() async throws {
        let store = try store()
        let t0 = self.t0
        for i in 0..<3 {
            try store.record(
                MetricReading(
                    timestamp: t0 + Int64(i) * 1000, clockSynchronized: true,
                    values: [SeriesKey("node_load1"): Double(i)]))
        }
        let central = ScriptedCentral([
            emptyPage,
            .init(method: .POST, path: "/v1/sync/samples") { body in
                let batch = decode(SyncWire.SampleBatch.self, body)
                #expect(batch?.after == nil && batch?.readings.map(\.ts) == [t0, t0 + 1000, t0 + 2000])
                // An answer for less than was sent: nothing may be marked.
                return answer(SyncWire.SampleAck(storedThrough: t0 + 1000, samples: 2, inserted: 2, duplicates: 0))
            },
        ])
        await #expect(throws: SyncFailure.self) { try await engine(store, central).cycle() }
        #expect(try store.samplesDeliveredThrough() == Int64.min)

        let again = ScriptedCentral([
            emptyPage,
            .init(method: .POST, path: "/v1/sync/samples") { body in
                let batch = decode(SyncWire.SampleBatch.self, body)
                return answer(SyncWire.SampleAck(storedThrough: batch?.readings.last?.ts, samples: 3, inserted: 1, duplicates: 2))
            },
        ])
        let report = try await engine(store, again).cycle()
        #expect(report.samplesPushed == 3)
        #expect(try store.samplesDeliveredThrough() == t0 + 2000)
        #expect(again.unsent == 0)
    }

    @Test func samplesCentralAcknowledgesAsExpiredAreDeliveredAndNotSentAgain() async throws {
        let store = try store()
        let t0 = self.t0
        for i in 0..<3 {
            try store.record(
                MetricReading(
                    timestamp: t0 + Int64(i) * 1000, clockSynchronized: true,
                    values: [SeriesKey("node_load1"): Double(i)]))
        }
        // Central keeps less history than this node was away: it stores nothing of the batch,
        // acknowledges all of it. The next cycle sends nothing (the script has no second POST).
        let central = ScriptedCentral([
            emptyPage,
            .init(method: .POST, path: "/v1/sync/samples") { body in
                let batch = decode(SyncWire.SampleBatch.self, body)
                #expect(batch?.readings.count == 3)
                return CentralAnswer(
                    body: ByteBuffer(string: #"{"stored_through":\#(t0 + 2000),"samples":3,"inserted":0,"duplicates":0,"expired":3}"#),
                    clock: nil)
            },
            emptyPage,
        ])
        let report = try await engine(store, central).cycle()
        #expect(report.samplesPushed == 3 && report.samplesExpired == 3)
        #expect(try store.samplesDeliveredThrough() == t0 + 2000)
        let next = try await engine(store, central).cycle()
        #expect(next.samplesPushed == 0)
        #expect(central.unsent == 0)
        // And a central from before retention, which sends no `expired`, still reads.
        let old = try JSONDecoder().decode(SyncWire.SampleAck.self, from: Data(#"{"stored_through":5,"samples":1,"inserted":1,"duplicates":0}"#.utf8))
        #expect(old == SyncWire.SampleAck(storedThrough: 5, samples: 1, inserted: 1, duplicates: 0, expired: 0))
    }

    @Test func aBatchTooFarInTheFutureIsAClockProblem() {
        let failure = SyncFailure.fromResponse(status: 422, code: "sample_in_future", message: "readings[0].ts ...", retryAfterMillis: nil)
        #expect(failure.reason == .clock && !failure.needsResync)
    }

    @Test func centralsClockIsReportedAsAnOffset() async throws {
        let store = try store()
        let central = ScriptedCentral([
            .init(method: .GET, path: "/v1/sync/changes?cursor=") { _ in
                CentralAnswer(
                    body: ByteBuffer(
                        bytes: SyncWire.ChangePage(changes: [], cursor: .start, more: false).json()),
                    clock: .init(central: 1_000_000 + 90_000, local: 1_000_000))
            }
        ])
        #expect(try await engine(store, central).cycle().clockOffsetMillis == 90_000)
    }
}
