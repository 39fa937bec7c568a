/// `/proc/1/net/dev` (the host's network namespace, see ``ProcNet``) → `node_network_receive_bytes_total` /
/// `node_network_transmit_bytes_total` `{device}`.
public struct NetworkInterface: Sendable, Hashable, Codable {
    public static let probe = "netdev"

    public var device: String
    public var receiveBytes: UInt64?
    public var transmitBytes: UInt64?

    public init(device: String, receiveBytes: UInt64?, transmitBytes: UInt64?) {
        self.device = device
        self.receiveBytes = receiveBytes
        self.transmitBytes = transmitBytes
    }

    /// Parses the table after its two header lines: `  eth0: 1735486230 1520832 0 ... 98765432 ...`.
    /// The name and the first number may touch (`eth0:1735486230`) when the number is wide.
    public static func parse(_ text: String) -> Parsed<[NetworkInterface]> { parse(TextParsing.bytes(text)) }

    static func parse(_ bytes: Bytes) -> Parsed<[NetworkInterface]> {
        let (lines, truncated) = TextParsing.completeLines(bytes)
        var problems: [String] = []
        var result: [NetworkInterface] = []
        var seen: Set<String> = []
        for line in lines where !line.isEmpty && !line.contains(UInt8(ascii: "|")) {
            guard let colon = line.firstIndex(ofASCII: ":") else {
                problems.append("malformed line: \(TextParsing.quoted(line))")
                continue
            }
            let device = TextParsing.string(line[..<colon].drop { $0 == UInt8(ascii: " ") })
            var fields = TextParsing.Fields(line[(colon + 1)...])
            guard !device.isEmpty, seen.insert(device).inserted else {
                problems.append("malformed or repeated device: \(TextParsing.quoted(line))")
                continue
            }
            // Receive bytes is the first counter, transmit bytes the ninth.
            var receiveField: Bytes?
            var transmitField: Bytes?
            var index = 0
            while index <= 8, let field = fields.next() {
                if index == 0 { receiveField = field } else if index == 8 { transmitField = field }
                index += 1
            }
            func counter(_ field: Bytes?, _ name: String) -> UInt64? {
                guard let field else {
                    problems.append("\(device) \(name): missing")
                    return nil
                }
                guard let value = TextParsing.unsigned(field) else {
                    problems.append("\(device) \(name): not a number: \(TextParsing.quoted(field))")
                    return nil
                }
                return value
            }
            let receive = counter(receiveField, "receive bytes")
            let transmit = counter(transmitField, "transmit bytes")
            if receive == nil, transmit == nil { continue }
            result.append(NetworkInterface(device: device, receiveBytes: receive, transmitBytes: transmit))
        }
        if let truncated { problems.append("last line cut short: \(TextParsing.quoted(truncated))") }
        return Parsed(result, problems: problems)
    }

    public static func read(from root: HostRoot) -> Parsed<[NetworkInterface]> { read(from: HostFiles(root)) }

    static func read(from files: HostFiles) -> Parsed<[NetworkInterface]> {
        var problems: [String] = []
        let path = ProcNet.directory(files) + "/dev"
        guard let text = files.text(path, problems: &problems) else { return Parsed([], problems: problems) }
        let parsed = parse(text[...])
        return Parsed(parsed.value, problems: parsed.problems.prefixed(path))
    }

    /// The columns of `/proc/net/dev`, named as node_exporter's `netdev` collector names them
    /// (`node_network_<name>_total`).
    static let columns = [
        "receive_bytes", "receive_packets", "receive_errs", "receive_drop", "receive_fifo", "receive_frame",
        "receive_compressed", "receive_multicast", "transmit_bytes", "transmit_packets", "transmit_errs", "transmit_drop",
        "transmit_fifo", "transmit_colls", "transmit_carrier", "transmit_compressed",
    ]

    /// node_exporter's `netdev` collector (reading `/proc/net/dev`, of the host's namespace): all sixteen counters.
    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        var problems: [String] = []
        let path = ProcNet.directory(context.files) + "/dev"
        guard let text = context.files.text(path, problems: &problems) else { return Parsed(Collected([]), problems: problems) }
        let (lines, truncated) = TextParsing.completeLines(text[...])
        var set = FamilySet()
        var seen: Set<String> = []
        for line in lines where !line.isEmpty && !line.contains(UInt8(ascii: "|")) {
            guard let colon = line.firstIndex(ofASCII: ":") else {
                problems.append("\(path): malformed line: \(TextParsing.quoted(line))")
                continue
            }
            let device = TextParsing.string(line[..<colon].drop { $0 == UInt8(ascii: " ") })
            guard !device.isEmpty, seen.insert(device).inserted else {
                problems.append("\(path): malformed or repeated device: \(TextParsing.quoted(line))")
                continue
            }
            let fields = TextParsing.fields(line[(colon + 1)...])
            if fields.count < columns.count {
                problems.append("\(path): \(device): \(fields.count) counters, expected \(columns.count)")
            }
            let labels = [Label(name: "device", value: device)]
            for (column, field) in zip(columns, fields) {
                guard let value = TextParsing.unsigned(field) else {
                    problems.append("\(path): \(device) \(column): not a number: \(TextParsing.quoted(field))")
                    continue
                }
                set.add("node_network_\(column)_total", "Network device statistic \(column).", .counter, labels, Double(value))
            }
        }
        if let truncated { problems.append("\(path): last line cut short: \(TextParsing.quoted(truncated))") }
        return Parsed(Collected(set.all), problems: problems)
    }

    static func metricFamilies(_ interfaces: [NetworkInterface]) -> [MetricFamily] {
        [
            MetricFamily(
                name: "node_network_receive_bytes_total", help: "Network device statistic receive_bytes.",
                type: .counter,
                samples: interfaces.compactMap { i in i.receiveBytes.map { Sample(["device": i.device], value: Double($0)) } }),
            MetricFamily(
                name: "node_network_transmit_bytes_total", help: "Network device statistic transmit_bytes.",
                type: .counter,
                samples: interfaces.compactMap { i in i.transmitBytes.map { Sample(["device": i.device], value: Double($0)) } }),
        ]
    }
}
