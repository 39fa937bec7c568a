import Foundation
import TestSupport
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

    /// Nothing under the root: only what the kernel answers without files (uname, the clock) and the collectors'
    /// success, 0 for the ones that found nothing.
    @Test func anEmptyTreeIsAValidReadingOfNothing() throws {
        let result = try execute(["hw", "--format", "prometheus", "--host-root", Self.fixtures + "/empty"])
        #expect(result.status == 0)
        let names = Set(result.lines.filter { !$0.hasPrefix("#") }.map { String($0.prefix { $0 != "{" && $0 != " " }) })
        let fromFiles = names.filter {
            !$0.hasPrefix("node_scrape_collector_") && !$0.hasPrefix("node_timex_") && !$0.hasPrefix("node_time_")
                && $0 != "node_uname_info"
        }
        #expect(fromFiles.isEmpty, "\(fromFiles)")
        #expect(result.lines.contains(#"node_scrape_collector_success{collector="meminfo"} 0"#))
    }

    @Test func prometheusFormatHasNodeExportersFamilies() throws {
        let result = try execute(["hw", "--format", "prometheus", "--host-root", Self.fixtures + "/rpi4", "--node-name", "pi-four"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = Set(result.lines)
        #expect(result.lines.contains { $0.hasPrefix("node_uname_info{") && $0.contains(#"nodename="pi-four""#) })
        #expect(lines.contains(#"node_network_up{device="eth0"} 1"#))
        #expect(lines.contains(#"node_hwmon_temp_celsius{chip="thermal_thermal_zone0",sensor="temp1"} 48.686"#))
        #expect(lines.contains(#"node_os_version{id="debian",id_like="",name="Debian GNU/Linux"} 12"#))
        #expect(lines.contains("node_procs_running 1"))
        #expect(lines.contains("# TYPE node_vmstat_pgfault untyped"))
        #expect(lines.contains(#"node_scrape_collector_success{collector="stat"} 1"#))
    }

    enum SwitchCase: String, CaseIterable, Sendable {
        case noNode, noNodeButHwmon, noHwmonNoThermalZone

        var switches: [String] {
            switch self {
            case .noNode: ["--no-collector.node"]
            case .noNodeButHwmon: ["--no-collector.node", "--collector.hwmon"]
            case .noHwmonNoThermalZone: ["--no-collector.hwmon", "--no-collector.thermal_zone"]
            }
        }

        func allows(_ name: String) -> Bool {
            switch self {
            case .noNode: name.hasPrefix("edge_")
            case .noNodeButHwmon: name.hasPrefix("edge_") || name.hasPrefix("node_hwmon_") || name.hasPrefix("node_scrape_collector_")
            case .noHwmonNoThermalZone: !name.hasPrefix("node_hwmon_") && !name.hasPrefix("node_thermal_zone_")
            }
        }
    }

    @Test(arguments: SwitchCase.allCases)
    func collectorSwitchesChooseTheFamilies(example: SwitchCase) throws {
        let result = try execute(["hw", "--format", "prometheus", "--host-root", Self.fixtures + "/rpi4"] + example.switches)
        #expect(result.status == 0, "\(result.stderr)")
        let names = Set(result.lines.filter { !$0.hasPrefix("#") }.map { String($0.prefix { $0 != "{" && $0 != " " }) })
        #expect(!names.isEmpty)
        let refused = names.filter { !example.allows($0) }
        #expect(refused.isEmpty, "\(refused)")
        #expect(names.contains("edge_board_info"))
        if example == .noNodeButHwmon { #expect(names.contains("node_hwmon_temp_celsius")) }
    }

    @Test func collectorsComeFromTheEnvironmentAndFlagsWin() throws {
        let fromEnv = try execute(["hw", "--format", "prometheus", "--host-root", Self.fixtures + "/rpi4"], env: ["EDGE_COLLECTORS": "no-node,loadavg"])
        #expect(fromEnv.status == 0)
        #expect(fromEnv.lines.contains("node_load1 0.52"))
        #expect(!fromEnv.lines.contains { $0.hasPrefix("node_cpu_seconds_total") })
        let flagWins = try execute(
            ["hw", "--format", "prometheus", "--host-root", Self.fixtures + "/rpi4", "--no-collector.loadavg"],
            env: ["EDGE_COLLECTORS": "no-node,loadavg"])
        #expect(flagWins.status == 0)
        #expect(!flagWins.lines.contains { $0.hasPrefix("node_load1") })
    }

    @Test func helpDocumentsTheCollectorSwitches() throws {
        let result = try execute(["run", "--help"])
        #expect(result.stdout.contains("--collector.NAME"))
        #expect(result.stdout.contains("--no-collector.NAME"))
        #expect(result.stdout.contains("thermal_zone"))
        #expect(result.stdout.contains("--stored-metrics"))
    }

    /// The real libgpiod path: no GPIO chip exists on the build machine, so the configured line
    /// is absent and --verbose names the missing chip; nothing crashes.
    @Test func aMissingGPIOChipIsNamedNotFatal() throws {
        let result = try execute([
            "hw", "--format", "prometheus", "--verbose", "--host-root", Self.fixtures + "/rpi4",
            "--gpio-lines", "chip=pinctrl-bcm2711,line=17,name=door",
        ])
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
        (["run", "--collector.wifi"], "--collector.wifi: unknown collector \"wifi\" (known: node, arp, conntrack, cpu,"),
        (["run", "--no-collector.bogus"], "--no-collector.bogus: unknown collector \"bogus\""),
        (["hw", "--collector.filesystem.mount-points-exclude=^/boot"], "--collector.filesystem.mount-points-exclude=^/boot: unknown collector"),
        (["run", "--collector.hwmon", "--no-collector.hwmon"], "--no-collector.hwmon: collector \"hwmon\" is both enabled and disabled"),
        (["run", "--stored-metrics", "node-load"], "--stored-metrics / EDGE_STORED_METRICS: \"node-load\" is not a metric name"),
        (["run", "--host-rootfs", "/nonexistent-rootfs"], "--host-rootfs / EDGE_HOST_ROOTFS: /nonexistent-rootfs is not a directory"),
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
