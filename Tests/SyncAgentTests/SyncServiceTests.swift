import LocalStore
import Logging
import NIOCore
import NIOHTTP1
import Sync
import SyncAgent
import Synchronization
import TestSupport
import Testing

/// A clock that moves only when the loop sleeps, and runs a test's actions at set times;
/// at `end` it cancels the sleeping task, which ends the loop.
final class VirtualClock: Sendable {
    private let state: Mutex<(now: Int64, actions: [(at: Int64, run: @Sendable (Int64) -> Void)])>
    let end: Int64

    init(start: Int64, end: Int64) {
        state = Mutex((start, []))
        self.end = end
    }

    var now: Int64 { state.withLock { $0.now } }

    /// Runs `action` (given the time it runs at) at the first wake at or after `at`.
    func at(_ at: Int64, _ action: @escaping @Sendable (Int64) -> Void) {
        state.withLock { $0.actions.append((at, action)) }
    }

    var loopClock: LoopClock {
        LoopClock(
            nowMillis: { self.now },
            sleep: { millis in
                #expect(millis > 0, "the loop never sleeps for nothing")
                let (now, due) = self.state.withLock { state in
                    state.now += millis
                    let now = state.now
                    let due = state.actions.filter { $0.at <= now }
                    state.actions.removeAll { $0.at <= now }
                    return (now, due)
                }
                for action in due { action.run(now) }
                if now >= self.end { withUnsafeCurrentTask { $0?.cancel() } }
                await Task.yield()
            })
    }
}

/// A central the loop talks to: each request is recorded with the virtual time it arrived at,
/// and `answer` decides, by the number of the pull (one per cycle), what central says.
final class LoopCentral: CentralTransport {
    let baseURL = "http://central.test"
    let clock: VirtualClock
    let answer: @Sendable (_ pull: Int) throws(SyncFailure) -> Void
    let requests = Mutex<[(at: Int64, method: HTTPMethod, path: String)]>([])
    let shutDown = Atomic<Bool>(false)

    init(clock: VirtualClock, answer: @escaping @Sendable (_ pull: Int) throws(SyncFailure) -> Void) {
        self.clock = clock
        self.answer = answer
    }

    func send(_ method: HTTPMethod, _ path: String, json: ByteBuffer?) async throws(SyncFailure) -> CentralAnswer {
        let pulls = requests.withLock { requests in
            requests.append((clock.now, method, path))
            return requests.filter { $0.method == .GET }.count
        }
        if method == .POST, path.hasPrefix("/v1/sync/changes") {
            let push = decode(SyncWire.ChangePush.self, json)
            return SyncAgentTests.answer(SyncWire.ChangePushResponse(results: (push?.changes ?? []).map { .init(changeID: $0.id, outcome: .applied) }))
        }
        #expect(method == .GET && path.hasPrefix("/v1/sync/changes?cursor="), "unexpected \(method) \(path)")
        try answer(pulls)
        return SyncAgentTests.answer(SyncWire.ChangePage(changes: [], cursor: FeedCursor(seq: 1, tag: 1), more: false))
    }

    func shutdown() async { shutDown.store(true, ordering: .relaxed) }

    /// When each cycle began (its pull, or its push when it had changes to push).
    var cycleTimes: [Int64] {
        requests.withLock { requests in
            var times: [Int64] = []
            var pushing = false
            for request in requests {
                if request.method == .POST {
                    if !pushing { times.append(request.at) }; pushing = true
                } else {
                    if !pushing { times.append(request.at) }
                    pushing = false
                }
            }
            return times
        }
    }
}

/// The sync loop of `edge-agent run` (``SyncService``) on a virtual clock and a seeded
/// generator: when it retries, when it pushes a write, what it counts and saves.
@Suite struct SyncServiceTests {
    let dir = TemporaryDirectory()
    let start: Int64 = 1_000_000
    let interval: Int64 = 30_000

    func service(_ store: LocalStore, _ central: LoopCentral, _ clock: VirtualClock, seed: UInt64) -> SyncService {
        let engine = SyncEngine(store: store, client: central, node: "rpi-worker-1", logger: Logger(label: "test"))
        return SyncService(
            engine: engine, token: TokenFile(path: ""), intervalMillis: interval, logger: Logger(label: "test"),
            clock: clock.loopClock, random: SeededRandom(seed: seed))
    }

    @Test(arguments: [1, 7, 42] as [UInt64])
    func failuresBackOffWithJitterHonourRetryAfterAndResetOnSuccess(seed: UInt64) async throws {
        let store = try LocalStore(directory: dir.path, configuration: .init(nodeName: "rpi-worker-1"))
        let clock = VirtualClock(start: start, end: start + 600_000)
        let central = LoopCentral(clock: clock) { pull throws(SyncFailure) in
            switch pull {
            case 1, 3: throw SyncFailure(.unreachable, "connection refused")
            case 2: throw SyncFailure.fromResponse(status: 503, code: nil, message: "busy", retryAfterMillis: 60_000)
            default: return
            }
        }
        let loop = service(store, central, clock, seed: seed)
        try await Task { try await loop.run() }.value

        // The same decisions, made by hand with the same generator.
        var backoff = Backoff()
        var random = SeededRandom(seed: seed)
        let failed = [backoff.failed(using: &random), backoff.failed(retryAfterMillis: 60_000, using: &random), backoff.failed(using: &random)]
        let times = central.cycleTimes
        let gaps = zip(times.dropFirst(), times).map { $0 - $1 }
        #expect(times.first == start, "the first cycle runs at once")
        #expect(Array(gaps.prefix(3)) == failed)
        #expect(gaps[0] == 5_000, "the first retry waits the base delay")
        #expect(gaps[1] >= 60_000, "central's Retry-After is honoured")
        #expect((5_000...20_000).contains(gaps[2]), "the third failure waits at most 4 x the base")
        #expect(gaps.dropFirst(3).allSatisfy { $0 == interval }, "after a success the loop runs every interval: \(gaps)")
        #expect(gaps.count >= 10)

        #expect(loop.errorCounts()["unreachable"] == 2 && loop.errorCounts()["server_error"] == 1)
        #expect(loop.errorCounts().values.reduce(0, +) == 3)
        let record = try #require(try store.syncRecord())
        #expect(record.state == "ok" && record.lastError == nil)
        #expect(record.errors["unreachable"] == 2 && record.errors["server_error"] == 1)
        let closed = central.shutDown.load(ordering: .relaxed)
        #expect(closed, "the transport is closed when the loop ends")
    }

    @Test func aWriteIsPushedWithinASecondEvenDuringBackoffAndANudgeAtOnce() async throws {
        let store = try LocalStore(directory: dir.path, configuration: .init(nodeName: "rpi-worker-1"))
        let clock = VirtualClock(start: start, end: start + 100_000)
        let central = LoopCentral(clock: clock) { pull throws(SyncFailure) in
            if pull == 1 { throw SyncFailure.fromResponse(status: 503, code: nil, message: "busy", retryAfterMillis: 120_000) }
        }
        let loop = service(store, central, clock, seed: 3)
        let wrote = Mutex<Int64?>(nil)
        let nudged = Mutex<Int64?>(nil)
        // A write by another process (the CLI): seen through the change log, not a nudge.
        clock.at(start + 10_000) { now in
            _ = try? store.createTask(NewTask(title: "written by the CLI"))
            wrote.withLock { $0 = now }
        }
        clock.at(start + 40_000) { now in
            loop.nudge()
            nudged.withLock { $0 = now }
        }
        try await Task { try await loop.run() }.value

        let requests = central.requests.withLock { $0 }
        let write = try #require(wrote.withLock { $0 })
        let push = try #require(requests.first { $0.method == .POST })
        #expect(push.at >= write && push.at - write <= 1_200, "pushed \(push.at - write) ms after the write, during a 120 s backoff")
        #expect(try store.pendingChanges(limit: 10).isEmpty)
        let nudge = try #require(nudged.withLock { $0 })
        let afterNudge = try #require(requests.first { $0.at >= nudge })
        #expect(afterNudge.at - nudge <= 200, "a nudge runs a cycle at the next wake")
        #expect(requests.filter { $0.at > start && $0.at < write }.isEmpty, "nothing is sent during the backoff before the write")
    }
}
