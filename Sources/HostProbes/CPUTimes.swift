/// `/proc/stat` `cpuN` lines → `node_cpu_seconds_total{cpu,mode}`.
public struct CPUTimes: Sendable, Hashable, Codable {
    public static let probe = "cpu"
    static let path = "/proc/stat"
    /// `USER_HZ`: the unit of `/proc/stat` is 1/100 s on every Linux architecture; node_exporter assumes the same.
    public static let userHZ = 100.0
    /// The modes node_exporter exports, in `/proc/stat` column order.
    public static let modes = ["user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal"]

    /// The CPU number as a label value: `"0"` for `cpu0`.
    public var cpu: String
    /// Seconds per mode; a mode whose column is missing or garbage is absent.
    public var seconds: [String: Double]

    public init(cpu: String, seconds: [String: Double]) {
        self.cpu = cpu
        self.seconds = seconds
    }

    /// Parses the per-CPU lines of `/proc/stat` (the aggregate `cpu` line is skipped, like node_exporter).
    public static func parse(_ text: String) -> Parsed<[CPUTimes]> { parse(TextParsing.bytes(text)) }

    static func parse(_ bytes: Bytes) -> Parsed<[CPUTimes]> {
        let parsed = parseWithGuest(bytes)
        return Parsed(parsed.value.map(\.times), problems: parsed.problems)
    }

    /// Also the guest columns (9th and 10th, `guest` and `guest_nice`), as `user` and `nice` seconds: node_exporter's
    /// `node_cpu_guest_seconds_total`. Older kernels lack them: then they are simply absent.
    static func parseWithGuest(_ bytes: Bytes) -> Parsed<[(times: CPUTimes, guest: [String: Double])]> {
        let (lines, truncated) = TextParsing.completeLines(bytes)
        var problems: [String] = []
        var result: [(times: CPUTimes, guest: [String: Double])] = []
        var seen: Set<String> = []
        if let truncated, truncated.hasPrefix("cpu") {
            problems.append("last line cut short: \(TextParsing.quoted(truncated))")
        }
        for line in lines {
            var fields = TextParsing.Fields(line)
            guard let first = fields.next(), first.hasPrefix("cpu"), !first.equals("cpu") else { continue }
            guard let number = TextParsing.unsigned(first.dropFirst(3)) else {
                problems.append("unexpected line \(TextParsing.quoted(line))")
                continue
            }
            let cpu = String(number)
            guard seen.insert(cpu).inserted else {
                problems.append("cpu\(cpu): listed twice")
                continue
            }
            var seconds: [String: Double] = Dictionary(minimumCapacity: modes.count)
            var guest: [String: Double] = [:]
            var columns = 0
            for field in fields {
                if columns < modes.count {
                    let mode = modes[columns]
                    if let ticks = TextParsing.unsigned(field) {
                        seconds[mode] = Double(ticks) / userHZ
                    } else {
                        problems.append("cpu\(cpu) \(mode): not a tick count: \(TextParsing.quoted(field))")
                    }
                } else if columns < modes.count + 2 {
                    let mode = columns == modes.count ? "user" : "nice"
                    if let ticks = TextParsing.unsigned(field) {
                        guest[mode] = Double(ticks) / userHZ
                    } else {
                        problems.append("cpu\(cpu) guest \(mode): not a tick count: \(TextParsing.quoted(field))")
                    }
                }
                columns += 1
            }
            if columns < modes.count {
                problems.append("cpu\(cpu): \(columns) columns, expected at least \(modes.count)")
            }
            result.append((CPUTimes(cpu: cpu, seconds: seconds), guest))
        }
        if result.isEmpty, problems.isEmpty { problems.append("no per-CPU lines") }
        return Parsed(result, problems: problems)
    }

    public static func read(from root: HostRoot) -> Parsed<[CPUTimes]> { read(from: HostFiles(root)) }

    static func read(from files: HostFiles) -> Parsed<[CPUTimes]> {
        var problems: [String] = []
        guard let text = files.text(path, problems: &problems) else { return Parsed([], problems: problems) }
        let parsed = parse(text[...])
        return Parsed(parsed.value, problems: parsed.problems.prefixed(path))
    }

    /// node_exporter's `cpu` collector: `node_cpu_seconds_total` and `node_cpu_guest_seconds_total`.
    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        var problems: [String] = []
        guard let text = context.files.text(path, problems: &problems) else { return Parsed(Collected([]), problems: problems) }
        let parsed = parseWithGuest(text[...])
        var families = metricFamilies(parsed.value.map(\.times))
        var guest: [Sample] = []
        for (times, seconds) in parsed.value {
            for mode in ["user", "nice"] {
                if let value = seconds[mode] { guest.append(Sample(["cpu": times.cpu, "mode": mode], value: value)) }
            }
        }
        families.append(
            MetricFamily(
                name: "node_cpu_guest_seconds_total", help: "Seconds the CPUs spent in guests (VMs) for each mode.", type: .counter,
                samples: guest))
        return Parsed(Collected(families), problems: parsed.problems.prefixed(path))
    }

    static func metricFamilies(_ cpus: [CPUTimes]) -> [MetricFamily] {
        var samples: [Sample] = []
        for cpu in cpus {
            for mode in modes {
                if let value = cpu.seconds[mode] {
                    samples.append(Sample(["cpu": cpu.cpu, "mode": mode], value: value))
                }
            }
        }
        return [
            MetricFamily(
                name: "node_cpu_seconds_total", help: "Seconds the CPUs spent in each mode.", type: .counter,
                samples: samples)
        ]
    }
}
