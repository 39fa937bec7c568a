import ArgumentParser
import AsyncHTTPClient
import CentralStore
import CommandLineSupport
import Foundation
import LocalStore
import Logging
import Sync

/// `sync-drain`: an agent with a 7-day backlog (readings and task changes) meets an empty
/// central: how fast it drains end to end, the agent's RssAnon meanwhile, and the latency of
/// the household's task list on that agent during the drain.
struct SyncDrainBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "sync-drain", abstract: "Drain a 7-day backlog into central.")
    @OptionGroup var target: CentralTarget
    @Option(help: "The edge-agent binary to run.") var agent: String
    @Option(help: "Readings in the backlog (7 days at 15 s = 40320).") var readings = 40_320
    @Option(help: "Series per reading (40 x 40320 = 1.6 million samples).") var series = 40
    @Option(help: "Pending task changes.") var changes = 10_000
    @Option(help: "Scratch directory (removed afterwards).") var scratch = "/tmp"

    func run() async throws {
        let dir = scratch + "/edge-drain-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let node = "drain-\(UInt32.random(in: 0...UInt32.max))"

        // The backlog, written as the agent would have recorded it while offline.
        let store = try LocalStore(directory: dir + "/data", configuration: .init(nodeName: node))
        let keys = (0..<series).map { SeriesKey("drain_metric", ["n": "\($0)"]) }
        let end = WallClock.system.nowMillis() - 60_000
        var ts = end - Int64(readings) * 15_000
        for i in 0..<readings {
            ts += 15_000
            var values: [SeriesKey: Double] = [:]
            for (n, key) in keys.enumerated() { values[key] = Double(i) * 0.25 + Double(n) }
            try store.record(MetricReading(timestamp: ts, clockSynchronized: true, values: values))
            if i % 10_000 == 0 { Output.progress("sync-drain: backlog \(i)/\(readings) readings") }
        }
        for i in 0..<changes { _ = try store.createTask(NewTask(title: "backlog \(i)")) }
        try store.checkpoint()
        try store.close()
        let total = readings * series
        Output.progress("sync-drain: backlog of \(total) samples and \(changes) task changes ready")

        let token = try await target.withStore { try await $0.addNode(node) }
        try (token + "\n").write(toFile: dir + "/token", atomically: true, encoding: .utf8)
        let empty = dir + "/host"
        try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: true)

        let port = Int.random(in: 30_000...40_000)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: agent)
        process.arguments = [
            "run", "--data-dir", dir + "/data", "--node-name", node, "--listen", "127.0.0.1:\(port)",
            "--host-root", empty, "--sample-interval", "1h", "--central-url", target.central,
            "--central-token-file", dir + "/token", "--log-level", "warning",
        ]
        let started = ContinuousClock.now
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let pid = process.processIdentifier

        let (elapsed, maxRss, latencies) = try await BenchHTTP.withClient { http -> (Double, Int, [Double]) in
            var maxRss = 0
            var latencies: [Double] = []
            var lastGet = ContinuousClock.now - .seconds(1)
            var lastCheck = ContinuousClock.now
            while true {
                guard process.isRunning else { throw ValidationError("the agent exited (status \(process.terminationStatus))") }
                if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                    let line = status.split(separator: "\n").first(where: { $0.hasPrefix("RssAnon:") }),
                    let kb = Int(line.split(separator: " ").dropFirst().first ?? "")
                {
                    maxRss = max(maxRss, kb)
                }
                if ContinuousClock.now - lastGet >= .milliseconds(100) {
                    lastGet = .now
                    let start = ContinuousClock.now
                    if let response = try? await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/v1/tasks"), timeout: .seconds(10)) {
                        _ = try? await response.body.collect(upTo: 64 << 20)
                        if response.status.code == 200 { latencies.append(CentralIngestBenchmark.seconds(start.duration(to: .now)) * 1000) }
                    }
                }
                if ContinuousClock.now - lastCheck >= .milliseconds(500) {
                    lastCheck = .now
                    let stored = try await target.withStore { store in try await store.nodes().first { $0.name == node }?.samplesStored ?? 0 }
                    let tasks = try await target.withStore { store in try await store.tasks(.all).count }
                    if stored >= Int64(total) && tasks >= changes { break }
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            return (CentralIngestBenchmark.seconds(started.duration(to: .now)), maxRss, latencies.sorted())
        }
        process.terminate()
        process.waitUntilExit()
        Output.line("sync-drain: \(total) samples (\(readings) readings x \(series) series) and \(changes) task changes, agent start to all stored at central")
        Output.line("  \(Int(Double(total) / elapsed)) samples/s end to end (\(BenchHTTP.format1(elapsed)) s)   target: >= 100000")
        Output.line("  agent RssAnon max \(BenchHTTP.format1(Double(maxRss) / 1024)) MB (sampled every 50-100 ms)   target: <= 24 MB")
        Output.line(
            "  GET /v1/tasks on the agent during the drain (\(latencies.count) requests, \(changes) tasks): p50 \(BenchHTTP.ms(BenchHTTP.percentile(latencies, 0.5))) p99 \(BenchHTTP.ms(BenchHTTP.percentile(latencies, 0.99)))   target: p99 <= 50 ms"
        )
    }
}
