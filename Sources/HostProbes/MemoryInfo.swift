/// `/proc/meminfo` → `node_memory_<Field>_bytes` for every field, like node_exporter's meminfo collector.
public struct MemoryInfo: Sendable, Hashable, Codable {
    public static let probe = "meminfo"
    static let path = "/proc/meminfo"

    public struct Field: Sendable, Hashable, Codable {
        /// The name as the kernel writes it: `Active(anon)`.
        public var name: String
        /// The name in the metric: `Active_anon`.
        public var metricField: String
        /// Bytes for `kB` fields, a plain count for the unitless `HugePages_*` fields.
        public var value: UInt64
        public var isBytes: Bool

        public init(name: String, metricField: String, value: UInt64, isBytes: Bool) {
            self.name = name
            self.metricField = metricField
            self.value = value
            self.isBytes = isBytes
        }

        /// `node_memory_MemTotal_bytes`; unitless fields get no `_bytes` (`node_memory_HugePages_Total`).
        public var metricName: String { "node_memory_" + metricField + (isBytes ? "_bytes" : "") }
    }

    /// Fields in file order.
    public var fields: [Field]

    public init(fields: [Field]) { self.fields = fields }

    /// The value of the field the kernel calls `name` (`"MemAvailable"`), in bytes or as a count.
    public subscript(name: String) -> UInt64? {
        fields.first { $0.name == name }?.value
    }

    /// node_exporter's name rule: `Active(anon)` → `Active_anon`.
    public static func metricField(for name: String) -> String? {
        if !name.utf8.contains(UInt8(ascii: "(")) {
            return name.utf8.allSatisfy(MetricName.isNameByte) ? name : nil  // the common case, without copies
        }
        var field = name
        if let open = field.firstIndex(of: "("), let close = field.lastIndex(of: ")"), open < close {
            field = field[..<open] + "_" + field[field.index(after: open)..<close] + field[field.index(after: close)...]
        }
        return MetricName.isValid("node_memory_" + field) ? field : nil
    }

    /// Parses `Name:   123 kB` lines. A line that is garbage or cut short is left out, alone.
    public static func parse(_ text: String) -> Parsed<MemoryInfo> { parse(TextParsing.bytes(text)) }

    static func parse(_ bytes: Bytes) -> Parsed<MemoryInfo> {
        let (lines, truncated) = TextParsing.completeLines(bytes)
        var problems: [String] = []
        var fields: [Field] = []
        fields.reserveCapacity(lines.count)
        var seen: Set<String> = Set(minimumCapacity: lines.count)
        for line in lines where !line.isEmpty {
            guard let colon = line.firstIndex(ofASCII: ":") else {
                problems.append("line without a colon: \(TextParsing.quoted(line))")
                continue
            }
            let name = TextParsing.string(line[..<colon])
            let rest = line[(colon + 1)...]
            var values = TextParsing.Fields(rest)
            guard let metricField = metricField(for: name) else {
                problems.append("field name unusable in a metric name: \(TextParsing.quoted(name))")
                continue
            }
            let first = values.next()
            guard let number = first.flatMap(TextParsing.unsigned) else {
                problems.append("\(name): not a number: \(TextParsing.quoted(first ?? []))")
                continue
            }
            let unit = values.next()
            let value: UInt64
            let isBytes: Bool
            switch (unit, values.next()) {
            case (nil, _):
                (value, isBytes) = (number, false)
            case (let unit?, nil) where unit.equals("kB"):
                let (bytes, overflow) = number.multipliedReportingOverflow(by: 1024)
                guard !overflow else {
                    problems.append("\(name): too large: \(number) kB")
                    continue
                }
                (value, isBytes) = (bytes, true)
            default:
                let units = TextParsing.fields(rest).dropFirst().map(TextParsing.string).joined(separator: " ")
                problems.append("\(name): unexpected unit: \(TextParsing.quoted(units))")
                continue
            }
            guard seen.insert(metricField).inserted else {
                problems.append("\(name): listed twice")
                continue
            }
            fields.append(Field(name: name, metricField: metricField, value: value, isBytes: isBytes))
        }
        if let truncated {
            problems.append("last line cut short: \(TextParsing.quoted(truncated))")
        }
        return Parsed(MemoryInfo(fields: fields), problems: problems)
    }

    public static func read(from root: HostRoot) -> Parsed<MemoryInfo?> { read(from: HostFiles(root)) }

    static func read(from files: HostFiles) -> Parsed<MemoryInfo?> {
        var problems: [String] = []
        guard let text = files.text(path, problems: &problems) else { return Parsed(nil, problems: problems) }
        let parsed = parse(text[...])
        return Parsed(parsed.value, problems: parsed.problems.prefixed(path))
    }

    /// node_exporter's `meminfo` collector.
    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        let parsed = read(from: context.files)
        return Parsed(Collected(parsed.value?.metricFamilies ?? []), problems: parsed.problems)
    }

    var metricFamilies: [MetricFamily] {
        fields.map { field in
            MetricFamily(
                name: field.metricName,
                help: "Memory information field \(field.metricField)\(field.isBytes ? "_bytes" : "").",
                type: .gauge,
                samples: [Sample(labels: [], value: Double(field.value))])
        }
    }
}
