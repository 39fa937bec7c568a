import HostProbes
import LocalStore
import Logging
import ServiceLifecycle
import Sync
import Synchronization

/// Takes a hardware reading every `interval` and stores it, one transaction per reading.
///
/// A probe whose source is absent or holds garbage is logged once at debug level and simply
/// missing from the reading. Shutdown lets the current sample finish, then stops.
public struct Sampler: Service {
    public var reader: HardwareReader
    public var store: LocalStore
    public var interval: Duration
    public var wallClock: WallClock
    public var latest: LatestReading
    public var logger: Logger
    /// What is stored of each reading (`--stored-metrics`): the curated set by default.
    public var stored: StoredMetrics
    /// The collectors a scrape for stored families beyond the curated set runs.
    public var collectors: CollectorSelection
    private let issueLog = IssueLog()

    public init(
        reader: HardwareReader, store: LocalStore, interval: Duration, wallClock: WallClock = .system,
        latest: LatestReading, logger: Logger, stored: StoredMetrics = .default,
        collectors: CollectorSelection = .all
    ) {
        self.reader = reader
        self.store = store
        self.interval = interval
        self.wallClock = wallClock
        self.latest = latest
        self.logger = logger
        self.stored = stored
        self.collectors = collectors
    }

    /// Reads the hardware and stores the reading. Returns the stored timestamp, or `nil` if the
    /// store refused the write (full disk): the reading is still published to `latest`.
    @discardableResult
    public func sampleOnce() -> Int64? {
        let boot = store.configuration.boot
        let takenAt = wallClock.nowMillis()
        let mono = boot.nowMillis()
        let reading = reader.read()
        latest.set(reading, takenAt: takenAt)
        for issue in issueLog.firstSeen(reading.issues) {
            logger.debug("probe source unavailable", metadata: ["probe": "\(issue.probe)", "detail": "\(issue.message)"])
        }
        do {
            let values = stored.values(reading) { [reader, collectors] in reader.scrape(collectors).families }
            return try store.record(
                MetricReading(
                    timestamp: takenAt, clockSynchronized: reading.clockSynchronized ?? false, values: values,
                    boot: boot.bootID, mono: mono))
        } catch LocalStoreError.unavailable {
            return nil  // reported once by the lifecycle service, not once per reading
        } catch {
            logger.warning("storing a reading failed", metadata: ["error": "\(error)"])
            return nil
        }
    }

    public func run() async throws {
        // Graceful shutdown cancels the wait between samples; that is a normal stop.
        try? await cancelWhenGracefulShutdown {
            let clock = ContinuousClock()
            var next = clock.now
            while !Task.isCancelled {
                sampleOnce()
                next = next.advanced(by: interval)
                // After a long stall (suspend, overload) skip the missed ticks instead of bursting.
                if next < clock.now { next = clock.now.advanced(by: interval) }
                try await clock.sleep(until: next)
            }
        }
    }
}

/// Remembers which probe issues were already logged.
final class IssueLog: Sendable {
    private let log = Mutex(ProbeIssueLog())

    func firstSeen(_ issues: [ProbeIssue]) -> [ProbeIssue] {
        log.withLock { $0.firstSeen(issues) }
    }
}
