import CommandLineSupport
import ArgumentParser
import LocalStore
import Sync
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Fills a data directory with metric readings until the database reaches a size, for
/// start-up and query benchmarks on a realistically large database.
struct FillDatabase: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "fill-db", abstract: "Grow a database to a size with readings.")

    @Option(help: "Data directory.") var dataDir: String
    @Option(help: "Target size in megabytes.") var megabytes = 100
    @Option(help: "Tasks to add too.") var tasks = 200

    func run() throws {
        let store = try LocalStore(directory: dataDir, configuration: .init(nodeName: "bench"))
        for i in 0..<tasks { _ = try store.createTask(NewTask(title: "task \(i)")) }
        let keys = (0..<150).map { SeriesKey("bench_metric", ["n": "\($0)"]) }
        var ts: Int64 = 1_700_000_000_000, i = 0
        while store.diskUsage() < Int64(megabytes) * 1_000_000 {
            ts += 15_000
            i += 1
            var values: [SeriesKey: Double] = [:]
            for (n, key) in keys.enumerated() { values[key] = Double(i * n) + 0.25 }
            try store.record(MetricReading(timestamp: ts, clockSynchronized: true, values: values))
            if i % 20_000 == 0 { Output.progress("fill-db: \(store.diskUsage() / 1_000_000) MB") }
        }
        try store.checkpoint()
        Output.line("fill-db: \(dataDir): \(store.diskUsage() / 1_000_000) MB, \(i) readings, \(tasks) tasks")
    }
}
