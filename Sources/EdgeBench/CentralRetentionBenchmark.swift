import ArgumentParser
import CentralStore
import CommandLineSupport
import Logging
import PostgresNIO
import Sync
import Synchronization

/// `central-retention`: fills central's database with `--days` days of `--nodes` nodes (a
/// reading of `--series` samples every `--interval` per node) on a compressed clock, runs
/// retention at the end of every simulated day, and prints the database size each day; then
/// the steady-state size per node and day, raw and rolled up. Samples go through
/// `CentralStore.ingest`, the statements `POST /v1/sync/samples` runs, without HTTP.
struct CentralRetentionBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "central-retention",
        abstract: "Database size per simulated day while retention runs (a month of 10 nodes, compressed time).")
    @Option(help: "Central's database (an empty one: the benchmark fills it).") var databaseURL: String
    @Option(help: "Simulated nodes.") var nodes = 10
    @Option(help: "Simulated days.") var days = 30
    @Option(help: "Series per reading.") var series = 125
    @Option(help: "Milliseconds between readings.") var interval: Int64 = 15_000
    @Option(help: "Raw samples kept (central's --sample-retention).") var sampleRetention = "14d"
    @Option(help: "Per-minute rollups kept (central's --rollup-retention).") var rollupRetention = "400d"
    @Option(help: "Nodes ingested at once.") var parallel = 3

    func run() async throws {
        guard let raw = DurationText.parseMillis(sampleRetention), let rollup = DurationText.parseMillis(rollupRetention),
            raw >= RetentionPolicy.day, rollup >= raw, nodes > 0, days > 0, series > 0, interval >= 1000, parallel > 0
        else { throw ValidationError("bad options") }
        let simulated = SimulatedClock()
        var configuration = CentralStore.Configuration()
        configuration.clock = simulated.wallClock
        configuration.retention = RetentionPolicy(sampleRetention: raw, rollupRetention: rollup)
        configuration.operationTimeout = .seconds(120)
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let store = try CentralStore(url: try DatabaseURL(databaseURL), poolSize: parallel + 4, configuration: configuration, logger: logger)
        let running = Task { await store.run() }
        defer { running.cancel() }
        try await store.migrate()

        // The simulated month ends today.
        let first = SampleDay(containing: WallClock.system.nowMillis()).adding(-Int64(days))
        simulated.set(first.start)
        _ = try await store.runRetention()  // moves the (empty) table of before partitioning away
        var members: [AuthenticatedNode] = []
        let prefix = "sim-\(UInt32.random(in: 0...UInt32.max))"
        for i in 0..<nodes {
            let token = try await store.addNode("\(prefix)-\(i)")
            guard let node = try await store.authenticate(token: token) else { throw ValidationError("node not registered") }
            members.append(node)
        }
        let nodeList = members
        let series = self.series, interval = self.interval
        let seriesList = (0..<series).map { SyncWire.SampleBatch.Series(name: "bench_metric", labels: ["n": "\($0)"]) }
        let perBatch = max(1, 10_000 / series)
        let readingsPerDay = Int(SampleDay.millis / interval)
        Output.line(
            "central-retention: \(nodes) nodes x \(series) series every \(interval / 1000) s, \(days) simulated days from \(first), "
                + "--sample-retention \(sampleRetention) --rollup-retention \(rollupRetention)")
        var dayStats: [(day: Int, raw: Int64, rawPartitions: Int, minute: Int64, hour: Int64, total: Int64)] = []
        var fullRawDays: [Int64] = []
        var rolledDays = 0
        let started = ContinuousClock.now
        var ingestSeconds = 0.0
        for d in 0..<days {
            let day = first.adding(Int64(d))
            simulated.set(day.start + 60_000)
            let ingestStart = ContinuousClock.now
            // Each node posts its day in batches of about 10,000 samples, `parallel` nodes at a time.
            let post = { @Sendable (index: Int) async throws -> Void in
                let node = nodeList[index]
                do {
                    var after: Int64? = d == 0 ? nil : day.start - interval
                    var r = 0
                    while r < readingsPerDay {
                        var readings: [SyncWire.SampleBatch.Reading] = []
                        for k in r..<min(readingsPerDay, r + perBatch) {
                            let ts = day.start + Int64(k) * interval
                            let step = Double(d * readingsPerDay + k)
                            // Gauges with two decimals and growing counters, like a Pi's.
                            let values = (0..<series).map { i in
                                i % 3 == 0 ? step * Double(i + 1) * 0.25 : ((Double((k * 31 + i * 17) % 1000) / 10) + Double(index)).rounded() / 100
                            }
                            readings.append(.init(ts: ts, clock: .synced, layout: 0, values: values))
                        }
                        let batch = SyncWire.SampleBatch(
                            node: node.name, after: after, series: seriesList,
                            layouts: [Array(0..<series)], readings: readings)
                        // The simulated clock stands at the start of the day: nothing is "in the future".
                        let ack = try await store.ingest(batch, from: node)
                        guard ack.inserted == batch.sampleCount else {
                            throw ValidationError("day \(day): \(ack.inserted) of \(batch.sampleCount) samples stored (\(ack.expired) expired)")
                        }
                        after = readings.last?.ts
                        r += readings.count
                    }
                }
            }
            let nodeIDs = nodeList
            try await withThrowingTaskGroup(of: Void.self) { group in
                var next = 0
                while next < min(parallel, nodeIDs.count) {
                    let index = next
                    group.addTask { try await post(index) }
                    next += 1
                }
                while try await group.next() != nil {
                    if next < nodeIDs.count {
                        let index = next
                        group.addTask { try await post(index) }
                        next += 1
                    }
                }
            }
            ingestSeconds += Self.seconds(ingestStart.duration(to: .now))
            // The day is over: retention runs, as serve's would a little after midnight.
            simulated.set(day.end + 60_000)
            let report = try await store.runRetention()
            rolledDays += report.partitionsRolledUp.count
            let sizes = try await Self.sizes(store)
            // A raw day partition that is complete: every node's whole day.
            if let size = sizes.partitionBytes[day.partition] { fullRawDays.append(size) }
            dayStats.append((d + 1, sizes.raw, sizes.rawPartitions, sizes.minute, sizes.hour, sizes.database))
            Output.line(
                "  day \(Self.pad(String(d + 1), 2)) \(day): database \(Self.mb(sizes.database)); raw \(Self.mb(sizes.raw)) in "
                    + "\(sizes.rawPartitions) partitions; per-minute \(Self.mb(sizes.minute)); hourly \(Self.mb(sizes.hour)); "
                    + "retention \(BenchHTTP.format1(report.seconds)) s (\(report.partitionsRolledUp.count) rolled up, \(report.partitionsDropped.count) dropped)"
            )
        }
        let total = Int64(nodes) * Int64(days) * Int64(readingsPerDay) * Int64(series)
        Output.line(
            "  ingest: \(total) samples in \(BenchHTTP.format1(ingestSeconds)) s (\(Int(Double(total) / ingestSeconds)) samples/s, no HTTP); "
                + "whole run \(BenchHTTP.format1(Self.seconds(started.duration(to: .now)))) s")
        guard rolledDays > 0, let last = dayStats.last else {
            Output.line("  no day was rolled up: run more days than --sample-retention for the steady state")
            return
        }
        let sortedRaw = fullRawDays.sorted()
        let rawPerDay = sortedRaw[sortedRaw.count / 2]
        let n = Double(nodes)
        let rawNodeDay = Double(rawPerDay) / n
        let minuteNodeDay = Double(last.minute) / Double(rolledDays) / n
        let hourNodeDay = Double(last.hour) / Double(rolledDays) / n
        Output.line("central-retention: steady state per node and day (median full raw day of \(sortedRaw.count); rollups over \(rolledDays) rolled-up days):")
        Output.line(
            "  raw \(Self.mb(Int64(rawNodeDay))) (\(BenchHTTP.format1(rawNodeDay / Double(readingsPerDay * series))) bytes/sample), "
                + "per-minute \(Self.mb(Int64(minuteNodeDay))), hourly \(Self.mb(Int64(hourNodeDay)))")
        let rawDays = Double(raw / RetentionPolicy.day) + 3  // kept days, today, and two created ahead (empty)
        let minuteDays = Double(rollup / RetentionPolicy.day) + 31  // dropped by whole months
        Output.line(
            "  at --sample-retention \(sampleRetention) and --rollup-retention \(rollupRetention), one node needs about "
                + "\(Self.mb(Int64(rawNodeDay * (rawDays - 2) + minuteNodeDay * minuteDays + hourNodeDay * 365))) after its first year "
                + "(raw \(Int(rawDays - 2)) days + per-minute \(Int(minuteDays)) days + hourly 365 days)")
    }

    /// The benchmark's clock: central's store reads it, the benchmark moves it.
    final class SimulatedClock: Sendable {
        let millis = Atomic<Int64>(0)
        func set(_ value: Int64) { millis.store(value, ordering: .relaxed) }
        var wallClock: WallClock { WallClock { self.millis.load(ordering: .relaxed) } }
    }

    struct Sizes {
        var database: Int64
        var raw: Int64
        var rawPartitions: Int
        var minute: Int64
        var hour: Int64
        var partitionBytes: [String: Int64]
    }

    static func sizes(_ store: CentralStore) async throws -> Sizes {
        let client = store.postgresClient
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        var partitionBytes: [String: Int64] = [:]
        var raw: Int64 = 0, minute: Int64 = 0, count = 0
        for try await (parent, name, bytes) in try await client.query(
            """
            SELECT p.relname::text, c.relname::text, pg_total_relation_size(c.oid)::int8
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
            WHERE p.relname IN ('sample', 'sample_minute')
            """, logger: logger
        ).decode((String, String, Int64).self) {
            partitionBytes[name] = bytes
            if parent == "sample" {
                raw += bytes
                count += 1
            } else {
                minute += bytes
            }
        }
        var database: Int64 = 0, hour: Int64 = 0
        for try await (d, h) in try await client.query(
            """
            SELECT pg_database_size(current_database())::int8, pg_total_relation_size('sample_hour')::int8
            """, logger: logger
        ).decode((Int64, Int64).self) {
            database = d
            hour = h
        }
        return Sizes(database: database, raw: raw, rawPartitions: count, minute: minute, hour: hour, partitionBytes: partitionBytes)
    }

    static func mb(_ bytes: Int64) -> String {
        let value = Double(bytes) / 1e6
        return (value < 10 ? String(Double(Int((value * 100).rounded())) / 100) : BenchHTTP.format1(value)) + " MB"
    }
    static func pad(_ s: String, _ n: Int) -> String { String(repeating: " ", count: max(0, n - s.count)) + s }
    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
}
