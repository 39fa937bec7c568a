import LocalStore
import Logging
import ServiceLifecycle

/// Standalone only (no `--central-url`): keeps the change log bounded by folding it into the
/// task records at start and every `every` (`LocalStore.compactChangeLogForStandalone`). A
/// central configured later gets the whole list as a snapshot at its first sync.
struct StandaloneCompaction: Service {
    let store: LocalStore
    var every: Duration = .seconds(300)
    let logger: Logger

    func compactOnce() {
        do {
            let dropped = try store.compactChangeLogForStandalone()
            if dropped > 0 {
                logger.info(
                    "standalone: change log folded into the task records; a central configured later receives them as a snapshot",
                    metadata: ["changes": "\(dropped)"])
            }
        } catch LocalStoreError.unavailable {
            // reported once by the lifecycle service
        } catch {
            logger.warning("standalone change-log compaction failed; it is tried again", metadata: ["error": "\(error)"])
        }
    }

    func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                compactOnce()
                try await Task.sleep(for: every)
            }
        }
    }
}
