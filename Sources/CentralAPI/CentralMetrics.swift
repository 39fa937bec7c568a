import CentralStore
import ConnectionLimits
import HouseholdAPI
import Sync
import Synchronization

/// Central's own counters for `/metrics` (`edge_central_*`), per process: Prometheus sums
/// them across replicas.
public final class CentralMetrics: Sendable {
    let changesApplied = Atomic<Int>(0)
    let changesAlreadyKnown = Atomic<Int>(0)
    let changesRejected = Atomic<Int>(0)
    let changesRefused = Atomic<Int>(0)
    let samplesInserted = Atomic<Int>(0)
    let samplesDuplicate = Atomic<Int>(0)
    let samplesExpired = Atomic<Int>(0)
    let retentionDone = Atomic<Int>(0)
    let retentionSkipped = Atomic<Int>(0)
    let retentionFailed = Atomic<Int>(0)
    /// Microseconds spent in retention runs that did work (done or failed), for the summary.
    let retentionMicros = Atomic<Int>(0)
    let rowsRolledUp = Atomic<Int>(0)
    let rowsDropped = Atomic<Int>(0)
    let partitionsDropped = Atomic<Int>(0)
    let minutePartitionsDropped = Atomic<Int>(0)
    let legacyRowsMoved = Atomic<Int>(0)
    let databaseUp = Atomic<Bool>(false)
    let enrollmentsDone = Atomic<Int>(0)
    let enrollmentsRefused = Atomic<Int>(0)
    let version: String
    /// What the HTTP server's connection limits did.
    public let connections: ConnectionCounters
    /// Failed token checks per source address (429 past the limit).
    public let authFailures: AuthFailureLimiter

    public init(
        version: String, connections: ConnectionCounters = ConnectionCounters(),
        authFailures: AuthFailureLimiter = AuthFailureLimiter()
    ) {
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

    func samplesIngested(inserted: Int, duplicates: Int, expired: Int) {
        samplesInserted.add(inserted, ordering: .relaxed)
        samplesDuplicate.add(duplicates, ordering: .relaxed)
        samplesExpired.add(expired, ordering: .relaxed)
    }
    /// Counts one retention run (`RetentionService`, or a test).
    public func retentionRan(_ report: RetentionReport) {
        switch report.outcome {
        case .done: retentionDone.add(1, ordering: .relaxed)
        case .skipped: retentionSkipped.add(1, ordering: .relaxed)
        case .failed: retentionFailed.add(1, ordering: .relaxed)
        }
        if report.outcome != .skipped { retentionMicros.add(Int(report.seconds * 1e6), ordering: .relaxed) }
        rowsRolledUp.add(Int(report.rowsRolledUp), ordering: .relaxed)
        rowsDropped.add(Int(report.rowsDropped), ordering: .relaxed)
        partitionsDropped.add(report.partitionsDropped.count, ordering: .relaxed)
        minutePartitionsDropped.add(report.minutePartitionsDropped.count, ordering: .relaxed)
        legacyRowsMoved.add(Int(report.legacyRowsMoved), ordering: .relaxed)
    }

    public func setDatabaseUp(_ up: Bool) { databaseUp.store(up, ordering: .relaxed) }
    public var isDatabaseUp: Bool { databaseUp.load(ordering: .relaxed) }

    /// The Prometheus text exposition.
    func render(nodes: [NodeInfo] = [], storage: StorageSummary? = nil, now: Int64 = 0) -> String {
        func family(_ name: String, _ type: String, _ help: String, _ lines: [String]) -> String {
            "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n" + lines.map { $0 + "\n" }.joined()
        }
        return family(
            "edge_central_build_info", "gauge", "Version of edge-central.",
            [SeriesKey("edge_central_build_info", ["version": version]).description + " 1"])
            + family(
                "edge_central_database_up", "gauge", "Whether the last check reached PostgreSQL (1) or not (0).",
                ["edge_central_database_up \(isDatabaseUp ? 1 : 0)"])
            + family(
                "edge_central_changes_received_total", "counter", "Task changes received from nodes, by outcome.",
                [
                    #"edge_central_changes_received_total{outcome="applied"} \#(changesApplied.load(ordering: .relaxed))"#,
                    #"edge_central_changes_received_total{outcome="already_known"} \#(changesAlreadyKnown.load(ordering: .relaxed))"#,
                    #"edge_central_changes_received_total{outcome="rejected"} \#(changesRejected.load(ordering: .relaxed))"#,
                    #"edge_central_changes_received_total{outcome="refused"} \#(changesRefused.load(ordering: .relaxed))"#,
                ])
            + family(
                "edge_central_samples_received_total", "counter", "Samples received from nodes, by outcome.",
                [
                    #"edge_central_samples_received_total{outcome="inserted"} \#(samplesInserted.load(ordering: .relaxed))"#,
                    #"edge_central_samples_received_total{outcome="duplicate"} \#(samplesDuplicate.load(ordering: .relaxed))"#,
                    #"edge_central_samples_received_total{outcome="expired"} \#(samplesExpired.load(ordering: .relaxed))"#,
                ])
            + family(
                "edge_central_retention_runs_total", "counter",
                "Retention runs of this process, by outcome: done, skipped (another replica held the retention lock), failed (resumed by the next run).",
                [
                    #"edge_central_retention_runs_total{outcome="done"} \#(retentionDone.load(ordering: .relaxed))"#,
                    #"edge_central_retention_runs_total{outcome="skipped"} \#(retentionSkipped.load(ordering: .relaxed))"#,
                    #"edge_central_retention_runs_total{outcome="failed"} \#(retentionFailed.load(ordering: .relaxed))"#,
                ])
            + family(
                "edge_central_retention_run_duration_seconds", "summary",
                "Time spent in retention runs that held the retention lock (done or failed).",
                [
                    "edge_central_retention_run_duration_seconds_sum \(Double(retentionMicros.load(ordering: .relaxed)) / 1e6)",
                    "edge_central_retention_run_duration_seconds_count \(retentionDone.load(ordering: .relaxed) + retentionFailed.load(ordering: .relaxed))",
                ])
            + family(
                "edge_central_retention_rows_rolled_up_total", "counter",
                "Raw sample rows read into per-minute and hourly rollups by this process's retention runs.",
                ["edge_central_retention_rows_rolled_up_total \(rowsRolledUp.load(ordering: .relaxed))"])
            + family(
                "edge_central_retention_rows_dropped_total", "counter",
                "Raw sample rows removed with the daily partitions this process's retention runs dropped (all rolled up first).",
                ["edge_central_retention_rows_dropped_total \(rowsDropped.load(ordering: .relaxed))"])
            + family(
                "edge_central_retention_partitions_dropped_total", "counter",
                "Partitions dropped by this process's retention runs: raw days, and months of per-minute rollups.",
                [
                    #"edge_central_retention_partitions_dropped_total{kind="raw"} \#(partitionsDropped.load(ordering: .relaxed))"#,
                    #"edge_central_retention_partitions_dropped_total{kind="minute"} \#(minutePartitionsDropped.load(ordering: .relaxed))"#,
                ])
            + family(
                "edge_central_retention_legacy_rows_moved_total", "counter",
                "Rows this process moved from the unpartitioned sample table of before the partitioning migration.",
                ["edge_central_retention_legacy_rows_moved_total \(legacyRowsMoved.load(ordering: .relaxed))"])
            + family(
                "edge_central_sample_partitions", "gauge",
                "Partitions of sample storage: raw days (sample_YYYYMMDD) and months of per-minute rollups (sample_minute_YYYYMM); read at scrape time.",
                storage.map {
                    [
                        #"edge_central_sample_partitions{kind="raw"} \#($0.rawPartitions)"#,
                        #"edge_central_sample_partitions{kind="minute"} \#($0.minutePartitions)"#,
                    ]
                } ?? [])
            + family(
                "edge_central_oldest_raw_sample_age_seconds", "gauge",
                "Age of the oldest raw sample central holds (by its ts, against central's clock); absent while none is held.",
                storage.flatMap { s in s.oldestRawSample.map { ["edge_central_oldest_raw_sample_age_seconds \(Double(now - $0) / 1000)"] } } ?? [])
            + family(
                "edge_central_http_connections_open", "gauge", "HTTP connections open now.",
                ["edge_central_http_connections_open \(connections.open)"])
            + family(
                "edge_central_http_connections_refused_total", "counter",
                "HTTP connections closed at once because --max-connections were open, all in a request.",
                ["edge_central_http_connections_refused_total \(connections.refused)"])
            + family(
                "edge_central_http_connections_evicted_total", "counter",
                "HTTP connections closed to admit a new one at --max-connections: the oldest without a complete request, else the oldest idle one.",
                ["edge_central_http_connections_evicted_total \(connections.evicted)"])
            + family(
                "edge_central_node_last_seen_timestamp_seconds", "gauge",
                "When the node last made an authenticated request (written at most once a minute); registered, not revoked nodes seen at least once.",
                nodes.compactMap { node in
                    guard !node.revoked, let seen = node.lastSeenAt else { return nil }
                    return SeriesKey("edge_central_node_last_seen_timestamp_seconds", ["node": node.name]).description + " \(Double(seen) / 1000)"
                })
            + family(
                "edge_central_enrollments_total", "counter",
                "POST /v1/enroll requests by outcome: enrolled, or refused (a bad join token, name or conflict).",
                [
                    #"edge_central_enrollments_total{outcome="enrolled"} \#(enrollmentsDone.load(ordering: .relaxed))"#,
                    #"edge_central_enrollments_total{outcome="refused"} \#(enrollmentsRefused.load(ordering: .relaxed))"#,
                ])
            + family(
                "edge_central_auth_failures_total", "counter",
                "Requests refused 401 because their token was missing, unknown or revoked.",
                ["edge_central_auth_failures_total \(authFailures.failed)"])
            + family(
                "edge_central_auth_rate_limited_total", "counter",
                "Requests answered 429 because their source address failed authentication too often.",
                ["edge_central_auth_rate_limited_total \(authFailures.limited)"])
            + family(
                "edge_central_http_header_timeouts_total", "counter",
                "HTTP connections closed because a request head did not arrive within --header-timeout.",
                ["edge_central_http_header_timeouts_total \(connections.headerTimeouts)"])
    }
}
