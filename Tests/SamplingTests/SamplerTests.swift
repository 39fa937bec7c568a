import Foundation
import HostProbes
import LocalStore
import Logging
import Sampling
import Sync
import TestSupport
import Testing

@Suite struct SamplerTests {
    let dir = TemporaryDirectory()
    let t0: Int64 = 1_763_788_800_000
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path

    func sampler(_ tree: String, synchronized: Bool? = true, at now: Int64? = nil, stored: StoredMetrics = .default) throws
        -> (Sampler, LocalStore, LatestReading)
    {
        let store = try LocalStore(directory: dir.path, configuration: .init(nodeName: "rpi-worker-1"))
        let reader = HardwareReader(
            root: HostRoot(Self.fixtures + "/" + tree),
            filesystemStatistics: StubFilesystemStatistics(sizeBytes: 32_000_000_000, availBytes: 20_000_000_000),
            clock: FixedClockSynchronization(synchronized))
        let latest = LatestReading()
        let sampler = Sampler(
            reader: reader, store: store, interval: .seconds(15), wallClock: .fixed(now ?? t0), latest: latest,
            logger: Logger(label: "test"), stored: stored)
        return (sampler, store, latest)
    }

    /// `/metrics` shows node_exporter's full set, but by default the store keeps today's curated series only:
    /// no scrape-only family reaches the database.
    @Test func theDefaultStoredSetIsTheCuratedReading() throws {
        let (sampler, store, latest) = try sampler("rpi4")
        sampler.sampleOnce()
        let values = try store.storedReadings(after: .min, limit: 1)[0].values
        #expect(values == latest.value!.reading.seriesValues)
        for name in [
            "node_uname_info", "node_vmstat_pgfault", "node_network_receive_packets_total", "node_scrape_collector_success",
            "node_pressure_io_waiting_seconds_total", "node_disk_io_time_seconds_total", "node_filesystem_files",
        ] {
            #expect(!values.keys.contains { $0.name == name }, "\(name)")
        }
    }

    @Test func moreFamiliesCanBeStoredByName() throws {
        let (sampler, store, latest) = try sampler("rpi4", stored: try StoredMetrics.parse("default,node_pressure_*,node_procs_running"))
        sampler.sampleOnce()
        let values = try store.storedReadings(after: .min, limit: 1)[0].values
        #expect(values[SeriesKey("node_pressure_io_waiting_seconds_total")] == 1210.334522)
        #expect(values[SeriesKey("node_procs_running")] == 1)
        #expect(values.count == latest.value!.reading.seriesValues.count + 6)
    }

    @Test func theStoredSetCanBeNarrowed() throws {
        let (sampler, store, _) = try sampler("rpi4", stored: try StoredMetrics.parse("node_load1,edge_rpi_*"))
        sampler.sampleOnce()
        let names = Set(try store.storedReadings(after: .min, limit: 1)[0].values.keys.map(\.name))
        #expect(names == ["node_load1", "edge_rpi_throttled", "edge_rpi_under_voltage_alarm"])
    }

    @Test func storedMetricsRefuseWhatIsNoName() {
        #expect(throws: StoredMetrics.ParseError.self) { try StoredMetrics.parse("node-load") }
        #expect(throws: StoredMetrics.ParseError.self) { try StoredMetrics.parse("") }
        #expect(throws: StoredMetrics.ParseError.self) { try StoredMetrics.parse("1node") }
        #expect((try? StoredMetrics.parse("default"))?.isDefault == true)
        #expect((try? StoredMetrics.parse("default,node_x*"))?.description == "default,node_x*")
    }

    @Test func aSampleStoresEveryValueOfTheReadingInOneRow() throws {
        let (sampler, store, latest) = try sampler("rpi4")
        #expect(sampler.sampleOnce() == t0)
        let readings = try store.storedReadings(after: .min, limit: 10)
        #expect(readings.count == 1)
        let expected = try #require(latest.value).reading.seriesValues
        #expect(readings[0].values == expected)
        #expect(readings[0].values[SeriesKey("node_thermal_zone_temp", ["type": "cpu-thermal", "zone": "0"])] == 48.686)
        #expect(readings[0].values[SeriesKey("node_cpu_scaling_frequency_hertz", ["cpu": "2"])] == 1_800_000_000)
        #expect(readings[0].values[SeriesKey("edge_rpi_under_voltage_alarm")] == 1)
        #expect(readings[0].clockSynchronized)
        #expect(expected.count > 100)
    }

    @Test func aReadingTakenBeforeNetworkTimeIsMarked() throws {
        let (sampler, store, _) = try sampler("rpi5", synchronized: false)
        sampler.sampleOnce()
        #expect(try store.storedReadings(after: .min, limit: 1)[0].clockSynchronized == false)
    }

    @Test func aGarbageTreeStoresOnlyWhatParsed() throws {
        let (sampler, store, latest) = try sampler("garbage")
        sampler.sampleOnce()
        let values = try store.storedReadings(after: .min, limit: 1)[0].values
        #expect(values == latest.value!.reading.seriesValues)
        #expect(values[SeriesKey("node_memory_MemAvailable_bytes")] == nil, "a truncated meminfo line is not a number")
        #expect(values[SeriesKey("node_load5")] == nil, "garbage in loadavg is not 0")
        let allFinite = values.values.allSatisfy { $0.isFinite }
        #expect(allFinite)
        #expect(!latest.value!.reading.issues.isEmpty)
    }

    @Test func anEmptyTreeGivesAnEmptyButValidReading() throws {
        let (sampler, store, _) = try sampler("empty")
        #expect(sampler.sampleOnce() != nil)
        #expect(try store.storedReadings(after: .min, limit: 1)[0].values.isEmpty)
    }

    @Test func consecutiveSamplesBuildASeries() throws {
        let store = try LocalStore(directory: dir.path, configuration: .init(nodeName: "n"))
        let latest = LatestReading()
        for i in 0..<5 {
            let sampler = Sampler(
                reader: HardwareReader(
                    root: HostRoot(Self.fixtures + "/rpi4"), filesystemStatistics: StubFilesystemStatistics { _ in nil },
                    clock: FixedClockSynchronization(true)),
                store: store, interval: .seconds(15), wallClock: .fixed(t0 + Int64(i) * 15_000), latest: latest, logger: Logger(label: "t"))
            sampler.sampleOnce()
        }
        let load = try store.series(name: "node_load1", since: t0, until: t0 + 60_000)
        #expect(load.count == 1 && load[0].points.count == 5)
        #expect(load[0].points.allSatisfy { $0.value == 0.52 })
    }

    @Test func maintenanceAppliesTheRetentionPolicy() throws {
        let store = try LocalStore(directory: dir.path, configuration: .init(nodeName: "n"))
        for i in 0..<120 {
            try store.record(MetricReading(timestamp: t0 + Int64(i) * 60_000, clockSynchronized: true, values: [SeriesKey("x"): Double(i)]))
        }
        var policy = RetentionPolicy()
        policy.raw = 30 * 60_000
        let maintenance = MetricsMaintenance(
            store: store, policy: policy, protectUndelivered: false,
            wallClock: .fixed(t0 + 120 * 60_000), logger: Logger(label: "t"))
        maintenance.maintainOnce()
        #expect(try store.rawMetricCounts().readings == 30)
        let hourly = try store.series(name: "x", since: t0, until: t0 + 120 * 60_000, step: 3_600_000)
        // t0 is 05:20 UTC: the hour buckets hold 40, 60 and 20 one-minute readings.
        #expect(hourly[0].buckets.map(\.count) == [40, 60, 20])
        #expect(hourly[0].buckets.map(\.timestamp) == [t0 - 20 * 60_000, t0 + 40 * 60_000, t0 + 100 * 60_000])
    }
}
