import LocalStore
import Logging
import ServiceLifecycle
import Sync
import Synchronization

/// The sync loop of `edge-agent run`: a cycle every `interval`, soon after any local write
/// (from the API, or from the CLI in another process, seen through the change log), and
/// after failures with exponential backoff and full jitter (5 s to 3 min, reset on success),
/// so a failed push is retried by itself. A token file that changes is tried at once.
public final class SyncService: Service, Sendable {
    let engine: SyncEngine
    let token: TokenFile
    let enrollment: Enrollment?
    let interval: Int64
    let logger: Logger
    let clock: LoopClock
    let random: any RandomNumberGenerator & Sendable
    let nudged = Atomic<Bool>(false)
    let errors = Mutex<[String: Int]>(Dictionary(uniqueKeysWithValues: SyncFailure.Reason.allCases.map { ($0.rawValue, 0) }))
    let lastOffset = Mutex<Int64?>(nil)

    /// `clock` and `random` (the jitter of ``Backoff``) are the system's unless a test supplies
    /// its own.
    public init(
        engine: SyncEngine, token: TokenFile, enrollment: Enrollment? = nil, intervalMillis: Int64, logger: Logger,
        clock: LoopClock = .monotonic, random: any RandomNumberGenerator & Sendable = SystemRandomNumberGenerator()
    ) {
        self.engine = engine
        self.token = token
        self.enrollment = enrollment
        self.interval = intervalMillis
        self.logger = logger
        self.clock = clock
        self.random = random
    }

    /// A local write happened: push soon.
    public func nudge() {
        nudged.store(true, ordering: .relaxed)
    }

    /// Failed cycles by reason since start (every reason present, zero or more).
    public func errorCounts() -> [String: Int] {
        errors.withLock { $0 }
    }

    /// Central's clock minus ours at the last answer, in milliseconds.
    public var clockOffsetMillis: Int64? { lastOffset.withLock { $0 } }

    public func run() async throws {
        var backoff = Backoff()
        var random = self.random
        var record = (try? engine.store.syncRecord()) ?? SyncRecord(centralURL: engine.client.baseURL, state: "starting")
        record.centralURL = engine.client.baseURL
        // Errors counted before this start stay in the database for `status`; the metric restarts at 0.
        var nextAt: Int64 = 0
        var lastSeq = (try? engine.store.latestChangeSeq()) ?? 0
        var lastSeqCheck: Int64 = 0
        var lastAttempt: Int64 = 0
        var lastFailureLog: Int64?
        logger.info("sync with central", metadata: ["url": "\(engine.client.baseURL)", "interval_ms": "\(interval)"])
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let now = clock.nowMillis()
            var due = now >= nextAt
            // A write here or in another process (the CLI): push within about a second, even
            // during backoff, but not more than once a second.
            if nudged.exchange(false, ordering: .relaxed) { due = due || now - lastAttempt >= 1000; if !due { nudge() } }
            if now - lastSeqCheck >= 1000 {
                lastSeqCheck = now
                if let seq = try? engine.store.latestChangeSeq(), seq != lastSeq {
                    lastSeq = seq
                    if seq > 0 { due = due || now - lastAttempt >= 1000 }
                }
            }
            if token.changed { due = true }
            guard due else {
                // Wake for the next attempt, and at least every 200 ms for writes and the token.
                await clock.sleep(max(1, min(200, nextAt - now)))
                continue
            }
            lastAttempt = now
            let wall = WallClock.system.nowMillis()
            record.lastAttemptAt = wall
            do {
                // No credential yet, or the stored one refused: enroll (with a join token) first.
                try await enrollment?.prepare(afterRefusal: record.state == "unauthorized")
                let report = try await engine.cycle(shouldStop: { Task.isShuttingDownGracefully || Task.isCancelled })
                backoff.succeeded()
                if record.state != "ok" {
                    logger.info(
                        "sync ok",
                        metadata: ["pushed_changes": "\(report.changesPushed)", "pulled": "\(report.changesPulled)", "samples": "\(report.samplesPushed)"])
                }
                record.state = "ok"
                record.lastSuccessAt = WallClock.system.nowMillis()
                record.lastError = nil
                if let offset = report.clockOffsetMillis {
                    lastOffset.withLock { $0 = offset }
                    record.clockOffsetMillis = offset
                    if abs(offset) > 60_000 { logger.warning("this node's clock differs from central's", metadata: ["offset_s": "\(offset / 1000)"]) }
                }
                nextAt = clock.nowMillis() + (report.moreWork ? 0 : interval)
            } catch {
                let delay = backoff.failed(retryAfterMillis: error.retryAfterMillis, using: &random)
                errors.withLock { $0[error.reason.rawValue, default: 0] += 1 }
                record.errors[error.reason.rawValue, default: 0] += 1
                // A new state is logged at once; the same one again at most once a minute.
                let logNow = clock.nowMillis()
                let sinceLog = lastFailureLog.map { logNow - $0 } ?? .max
                if record.state != error.state || (record.lastError != error.message && sinceLog >= 60_000) || sinceLog >= 600_000 {
                    lastFailureLog = logNow
                    logger.warning(
                        "sync failed; retrying", metadata: ["reason": "\(error.reason.rawValue)", "error": "\(error.message)", "retry_in_ms": "\(delay)"])
                }
                record.state = error.state
                record.lastError = error.message
                nextAt = clock.nowMillis() + delay
            }
            do { try engine.store.saveSyncRecord(record) } catch {
                logger.error("saving sync status failed", metadata: ["error": "\(error)"])
            }
        }
        await engine.client.shutdown()
    }
}
