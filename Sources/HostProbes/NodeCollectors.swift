/// node_exporter's collectors this agent implements, by node_exporter's names (`--collector.NAME`).
public enum NodeCollector: String, CaseIterable, Sendable, Hashable, Comparable {
    // swift-format-ignore: AlwaysUseLowerCamelCase
    case arp, conntrack, cpu, cpufreq, diskstats, entropy, filefd, filesystem, hwmon, loadavg, meminfo, netclass, netdev,
        netstat, os, pressure, schedstat, sockstat, softnet, stat, thermal_zone, time, timex, uname, vmstat

    public static func < (left: NodeCollector, right: NodeCollector) -> Bool { left.rawValue < right.rawValue }

    /// The name of the switch that stands for every collector at once (`--no-collector.node`).
    public static let allName = "node"
}

/// Which node_exporter collectors a scrape runs. The `edge_*` families are not collectors: they are always read.
public struct CollectorSelection: Sendable, Hashable {
    public var enabled: Set<NodeCollector>

    public init(enabled: Set<NodeCollector>) { self.enabled = enabled }

    /// Every collector: node_exporter's defaults for what a Raspberry Pi has.
    public static let all = CollectorSelection(enabled: Set(NodeCollector.allCases))
    /// No `node_*` family at all (where node_exporter already runs).
    public static let none = CollectorSelection(enabled: [])

    public func isEnabled(_ collector: NodeCollector) -> Bool { enabled.contains(collector) }

    /// A switch by name: `true` to enable, `false` to disable; `node` is every collector.
    public enum SwitchError: Error, Sendable, Hashable {
        case unknown(String)
    }

    /// Applies `--collector.NAME` (`enable` true) or `--no-collector.NAME` (false), in order, from `self`.
    public func applying(_ switches: [(name: String, enable: Bool)]) throws(SwitchError) -> CollectorSelection {
        var result = self
        for (name, enable) in switches {
            let targets: [NodeCollector]
            if name == NodeCollector.allName {
                targets = NodeCollector.allCases
            } else if let collector = NodeCollector(rawValue: name) {
                targets = [collector]
            } else {
                throw .unknown(name)
            }
            for target in targets {
                if enable { result.enabled.insert(target) } else { result.enabled.remove(target) }
            }
        }
        return result
    }

    /// Every name a switch accepts, sorted, `node` first.
    public static var switchNames: [String] { [NodeCollector.allName] + NodeCollector.allCases.map(\.rawValue).sorted() }
}

/// What one scrape found: every family `/metrics` shows for the hardware, and why parts are missing.
public struct Scrape: Sendable {
    public var families: [MetricFamily]
    /// Problems, each once, prefixed by the collector's name.
    public var issues: [ProbeIssue]
}

/// What a collector needs besides the files under the host root.
struct CollectorContext {
    let files: HostFiles
    let kernel: any KernelInterface
    /// Where `statfs` looks for the host's mount points and where `etc/os-release` is (`--host-rootfs`).
    let rootfs: HostRoot
    let statistics: any FilesystemStatistics
    /// Replaces `uname(2)`'s node name, which in a pod is the pod's.
    let nodeName: String?
}

/// A collector's families; `success` nil means "successful when nothing went wrong".
struct Collected: Sendable {
    var families: [MetricFamily]
    var success: Bool? = nil

    init(_ families: [MetricFamily], success: Bool? = nil) {
        self.families = families
        self.success = success
    }
}

/// Families built sample by sample, in first-seen order.
struct FamilySet {
    private var names: [String] = []
    private var families: [String: MetricFamily] = [:]

    mutating func add(_ name: String, _ help: String, _ type: MetricFamily.Kind, _ labels: [Label] = [], _ value: Double) {
        if families[name] == nil {
            names.append(name)
            families[name] = MetricFamily(name: name, help: help, type: type, samples: [])
        }
        families[name]!.samples.append(Sample(labels: labels, value: value))
    }

    mutating func add(_ name: String, _ help: String, _ type: MetricFamily.Kind, _ labels: KeyValuePairs<String, String>, _ value: Double) {
        add(name, help, type, labels.map { Label(name: $0.key, value: $0.value) }, value)
    }

    var all: [MetricFamily] { names.compactMap { families[$0] } }
}

extension HardwareReader {
    /// Runs the selected node_exporter collectors and the Raspberry Pi probes now, as node_exporter does at every
    /// scrape: what `/metrics` and `edge-agent hw --format prometheus` show. Each collector adds
    /// `node_scrape_collector_success` (0 when its source is absent, unreadable or garbage: the values it could not
    /// read are left out, never made up) and `node_scrape_collector_duration_seconds`. Blocking file I/O: call it off
    /// the event loop.
    public func scrape(_ selection: CollectorSelection = .all) -> Scrape {
        let files = cache.borrow(root)
        defer { cache.giveBack(files) }
        let context = CollectorContext(
            files: files, kernel: kernel, rootfs: rootfs, statistics: filesystemStatistics, nodeName: nodeName)
        var families: [MetricFamily] = []
        var issues: [ProbeIssue] = []
        var skipped: [String: Int] = [:]
        var success: [Sample] = []
        var durations: [Sample] = []
        func note(_ probe: String, _ problems: [String]) {
            if files.skipped > 0 {
                skipped[probe, default: 0] += files.skipped
                issues.append(ProbeIssue(probe: probe, message: "entries skipped: more than \(HostFiles.maxEntriesPerClass) or over the time budget"))
                files.skipped = 0
            }
            for message in problems {
                let issue = ProbeIssue(probe: probe, message: message)
                if !issues.contains(issue) { issues.append(issue) }
            }
        }
        for collector in NodeCollector.allCases where selection.isEnabled(collector) {
            let started = kernel.monotonicSeconds()
            let parsed = files.run { _ in Self.collect(collector, context) }
            let elapsed = max(0, kernel.monotonicSeconds() - started)
            let ok = parsed.value.success ?? parsed.problems.isEmpty
            note(collector.rawValue, parsed.problems)
            families += parsed.value.families
            let label = [Label(name: "collector", value: collector.rawValue)]
            success.append(Sample(labels: label, value: ok ? 1 : 0))
            durations.append(Sample(labels: label, value: elapsed))
        }
        if !success.isEmpty {
            families.append(
                MetricFamily(
                    name: "node_scrape_collector_success", help: "node_exporter: Whether a collector succeeded.", type: .gauge,
                    samples: success))
            families.append(
                MetricFamily(
                    name: "node_scrape_collector_duration_seconds", help: "node_exporter: Duration of a collector scrape.",
                    type: .gauge, samples: durations))
        }

        // The Raspberry Pi's own figures, as the sampler reads them.
        let board = files.run(BoardInfo.read)
        note(BoardInfo.probe, board.problems)
        families += BoardInfo.metricFamilies(board.value)
        let throttling = files.run(Throttling.read)
        note(Throttling.probe, throttling.problems)
        families += Throttling.metricFamilies(throttling.value)
        let alarm = files.run(UnderVoltage.read)
        note(UnderVoltage.probe, alarm.problems)
        families += UnderVoltage.metricFamilies(alarm.value)
        if !gpioLines.isEmpty {
            let lines = GPIOLineValue.read(gpioLines, using: gpio)
            note(GPIOLineValue.probe, lines.problems)
            families += GPIOLineValue.metricFamilies(lines.value)
        }
        families.append(
            MetricFamily(
                name: "edge_probe_entries_skipped",
                help: "Entries a probe skipped in the latest reading: more than 256 of one kind, or over its 250 ms time budget.",
                type: .gauge,
                samples: skipped.sorted { $0.key < $1.key }.map { Sample(["collector": $0.key], value: Double($0.value)) }))
        return Scrape(families: families.filter { !$0.samples.isEmpty }, issues: issues)
    }

    static func collect(_ collector: NodeCollector, _ context: CollectorContext) -> Parsed<Collected> {
        switch collector {
        case .arp: ARP.collect(context)
        case .conntrack: Conntrack.collect(context)
        case .cpu: CPUTimes.collect(context)
        case .cpufreq: CPUFrequency.collect(context)
        case .diskstats: DiskStat.collect(context)
        case .entropy: Entropy.collect(context)
        case .filefd: FileFD.collect(context)
        case .filesystem: FilesystemUsage.collect(context)
        case .hwmon: HwmonSensors.collect(context)
        case .loadavg: LoadAverage.collect(context)
        case .meminfo: MemoryInfo.collect(context)
        case .netclass: NetClass.collect(context)
        case .netdev: NetworkInterface.collect(context)
        case .netstat: NetStat.collect(context)
        case .os: OSRelease.collect(context)
        case .pressure: Pressure.collect(context)
        case .schedstat: SchedStat.collect(context)
        case .sockstat: SockStat.collect(context)
        case .softnet: Softnet.collect(context)
        case .stat: ProcStat.collect(context)
        case .thermal_zone: ThermalZone.collect(context)
        case .time: SystemTime.collect(context)
        case .timex: Timex.collect(context)
        case .uname: UnameCollector.collect(context)
        case .vmstat: VMStat.collect(context)
        }
    }
}

/// Where the host's network namespace shows in procfs.
enum ProcNet {
    static let key = "procnet.directory"

    /// `/proc/1/net` when PID 1 is visible: the host's network namespace even from a pod, where `/proc/net` is a link
    /// to `self/net`, the pod's own. Else `/proc/net` (under systemd's `ProtectProc=invisible` PID 1 is hidden, and
    /// the agent shares the host's namespace there).
    static func directory(_ files: HostFiles) -> String {
        if let kept = files.recall(key, as: String.self) { return kept }
        let directory = files.exists("/proc/1/net") ? "/proc/1/net" : "/proc/net"
        files.keep(directory, as: key, for: .period)
        return directory
    }
}
