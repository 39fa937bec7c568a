import LocalStore
import Logging
import ServiceLifecycle
import Sync

/// Applies retention and the size budget to stored metrics every `every`, and once at start
/// (a node that was off for a month catches up at boot).
public struct MetricsMaintenance: Service {
    public var store: LocalStore
    public var policy: RetentionPolicy
    public var every: Duration
    /// True while a central is configured: undelivered raw samples then outlive retention.
    public var protectUndelivered: Bool
    public var wallClock: WallClock
    public var logger: Logger

    public init(
        store: LocalStore, policy: RetentionPolicy, every: Duration = .seconds(300), protectUndelivered: Bool,
        wallClock: WallClock = .system, logger: Logger
    ) {
        self.store = store
        self.policy = policy
        self.every = every
        self.protectUndelivered = protectUndelivered
        self.wallClock = wallClock
        self.logger = logger
    }

    public func maintainOnce() {
        do {
            let report = try store.maintainMetrics(policy, now: wallClock.nowMillis(), protectUndelivered: protectUndelivered)
            if report.transactions > 0 {
                logger.debug(
                    "metrics maintained",
                    metadata: [
                        "rolled_up_readings": "\(report.rolledUpReadings)", "rolled_up_minutes": "\(report.rolledUpMinutes)",
                        "dropped_samples": "\(report.droppedSamples)", "transactions": "\(report.transactions)",
                    ])
            }
            if report.droppedSamples > 0 {
                logger.notice(
                    "samples dropped to keep the database under its size limit or retention",
                    metadata: ["dropped": "\(report.droppedSamples)"])
            }
        } catch LocalStoreError.unavailable {
            // reported once by the lifecycle service
        } catch {
            logger.warning("metrics maintenance failed", metadata: ["error": "\(error)"])
        }
    }

    public func run() async throws {
        // Graceful shutdown cancels the wait between passes; that is a normal stop.
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                maintainOnce()
                try await Task.sleep(for: every)
            }
        }
    }
}
