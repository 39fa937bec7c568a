import ArgumentParser
import HostProbes
import LocalStore
import Logging
import Sampling
import ServiceLifecycle

/// `edge-agent run`: the daemon. Its parts are services in one group, started in dependency
/// order and stopped in reverse on SIGTERM or SIGINT.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the agent until SIGTERM or SIGINT.")

    @OptionGroup var store: StoreOptions
    @OptionGroup var probes: ProbeOptions
    @OptionGroup var sampling: SamplingOptions
    @OptionGroup var logging: LogOptions

    func run() async throws {
        let local: LocalStore
        let reader: HardwareReader
        var policy = RetentionPolicy()
        let interval: Int64
        do {
            try logging.bootstrap()
            // Check every option before touching anything.
            reader = try probes.reader()
            interval = try sampling.intervalMillis()
            policy.raw = try sampling.retentionMillis()
            policy.maxBytes = try sampling.maxBytes()
            local = try store.openStore()
        } catch {
            let failure = CLIError(error)
            Output.error("edge-agent: \(failure.message)")
            throw ExitCode(failure.status)
        }
        let logger = Logger(label: "edge-agent")
        logger.info("store open", metadata: ["path": "\(local.path)", "node": "\(local.configuration.nodeName)"])
        let latest = LatestReading()
        let sampler = Sampler(reader: reader, store: local, interval: .milliseconds(interval), latest: latest, logger: logger)
        let maintenance = MetricsMaintenance(store: local, policy: policy, protectUndelivered: false, logger: logger)
        logger.info("sampling", metadata: ["host_root": "\(reader.root.path)", "interval_ms": "\(interval)"])
        // Dependency order: the store first (stopped last), then what writes to it.
        let group = ServiceGroup(configuration: .init(
            services: [StoreService(store: local, logger: logger), sampler, maintenance],
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
