import Foundation
import LocalStore
import Sync
import TestSupport
import Testing

@Suite struct MetricStoreTests {
    let dir = TemporaryDirectory()
    let t0: Int64 = 1_763_788_800_000
    let day: Int64 = 86_400_000

    func open() throws -> LocalStore {
        try LocalStore(directory: dir.path, configuration: .init(nodeName: "rpi-worker-1"))
    }

    static let idle0 = SeriesKey("node_cpu_seconds_total", ["cpu": "0", "mode": "idle"])
    static let idle1 = SeriesKey("node_cpu_seconds_total", ["cpu": "1", "mode": "idle"])
    static let temp = SeriesKey("node_thermal_zone_temp", ["type": "cpu-thermal", "zone": "0"])

    /// A deterministic reading for sample number `i`.
    func reading(_ i: Int, interval: Int64) -> MetricReading {
        MetricReading(
            timestamp: t0 + Int64(i) * interval, clockSynchronized: true,
            values: [
                Self.idle0: Double(i) * 10, Self.idle1: Double(i) * 10 + 1, Self.temp: 40 + Double(i % 7),
            ])
    }

    @Test func rawSeriesComeBackInTimeOrderFilteredByLabels() throws {
        let store = try open()
        for i in 0..<10 { try store.record(reading(i, interval: 15_000)) }
        let cpu = try store.series(name: "node_cpu_seconds_total", since: t0, until: t0 + day)
        #expect(cpu.map(\.series) == [Self.idle0, Self.idle1])
        #expect(cpu[0].points.map(\.value) == (0..<10).map { Double($0) * 10 })
        #expect(cpu[0].points.map(\.timestamp) == (0..<10).map { t0 + Int64($0) * 15_000 })
        let one = try store.series(name: "node_cpu_seconds_total", labels: ["cpu": "1"], since: t0 + 15_000, until: t0 + 30_000)
        #expect(one.count == 1 && one[0].points.map(\.value) == [11, 21])
        #expect(try store.series(name: "nope", since: t0, until: t0 + day).isEmpty)
    }

    @Test func aReadingStampedBeforeTheLastIsStoredAfterItAndMarked() throws {
        let store = try open()
        try store.record(reading(10, interval: 1000))
        let stored = try store.record(MetricReading(timestamp: t0 - 365 * day, clockSynchronized: true, values: [Self.temp: 41]))
        #expect(stored == t0 + 10_000 + 1)
        let readings = try store.storedReadings(after: .min, limit: 10)
        #expect(readings.map(\.timestamp) == [t0 + 10_000, t0 + 10_001])
        #expect(readings.map(\.clockSynchronized) == [true, false])
        #expect(readings[1].values == [Self.temp: 41])
    }

    @Test func nonFiniteValuesAreNotStored() throws {
        let store = try open()
        try store.record(MetricReading(timestamp: t0, clockSynchronized: true, values: [Self.temp: .nan, Self.idle0: 1, Self.idle1: .infinity]))
        #expect(try store.storedReadings(after: .min, limit: 1)[0].values == [Self.idle0: 1])
    }

    @Test func seriesSetsCanChangeBetweenReadings() throws {
        let store = try open()
        try store.record(MetricReading(timestamp: t0, clockSynchronized: true, values: [Self.temp: 40]))
        try store.record(MetricReading(timestamp: t0 + 1000, clockSynchronized: true, values: [Self.temp: 41, Self.idle0: 5]))
        try store.close()
        let reopened = try open()
        try reopened.record(MetricReading(timestamp: t0 + 2000, clockSynchronized: true, values: [Self.idle0: 6]))
        #expect(try reopened.series(name: "node_thermal_zone_temp", since: t0, until: t0 + 5000)[0].points.map(\.value) == [40, 41])
        #expect(try reopened.series(name: "node_cpu_seconds_total", since: t0, until: t0 + 5000)[0].points.map(\.value) == [5, 6])
    }

    /// 30 simulated days at one reading per 5 minutes, maintained as it goes with short
    /// retention periods: every sample is counted exactly once across raw, minute and hour
    /// storage, and stepped queries agree with the values that were recorded.
    @Test func thirtySimulatedDaysRollUpWithoutLosingOrDoublingSamples() throws {
        let store = try open()
        var policy = RetentionPolicy()
        policy.raw = 2 * day
        policy.minute = 7 * day
        policy.hour = 20 * day
        let interval: Int64 = 300_000
        let total = Int(30 * day / interval)
        var report = MaintenanceReport()
        for i in 0..<total {
            try store.record(reading(i, interval: interval))
            if i % 288 == 287 {  // once a simulated day
                let r = try store.maintainMetrics(policy, now: t0 + Int64(i) * interval)
                report.rolledUpReadings += r.rolledUpReadings
                report.droppedSamples += r.droppedSamples
            }
        }
        let now = t0 + Int64(total - 1) * interval
        let last = try store.maintainMetrics(policy, now: now)
        report.rolledUpReadings += last.rolledUpReadings
        report.droppedSamples += last.droppedSamples
        #expect(last.longestTransactionMillis < 250, "batches stay small")

        // Raw only within the raw retention.
        let raw = try store.storedReadings(after: .min, limit: 100_000)
        #expect(raw.first!.timestamp >= now - policy.raw)
        #expect(raw.count == Int(policy.raw / interval) + 1)

        // Hour-step view of the temperature over everything: counts add up to what was kept.
        let buckets = try store.series(name: "node_thermal_zone_temp", since: t0 - day, until: now, step: 3_600_000)
        let kept = buckets[0].buckets.reduce(0) { $0 + $1.count }
        let dropped = try store.samplesDroppedTotal()
        #expect(kept + Int(dropped / 3) == total, "every sample counted once: kept \(kept), dropped \(dropped / 3) readings")
        #expect(dropped > 0, "hour rollups older than 20 days were dropped")
        #expect(buckets[0].buckets.first!.timestamp >= now - policy.hour - 3_600_000)

        // Each hour bucket agrees with the recorded values, whichever storage it came from.
        for bucket in buckets[0].buckets {
            let indexes = (0..<total).filter {
                let ts = t0 + Int64($0) * interval
                return ts >= bucket.timestamp && ts < bucket.timestamp + 3_600_000
            }
            let values = indexes.map { 40 + Double($0 % 7) }
            #expect(bucket.count == values.count)
            #expect(bucket.min == values.min() && bucket.max == values.max())
            #expect(abs(bucket.sum - values.reduce(0, +)) < 1e-6)
        }
    }

    @Test func theBudgetRollsUpThenDropsOldMetricsButNeverTasks() throws {
        let store = try open()
        for i in 0..<20 { _ = try store.createTask(NewTask(title: "task \(i)")) }
        let interval: Int64 = 60_000
        let total = 3000
        for i in 0..<total {
            var wide = reading(i, interval: interval)
            for d in 0..<40 { wide.values[SeriesKey("node_disk_read_bytes_total", ["device": "sd\(d)"])] = Double(i * d) }
            try store.record(wide)
        }
        let before = try store.usedBytes()
        var policy = RetentionPolicy()
        policy.maxBytes = before / 3
        let now = t0 + Int64(total) * interval
        let report = try store.maintainMetrics(policy, now: now)
        let used = try store.usedBytes(), counts = try store.rawMetricCounts()
        #expect(used <= policy.maxBytes, "used \(used) of \(policy.maxBytes), before \(before), raw \(counts)")
        #expect(report.rolledUpReadings > 0 && report.droppedSamples > 0)
        #expect(try store.samplesDroppedTotal() == report.droppedSamples)
        #expect(try store.tasks().count == 20)
        // The last hour stays raw.
        let raw = try store.storedReadings(after: now - policy.keepRecentRaw - 1, limit: 1000)
        #expect(raw.count == Int(policy.keepRecentRaw / interval))
        #expect(raw.last?.values.count == 43)
        #expect(try store.integrityCheck() == ["ok"])
    }

    @Test func undeliveredReadingsOutliveRetentionWhileACentralIsConfigured() throws {
        let store = try open()
        for i in 0..<100 { try store.record(reading(i, interval: 60_000)) }
        var policy = RetentionPolicy()
        policy.raw = 10 * 60_000
        let report = try store.maintainMetrics(policy, now: t0 + 100 * 60_000, protectUndelivered: true)
        #expect(report.rolledUpReadings == 0)
        #expect(try store.rawMetricCounts().readings == 100)
        let standalone = try store.maintainMetrics(policy, now: t0 + 100 * 60_000, protectUndelivered: false)
        #expect(standalone.rolledUpReadings == 90)
        #expect(standalone.droppedSamples == 0)
    }
}
