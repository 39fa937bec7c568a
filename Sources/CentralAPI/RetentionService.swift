import CentralStore
import Logging
import ServiceLifecycle

/// Runs retention (`CentralStore.runRetention`) once the schema is migrated and then every
/// `interval`: moves the table of before partitioning, creates partitions ahead, rolls up
/// and drops what is older than the retention. Of several replicas one does each run (an
/// advisory lock); the others count a skip. A failed run is logged and counted; the next
/// one resumes it. On shutdown a run stops between two of its transactions.
public struct RetentionService: Service {
    let store: CentralStore
    let metrics: CentralMetrics
    let logger: Logger
    let interval: Duration

    public init(store: CentralStore, metrics: CentralMetrics, logger: Logger, interval: Duration) {
        self.store = store
        self.metrics = metrics
        self.logger = logger
        self.interval = interval
    }

    public func run() async throws {
        while !Task.isCancelledOrShuttingDown {
            guard store.isMigrated, metrics.isDatabaseUp else {
                try? await cancelWhenGracefulShutdown { try await Task.sleep(for: .seconds(1)) }
                continue
            }
            await runOnce()
            try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
        }
    }

    func runOnce() async {
        let started = ContinuousClock.now
        let logger = self.logger
        do {
            let report = try await cancelWhenGracefulShutdown {
                try await store.runRetention(progress: { logger.info("retention: \($0)") })
            }
            metrics.retentionRan(report)
            switch report.outcome {
            case .skipped:
                logger.debug("retention: another edge-central holds the retention lock; skipped")
            default:
                let worked =
                    report.legacyRowsMoved > 0 || !report.partitionsCreated.isEmpty || !report.partitionsRolledUp.isEmpty
                    || !report.partitionsDropped.isEmpty || !report.minutePartitionsDropped.isEmpty
                logger.log(
                    level: worked ? .info : .debug, "retention run done",
                    metadata: [
                        "seconds": "\(report.seconds)", "rolled_up": "\(report.partitionsRolledUp.count)",
                        "dropped": "\(report.partitionsDropped.count)", "rows_rolled_up": "\(report.rowsRolledUp)",
                    ])
            }
        } catch {
            var report = (error as? RetentionFailure)?.report ?? RetentionReport()
            report.outcome = .failed
            if report.seconds == 0 {
                let elapsed = started.duration(to: .now)
                report.seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            }
            metrics.retentionRan(report)
            logger.warning("retention run failed; the next run resumes it", metadata: ["error": "\(error)"])
        }
    }
}
