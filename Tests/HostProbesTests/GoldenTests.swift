import Foundation
import Testing

@testable import HostProbes

/// One end-to-end reading per fixture tree, compared with `Tests/Fixtures/<tree>.{prom,json,txt}`.
/// Regenerate: `UPDATE_GOLDENS=1 swift test --filter GoldenTests`, then read the diff.
@Suite struct GoldenTests {
    @Test(arguments: ["rpi4", "rpi5", "garbage", "empty"])
    func readingMatchesGolden(tree: String) throws {
        let reading = try Fixtures.reader(tree).read()
        try Fixtures.expectGolden(PrometheusExposition.render(reading.metricFamilies), file: "\(tree).prom")
        try Fixtures.expectGolden(try reading.json(node: "rpi-worker-1") + "\n", file: "\(tree).json")
        try Fixtures.expectGolden(reading.text(node: "rpi-worker-1"), file: "\(tree).txt")
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
