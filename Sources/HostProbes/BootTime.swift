/// `/proc/stat` `btime` → `node_boot_time_seconds`.
public enum BootTime {
    public static let probe = "boot_time"
    static let path = "/proc/stat"

    /// The boot time in seconds since the epoch, from the `btime` line.
    public static func parse(_ text: String) -> Parsed<Double?> {
        let (lines, truncated) = TextParsing.completeLines(text)
        for line in lines + (truncated.map { [$0] } ?? []) {
            let fields = TextParsing.fields(line)
            guard fields.first == "btime" else { continue }
            if line == truncated { return Parsed(nil, problems: ["btime line cut short"]) }
            guard fields.count == 2, let seconds = TextParsing.unsigned(fields[1]) else {
                return Parsed(nil, problems: ["btime: not a time: \(TextParsing.quoted(line))"])
            }
            return Parsed(Double(seconds))
        }
        return Parsed(nil, problems: ["no btime line"])
    }

    public static func read(from root: HostRoot) -> Parsed<Double?> {
        var problems: [String] = []
        guard let text = root.text(path, problems: &problems) else { return Parsed(nil, problems: problems) }
        let parsed = parse(text)
        return Parsed(parsed.value, problems: parsed.problems.prefixed(path))
    }

    static func metricFamilies(_ bootTime: Double?) -> [MetricFamily] {
        [.single("node_boot_time_seconds", help: "Node boot time, in unixtime.", value: bootTime)]
    }
}
