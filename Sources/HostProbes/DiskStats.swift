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
    /// That is `^(z?ram|loop|fd|(h|s|v|xv)d[a-z]|nvme\d+n\d+p)\d+$`, matched by hand: Swift `Regex`
    /// costs milliseconds per reading on a Pi.
    public static func isIgnored(device: String) -> Bool { isIgnored(device: TextParsing.bytes(device)) }

    static func isIgnored(device bytes: Bytes) -> Bool {
        var end = bytes.endIndex
        while end > bytes.startIndex, TextParsing.isDigit(bytes[end - 1]) { end -= 1 }
        guard end < bytes.endIndex else { return false }  // needs trailing digits
        let stem = bytes[..<end]
        if ["zram", "ram", "loop", "fd"].contains(where: { stem.elementsEqual($0.utf8) }) { return true }
        // (h|s|v|xv)d[a-z]
        for prefix in ["hd", "sd", "vd", "xvd"] where stem.count == prefix.utf8.count + 1 && stem.starts(with: prefix.utf8) {
            if let last = stem.last, last >= UInt8(ascii: "a"), last <= UInt8(ascii: "z") { return true }
        }
        // nvme\d+n\d+p
        guard stem.starts(with: "nvme".utf8), stem.last == UInt8(ascii: "p") else { return false }
        let middle = stem.dropFirst(4).dropLast()
        guard let n = middle.firstIndex(of: UInt8(ascii: "n")) else { return false }
        let before = middle[..<n], after = middle[middle.index(after: n)...]
        return !before.isEmpty && !after.isEmpty && before.allSatisfy(TextParsing.isDigit) && after.allSatisfy(TextParsing.isDigit)
    }

    /// Parses `179 0 mmcblk0 40112 15226 3067578 212874 28154 30811 1498112 ...`:
    /// sectors read is the 6th field, sectors written the 10th.
    public static func parse(_ text: String) -> Parsed<[DiskStat]> { parse(TextParsing.bytes(text)) }

    static func parse(_ bytes: Bytes) -> Parsed<[DiskStat]> {
        let (lines, truncated) = TextParsing.completeLines(bytes)
        var problems: [String] = []
        var result: [DiskStat] = []
        var seen: Set<String> = []
        for line in lines where !line.isEmpty {
            // The device is the 3rd field, sectors read the 6th, sectors written the 10th.
            var deviceField: Bytes = []
            var readField: Bytes = []
            var writtenField: Bytes = []
            var count = 0
            for field in TextParsing.Fields(line) {
                switch count {
                case 2: deviceField = field
                case 5: readField = field
                case 9: writtenField = field
                default: break
                }
                count += 1
            }
            guard count >= 14 else {
                problems.append("\(count) fields, expected at least 14: \(TextParsing.quoted(line))")
                continue
            }
            if isIgnored(device: deviceField) { continue }
            let device = TextParsing.string(deviceField)
            guard seen.insert(device).inserted else {
                problems.append("\(device): listed twice")
                continue
            }
            func bytes(_ field: Bytes, _ name: String) -> UInt64? {
                guard let sectors = TextParsing.unsigned(field) else {
                    problems.append("\(device) \(name): not a number: \(TextParsing.quoted(field))")
                    return nil
                }
                let (value, overflow) = sectors.multipliedReportingOverflow(by: sectorSize)
                if overflow {
                    problems.append("\(device) \(name): too large")
                    return nil
                }
                return value
            }
            let read = bytes(readField, "sectors read")
            let written = bytes(writtenField, "sectors written")
            if read == nil, written == nil { continue }
            result.append(DiskStat(device: device, readBytes: read, writtenBytes: written))
        }
        if let truncated { problems.append("last line cut short: \(TextParsing.quoted(truncated))") }
        return Parsed(result, problems: problems)
    }

    public static func read(from root: HostRoot) -> Parsed<[DiskStat]> { read(from: HostFiles(root)) }

    static func read(from files: HostFiles) -> Parsed<[DiskStat]> {
        var problems: [String] = []
        guard let text = files.text(path, problems: &problems) else { return Parsed([], problems: problems) }
        let parsed = parse(text[...])
        return Parsed(parsed.value, problems: parsed.problems.prefixed(path))
    }

    /// The columns after the device name, as node_exporter's `diskstats` collector exports them (kernel 5.5 and
    /// later write all 17; older kernels fewer, and only those are exported): name, help, counter, scale.
    static let columns: [(name: String, help: String, type: MetricFamily.Kind, scale: Double)] = [
        ("node_disk_reads_completed_total", "The total number of reads completed successfully.", .counter, 1),
        ("node_disk_reads_merged_total", "The total number of reads merged.", .counter, 1),
        ("node_disk_read_bytes_total", "The total number of bytes read successfully.", .counter, Double(sectorSize)),
        ("node_disk_read_time_seconds_total", "The total number of seconds spent by all reads.", .counter, 0.001),
        ("node_disk_writes_completed_total", "The total number of writes completed successfully.", .counter, 1),
        ("node_disk_writes_merged_total", "The number of writes merged.", .counter, 1),
        ("node_disk_written_bytes_total", "The total number of bytes written successfully.", .counter, Double(sectorSize)),
        ("node_disk_write_time_seconds_total", "This is the total number of seconds spent by all writes.", .counter, 0.001),
        ("node_disk_io_now", "The number of I/Os currently in progress.", .gauge, 1),
        ("node_disk_io_time_seconds_total", "Total seconds spent doing I/Os.", .counter, 0.001),
        ("node_disk_io_time_weighted_seconds_total", "The weighted # of seconds spent doing I/Os.", .counter, 0.001),
        ("node_disk_discards_completed_total", "The total number of discards completed successfully.", .counter, 1),
        ("node_disk_discards_merged_total", "The total number of discards merged.", .counter, 1),
        ("node_disk_discarded_sectors_total", "The total number of sectors discarded successfully.", .counter, 1),
        ("node_disk_discard_time_seconds_total", "This is the total number of seconds spent by all discards.", .counter, 0.001),
        ("node_disk_flush_requests_total", "The total number of flush requests completed successfully", .counter, 1),
        ("node_disk_flush_requests_time_seconds_total", "This is the total number of seconds spent by all flush requests.", .counter, 0.001),
    ]

    /// node_exporter's `diskstats` collector: every column, and `node_disk_info{device,major,minor,...}` (the udev
    /// properties node_exporter adds, path, wwn, model, serial and revision, are left empty: the agent does not read
    /// the udev database).
    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        var problems: [String] = []
        guard let text = context.files.text(path, problems: &problems) else { return Parsed(Collected([]), problems: problems) }
        let (lines, truncated) = TextParsing.completeLines(text[...])
        var set = FamilySet()
        var seen: Set<String> = []
        for line in lines where !line.isEmpty {
            let fields = TextParsing.fields(line)
            guard fields.count >= 14 else {
                problems.append("\(path): \(fields.count) fields, expected at least 14: \(TextParsing.quoted(line))")
                continue
            }
            if isIgnored(device: fields[2]) { continue }
            let device = TextParsing.string(fields[2])
            guard let major = TextParsing.unsigned(fields[0]), let minor = TextParsing.unsigned(fields[1]) else {
                problems.append("\(path): \(device): malformed device number")
                continue
            }
            guard seen.insert(device).inserted else {
                problems.append("\(path): \(device): listed twice")
                continue
            }
            let labels = [Label(name: "device", value: device)]
            set.add(
                "node_disk_info", "Info of /sys/block/<block_device>.", .gauge,
                [
                    Label(name: "device", value: device), Label(name: "major", value: String(major)),
                    Label(name: "minor", value: String(minor)), Label(name: "model", value: ""), Label(name: "path", value: ""),
                    Label(name: "revision", value: ""), Label(name: "serial", value: ""), Label(name: "wwn", value: ""),
                ], 1)
            for (column, field) in zip(columns, fields.dropFirst(3)) {
                guard let value = TextParsing.unsigned(field) else {
                    problems.append("\(path): \(device) \(column.name): not a number: \(TextParsing.quoted(field))")
                    continue
                }
                set.add(column.name, column.help, column.type, labels, Double(value) * column.scale)
            }
        }
        if let truncated { problems.append("\(path): last line cut short: \(TextParsing.quoted(truncated))") }
        return Parsed(Collected(set.all), problems: problems)
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
