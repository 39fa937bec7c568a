import AgentAPI
import ArgumentParser
import CommandLineSupport
import ConnectionLimits
import HostProbes
import Hummingbird
import HummingbirdCore
import LocalStore
import Logging
import NIOCore
import Sampling
import ServiceLifecycle
import Sync
import SyncAgent
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `edge-agent run`: the daemon. Its parts are services in one group, started in dependency
/// order (store, sampler, maintenance, HTTP server, lifecycle) and stopped in reverse on
/// SIGTERM or SIGINT, each finishing what it is doing.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the agent until SIGTERM or SIGINT.",
        discussion: """
            Serves the HTTP API, /metrics and the household page, samples the hardware, and keeps \
            the database within its limits. Under systemd (Type=notify) it reports READY=1 once \
            the database is open and the port is listening, pings the watchdog, and reports STOPPING=1.

            /metrics reads node_exporter's collectors afresh at every scrape, as node_exporter does: \
            --collector.NAME and --no-collector.NAME switch them (--no-collector.node leaves only the \
            edge_* families). The history stored locally and synced to central is --stored-metrics.
            """)

    @OptionGroup var store: StoreOptions
    @OptionGroup var server: ServerOptions
    @OptionGroup var probes: ProbeOptions
    @OptionGroup var sampling: SamplingOptions
    @OptionGroup var sync: SyncOptions
    @OptionGroup var connections: ConnectionOptions
    @OptionGroup var logging: LogOptions
    @OptionGroup var time: TimeZoneOptions

    func run() async throws {
        let startedAt = WallClock.system.nowMillis()
        Self.boundMallocArenas()
        let local: LocalStore, listen: ListenAddress, apiTokenFile: WatchedSecretFile?, peers: HouseholdPeers, advertise: String?
        var reader: HardwareReader
        let collectors: CollectorSelection, stored: StoredMetrics
        let limits: ConnectionLimits
        var policy = RetentionPolicy()
        let interval: Int64
        let central: SyncOptions.Settings?
        do {
            try logging.bootstrap()
            // Check every option before touching anything, in a fixed order: values and the
            // files they name first (tokens, CA, host root), then the network (is the port
            // free?), then the data directory, which is created only after all of that passed.
            listen = try server.listenAddress()
            apiTokenFile = try server.apiTokenFile()
            peers = try server.peers()
            advertise = try server.advertiseURL()
            limits = try connections.limits(envPrefix: "EDGE_", defaultMaxConnections: 256).effective()
            reader = try probes.reader()
            collectors = try probes.collectorSelection()
            stored = try sampling.storedMetrics()
            interval = try sampling.intervalMillis()
            policy.raw = try sampling.retentionMillis()
            policy.maxBytes = try sampling.maxBytes()
            central = try sync.resolved()
            if let problem = PortCheck.problem(listen) {
                throw CLIError.configuration("--listen / EDGE_LISTEN: cannot listen on \(listen): \(problem)")
            }
            local = try store.openStore(zone: try time.zone())
        } catch {
            let failure = CLIError(error)
            Output.error("edge-agent: \(failure.message)")
            throw ExitCode(failure.status)
        }
        let logger = Logger(label: "edge-agent")
        let node = local.configuration.nodeName
        reader.nodeName = node
        logger.info("store open", metadata: ["path": "\(local.path)", "node": "\(node)"])
        // Damage is found before anything writes to the file, not by the first request that
        // trips on it; the agent still starts, serving what it can, with readiness at 503.
        local.quickCheck()  // the lifecycle service reports what it finds
        let directory = PeerDirectory(configured: peers)
        let syncService: SyncService?
        if let central {
            do {
                var (engine, token, enrollment) = try SyncOptions.engine(central, store: local, logger: logger)
                engine.advertiseURL = advertise
                engine.onPeers = { directory.learn($0) }
                syncService = SyncService(
                    engine: engine, token: token, enrollment: enrollment,
                    intervalMillis: central.intervalMillis, logger: logger)
            } catch {
                let failure = CLIError(error)
                Output.error("edge-agent: \(failure.message)")
                throw ExitCode(failure.status)
            }
        } else {
            syncService = nil
            logger.info("no central configured (--central-url); running standalone")
        }

        let counters = ConnectionCounters()
        let notifier = SystemdNotifier()
        let readiness = Readiness()
        let latest = LatestReading()
        let sampler = Sampler(
            reader: reader, store: local, interval: .milliseconds(interval), latest: latest, logger: logger,
            stored: stored, collectors: collectors)
        let scrapeReader = reader
        // With a central, raw samples are kept until delivered (unless the size budget needs the room).
        let maintenance = MetricsMaintenance(store: local, policy: policy, protectUndelivered: central != nil, logger: logger)
        let syncSource: any SyncStatusSource = central.map { RecordedSync(store: local, centralURL: $0.url) } ?? StandaloneSync(store: local)
        var environment = AgentAPI.Environment(
            store: local, latest: latest, readiness: readiness, sync: syncSource,
            syncErrors: { syncService?.errorCounts() ?? [:] }, nodeName: node,
            version: EdgeAgent.version, startedAt: startedAt, apiToken: apiTokenFile.map(Self.apiToken),
            connections: counters, maxDatabaseBytes: policy.maxBytes,
            scrapeHardware: { scrapeReader.scrape(collectors).families }, onWrite: { syncService?.nudge() })
        environment.peers = directory
        let app = Application(
            router: AgentAPI.router(environment),
            server: .limitedHTTP1(limits, counters: counters),
            configuration: .init(
                address: .hostname(listen.host, port: listen.port), serverName: nil,
                availableConnectionsDelegate: MaximumAvailableConnections(limits.acceptLimit)),
            onServerRunning: { channel in
                readiness.set(.ready)
                let bound = channel.localAddress?.port.map { "\(listen.host):\($0)" } ?? listen.description
                logger.info(
                    "listening",
                    metadata: [
                        "address": "\(bound)", "api_token": "\(apiTokenFile == nil ? "none" : "required")",
                        "max_connections": "\(limits.maxConnections)",
                    ])
                notifier.ready(status: "serving on \(bound)")
            },
            logger: logger)
        logger.info(
            "sampling",
            metadata: [
                "host_root": "\(reader.root.path)", "host_rootfs": "\(reader.rootfs.path)", "interval_ms": "\(interval)",
                "stored_metrics": "\(stored)",
                "collectors":
                    "\(collectors.enabled.count == NodeCollector.allCases.count ? "all" : collectors.enabled.sorted().map(\.rawValue).joined(separator: ","))",
            ])

        // Dependency order: the store first (stopped last); the lifecycle service last, so it
        // hears of shutdown first and marks the agent not ready before the server drains.
        var configuration = ServiceGroupConfiguration(
            services: [StoreService(store: local, logger: logger)]
                + (syncService.map { [$0 as any Service] } ?? [StandaloneCompaction(store: local, logger: logger) as any Service])
                + [sampler, maintenance, app, LifecycleService(store: local, readiness: readiness, notifier: notifier, logger: logger)],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger)
        // Below systemd's TimeoutStopSec=15s and the pod's terminationGracePeriodSeconds: 15, so
        // a stuck service is cancelled (and the store closed cleanly) before SIGKILL.
        configuration.maximumGracefulShutdownDuration = Duration.seconds(10)
        configuration.maximumCancellationDuration = Duration.seconds(3)
        let group = ServiceGroup(configuration: configuration)
        do {
            try await group.run()
        } catch let error as IOError where error.errnoCode == EADDRINUSE || error.errnoCode == EADDRNOTAVAIL || error.errnoCode == EACCES {
            Output.error("edge-agent: --listen / EDGE_LISTEN: cannot listen on \(listen): \(error.description)")
            throw ExitCode(2)
        }
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
        // A checkpoint that fails (a full disk, a damaged or vanished file) loses nothing:
        // the WAL keeps every commit and the next start replays it. So it is reported, and
        // shutdown goes on to exit 0 rather than leave systemd a failure to restart into.
        do {
            try store.checkpoint()
            logger.info("store checkpointed")
        } catch {
            logger.warning("the WAL was not checkpointed at shutdown; it is replayed at the next start", metadata: ["error": "\(error)"])
        }
        do {
            try store.close()
            logger.info("store closed")
        } catch {
            logger.error("closing the store failed", metadata: ["error": "\(error)"])
            throw error
        }
    }
}

extension RunCommand {
    /// The API token from its watched file; a missing or unusable file refuses every request
    /// and is logged at most once a minute.
    static func apiToken(_ file: WatchedSecretFile) -> APIToken {
        let logger = Logger(label: "edge-agent")
        let lastLogged = Mutex<Int64>(0)
        return APIToken {
            switch file.current() {
            case .success(let token): return Array(token.utf8)
            case .failure(let problem):
                let now = WallClock.system.nowMillis()
                let due = lastLogged.withLock { last in
                    guard now - last >= 60_000 else { return false }
                    last = now
                    return true
                }
                if due { logger.error("refusing every /v1 request: \(problem.message)") }
                return nil
            }
        }
    }

    /// A daemon on a Pi should hold what it uses, not its high-water mark. glibc gives each
    /// thread that allocates its own arena (up to 8 per core) and raises its mmap threshold
    /// after large frees, so a multi-megabyte task list built once on each of several pool
    /// threads stays resident per arena. Two arenas and a fixed 1 MiB threshold return large
    /// buffers to the kernel when they are freed.
    static func boundMallocArenas() {
        // Glibc's Swift module does not export <malloc.h>; look mallopt up (absent: not glibc).
        typealias MallOpt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(nil, "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: MallOpt.self)
        let arenaMax: Int32 = -8, mmapThreshold: Int32 = -3  // M_ARENA_MAX, M_MMAP_THRESHOLD
        _ = mallopt(arenaMax, 2)
        _ = mallopt(mmapThreshold, 1 << 20)
    }
}
