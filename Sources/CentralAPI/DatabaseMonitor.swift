import CentralStore
import Logging
import ServiceLifecycle

/// Pings PostgreSQL every second (1 s deadline) for `/readiness` and `/metrics`, so
/// readiness turns 503 within about 2 s of PostgreSQL going away, and applies the
/// migrations once it can (so `serve` started before PostgreSQL becomes ready by itself).
public struct DatabaseMonitor: Service {
    let store: CentralStore
    let metrics: CentralMetrics
    let logger: Logger

    public init(store: CentralStore, metrics: CentralMetrics, logger: Logger) {
        self.store = store
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        var wasUp: Bool?
        while !Task.isCancelledOrShuttingDown {
            var up = false
            do {
                if !store.isMigrated {
                    let applied = try await store.migrate()
                    if !applied.isEmpty { logger.info("migrations applied", metadata: ["names": "\(applied.joined(separator: ", "))"]) }
                }
                try await store.ping()
                up = true
            } catch let error as CentralStoreError {
                if case .newerSchema = error { logger.critical("\(error)"); throw error }
                if wasUp != false { logger.warning("PostgreSQL unreachable; answering 503 until it returns", metadata: ["error": "\(error)"]) }
            } catch {
                if wasUp != false { logger.warning("PostgreSQL check failed", metadata: ["error": "\(error)"]) }
            }
            if up && wasUp == false { logger.info("PostgreSQL reachable again") }
            metrics.setDatabaseUp(up)
            wasUp = up
            try? await Task.sleep(for: .seconds(1))
        }
    }
}

extension Task where Success == Never, Failure == Never {
    static var isCancelledOrShuttingDown: Bool { Task.isCancelled || Task.isShuttingDownGracefully }
}
