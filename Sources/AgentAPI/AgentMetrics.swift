import ConnectionLimits
import HostProbes
import LocalStore

#if canImport(Glibc)
    import Glibc
#endif

/// The agent's own figures for `/metrics` (docs/agent-api.md, "Metrics"), computed at scrape time from the
/// store and the process, beside the sampler's latest hardware reading.
enum AgentMetrics {
    static func families(_ env: AgentAPI.Environment, now: Int64) throws -> [MetricFamily] {
        let health = env.store.health()
        // A healthy store's dozen figures come from one read transaction (one snapshot); a damaged one's from
        // separate reads, each of which may fail on its own.
        guard health == .ok else { return try families(env, now: now, health: health) }
        return try env.store.readTogether { try families(env, now: now, health: health) }
    }

    private static func families(_ env: AgentAPI.Environment, now: Int64, health: StoreHealth) throws -> [MetricFamily] {
        let store = env.store
        let storeFamilies = [
            MetricFamily(
                name: "edge_store_corrupt", help: "Whether the local database was found damaged (1); nothing more is written to it.",
                type: .gauge, samples: [Sample([:], value: health.state == "corrupt" ? 1 : 0)]),
            MetricFamily(
                name: "edge_store_state", help: "The local database's state: 1 for the current one of ok, corrupt, missing, replaced, immutable.",
                type: .gauge, samples: ["ok", "corrupt", "missing", "replaced", "immutable"].map { Sample(["state": $0], value: health.state == $0 ? 1 : 0) }),
        ]
        // A damaged or vanished database may fail any read: /metrics then still says so, with
        // the connection and process figures, rather than failing the scrape.
        let counts: (open: Int, done: Int)
        var sync: AgentStatus.SyncState
        do {
            counts = try store.taskCounts()
            sync = try env.sync.syncState(now: now)
            _ = try store.samplesDroppedTotal()
        } catch  where health != .ok {
            return storeFamilies + connectionFamilies(env.connections) + processFamilies(startedAt: env.startedAt)
        }
        sync.changesRestamped = (try? store.changesRestampedTotal()) ?? 0
        sync.noteReadingClocks(store, now: now)
        var families =
            storeFamilies + [
                MetricFamily(
                    name: "edge_build_info", help: "Build information; always 1.", type: .gauge,
                    samples: [Sample(["version": env.version], value: 1)]),
                MetricFamily(
                    name: "edge_store_tasks", help: "Live tasks in the local store by state.", type: .gauge,
                    samples: [Sample(["state": "open"], value: Double(counts.open)), Sample(["state": "done"], value: Double(counts.done))]),
                MetricFamily(
                    name: "edge_store_db_bytes", help: "Size of the local database file and its write-ahead log, in bytes.",
                    type: .gauge, samples: [Sample([:], value: Double(store.diskUsage()))]),
                MetricFamily(
                    name: "edge_store_used_bytes",
                    help: "Bytes in the local database's pages in use: what --max-db-size is enforced on (the file itself never shrinks).",
                    type: .gauge, samples: [Sample([:], value: Double(try store.usedBytes()))]),
                MetricFamily(
                    name: "edge_samples_dropped_total",
                    help: "Metric samples dropped by retention or to keep the database under --max-db-size.", type: .counter,
                    samples: [Sample([:], value: Double(try store.samplesDroppedTotal()))]),
                MetricFamily(
                    name: "edge_sync_pending", help: "Items waiting to be acknowledged by the central API, by kind.", type: .gauge,
                    samples: [
                        Sample(["kind": "task_changes"], value: Double(sync.pendingTaskChanges)),
                        Sample(["kind": "samples"], value: Double(sync.pendingSamples)),
                    ]),
                MetricFamily(
                    name: "edge_sync_oldest_pending_age_seconds", help: "Age of the oldest item waiting for the central API.",
                    type: .gauge, samples: [Sample([:], value: sync.oldestPendingAgeSeconds ?? 0)]),
            ]
        if let max = env.maxDatabaseBytes {
            families.append(
                MetricFamily(
                    name: "edge_store_max_db_bytes", help: "The --max-db-size budget, in bytes.",
                    type: .gauge, samples: [Sample([:], value: Double(max))]))
        }
        if let last = sync.lastSuccessAt {
            families.append(
                MetricFamily(
                    name: "edge_sync_last_success_timestamp_seconds", help: "When sync last completed.",
                    type: .gauge, samples: [Sample([:], value: Double(last) / 1000)]))
        }
        if let offset = sync.clockOffsetSeconds {
            families.append(
                MetricFamily(
                    name: "edge_sync_clock_offset_seconds",
                    help: "Central's clock minus this node's at the last sync, from central's Date header (about 1 s resolution).",
                    type: .gauge, samples: [Sample([:], value: offset)]))
        }
        families.append(
            MetricFamily(
                name: "edge_sync_changes_restamped_total",
                help: "Local changes stamped again because central found them stamped in the future (clock ran ahead).",
                type: .counter, samples: [Sample([:], value: Double(sync.changesRestamped))]))
        families.append(
            MetricFamily(
                name: "edge_sync_readings_waiting_for_clock",
                help:
                    "Readings not sent yet because their true time is not known yet (taken before this boot's clock was right, or stamped ahead of central's clock).",
                type: .gauge, samples: [Sample([:], value: Double(sync.readingsWaitingForClock))]))
        families.append(
            MetricFamily(
                name: "edge_readings_retimed_total",
                help: "Readings moved to their true times once the clock was known to be right (NTP, or central's clock), since the database was created.",
                type: .counter, samples: [Sample([:], value: Double(sync.readingsRetimed))]))
        families.append(
            MetricFamily(
                name: "edge_sync_readings_sent_untrusted_total",
                help: "Readings sent to central marked untrusted: their boot's true time never became known.",
                type: .counter, samples: [Sample([:], value: Double(sync.readingsSentUntrusted))]))
        families.append(
            MetricFamily(
                name: "edge_sync_resyncs_total",
                help: "Full resyncs finished after central lost history (restored from a backup), since the database was created.",
                type: .counter, samples: [Sample([:], value: Double((try? store.resyncsTotal()) ?? 0))]))
        if let synchronized = env.latest.value?.reading.clockSynchronized {
            families.append(
                MetricFamily(
                    name: "edge_clock_synchronized", help: "Whether the node's wall clock is synchronised (NTP): 1 or 0.",
                    type: .gauge, samples: [Sample([:], value: synchronized ? 1 : 0)]))
        }
        families.append(
            MetricFamily(
                name: "edge_sync_quarantined", help: "Local changes kept out of the push queue because they cannot be sent.",
                type: .gauge, samples: [Sample([:], value: Double(sync.quarantined.count))]))
        families.append(
            MetricFamily(
                name: "edge_sync_errors_total", help: "Failed sync attempts by reason.", type: .counter,
                samples: env.syncErrors().map { Sample(["reason": $0.key], value: Double($0.value)) }))
        families += connectionFamilies(env.connections)
        families += processFamilies(startedAt: env.startedAt)
        return families
    }

    /// What the HTTP server's connection limits did.
    static func connectionFamilies(_ connections: ConnectionCounters) -> [MetricFamily] {
        [
            MetricFamily(
                name: "edge_http_connections_open", help: "HTTP connections open now.", type: .gauge,
                samples: [Sample([:], value: Double(connections.open))]),
            MetricFamily(
                name: "edge_http_connections_refused_total",
                help: "HTTP connections closed at once because --max-connections were open, all in a request.", type: .counter,
                samples: [Sample([:], value: Double(connections.refused))]),
            MetricFamily(
                name: "edge_http_connections_evicted_total",
                help: "HTTP connections closed to admit a new one at --max-connections: the oldest without a complete request, else the oldest idle one.",
                type: .counter,
                samples: [Sample([:], value: Double(connections.evicted))]),
            MetricFamily(
                name: "edge_http_header_timeouts_total",
                help: "HTTP connections closed because a request head did not arrive within --header-timeout.", type: .counter,
                samples: [Sample([:], value: Double(connections.headerTimeouts))]),
        ]
    }

    /// The standard process metrics of Prometheus client libraries.
    static func processFamilies(startedAt: Int64?) -> [MetricFamily] {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let cpu = Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
        var families = [
            MetricFamily(
                name: "process_cpu_seconds_total", help: "Total user and system CPU time spent in seconds.", type: .counter,
                samples: [Sample([:], value: cpu)])
        ]
        if let statm = try? HostRoot("/").readAttribute("proc/self/statm") {
            let fields = statm.split(separator: " ").map { Double($0) }
            let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
            if fields.count > 1, let size = fields[0], let resident = fields[1] {
                families.append(
                    MetricFamily(
                        name: "process_resident_memory_bytes", help: "Resident memory size in bytes.", type: .gauge,
                        samples: [Sample([:], value: resident * pageSize)]))
                families.append(
                    MetricFamily(
                        name: "process_virtual_memory_bytes", help: "Virtual memory size in bytes.", type: .gauge,
                        samples: [Sample([:], value: size * pageSize)]))
            }
        }
        if let fds = openDescriptorCount() {
            families.append(
                MetricFamily(
                    name: "process_open_fds", help: "Number of open file descriptors.", type: .gauge,
                    samples: [Sample([:], value: Double(fds))]))
        }
        var limit = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max {
            families.append(
                MetricFamily(
                    name: "process_max_fds", help: "Maximum number of open file descriptors.", type: .gauge,
                    samples: [Sample([:], value: Double(limit.rlim_cur))]))
        }
        if let startedAt {
            families.append(
                MetricFamily(
                    name: "process_start_time_seconds", help: "Start time of the process since the Unix epoch in seconds.",
                    type: .gauge, samples: [Sample([:], value: Double(startedAt) / 1000)]))
        }
        return families
    }

    /// The number of open descriptors: the size `stat` gives `/proc/self/fd` (Linux 6.2 and later), else its
    /// entries listed (which costs the kernel a directory entry per descriptor).
    private static func openDescriptorCount() -> Int? {
        var status = stat()
        if stat("/proc/self/fd", &status) == 0, status.st_size > 0 { return Int(status.st_size) }
        return (try? HostRoot("/").listDirectory("proc/self/fd"))?.count
    }
}
