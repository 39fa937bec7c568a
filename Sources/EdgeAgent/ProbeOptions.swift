import ArgumentParser
import CommandLineSupport
import HostProbes
import Libgpiod
import Sampling
import Sync

/// Where the hardware is read from: the host root and the GPIO lines to watch; which node_exporter collectors run.
struct ProbeOptions: ParsableArguments {
    @Option(
        name: .customLong("host-root"),
        help: ArgumentHelp(
            "Directory where the host's /proc and /sys are found. [env: EDGE_HOST_ROOT] [default: /]", valueName: "dir"))
    var hostRootFlag: String?

    @Option(
        name: .customLong("host-rootfs"),
        help: ArgumentHelp(
            "The host's root filesystem, for the free space of its mount points and its os-release (node_exporter's "
                + "--path.rootfs). [env: EDGE_HOST_ROOTFS] [default: <host-root>/root when --host-root is not / and holds "
                + "a root directory (the DaemonSet's read-only /host/root), else --host-root]", valueName: "dir"))
    var hostRootfsFlag: String?

    @Option(
        name: .customLong("collector"),
        help: ArgumentHelp(
            "Enable a node_exporter collector; written --collector.NAME, as node_exporter's flags are. Repeatable. "
                + "NAME: node (every node_* collector at once), \(CollectorSelection.switchNames.dropFirst().joined(separator: ", ")). "
                + "Every collector is on by default; edge_* families always are. A single collector's switch wins over node's. "
                + "[env: EDGE_COLLECTORS, e.g. \"no-node,hwmon\"; flags win]", valueName: "NAME"))
    var enabledCollectors: [String] = []

    @Option(
        name: .customLong("no-collector"),
        help: ArgumentHelp(
            "Disable a node_exporter collector; written --no-collector.NAME. --no-collector.node leaves only the edge_* "
                + "families (for nodes where node_exporter already runs).", valueName: "NAME"))
    var disabledCollectors: [String] = []

    @Option(
        name: .customLong("gpio-lines"),
        help: ArgumentHelp(
            "GPIO input lines to export, separated by ';': chip=<label or name>,line=<offset or name>[,name=<friendly name>], "
                + "e.g. chip=pinctrl-bcm2711,line=17,name=door. [env: EDGE_GPIO_LINES] [default: none]", valueName: "lines"))
    var gpioLinesFlag: String?

    var hostRoot: String { Settings.resolve(flag: hostRootFlag, env: "EDGE_HOST_ROOT") { "/" } }

    /// `--host-rootfs`, else `<host-root>/root` when that is a directory (and the host root is not `/`, whose `root` is
    /// root's home), else the host root.
    var hostRootfs: String {
        Settings.resolve(flag: hostRootfsFlag, env: "EDGE_HOST_ROOTFS") {
            let root = HostRoot(hostRoot).path
            guard root != "/" else { return root }
            var isDirectory = false
            return FileSystem.exists(root + "/root", isDirectory: &isDirectory) && isDirectory ? root + "/root" : root
        }
    }

    /// `--collector.NAME` / `--no-collector.NAME` and `EDGE_COLLECTORS` applied to every collector: the environment
    /// first, then the flags; within each, `node` first, then single collectors. A collector both enabled and
    /// disabled in one place, or an unknown name, is a configuration error naming the option.
    func collectorSelection() throws -> CollectorSelection {
        var selection = CollectorSelection.all
        if let text = Settings.environment("EDGE_COLLECTORS"), !text.isEmpty {
            let switches = text.split { $0 == "," || $0 == " " }.map { token -> (name: String, enable: Bool) in
                token.hasPrefix("no-") ? (String(token.dropFirst(3)), false) : (String(token), true)
            }
            selection = try Self.apply(switches, to: selection) { name, enable in
                "EDGE_COLLECTORS: \(enable ? "" : "no-")\(name)"
            }
        }
        let switches = enabledCollectors.map { ($0, true) } + disabledCollectors.map { ($0, false) }
        return try Self.apply(switches, to: selection) { name, enable in "--\(enable ? "" : "no-")collector.\(name)" }
    }

    private static func apply(
        _ switches: [(name: String, enable: Bool)], to selection: CollectorSelection, option: (String, Bool) -> String
    ) throws -> CollectorSelection {
        let known = CollectorSelection.switchNames
        for (name, enable) in switches where !known.contains(name) {
            throw CLIError.configuration(
                "\(option(name, enable)): unknown collector \"\(name.prefix(60))\" (known: \(known.joined(separator: ", ")))")
        }
        var seen: [String: Bool] = [:]
        for (name, enable) in switches {
            if let earlier = seen[name], earlier != enable {
                throw CLIError.configuration("\(option(name, enable)): collector \"\(name)\" is both enabled and disabled")
            }
            seen[name] = enable
        }
        let general = switches.filter { $0.name == NodeCollector.allName }
        let single = switches.filter { $0.name != NodeCollector.allName }
        do {
            return try selection.applying(general).applying(single)
        } catch {
            throw CLIError.configuration("unknown collector")  // unreachable: names were checked above
        }
    }

    func gpioLines() throws -> [GPIOLineSpec] {
        let text = Settings.resolve(flag: gpioLinesFlag, env: "EDGE_GPIO_LINES") { "" }
        do {
            return try GPIOLineSpec.parseList(text)
        } catch {
            throw CLIError.configuration("--gpio-lines / EDGE_GPIO_LINES: \(error)")
        }
    }

    /// A reader of the real host (or the given root), with libgpiod for GPIO. `nodeName` is what `node_uname_info`
    /// shows as the node name (in a pod, uname's is the pod's).
    func reader(nodeName: String? = nil) throws -> HardwareReader {
        var isDirectory = false
        guard FileSystem.exists(hostRoot, isDirectory: &isDirectory), isDirectory else {
            throw CLIError.configuration("--host-root / EDGE_HOST_ROOT: \(hostRoot) is not a directory")
        }
        let rootfs = hostRootfs
        guard FileSystem.exists(rootfs, isDirectory: &isDirectory), isDirectory else {
            throw CLIError.configuration("--host-rootfs / EDGE_HOST_ROOTFS: \(rootfs) is not a directory")
        }
        return HardwareReader(
            root: HostRoot(hostRoot), gpio: LibgpiodReader(), gpioLines: try gpioLines(), rootfs: HostRoot(rootfs),
            nodeName: nodeName)
    }
}

/// `--sample-interval`, `--retention` and `--max-db-size` for the daemon.
struct SamplingOptions: ParsableArguments {
    @Option(
        name: .customLong("sample-interval"),
        help: ArgumentHelp(
            "How often to read the hardware: 1s to 1h, e.g. 15s, 1m. [env: EDGE_SAMPLE_INTERVAL] [default: 15s]", valueName: "duration"))
    var intervalFlag: String?

    @Option(
        name: .customLong("retention"),
        help: ArgumentHelp(
            "How long raw samples are kept before they are rolled up, e.g. 7d, 36h. [env: EDGE_RETENTION] [default: 7d]",
            valueName: "duration"))
    var retentionFlag: String?

    @Option(
        name: .customLong("stored-metrics"),
        help: ArgumentHelp(
            "Metric families stored locally and synced to central, comma-separated: default (the curated set: load, CPU, "
                + "memory, temperatures, frequencies, filesystem, network and disk bytes, fans, the Pi's edge_* figures), "
                + "family names, or prefixes ending in *, e.g. default,node_pressure_*. /metrics shows every family anyway. "
                + "[env: EDGE_STORED_METRICS] [default: default]", valueName: "list"))
    var storedMetricsFlag: String?

    @Option(
        name: .customLong("max-db-size"),
        help: ArgumentHelp(
            "Size the database is kept under by rolling up and then dropping old metrics (never tasks), e.g. 512MB, 2GB, 300MiB. "
                + "[env: EDGE_MAX_DB_SIZE] [default: 512MB]", valueName: "size"))
    var maxSizeFlag: String?

    func intervalMillis() throws -> Int64 {
        let text = Settings.resolve(flag: intervalFlag, env: "EDGE_SAMPLE_INTERVAL") { "15s" }
        guard let ms = DurationText.parseMillis(text), ms >= 1000, ms <= 3_600_000 else {
            throw CLIError.configuration(
                "--sample-interval / EDGE_SAMPLE_INTERVAL: \"\(text.prefix(40))\" is not a duration from 1s to 1h (e.g. 15s, 1m)")
        }
        return ms
    }

    func retentionMillis() throws -> Int64 {
        let text = Settings.resolve(flag: retentionFlag, env: "EDGE_RETENTION") { "7d" }
        guard let ms = DurationText.parseMillis(text), ms >= 60_000 else {
            throw CLIError.configuration("--retention / EDGE_RETENTION: \"\(text.prefix(40))\" is not a duration of 1m or more (e.g. 7d, 36h)")
        }
        return ms
    }

    func storedMetrics() throws -> StoredMetrics {
        let text = Settings.resolve(flag: storedMetricsFlag, env: "EDGE_STORED_METRICS") { "default" }
        do {
            return try StoredMetrics.parse(text)
        } catch {
            throw CLIError.configuration("--stored-metrics / EDGE_STORED_METRICS: \(error)")
        }
    }

    func maxBytes() throws -> Int64 {
        let text = Settings.resolve(flag: maxSizeFlag, env: "EDGE_MAX_DB_SIZE") { "512MB" }
        guard let bytes = ByteSize.parse(text), bytes >= 1_000_000 else {
            throw CLIError.configuration(
                "--max-db-size / EDGE_MAX_DB_SIZE: \"\(text.prefix(40))\" is not a size of 1MB or more (e.g. 512MB, 2GB, 300MiB)")
        }
        return bytes
    }
}

/// Sizes: a number and an optional unit, B, kB/KB, MB, GB, TB (powers of 1000) or KiB, MiB,
/// GiB, TiB (powers of 1024). Units are case-insensitive.
enum ByteSize {
    static func parse(_ text: String) -> Int64? {
        let trimmed = text.trimmingSpaces.lowercased()
        let units: [(String, Int64)] = [
            ("kib", 1 << 10), ("mib", 1 << 20), ("gib", 1 << 30), ("tib", 1 << 40),
            ("kb", 1000), ("mb", 1_000_000), ("gb", 1_000_000_000), ("tb", 1_000_000_000_000), ("b", 1),
        ]
        var number = Substring(trimmed), scale: Int64 = 1
        for (suffix, factor) in units where trimmed.hasSuffix(suffix) {
            number = trimmed.dropLast(suffix.count)
            scale = factor
            break
        }
        number = Substring(String(number).trimmingSpaces)
        guard !number.isEmpty, number.allSatisfy(\.isASCII), let value = Int64(number), value >= 0,
            value <= Int64.max / scale
        else { return nil }
        return value * scale
    }
}
