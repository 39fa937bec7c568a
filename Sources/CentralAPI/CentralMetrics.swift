import CentralStore
import ConnectionLimits
import HouseholdAPI
import Synchronization
import Sync

/// Central's own counters for `/metrics` (`edge_central_*`), per process: Prometheus sums
/// them across replicas.
public final class CentralMetrics: Sendable {
    let changesApplied = Atomic<Int>(0)
    let changesAlreadyKnown = Atomic<Int>(0)
    let changesRejected = Atomic<Int>(0)
    let changesRefused = Atomic<Int>(0)
    let samplesInserted = Atomic<Int>(0)
    let samplesDuplicate = Atomic<Int>(0)
    let databaseUp = Atomic<Bool>(false)
    let enrollmentsDone = Atomic<Int>(0)
    let enrollmentsRefused = Atomic<Int>(0)
    let version: String
    /// What the HTTP server's connection limits did.
    public let connections: ConnectionCounters
    /// Failed token checks per source address (429 past the limit).
    public let authFailures: AuthFailureLimiter

    public init(version: String, connections: ConnectionCounters = ConnectionCounters(),
                authFailures: AuthFailureLimiter = AuthFailureLimiter()) {
        self.version = version
        self.connections = connections
        self.authFailures = authFailures
    }

    func enrolled() { enrollmentsDone.add(1, ordering: .relaxed) }
    func enrollmentRefused() { enrollmentsRefused.add(1, ordering: .relaxed) }

    func changesReceived(_ results: [SyncWire.ChangeResult]) {
        changesApplied.add(results.count { $0.outcome == .applied }, ordering: .relaxed)
        changesAlreadyKnown.add(results.count { $0.outcome == .alreadyKnown }, ordering: .relaxed)
        changesRejected.add(results.count { $0.outcome == .rejected }, ordering: .relaxed)
        changesRefused.add(results.count { $0.outcome == .refused }, ordering: .relaxed)
    }

    func samplesIngested(inserted: Int, duplicates: Int) {
        samplesInserted.add(inserted, ordering: .relaxed)
        samplesDuplicate.add(duplicates, ordering: .relaxed)
    }

    public func setDatabaseUp(_ up: Bool) { databaseUp.store(up, ordering: .relaxed) }
    public var isDatabaseUp: Bool { databaseUp.load(ordering: .relaxed) }

    /// The Prometheus text exposition.
    func render(nodes: [NodeInfo] = []) -> String {
        func family(_ name: String, _ type: String, _ help: String, _ lines: [String]) -> String {
            "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n" + lines.map { $0 + "\n" }.joined()
        }
        return family("edge_central_build_info", "gauge", "Version of edge-central.",
                      ["edge_central_build_info{version=\(JSONText.quote(version))} 1"])
            + family("edge_central_database_up", "gauge", "Whether the last check reached PostgreSQL (1) or not (0).",
                     ["edge_central_database_up \(isDatabaseUp ? 1 : 0)"])
            + family("edge_central_changes_received_total", "counter", "Task changes received from nodes, by outcome.", [
                #"edge_central_changes_received_total{outcome="applied"} \#(changesApplied.load(ordering: .relaxed))"#,
                #"edge_central_changes_received_total{outcome="already_known"} \#(changesAlreadyKnown.load(ordering: .relaxed))"#,
                #"edge_central_changes_received_total{outcome="rejected"} \#(changesRejected.load(ordering: .relaxed))"#,
                #"edge_central_changes_received_total{outcome="refused"} \#(changesRefused.load(ordering: .relaxed))"#,
            ])
            + family("edge_central_samples_received_total", "counter", "Samples received from nodes, by outcome.", [
                #"edge_central_samples_received_total{outcome="inserted"} \#(samplesInserted.load(ordering: .relaxed))"#,
                #"edge_central_samples_received_total{outcome="duplicate"} \#(samplesDuplicate.load(ordering: .relaxed))"#,
            ])
            + family("edge_central_http_connections_open", "gauge", "HTTP connections open now.",
                     ["edge_central_http_connections_open \(connections.open)"])
            + family("edge_central_http_connections_refused_total", "counter",
                     "HTTP connections closed at once because --max-connections were open, all in a request.",
                     ["edge_central_http_connections_refused_total \(connections.refused)"])
            + family("edge_central_http_connections_evicted_total", "counter",
                     "HTTP connections closed to admit a new one at --max-connections: the oldest without a complete request, else the oldest idle one.",
                     ["edge_central_http_connections_evicted_total \(connections.evicted)"])
            + family("edge_central_node_last_seen_timestamp_seconds", "gauge",
                     "When the node last made an authenticated request (written at most once a minute); registered, not revoked nodes seen at least once.",
                     nodes.compactMap { node in
                         guard !node.revoked, let seen = node.lastSeenAt else { return nil }
                         return "edge_central_node_last_seen_timestamp_seconds{node=\(JSONText.quote(node.name))} \(Double(seen) / 1000)"
                     })
            + family("edge_central_enrollments_total", "counter",
                     "POST /v1/enroll requests by outcome: enrolled, or refused (a bad join token, name or conflict).",
                     [#"edge_central_enrollments_total{outcome="enrolled"} \#(enrollmentsDone.load(ordering: .relaxed))"#,
                      #"edge_central_enrollments_total{outcome="refused"} \#(enrollmentsRefused.load(ordering: .relaxed))"#])
            + family("edge_central_auth_failures_total", "counter",
                     "Requests refused 401 because their token was missing, unknown or revoked.",
                     ["edge_central_auth_failures_total \(authFailures.failed)"])
            + family("edge_central_auth_rate_limited_total", "counter",
                     "Requests answered 429 because their source address failed authentication too often.",
                     ["edge_central_auth_rate_limited_total \(authFailures.limited)"])
            + family("edge_central_http_header_timeouts_total", "counter",
                     "HTTP connections closed because a request head did not arrive within --header-timeout.",
                     ["edge_central_http_header_timeouts_total \(connections.headerTimeouts)"])
    }
}
