import ArgumentParser
import AsyncHTTPClient
import CentralStore
import CommandLineSupport
import CompressNIO
import Logging
import NIOCore
import PostgresNIO
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Options shared by the central benchmarks: a running `edge-central serve` and its database.
struct CentralTarget: ParsableArguments {
    @Option(help: "Base URL of a running edge-central serve.") var central: String
    @Option(help: "Its database (to register bench nodes and to COPY).") var databaseURL: String

    func withStore<T: Sendable>(_ body: @escaping @Sendable (CentralStore) async throws -> T) async throws -> T {
        var logger = Logger(label: "bench")
        logger.logLevel = .error
        let store = try CentralStore(url: try DatabaseURL(databaseURL), poolSize: 4, logger: logger)
        let running = Task { await store.run() }
        defer { running.cancel() }
        try await store.migrate()
        return try await body(store)
    }
}

enum BenchHTTP {
    /// Runs `body` with a client that is always shut down, also when `body` throws.
    static func withClient<T: Sendable>(connections: Int = 8, _ body: (HTTPClient) async throws -> T) async throws -> T {
        var configuration = HTTPClient.Configuration(timeout: .init(connect: .seconds(10), read: .seconds(60)))
        configuration.connectionPool = .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: connections)
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            let result = try await body(http)
            try await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    /// POSTs a body (gzip already applied if `gzip`), returns (status, milliseconds).
    static func post(_ http: HTTPClient, _ url: String, token: String, body: ByteBuffer, gzip: Bool) async throws -> (Int, Double) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        if gzip { request.headers.add(name: "Content-Encoding", value: "gzip") }
        request.body = .bytes(body)
        let start = ContinuousClock.now
        let response = try await http.execute(request, timeout: .seconds(60))
        _ = try await response.body.collect(upTo: 16 << 20)
        let elapsed = start.duration(to: .now)
        return (Int(response.status.code), Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
    }

    static func gzipJSON<T: Encodable>(_ value: T) throws -> ByteBuffer {
        try gzip(try JSONEncoder().encode(value))
    }

    static func gzip(_ json: some Sequence<UInt8>) throws -> ByteBuffer {
        var buffer = ByteBuffer(bytes: json)
        return try buffer.compress(with: .gzip())
    }

    static func percentile(_ sorted: [Double], _ p: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        return sorted[min(sorted.count - 1, Int((Double(sorted.count - 1) * p).rounded()))]
    }

    static func ms(_ v: Double) -> String { String(format1(v)) + " ms" }
    static func format1(_ v: Double) -> String { String(Double(Int((v * 10).rounded())) / 10) }
}

/// `central-ingest`: samples/s through `POST /v1/sync/samples` from one client, beside a
/// `COPY` of the same rows into the same table in the same run.
struct CentralIngestBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "central-ingest", abstract: "Sample ingest: HTTP vs COPY.")
    @OptionGroup var target: CentralTarget
    @Option(help: "Batches of 10,000 samples.") var batches = 100
    @Option(help: "Series per reading.") var series = 125

    func run() async throws {
        let batches = self.batches, seriesCount = self.series
        let central = target.central
        try await target.withStore { store in
            let name = "bench-ingest-\(UInt32.random(in: 0...UInt32.max))"
            let token = try await store.addNode(name)
            let copyNode = try await store.addNode(name + "-copy")
            _ = copyNode
            let seriesList = (0..<seriesCount).map { SyncWire.SampleBatch.Series(name: "bench_metric", labels: ["n": "\($0)"]) }
            let perBatch = 10_000 / seriesCount
            // Readings of the last day or two, as a node back from a day offline sends them
            // (older ones would be expired by central's retention, newer ones in the future).
            var ts: Int64 = (WallClock.system.nowMillis() - Int64(batches * perBatch + 4) * 15_000) / 15_000 * 15_000
            var bodies: [ByteBuffer] = []
            var rows: [(Int64, [Double])] = []
            var after: Int64?
            for b in 0..<batches {
                var readings: [SyncWire.SampleBatch.Reading] = []
                for r in 0..<perBatch {
                    ts += 15_000
                    let values = (0..<seriesCount).map { Double(b * perBatch + r) * 0.5 + Double($0) / 8 }
                    readings.append(.init(ts: ts, clock: .synced, layout: 0, values: values))
                    rows.append((ts, values))
                }
                bodies.append(
                    try BenchHTTP.gzipJSON(
                        SyncWire.SampleBatch(node: name, after: after, series: seriesList, layouts: [Array(0..<seriesCount)], readings: readings)))
                after = ts
            }
            let total = batches * perBatch * seriesCount
            Output.progress("central-ingest: \(total) samples in \(batches) gzip batches (\(bodies.reduce(0) { $0 + $1.readableBytes } / 1024) KiB), posting")
            let httpSeconds = try await BenchHTTP.withClient { http in
                let start = ContinuousClock.now
                for body in bodies {
                    let (status, _) = try await BenchHTTP.post(http, central + "/v1/sync/samples", token: token, body: body, gzip: true)
                    guard status == 200 else { throw ValidationError("central answered \(status)") }
                }
                return Self.seconds(start.duration(to: .now))
            }

            // The same rows through COPY (text format) into the same table, for another node.
            let ids = try await store.postgresClient.query("SELECT id FROM node WHERE name = \(name + "-copy")").decode(Int32.self).reduce(into: [Int32]()) {
                $0.append($1)
            }
            let seriesIDs = try await store.postgresClient.query("SELECT id FROM series WHERE name = 'bench_metric' ORDER BY (labels)").decode(Int32.self)
                .reduce(into: [Int32]()) { $0.append($1) }
            guard let nodeID = ids.first, seriesIDs.count >= seriesCount else { throw ValidationError("bench rows missing") }
            // Series ids by label n.
            var byLabel: [String: Int32] = [:]
            for try await (id, labels) in try await store.postgresClient.query("SELECT id, labels FROM series WHERE name = 'bench_metric'").decode(
                (Int32, String).self)
            {
                byLabel[labels] = id
            }
            let sids = (0..<seriesCount).map { byLabel[SeriesKey("bench_metric", ["n": "\($0)"]).labelText]! }
            let copyStart = ContinuousClock.now
            var logger = Logger(label: "copy")
            logger.logLevel = .error
            try await store.postgresClient.withConnection { connection in
                try await connection.copyFrom(table: "sample", columns: ["node_id", "series_id", "ts", "value", "clock"], logger: logger) { writer in
                    var buffer = ByteBuffer()
                    for (ts, values) in rows {
                        for (i, v) in values.enumerated() {
                            buffer.writeString("\(nodeID)\t\(sids[i])\t\(ts)\t\(v)\t1\n")
                        }
                        if buffer.readableBytes > 1 << 20 {
                            try await writer.write(buffer)
                            buffer.clear()
                        }
                    }
                    if buffer.readableBytes > 0 { try await writer.write(buffer) }
                }
            }
            let copySeconds = Self.seconds(copyStart.duration(to: .now))
            let stored =
                try await store.postgresClient.query(
                    "SELECT count(*)::int8 FROM sample WHERE node_id = \(nodeID) OR node_id = (SELECT id FROM node WHERE name = \(name))"
                )
                .decode(Int64.self).reduce(into: [Int64]()) { $0.append($1) }.first ?? 0
            guard stored == Int64(2 * total) else { throw ValidationError("expected \(2 * total) rows, found \(stored)") }
            let httpRate = Double(total) / httpSeconds, copyRate = Double(total) / copySeconds
            Output.line("central-ingest: \(total) samples, one client, gzip JSON batches of \(perBatch * seriesCount)")
            Output.line("  HTTP POST /v1/sync/samples: \(Int(httpRate)) samples/s (\(BenchHTTP.format1(httpSeconds)) s, first send to last 200)")
            Output.line("  COPY of the same rows:      \(Int(copyRate)) samples/s (\(BenchHTTP.format1(copySeconds)) s)")
            Output.line("  ratio HTTP/COPY:            \(BenchHTTP.format1(httpRate / copyRate * 100)) %   target: HTTP >= 200000 samples/s")
        }
    }

    static func seconds(_ d: Duration) -> Double { Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18 }
}

/// `central-push`: latency of pushes of 500 task changes.
struct CentralPushBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "central-push", abstract: "Latency of 500-change pushes.")
    @OptionGroup var target: CentralTarget
    @Option(help: "Measured pushes.") var pushes = 200

    func run() async throws {
        let pushes = self.pushes, central = target.central
        try await target.withStore { store in
            let name = "bench-push-\(UInt32.random(in: 0...UInt32.max))"
            let token = try await store.addNode(name)
            var latencies: [Double] = try await BenchHTTP.withClient { http in
                var latencies: [Double] = []
                var tasks: [UUID] = []
                var physical = WallClock.system.nowMillis() - 3_600_000
                for round in 0..<(pushes + 20) {
                    var changes: [TaskChange] = []
                    for i in 0..<500 {
                        physical += 1
                        let stamp = HLCTimestamp(physical: physical, counter: 0, node: name)
                        if tasks.count < 100 || i % 2 == 0 {
                            let id = UUID()
                            tasks.append(id)
                            changes.append(
                                TaskChange(
                                    id: UUID(), taskID: id, stamp: stamp, createdAt: physical, origin: name,
                                    patch: try NewTask(title: "task \(round)-\(i)").validatedPatch()))
                        } else {
                            let id = tasks[Int.random(in: 0..<tasks.count)]
                            changes.append(
                                TaskChange(
                                    id: UUID(), taskID: id, stamp: stamp, createdAt: physical, origin: name,
                                    patch: TaskPatch(title: "edit \(round)-\(i)")))
                        }
                    }
                    let body = try BenchHTTP.gzip(SyncWire.ChangePush(node: name, changes: changes).json())
                    let (status, ms) = try await BenchHTTP.post(http, central + "/v1/sync/changes", token: token, body: body, gzip: true)
                    guard status == 200 else { throw ValidationError("central answered \(status)") }
                    if round >= 20 { latencies.append(ms) }
                    if ms > 50 { Output.progress("central-push: push \(round) took \(BenchHTTP.ms(ms))") }
                }
                return latencies
            }
            latencies.sort()
            Output.line("central-push: \(pushes) pushes of 500 changes (after 20 warm-up), one client")
            Output.line(
                "  p50 \(BenchHTTP.ms(BenchHTTP.percentile(latencies, 0.5)))  p90 \(BenchHTTP.ms(BenchHTTP.percentile(latencies, 0.9)))  p99 \(BenchHTTP.ms(BenchHTTP.percentile(latencies, 0.99)))  max \(BenchHTTP.ms(latencies.last ?? .nan))   target: p99 <= 50 ms"
            )
        }
    }
}

/// `central-fleet`: many simulated nodes each posting 60 samples every 15 s.
struct CentralFleetBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "central-fleet", abstract: "Many nodes pushing samples at once.")
    @OptionGroup var target: CentralTarget
    @Option(help: "Simulated nodes.") var nodes = 1000
    @Option(help: "Seconds to run.") var seconds = 120
    @Option(help: "Samples per push.") var samples = 60

    func run() async throws {
        let nodeCount = nodes, duration = seconds, perPush = samples, central = target.central
        let tokens: [(String, String)] = try await target.withStore { store in
            let prefix = "fleet-\(UInt32.random(in: 0...UInt32.max))"
            var out: [(String, String)] = []
            for i in 0..<nodeCount {
                out.append(("\(prefix)-\(i)", try await store.addNode("\(prefix)-\(i)")))
            }
            return out
        }
        Output.progress("central-fleet: \(nodeCount) nodes registered; running \(duration) s")
        let series = (0..<perPush).map { SyncWire.SampleBatch.Series(name: "fleet_metric", labels: ["n": "\($0)"]) }
        let start = ContinuousClock.now
        let results = try await BenchHTTP.withClient(connections: nodeCount) { http in
            try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
                for (index, (name, token)) in tokens.enumerated() {
                    group.addTask {
                        var latencies: [Double] = []
                        var errors = 0
                        var after: Int64?
                        // Recent timestamps: central's retention expires anything older than 14 days.
                        var ts: Int64 = WallClock.system.nowMillis() - 3_600_000
                        // Seeded phase: nodes spread over the 15 s period.
                        let phase = Duration.milliseconds(index * 15_000 / nodeCount)
                        var next = start + phase
                        while next < start + .seconds(duration) {
                            try await Task.sleep(until: next, clock: .continuous)
                            ts += 15_000
                            let reading = SyncWire.SampleBatch.Reading(
                                ts: ts, clock: .synced, layout: 0, values: (0..<perPush).map { Double($0) + Double(ts % 1000) })
                            let body = try BenchHTTP.gzipJSON(
                                SyncWire.SampleBatch(node: name, after: after, series: series, layouts: [Array(0..<perPush)], readings: [reading]))
                            do {
                                let (status, ms) = try await BenchHTTP.post(http, central + "/v1/sync/samples", token: token, body: body, gzip: true)
                                if status == 200 { latencies.append(ms); after = ts } else { errors += 1 }
                            } catch {
                                errors += 1
                            }
                            next = next + .seconds(15)
                        }
                        return (latencies, errors)
                    }
                }
                var all: [Double] = []
                var errors = 0
                for try await (l, e) in group { all += l; errors += e }
                return (all.sorted(), errors)
            }
        }
        let (latencies, errors) = results
        let rate = Double(latencies.count) / Double(duration)
        Output.line(
            "central-fleet: \(nodeCount) nodes x \(perPush) samples every 15 s for \(duration) s: \(latencies.count) pushes (\(BenchHTTP.format1(rate)) req/s, \(Int(rate * Double(perPush))) samples/s), \(errors) errors"
        )
        Output.line(
            "  p50 \(BenchHTTP.ms(BenchHTTP.percentile(latencies, 0.5)))  p99 \(BenchHTTP.ms(BenchHTTP.percentile(latencies, 0.99)))  max \(BenchHTTP.ms(latencies.last ?? .nan))   target: p99 <= 100 ms, 0 errors"
        )
    }
}
