import AgentAPI
import LocalStore
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// The last service of the group, so the first to hear of shutdown: it marks the agent not
/// ready and tells systemd STOPPING=1 before the HTTP server drains and the store closes.
/// While running, it pings the systemd watchdog at half its period, but only while the event
/// loop answers and the database can be read, so a wedged agent gets restarted.
struct LifecycleService: Service {
    let store: LocalStore
    let readiness: Readiness
    let notifier: SystemdNotifier
    let logger: Logger

    func run() async throws {
        let watchdog = SystemdNotifier.watchdogInterval()
        // The store's file is checked every 2 s (or at the watchdog's pace if faster), so a
        // deleted or replaced database is reported even while nothing writes.
        let period = min(watchdog.map { $0 / 2 } ?? .seconds(2), .seconds(2))
        try? await cancelWhenGracefulShutdown {
            var reported = StoreHealth.ok
            while !Task.isCancelled {
                let health = store.health()
                if health != reported {
                    reported = health
                    if health == .ok {
                        logger.notice("the database is usable again")
                        notifier.status("serving")
                    } else {
                        logger.critical("database unusable; readiness is 503 and writes are refused: \(health)")
                        notifier.status("database \(health.state): writes refused")
                    }
                }
                // Only once READY=1 has gone out, and only while healthy.
                if watchdog != nil, readiness.current == .ready {
                    if await healthy() { notifier.watchdog() } else { logger.warning("health check failed; watchdog not pinged") }
                }
                try await Task.sleep(for: period)
            }
        }
        readiness.set(.stopping)
        notifier.stopping(status: "stopping")
        logger.info("shutting down")
    }

    private func healthy() async -> Bool {
        do {
            try await MultiThreadedEventLoopGroup.singleton.any().submit {}.get()
            try await NIOThreadPool.singleton.runIfActive { try store.healthCheck() }
            return true
        } catch {
            return false
        }
    }
}
