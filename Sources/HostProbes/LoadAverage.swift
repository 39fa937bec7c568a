/// `/proc/loadavg` → `node_load1`, `node_load5`, `node_load15`.
public struct LoadAverage: Sendable, Hashable, Codable {
    public static let probe = "loadavg"
    static let path = "/proc/loadavg"

    public var load1: Double?
    public var load5: Double?
    public var load15: Double?

    public init(load1: Double? = nil, load5: Double? = nil, load15: Double? = nil) {
        self.load1 = load1
        self.load5 = load5
        self.load15 = load15
    }

    /// Parses `0.52 0.58 0.59 1/234 5678`. Each average that is not a number stays nil.
    public static func parse(_ text: String) -> Parsed<LoadAverage> { parse(TextParsing.bytes(text)) }

    static func parse(_ bytes: Bytes) -> Parsed<LoadAverage> {
        let firstLine = bytes.firstIndex(of: TextParsing.newline).map { bytes[..<$0] } ?? bytes
        let fields = TextParsing.fields(firstLine)
        var problems: [String] = []
        var values: [Double?] = []
        for (index, name) in ["load1", "load5", "load15"].enumerated() {
            guard index < fields.count else {
                problems.append("\(name): missing")
                values.append(nil)
                continue
            }
            let value = TextParsing.decimal(fields[index])
            if value == nil { problems.append("\(name): not a load average: \(TextParsing.quoted(fields[index]))") }
            values.append(value)
        }
        return Parsed(LoadAverage(load1: values[0], load5: values[1], load15: values[2]), problems: problems)
    }

    public static func read(from root: HostRoot) -> Parsed<LoadAverage?> { read(from: HostFiles(root)) }

    static func read(from files: HostFiles) -> Parsed<LoadAverage?> {
        var problems: [String] = []
        guard let text = files.text(path, problems: &problems) else { return Parsed(nil, problems: problems) }
        let parsed = parse(text[...])
        return Parsed(parsed.value, problems: parsed.problems.prefixed(path))
    }

    /// node_exporter's `loadavg` collector.
    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        let parsed = read(from: context.files)
        return Parsed(Collected(parsed.value?.metricFamilies ?? []), problems: parsed.problems)
    }

    var metricFamilies: [MetricFamily] {
        [
            .single("node_load1", help: "1m load average.", value: load1),
            .single("node_load5", help: "5m load average.", value: load5),
            .single("node_load15", help: "15m load average.", value: load15),
        ]
    }
}
