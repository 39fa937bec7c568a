import ArgumentParser
import CommandLineSupport
import LocalStore
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Fills a data directory with metric readings: until the database reaches a size (start-up
/// and query benchmarks on a realistically large database), or a given number of readings
/// ending now (a backlog recorded offline, for the sync tests and the drain benchmark).
struct FillDatabase: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fill-db", abstract: "Grow a database with readings.")

    @Option(help: "Data directory.") var dataDir: String
    @Option(help: "Target size in megabytes (ignored with --readings).") var megabytes = 100
    @Option(help: "Exactly this many readings, the last one --interval before now (0: fill to --megabytes).") var readings = 0
    @Option(help: "Milliseconds between readings.") var interval: Int64 = 15_000
    @Option(help: "Series per reading.") var series = 150
    @Option(help: "Tasks to add too.") var tasks = 200
    @Option(help: "The node the tasks are stamped by (the agent's --node-name, for a backlog it will push).")
    var nodeName = "bench"

    func validate() throws {
        guard readings >= 0, interval > 0, series > 0, tasks >= 0 else {
            throw ValidationError("--readings, --tasks must be >= 0; --interval and --series > 0")
        }
    }

    func run() throws {
        let store = try LocalStore(directory: dataDir, configuration: .init(nodeName: nodeName))
        for i in 0..<tasks { _ = try store.createTask(NewTask(title: "task \(i)")) }
        let keys = (0..<series).map { SeriesKey("bench_metric", ["n": "\($0)"]) }
        var ts: Int64 = readings > 0 ? WallClock.system.nowMillis() - Int64(readings) * interval : 1_700_000_000_000
        var i = 0
        while readings > 0 ? i < readings : store.diskUsage() < Int64(megabytes) * 1_000_000 {
            ts += interval
            i += 1
            var values: [SeriesKey: Double] = [:]
            for (n, key) in keys.enumerated() { values[key] = Double(i * n) + 0.25 }
            try store.record(MetricReading(timestamp: ts, clockSynchronized: true, values: values))
            if i % 20_000 == 0 { Output.progress("fill-db: \(i) readings, \(store.diskUsage() / 1_000_000) MB") }
        }
        try store.checkpoint()
        Output.line("fill-db: \(dataDir): \(store.diskUsage() / 1_000_000) MB, \(i) readings, \(tasks) tasks")
    }
}
