import TestSupport
import Foundation
import Testing

/// `edge-agent hw` and the daemon's hardware options, through the real binary.
@Suite struct HardwareCommandTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures").path

    @Test func prometheusFormatShowsThePiInNodeExporterUnits() throws {
        let result = try execute(["hw", "--format", "prometheus", "--host-root", Self.fixtures + "/rpi4"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = Set(result.lines)
        #expect(lines.contains(#"node_thermal_zone_temp{type="cpu-thermal",zone="0"} 48.686"#))
        #expect(lines.contains(#"node_cpu_scaling_frequency_hertz{cpu="0"} 1800000000"#))
        #expect(lines.contains(#"edge_rpi_throttled{condition="under_voltage",when="now"} 1"#))
        #expect(lines.contains("# TYPE node_cpu_seconds_total counter"))
    }

    @Test func hostRootComesFromTheEnvironmentToo() throws {
        let result = try execute(["hw", "--format", "json"], env: ["EDGE_HOST_ROOT": Self.fixtures + "/rpi5", "EDGE_NODE_NAME": "rpi-worker-5"])
        #expect(result.status == 0)
        let json = try #require(JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(json["node"] as? String == "rpi-worker-5")
        #expect((json["board"] as? [String: Any])?["model"] as? String == "Raspberry Pi 5 Model B Rev 1.0")
    }

    @Test func textFormatIsForPeople() throws {
        let result = try execute(["hw", "--host-root", Self.fixtures + "/rpi4"])
        #expect(result.status == 0)
        #expect(result.stdout.contains("Raspberry Pi 4 Model B Rev 1.4"))
        #expect(result.stdout.contains("48.7 °C"))
    }

    @Test func anEmptyTreeIsAValidReadingOfNothing() throws {
        let result = try execute(["hw", "--format", "prometheus", "--host-root", Self.fixtures + "/empty"])
        #expect(result.status == 0)
        #expect(result.stdout.isEmpty)
    }

    /// The real libgpiod path: no GPIO chip exists on the build machine, so the configured line
    /// is absent and --verbose names the missing chip; nothing crashes.
    @Test func aMissingGPIOChipIsNamedNotFatal() throws {
        let result = try execute(["hw", "--format", "prometheus", "--verbose", "--host-root", Self.fixtures + "/rpi4",
                                  "--gpio-lines", "chip=pinctrl-bcm2711,line=17,name=door"])
        #expect(result.status == 0)
        #expect(!result.stdout.contains("edge_gpio_line_value{"))
        #expect(result.stderr.contains("GPIO chip \"pinctrl-bcm2711\": not found"), "\(result.stderr)")
    }

    @Test(arguments: [
        (["hw", "--host-root", "/nonexistent-root"], "--host-root / EDGE_HOST_ROOT: /nonexistent-root is not a directory"),
        (["hw", "--gpio-lines", "chip=,line=x"], "--gpio-lines / EDGE_GPIO_LINES: invalid GPIO line"),
        (["run", "--sample-interval", "soon"], "--sample-interval / EDGE_SAMPLE_INTERVAL: \"soon\" is not a duration"),
        (["run", "--sample-interval", "500ms"], "--sample-interval / EDGE_SAMPLE_INTERVAL: \"500ms\" is not a duration"),
        (["run", "--retention", "7 days"], "--retention / EDGE_RETENTION: \"7 days\" is not a duration"),
        (["run", "--max-db-size", "12XB"], "--max-db-size / EDGE_MAX_DB_SIZE: \"12XB\" is not a size"),
        (["run", "--log-format", "xml"], "--log-format / EDGE_LOG_FORMAT: \"xml\" is not text or json"),
    ])
    func badOptionsStopWithOneLineAndStatus2(args: [String], message: String) throws {
        let dir = TemporaryDirectory()
        let result = try execute(args, env: ["EDGE_DATA_DIR": dir.path, "EDGE_NODE_NAME": "n"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("edge-agent: " + message), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(!FileManager.default.fileExists(atPath: dir.file("agent.db")), "nothing is created before the options are checked")
    }

    @Test func environmentValuesAreCheckedLikeFlags() throws {
        let dir = TemporaryDirectory()
        let result = try execute(["run"], env: ["EDGE_DATA_DIR": dir.path, "EDGE_MAX_DB_SIZE": "lots"])
        #expect(result.status == 2)
        #expect(result.stderr.contains("EDGE_MAX_DB_SIZE: \"lots\""))
    }
}
