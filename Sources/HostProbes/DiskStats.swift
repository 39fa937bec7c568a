/// `/proc/diskstats` → `node_disk_read_bytes_total` / `node_disk_written_bytes_total` `{device}`.
public struct DiskStat: Sendable, Hashable, Codable {
    public static let probe = "diskstats"
    static let path = "/proc/diskstats"
    /// The kernel counts these sectors in 512-byte units whatever the device's own sector size.
    public static let sectorSize: UInt64 = 512

    public var device: String
    public var readBytes: UInt64?
    public var writtenBytes: UInt64?

    public init(device: String, readBytes: UInt64?, writtenBytes: UInt64?) {
        self.device = device
        self.readBytes = readBytes
        self.writtenBytes = writtenBytes
    }

    /// node_exporter's default `--collector.diskstats.device-exclude`. Partitions of `mmcblk0` are kept, as there.
    public static func isIgnored(device: String) -> Bool {
        device.wholeMatch(of: /(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+/) != nil
    }

    /// Parses `179 0 mmcblk0 40112 15226 3067578 212874 28154 30811 1498112 ...`:
    /// sectors read is the 6th field, sectors written the 10th.
    public static func parse(_ text: String) -> Parsed<[DiskStat]> {
        let (lines, truncated) = TextParsing.completeLines(text)
        var problems: [String] = []
        var result: [DiskStat] = []
        var seen: Set<String> = []
        for line in lines where !line.isEmpty {
            let fields = TextParsing.fields(line)
            guard fields.count >= 14 else {
                problems.append("\(fields.count) fields, expected at least 14: \(TextParsing.quoted(line))")
                continue
            }
            let device = String(fields[2])
            if isIgnored(device: device) { continue }
            guard seen.insert(device).inserted else {
                problems.append("\(device): listed twice")
                continue
            }
            func bytes(_ index: Int, _ name: String) -> UInt64? {
                guard let sectors = TextParsing.unsigned(fields[index]) else {
                    problems.append("\(device) \(name): not a number: \(TextParsing.quoted(fields[index]))")
                    return nil
                }
                let (value, overflow) = sectors.multipliedReportingOverflow(by: sectorSize)
                if overflow {
                    problems.append("\(device) \(name): too large")
                    return nil
                }
                return value
            }
            let read = bytes(5, "sectors read")
            let written = bytes(9, "sectors written")
            if read == nil, written == nil { continue }
            result.append(DiskStat(device: device, readBytes: read, writtenBytes: written))
        }
        if let truncated { problems.append("last line cut short: \(TextParsing.quoted(truncated))") }
        return Parsed(result, problems: problems)
    }

    public static func read(from root: HostRoot) -> Parsed<[DiskStat]> {
        var problems: [String] = []
        guard let text = root.text(path, problems: &problems) else { return Parsed([], problems: problems) }
        let parsed = parse(text)
        return Parsed(parsed.value, problems: parsed.problems.prefixed(path))
    }

    static func metricFamilies(_ disks: [DiskStat]) -> [MetricFamily] {
        [
            MetricFamily(
                name: "node_disk_read_bytes_total", help: "The total number of bytes read successfully.",
                type: .counter,
                samples: disks.compactMap { d in d.readBytes.map { Sample(["device": d.device], value: Double($0)) } }),
            MetricFamily(
                name: "node_disk_written_bytes_total", help: "The total number of bytes written successfully.",
                type: .counter,
                samples: disks.compactMap { d in d.writtenBytes.map { Sample(["device": d.device], value: Double($0)) } }),
        ]
    }
}
