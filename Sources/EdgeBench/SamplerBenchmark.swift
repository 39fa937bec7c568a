import ArgumentParser
import CommandLineSupport
import HostProbes
import LocalStore
import Logging
import Sampling
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// The sampler on a fixture tree: CPU per cycle (read, parse, store), bytes written to disk per
/// stored sample (WAL and checkpoints included, from /proc/self/io), and the database size
/// after a simulated week at the default interval.
struct SamplerBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sampler", abstract: "Sampling cost, bytes written per sample, and a week's database size.")

    @Option(help: "Fixture tree to read (a Raspberry Pi 4 by default).") var hostRoot = "Tests/Fixtures/rpi4"
    @Option(help: "Rounds of cycles for the CPU figure.") var rounds = 15
    @Option(help: "Cycles per round.") var cycles = 100
    @Option(help: "Simulated days for the size figure.") var days = 7
    @Option(help: "Scratch directory.") var dir = ".build/bench"

    func run() throws {
        let reader = HardwareReader(
            root: HostRoot(hostRoot),
            filesystemStatistics: StubFilesystemStatistics(sizeBytes: 31_068_966_912, availBytes: 22_906_105_856),
            clock: FixedClockSynchronization(true))
        let series = reader.read().seriesValues.count
        guard series > 0 else { throw BenchError("no metrics under \(hostRoot); run from the repository root") }

        // 1. CPU per cycle.
        let cpuDir = "\(dir)/sampler-cpu"
        try? FileManager.default.removeItem(atPath: cpuDir)
        var now: Int64 = 1_763_788_800_000
        let clock = MutableClock(now)
        // CLOCK_BOOTTIME follows the simulated wall clock, as the real one follows the real
        // clock: otherwise every 15 s step would look like a clock step to the re-timing.
        var configuration = LocalStore.Configuration(nodeName: "bench")
        let bootStart = now - 60_000
        configuration.boot = BootClock(bootID: "sampler-bench") { [clock] in clock.wallClock.nowMillis() - bootStart }
        let store = try LocalStore(directory: cpuDir, configuration: configuration)
        let sampler = Sampler(
            reader: reader, store: store, interval: .seconds(15), wallClock: clock.wallClock,
            latest: LatestReading(), logger: Logger(label: "bench"))
        var perCycle: [Double] = []
        for _ in 0..<rounds {
            let start = CPUTime.now()
            for _ in 0..<cycles {
                now += 15_000
                clock.set(now)
                sampler.sampleOnce()
            }
            perCycle.append((CPUTime.now() - start) / Double(cycles) * 1000)
        }

        // 2. Bytes written per sample, WAL and its checkpoint included.
        let writtenBefore = IOCounters.writeBytes()
        let ioCycles = rounds * cycles
        for _ in 0..<ioCycles {
            now += 15_000
            clock.set(now)
            sampler.sampleOnce()
        }
        try store.checkpoint()
        let written = IOCounters.writeBytes() - writtenBefore
        try store.close()
        try? FileManager.default.removeItem(atPath: cpuDir)

        // 3. A simulated week at 15 s.
        let sizeDir = "\(dir)/sampler-week"
        try? FileManager.default.removeItem(atPath: sizeDir)
        let week = try LocalStore(directory: sizeDir, configuration: .init(nodeName: "bench"))
        let values = reader.read().seriesValues
        let readings = days * 86_400 / 15
        var ts: Int64 = 1_763_788_800_000
        for i in 0..<readings {
            ts += 15_000
            // Counters move, gauges wobble: values change, sizes do not.
            try week.record(MetricReading(timestamp: ts, clockSynchronized: true, values: values.mapValues { $0 + Double(i % 97) }))
            if i % 5760 == 5759 { Output.progress("week: day \((i + 1) / 5760) of \(days)") }
        }
        try week.maintainMetrics(RetentionPolicy(), now: ts)
        try week.checkpoint()
        let size = week.diskUsage()
        // Then roll all but the last day up at once: the longest single transaction is how long
        // a task write could have to wait behind maintenance.
        var oneDay = RetentionPolicy()
        oneDay.raw = 86_400_000
        let rollup = try week.maintainMetrics(oneDay, now: ts)
        try week.close()
        try? FileManager.default.removeItem(atPath: sizeDir)

        let cpu = perCycle.sorted()[perCycle.count / 2]
        Output.line("sampler: \(series) series per reading from \(hostRoot)")
        Output.line("sampler: CPU per cycle (read, parse, store) median \(format(cpu)) ms over \(rounds) rounds of \(cycles) (target <= 0.5 ms)")
        Output.line(
            "sampler: bytes written per stored sample \(format(Double(written) / Double(ioCycles * series))) "
                + "(\(written) bytes for \(ioCycles) readings, WAL and checkpoint included; target <= 60)")
        Output.line("sampler: database after \(days) simulated days at 15 s: \(format(Double(size) / 1_000_000)) MB (\(readings) readings; target <= 60 MB)")
        Output.line(
            "sampler: rolling up \(rollup.rolledUpReadings) readings took \(rollup.transactions) transactions, "
                + "the longest \(format(rollup.longestTransactionMillis)) ms (a task write waits at most that long)")
    }

    private func format(_ value: Double) -> String {
        let hundredths = Int((value * 100).rounded())
        return "\(hundredths / 100).\(hundredths % 100 < 10 ? "0" : "")\(hundredths % 100)"
    }
}

/// A wall clock the benchmark advances.
final class MutableClock: @unchecked Sendable {
    private var millis: Int64
    init(_ millis: Int64) { self.millis = millis }
    func set(_ value: Int64) { millis = value }
    var wallClock: WallClock { WallClock { [self] in millis } }
}

/// Process CPU time (user + system), seconds.
enum CPUTime {
    static func now() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }
}

/// `write_bytes` of /proc/self/io: bytes this process caused to be sent to storage.
enum IOCounters {
    static func writeBytes() -> Int64 {
        guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix("write_bytes:") {
            return Int64(line.dropFirst("write_bytes:".count).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        return 0
    }
}
