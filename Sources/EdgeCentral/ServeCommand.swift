import ArgumentParser
import CentralAPI
import CentralStore
import CommandLineSupport
import Hummingbird
import Logging
import ServiceLifecycle

/// `edge-central serve`: the HTTP API until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the central API until SIGTERM or SIGINT.",
        discussion: """
            Applies missing migrations at start (waiting for PostgreSQL if it is not up yet). \
            /readiness answers 503 until the schema is migrated and while PostgreSQL is unreachable; \
            requests then get 503 and the server recovers by itself when PostgreSQL returns.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(name: .customLong("listen"), help: ArgumentHelp(
        "Address and port to serve on. [env: EDGE_CENTRAL_LISTEN] [default: 127.0.0.1:8081]", valueName: "host:port"))
    var listenFlag: String?

    @OptionGroup var logging: LogOptions

    func run() async throws {
        try await CentralCLI.run {
            try logging.bootstrap()
            let listenText = Settings.resolve(flag: listenFlag, env: "EDGE_CENTRAL_LISTEN") { "127.0.0.1:8081" }
            guard let listen = ListenAddress(listenText) else {
                throw ConfigurationError("--listen / EDGE_CENTRAL_LISTEN: \"\(listenText.prefix(60))\" is not host:port")
            }
            let url = try database.url()
            let logger = Logger(label: "edge-central")
            let store = try CentralStore(url: url, poolSize: try database.poolSize(), logger: logger)
            let metrics = CentralMetrics(version: EdgeCentral.version)
            let app = Application(
                router: CentralAPI.router(store: store, metrics: metrics),
                configuration: .init(address: .hostname(listen.host, port: listen.port), serverName: nil),
                onServerRunning: { channel in
                    let bound = channel.localAddress?.port.map { "\(listen.host):\($0)" } ?? listen.description
                    logger.info("listening", metadata: ["address": "\(bound)", "database": "\(url)"])
                },
                logger: logger)
            let group = ServiceGroup(configuration: .init(
                services: [
                    .init(service: PostgresPool(store: store)),
                    .init(service: DatabaseMonitor(store: store, metrics: metrics, logger: logger)),
                    .init(service: app),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger))
            try await group.run()
            logger.info("stopped")
        }
    }
}

/// The connection pool as a service: runs until shutdown, started first and stopped last.
struct PostgresPool: Service {
    let store: CentralStore
    func run() async throws {
        await store.run()
    }
}
