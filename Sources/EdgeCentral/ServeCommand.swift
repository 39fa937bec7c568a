import ArgumentParser
import CentralAPI
import CentralStore
import CommandLineSupport
import ConnectionLimits
import HouseholdAPI
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOSSL
import ServiceLifecycle
import Sync

/// `edge-central serve`: the HTTP API until SIGTERM or SIGINT.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the central API until SIGTERM or SIGINT.",
        discussion: """
            Applies missing migrations at start (waiting for PostgreSQL if it is not up yet). \
            /readiness answers 503 until the schema is migrated and while PostgreSQL is unreachable; \
            requests then get 503 and the server recovers by itself when PostgreSQL returns. \
            Every --retention-interval it creates the coming days' sample partitions and rolls up, then drops, \
            the days older than --sample-retention (one replica at a time).
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(
        name: .customLong("listen"),
        help: ArgumentHelp(
            "Address and port to serve on. [env: EDGE_CENTRAL_LISTEN] [default: 127.0.0.1:8081]", valueName: "host:port"))
    var listenFlag: String?

    @Option(
        name: .customLong("tls-cert-file"),
        help: ArgumentHelp(
            "PEM certificate chain to serve HTTPS with (with --tls-key-file). [env: EDGE_CENTRAL_TLS_CERT_FILE] [default: plain HTTP]",
            valueName: "file"))
    var certFlag: String?

    @Option(
        name: .customLong("tls-key-file"),
        help: ArgumentHelp(
            "PEM private key for --tls-cert-file. [env: EDGE_CENTRAL_TLS_KEY_FILE]", valueName: "file"))
    var keyFlag: String?

    @Option(
        name: .customLong("auth-failure-limit"),
        help: ArgumentHelp(
            "Failed authentications (a bad node or join token) one source address may make at once; past it the address "
                + "gets 429 with Retry-After and earns one more try every 3 s. [env: EDGE_CENTRAL_AUTH_FAILURE_LIMIT] [default: 20]",
            valueName: "n"))
    var authFailureLimitFlag: String?

    @OptionGroup var retention: RetentionOptions

    @Option(
        name: .customLong("retention-interval"),
        help: ArgumentHelp(
            "How often retention runs (the first run starts once the schema is migrated): it creates the coming days' "
                + "partitions, rolls up and drops what is older than the retention. [env: EDGE_CENTRAL_RETENTION_INTERVAL] [default: 15m]",
            valueName: "duration"))
    var retentionIntervalFlag: String?

    @OptionGroup var connections: ConnectionOptions
    @OptionGroup var logging: LogOptions
    @OptionGroup var time: TimeZoneOptions

    /// HTTPS when a certificate and key are given; both or neither. Either way within `limits`.
    func serverBuilder(_ limits: ConnectionLimits, counters: ConnectionCounters) throws -> HTTPServerBuilder {
        let cert = Settings.resolve(flag: certFlag, env: "EDGE_CENTRAL_TLS_CERT_FILE") { "" }
        let key = Settings.resolve(flag: keyFlag, env: "EDGE_CENTRAL_TLS_KEY_FILE") { "" }
        if cert.isEmpty && key.isEmpty { return .limitedHTTP1(limits, counters: counters) }
        guard !cert.isEmpty, !key.isEmpty else {
            throw ConfigurationError("--tls-cert-file and --tls-key-file go together (EDGE_CENTRAL_TLS_CERT_FILE / _KEY_FILE)")
        }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(cert).map { NIOSSLCertificateSource.certificate($0) }
            let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(try NIOSSLPrivateKey(file: key, format: .pem)))
            _ = try NIOSSLContext(configuration: tls)  // refuse a bad key or chain now, not per connection
            return .limitedHTTP1(limits, counters: counters) { try TLSChannel($0, tlsConfiguration: tls) }
        } catch {
            throw ConfigurationError("--tls-cert-file / --tls-key-file: cannot use \(cert) and \(key): \(error)")
        }
    }

    func run() async throws {
        try await CentralCLI.run {
            try logging.bootstrap()
            let listenText = Settings.resolve(flag: listenFlag, env: "EDGE_CENTRAL_LISTEN") { "127.0.0.1:8081" }
            guard let listen = ListenAddress(listenText) else {
                throw ConfigurationError("--listen / EDGE_CENTRAL_LISTEN: \"\(listenText.prefix(60))\" is not host:port")
            }
            let url = try database.url()
            let policy = try retention.policy()
            let intervalText = Settings.resolve(flag: retentionIntervalFlag, env: "EDGE_CENTRAL_RETENTION_INTERVAL") { "15m" }
            guard let intervalMillis = DurationText.parseMillis(intervalText), intervalMillis >= 1000, intervalMillis <= RetentionPolicy.day else {
                throw ConfigurationError(
                    "--retention-interval / EDGE_CENTRAL_RETENTION_INTERVAL: \"\(intervalText.prefix(40))\" is not a duration from 1s to 1d")
            }
            let limits = try connections.limits(envPrefix: "EDGE_CENTRAL_", defaultMaxConnections: 4096).effective()
            let limitText = Settings.resolve(flag: authFailureLimitFlag, env: "EDGE_CENTRAL_AUTH_FAILURE_LIMIT") { "20" }
            guard let authFailureLimit = Int(limitText), (1...1_000_000).contains(authFailureLimit) else {
                throw ConfigurationError(
                    "--auth-failure-limit / EDGE_CENTRAL_AUTH_FAILURE_LIMIT: \"\(limitText.prefix(40))\" is not a number from 1 to 1000000")
            }
            let counters = ConnectionCounters()
            let server = try serverBuilder(limits, counters: counters)
            let logger = Logger(label: "edge-central")
            var storeConfiguration = CentralStore.Configuration()
            storeConfiguration.retention = policy
            storeConfiguration.timeZone = try time.zone()
            let store = try CentralStore(url: url, poolSize: try database.poolSize(), configuration: storeConfiguration, logger: logger)
            let metrics = CentralMetrics(
                version: EdgeCentral.version, connections: counters,
                authFailures: AuthFailureLimiter(burst: authFailureLimit))
            let app = Application(
                router: CentralAPI.router(store: store, metrics: metrics),
                server: server,
                configuration: .init(
                    address: .hostname(listen.host, port: listen.port), serverName: nil,
                    availableConnectionsDelegate: MaximumAvailableConnections(limits.acceptLimit)),
                onServerRunning: { channel in
                    let bound = channel.localAddress?.port.map { "\(listen.host):\($0)" } ?? listen.description
                    logger.info("listening", metadata: ["address": "\(bound)", "database": "\(url)"])
                },
                logger: logger)
            var configuration = ServiceGroupConfiguration(
                services: [
                    .init(service: PostgresPool(store: store)),
                    .init(service: DatabaseMonitor(store: store, metrics: metrics, logger: logger)),
                    .init(service: RetentionService(store: store, metrics: metrics, logger: logger, interval: .milliseconds(intervalMillis))),
                    .init(service: app),
                ],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger)
            // Below the pod's terminationGracePeriodSeconds: 15, so requests in flight finish or
            // are cancelled before SIGKILL.
            configuration.maximumGracefulShutdownDuration = Duration.seconds(10)
            configuration.maximumCancellationDuration = Duration.seconds(3)
            let group = ServiceGroup(configuration: configuration)
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
