import ConnectionLimits
import HostProbes
import HouseholdAPI
import Hummingbird
import LocalStore
import Logging
import Sampling
import Sync

/// The agent's HTTP API (docs/agent-api.md): one router, built from its environment.
public enum AgentAPI {
    /// Everything the handlers need, passed in rather than reached for.
    public struct Environment: Sendable {
        public var store: LocalStore
        public var latest: LatestReading
        public var readiness: Readiness
        public var sync: any SyncStatusSource
        public var syncErrors: @Sendable () -> [String: Int]
        public var nodeName: String
        public var version: String
        public var startedAt: Int64?
        public var wallClock: WallClock
        /// The bearer token every `/v1/*` request must carry; `nil` leaves the API open.
        public var apiToken: APIToken?
        /// What the HTTP server's connection limits did, for `/metrics`.
        public var connections: ConnectionCounters
        /// Called after every successful task write.
        public var onWrite: @Sendable () -> Void
        /// The `--max-db-size` budget in bytes, for `/metrics` (nil: none shown).
        public var maxDatabaseBytes: Int64?
        /// The hardware families of `/metrics`, read fresh at every scrape (the enabled node_exporter collectors and the
        /// Raspberry Pi's figures). Nil: the sampler's latest reading, the stored set.
        public var scrapeHardware: (@Sendable () -> [MetricFamily])?
        /// The household's other Pis (`--peer-urls`): listed at `/v1/peers`, and allowed to call
        /// this API from their pages.
        public var peers = PeerDirectory()

        public init(
            store: LocalStore, latest: LatestReading, readiness: Readiness, sync: any SyncStatusSource,
            syncErrors: @escaping @Sendable () -> [String: Int] = { [:] }, nodeName: String, version: String,
            startedAt: Int64?, wallClock: WallClock = .system, apiToken: APIToken? = nil,
            connections: ConnectionCounters = ConnectionCounters(), maxDatabaseBytes: Int64? = nil,
            scrapeHardware: (@Sendable () -> [MetricFamily])? = nil,
            onWrite: @escaping @Sendable () -> Void = {}
        ) {
            self.store = store
            self.latest = latest
            self.readiness = readiness
            self.sync = sync
            self.syncErrors = syncErrors
            self.nodeName = nodeName
            self.version = version
            self.startedAt = startedAt
            self.wallClock = wallClock
            self.apiToken = apiToken
            self.connections = connections
            self.maxDatabaseBytes = maxDatabaseBytes
            self.scrapeHardware = scrapeHardware
            self.onWrite = onWrite
        }
    }

    public static func router(_ env: Environment, logRequests: Bool = true) -> Router<BasicRequestContext> {
        let router = Router(context: BasicRequestContext.self)
        if logRequests { router.add(middleware: LogRequestsMiddleware(.debug)) }
        router.add(middleware: PeerCORSMiddleware(peers: env.peers))
        router.add(middleware: ErrorMiddleware(routes: AgentRoutes.table, serviceName: "agent", translate: APIError.translating))
        ProbeRoutes(environment: env).register(router)
        let v1 = router.group("v1")
        if let token = env.apiToken { v1.add(middleware: BearerAuthMiddleware(token: token)) }
        TaskRoutes(store: LocalTaskRepository(store: env.store), onWrite: env.onWrite).register(v1)
        NodeRoutes(environment: env).register(v1)
        return router
    }
}

/// For tests: what the binary embeds.
public enum AgentAPITestHooks {
    public static var householdPage: String { HouseholdPage.html }
}
