/// `/proc/stat` `btime` → `node_boot_time_seconds`.
public enum BootTime {
    public static let probe = "boot_time"
    static let path = "/proc/stat"

    /// The boot time in seconds since the epoch, from the `btime` line.
    public static func parse(_ text: String) -> Parsed<Double?> { parse(TextParsing.bytes(text)) }

    static func parse(_ bytes: Bytes) -> Parsed<Double?> {
        let (lines, truncated) = TextParsing.completeLines(bytes)
        for line in lines + (truncated.map { [$0] } ?? []) {
            var first = TextParsing.Fields(line)
            guard first.next()?.equals("btime") == true else { continue }
            let fields = TextParsing.fields(line)
            if let truncated, line.elementsEqual(truncated) { return Parsed(nil, problems: ["btime line cut short"]) }
            guard fields.count == 2, let seconds = TextParsing.unsigned(fields[1]) else {
                return Parsed(nil, problems: ["btime: not a time: \(TextParsing.quoted(line))"])
            }
            return Parsed(Double(seconds))
        }
        return Parsed(nil, problems: ["no btime line"])
    }

    public static func read(from root: HostRoot) -> Parsed<Double?> { read(from: HostFiles(root)) }

    static func read(from files: HostFiles) -> Parsed<Double?> {
        var problems: [String] = []
        guard let text = files.text(path, problems: &problems) else { return Parsed(nil, problems: problems) }
        let parsed = parse(text[...])
        return Parsed(parsed.value, problems: parsed.problems.prefixed(path))
    }

    static func metricFamilies(_ bootTime: Double?) -> [MetricFamily] {
        [.single("node_boot_time_seconds", help: "Node boot time, in unixtime.", value: bootTime)]
    }
}
