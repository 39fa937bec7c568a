import Foundation
import Testing

@testable import HostProbes

/// One end-to-end reading per fixture tree, compared with `Tests/Fixtures/<tree>.{prom,json,txt}`: the `.prom` file
/// is a scrape with every collector (what `/metrics` shows for the hardware), the others the sampler's reading.
/// Regenerate: `UPDATE_GOLDENS=1 swift test --filter GoldenTests`, then read the diff.
@Suite struct GoldenTests {
    @Test(arguments: ["rpi4", "rpi5", "garbage", "empty"])
    func readingMatchesGolden(tree: String) throws {
        let reader = try Fixtures.reader(tree)
        let reading = reader.read()
        try Fixtures.expectGolden(PrometheusExposition.render(reader.scrape().families), file: "\(tree).prom")
        try Fixtures.expectGolden(try reading.json(node: "rpi-worker-1") + "\n", file: "\(tree).json")
        try Fixtures.expectGolden(reading.text(node: "rpi-worker-1"), file: "\(tree).txt")
    }

    /// What the sampler stores is what `/metrics` shows: the same series with the same values.
    @Test(arguments: ["rpi4", "rpi5", "garbage", "empty"])
    func everyStoredSeriesIsScrapedWithTheSameValue(tree: String) throws {
        let reader = try Fixtures.reader(tree)
        let scraped = Dictionary(
            reader.scrape().families.flatMap { family in family.samples.map { (family.name + "\($0.labels)", $0.value) } },
            uniquingKeysWith: { first, _ in first })
        for family in reader.read().metricFamilies {
            for sample in family.samples {
                #expect(scraped[family.name + "\(sample.labels)"] == sample.value, "\(family.name)\(sample.labels)")
            }
        }
    }

    @Test func readingTwiceGivesTheSameResult() throws {
        let reader = try Fixtures.reader("rpi5")
        #expect(reader.read() == reader.read())
    }

    @Test func garbageNeverBecomesZero() throws {
        let reading = try Fixtures.reader("garbage").read()
        let samples = reading.metricFamilies.flatMap { family in family.samples.map { (family.name, $0) } }
        #expect(!samples.contains { $0.0 == "node_load5" })
        #expect(!samples.contains { $0.0 == "node_boot_time_seconds" })
        #expect(!samples.contains { $0.0 == "edge_rpi_throttled" })
        #expect(!samples.contains { $0.0 == "edge_rpi_under_voltage_alarm" })
        #expect(!samples.contains { $0.0 == "node_hwmon_fan_rpm" })
        #expect(!samples.contains { $0.0 == "node_memory_Buffers_bytes" || $0.0 == "node_memory_MemAvailable" })
        #expect(samples.filter { $0.0 == "node_thermal_zone_temp" }.map { $0.1.value } == [47.2])
        #expect(samples.allSatisfy { $0.1.value.isFinite })

        let scraped = try Fixtures.reader("garbage").scrape().families.flatMap { family in family.samples.map { (family.name, $0) } }
        #expect(scraped.allSatisfy { $0.1.value.isFinite })
        for absent in [
            "node_hwmon_fan_rpm", "node_vmstat_pgfault", "node_pressure_cpu_waiting_seconds_total", "node_filefd_allocated",
            "node_entropy_available_bits", "node_netstat_Tcp_ActiveOpens", "node_netstat_Udp_InErrors", "node_sockstat_TCP_inuse",
            "node_network_mtu_bytes", "node_os_info", "node_time_clocksource_current_info", "node_load5",
            "node_boot_time_seconds",
        ] {
            #expect(!scraped.contains { $0.0 == absent }, "\(absent)")
        }
        // The good values next to the bad ones are kept.
        #expect(scraped.contains { $0.0 == "node_vmstat_pgmajfault" && $0.1.value == 4120 })
        #expect(scraped.contains { $0.0 == "node_netstat_Udp_InDatagrams" && $0.1.value == 40112 })
        #expect(scraped.contains { $0.0 == "node_network_up" && $0.1.value == 1 })
        #expect(scraped.contains { $0.0 == "node_softnet_processed_total" && $0.1[label: "cpu"] == "1" })
        #expect(!scraped.contains { $0.0 == "node_softnet_processed_total" && $0.1[label: "cpu"] == "0" })
    }

    @Test func anEmptyHostExportsNothingAndSaysWhy() throws {
        let reading = try Fixtures.reader("empty").read()
        #expect(reading.metricFamilies.isEmpty)
        #expect(Set(reading.issues.map(\.probe)).count >= 12)
        #expect(Set(reading.issues).count == reading.issues.count)
    }

    @Test func issueLogReportsEachIssueOnce() throws {
        let reader = try Fixtures.reader("garbage")
        var log = ProbeIssueLog()
        #expect(!log.firstSeen(reader.read().issues).isEmpty)
        #expect(log.firstSeen(reader.read().issues).isEmpty)
    }
}
