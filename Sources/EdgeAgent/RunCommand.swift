import ArgumentParser
import LocalStore
import Logging
import ServiceLifecycle

/// `edge-agent run`: the daemon. Its parts are services in one group, started in dependency
/// order and stopped in reverse on SIGTERM or SIGINT.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the agent until SIGTERM or SIGINT.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var logging: LogOptions

    func run() async throws {
        let local: LocalStore
        do {
            try logging.bootstrap()
            local = try store.openStore()
        } catch {
            let failure = CLIError(error)
            Output.error("edge-agent: \(failure.message)")
            throw ExitCode(failure.status)
        }
        let logger = Logger(label: "edge-agent")
        logger.info("store open", metadata: ["path": "\(local.path)", "node": "\(local.configuration.nodeName)"])
        let group = ServiceGroup(configuration: .init(
            services: [StoreService(store: local, logger: logger)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        try await group.run()
        logger.info("stopped")
    }
}

/// Keeps the store open while the agent runs; at shutdown, checkpoints the WAL into the
/// database file and closes it, so a stopped agent leaves one self-contained file.
struct StoreService: Service {
    let store: LocalStore
    let logger: Logger

    func run() async throws {
        try? await gracefulShutdown()
        do {
            try store.checkpoint()
            try store.close()
            logger.info("store checkpointed and closed")
        } catch {
            logger.error("closing the store failed", metadata: ["error": "\(error)"])
            throw error
        }
    }
}
