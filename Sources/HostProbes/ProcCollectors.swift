extension HostFiles {
    /// The text of a file that may rightly be absent: nil without a problem when it is not there.
    func optionalText(_ path: String, problems: inout [String]) -> [UInt8]? {
        do {
            return try readText(path)
        } catch  where error.isNotFound {
            return nil
        } catch {
            if case .overBudget = error, skipped > 1 { return nil }
            problems.append(error.description)
            return nil
        }
    }
}

extension TextParsing {
    /// A base-10 integer with an optional leading minus, as bytes.
    static func signed(_ bytes: Bytes) -> Int64? {
        guard let first = bytes.first else { return nil }
        if first == UInt8(ascii: "-") {
            guard let magnitude = unsigned(bytes.dropFirst()), magnitude <= UInt64(Int64.max) else { return nil }
            return -Int64(magnitude)
        }
        guard let value = unsigned(bytes), value <= UInt64(Int64.max) else { return nil }
        return Int64(value)
    }

    /// Hexadecimal digits only (`/proc/net/softnet_stat`, `/proc/net/stat/nf_conntrack`).
    static func hex(_ bytes: Bytes) -> UInt64? {
        guard !bytes.isEmpty, bytes.count <= 16 else { return nil }
        var value: UInt64 = 0
        for byte in bytes {
            let digit: UInt8
            switch byte {
            case 0x30...0x39: digit = byte - 0x30
            case 0x61...0x66: digit = byte - 0x61 + 10
            case 0x41...0x46: digit = byte - 0x41 + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }
}

/// node_exporter's `stat` collector: `/proc/stat` → `node_boot_time_seconds`, `node_context_switches_total`,
/// `node_forks_total`, `node_intr_total`, `node_procs_running`, `node_procs_blocked`.
enum ProcStat {
    static let path = "/proc/stat"
    static let fields: [(key: StaticString, name: String, help: String, type: MetricFamily.Kind)] = [
        ("intr", "node_intr_total", "Total number of interrupts serviced.", .counter),
        ("ctxt", "node_context_switches_total", "Total number of context switches.", .counter),
        ("processes", "node_forks_total", "Total number of forks.", .counter),
        ("btime", "node_boot_time_seconds", "Node boot time, in unixtime.", .gauge),
        ("procs_running", "node_procs_running", "Number of processes in runnable state.", .gauge),
        ("procs_blocked", "node_procs_blocked", "Number of processes blocked waiting for I/O to complete.", .gauge),
    ]

    /// The values of the lines above, by metric name; each line is read alone (a bad one leaves only its metric out).
    static func parse(_ bytes: Bytes) -> Parsed<[String: Double]> {
        let (lines, truncated) = TextParsing.completeLines(bytes)
        var values: [String: Double] = [:]
        var problems: [String] = []
        for line in lines {
            var fields = TextParsing.Fields(line)
            guard let key = fields.next(), let field = ProcStat.fields.first(where: { key.equals($0.key) }) else { continue }
            guard values[field.name] == nil else {
                problems.append("\(TextParsing.string(key)): listed twice")
                continue
            }
            guard let value = fields.next().flatMap(TextParsing.unsigned) else {
                problems.append("\(TextParsing.string(key)): not a number: \(TextParsing.quoted(line))")
                continue
            }
            values[field.name] = Double(value)
        }
        if let truncated { problems.append("last line cut short: \(TextParsing.quoted(truncated))") }
        for field in fields where values[field.name] == nil && !problems.contains(where: { $0.hasPrefix("\(field.key)") }) {
            problems.append("no \(field.key) line")
        }
        return Parsed(values, problems: problems)
    }

    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        var problems: [String] = []
        guard let text = context.files.text(path, problems: &problems) else { return Parsed(Collected([]), problems: problems) }
        let parsed = parse(text[...])
        var set = FamilySet()
        for field in fields {
            if let value = parsed.value[field.name] { set.add(field.name, field.help, field.type, [], value) }
        }
        return Parsed(Collected(set.all), problems: parsed.problems.prefixed(path))
    }
}

/// node_exporter's `vmstat` collector with its default fields, `^(oom_kill|pgpg|pswp|pg.*fault).*`:
/// `/proc/vmstat` → `node_vmstat_<field>` (untyped, as there).
enum VMStat {
    static let path = "/proc/vmstat"

    static func isDefaultField(_ name: Bytes) -> Bool {
        if name.hasPrefix("oom_kill") || name.hasPrefix("pgpg") || name.hasPrefix("pswp") { return true }
        guard name.hasPrefix("pg") else { return false }
        let rest = name.dropFirst(2)
        return rest.indices.contains { rest[$0...].hasPrefix("fault") }
    }

    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        var problems: [String] = []
        guard let text = context.files.text(path, problems: &problems) else { return Parsed(Collected([]), problems: problems) }
        let (lines, truncated) = TextParsing.completeLines(text[...])
        var set = FamilySet()
        var seen: Set<String> = []
        for line in lines where !line.isEmpty {
            let fields = TextParsing.fields(line)
            guard fields.count == 2 else {
                problems.append("\(path): malformed line: \(TextParsing.quoted(line))")
                continue
            }
            guard isDefaultField(fields[0]) else { continue }
            let name = TextParsing.string(fields[0])
            guard fields[0].allSatisfy(MetricName.isNameByte), seen.insert(name).inserted else {
                problems.append("\(path): unusable or repeated field \(TextParsing.quoted(name))")
                continue
            }
            guard let value = TextParsing.signed(fields[1]) else {
                problems.append("\(path): \(name): not a number: \(TextParsing.quoted(fields[1]))")
                continue
            }
            set.add("node_vmstat_" + name, "/proc/vmstat information field \(name).", .untyped, [], Double(value))
        }
        if let truncated { problems.append("\(path): last line cut short: \(TextParsing.quoted(truncated))") }
        return Parsed(Collected(set.all), problems: problems)
    }
}

/// node_exporter's `pressure` collector: `/proc/pressure/{cpu,io,memory}` (pressure stall information, kernel 4.20
/// and later with PSI on) → `node_pressure_*_seconds_total`.
enum Pressure {
    static let directory = "/proc/pressure"
    static let resources: [(file: String, some: (String, String), full: (String, String)?)] = [
        ("cpu", ("node_pressure_cpu_waiting_seconds_total", "Total time in seconds that processes have waited for CPU time"), nil),
        (
            "io", ("node_pressure_io_waiting_seconds_total", "Total time in seconds that processes have waited due to IO congestion"),
            ("node_pressure_io_stalled_seconds_total", "Total time in seconds no process could make progress due to IO congestion")
        ),
        (
            "memory", ("node_pressure_memory_waiting_seconds_total", "Total time in seconds that processes have waited for memory"),
            ("node_pressure_memory_stalled_seconds_total", "Total time in seconds no process could make progress due to memory congestion")
        ),
    ]

    /// The `total=` microseconds of the `some` and `full` lines:
    /// `some avg10=0.00 avg60=0.00 avg300=0.00 total=123456`.
    static func parse(_ bytes: Bytes) -> Parsed<(some: UInt64?, full: UInt64?)> {
        let (lines, truncated) = TextParsing.completeLines(bytes)
        var some: UInt64?
        var full: UInt64?
        var problems: [String] = []
        for line in lines where !line.isEmpty {
            var fields = TextParsing.Fields(line)
            guard let kind = fields.next(), kind.equals("some") || kind.equals("full") else {
                problems.append("unexpected line: \(TextParsing.quoted(line))")
                continue
            }
            var total: UInt64?
            for field in fields where field.hasPrefix("total=") {
                total = TextParsing.unsigned(field.dropFirst(6))
            }
            guard let total else {
                problems.append("\(TextParsing.string(kind)): no total: \(TextParsing.quoted(line))")
                continue
            }
            if kind.equals("some") { some = total } else { full = total }
        }
        if let truncated { problems.append("last line cut short: \(TextParsing.quoted(truncated))") }
        return Parsed((some, full), problems: problems)
    }

    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        var problems: [String] = []
        var set = FamilySet()
        for resource in resources {
            let path = "\(directory)/\(resource.file)"
            guard let text = context.files.text(path, problems: &problems) else { continue }
            let parsed = parse(text[...])
            problems += parsed.problems.prefixed(path)
            if let some = parsed.value.some {
                set.add(resource.some.0, resource.some.1, .counter, [], Double(some) / 1_000_000)
            } else if parsed.problems.isEmpty {
                problems.append("\(path): no some line")
            }
            if let full = resource.full {
                if let value = parsed.value.full {
                    set.add(full.0, full.1, .counter, [], Double(value) / 1_000_000)
                } else if parsed.problems.isEmpty {
                    problems.append("\(path): no full line")
                }
            }
        }
        return Parsed(Collected(set.all), problems: problems)
    }
}

/// node_exporter's `filefd` collector: `/proc/sys/fs/file-nr` → `node_filefd_allocated`, `node_filefd_maximum`.
enum FileFD {
    static let path = "/proc/sys/fs/file-nr"

    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        var problems: [String] = []
        guard let text = context.files.text(path, problems: &problems) else { return Parsed(Collected([]), problems: problems) }
        let firstLine = text[...].firstIndex(of: TextParsing.newline).map { text[..<$0] } ?? text[...]
        let fields = TextParsing.fields(firstLine)
        guard fields.count == 3, let allocated = TextParsing.unsigned(fields[0]), let maximum = TextParsing.unsigned(fields[2]) else {
            return Parsed(Collected([]), problems: ["\(path): not three numbers: \(TextParsing.quoted(firstLine))"])
        }
        var set = FamilySet()
        set.add("node_filefd_allocated", "File descriptor statistics: allocated.", .gauge, [], Double(allocated))
        set.add("node_filefd_maximum", "File descriptor statistics: maximum.", .gauge, [], Double(maximum))
        return Parsed(Collected(set.all))
    }
}

/// node_exporter's `entropy` collector: `/proc/sys/kernel/random/{entropy_avail,poolsize}`.
enum Entropy {
    static let directory = "/proc/sys/kernel/random"

    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        var problems: [String] = []
        var set = FamilySet()
        for (file, name, help) in [
            ("entropy_avail", "node_entropy_available_bits", "Bits of available entropy."),
            ("poolsize", "node_entropy_pool_size_bits", "Bits of entropy pool."),
        ] {
            let path = "\(directory)/\(file)"
            guard let text = context.files.attribute(path, problems: &problems) else { continue }
            guard let value = TextParsing.unsigned(text) else {
                problems.append("\(path): not a number: \(TextParsing.quoted(text))")
                continue
            }
            set.add(name, help, .gauge, [], Double(value))
        }
        return Parsed(Collected(set.all), problems: problems)
    }
}

/// node_exporter's `schedstat` collector: the `cpuN` lines of `/proc/schedstat` → time running and waiting, and
/// timeslices, per CPU.
enum SchedStat {
    static let path = "/proc/schedstat"

    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        var problems: [String] = []
        guard let text = context.files.text(path, problems: &problems) else { return Parsed(Collected([]), problems: problems) }
        let (lines, truncated) = TextParsing.completeLines(text[...])
        var set = FamilySet()
        var cpus = 0
        for line in lines where line.hasPrefix("cpu") {
            let fields = TextParsing.fields(line)
            guard fields.count >= 10, let cpu = TextParsing.unsigned(fields[0].dropFirst(3)),
                let running = TextParsing.unsigned(fields[7]), let waiting = TextParsing.unsigned(fields[8]),
                let timeslices = TextParsing.unsigned(fields[9])
            else {
                problems.append("\(path): malformed line: \(TextParsing.quoted(line))")
                continue
            }
            cpus += 1
            if cpus > HostFiles.maxEntriesPerClass {
                context.files.skipped += 1
                continue
            }
            let labels = [Label(name: "cpu", value: String(cpu))]
            set.add(
                "node_schedstat_running_seconds_total", "Number of seconds CPU spent running a process.", .counter, labels,
                Double(running) / 1e9)
            set.add(
                "node_schedstat_waiting_seconds_total", "Number of seconds spent by processing waiting for this CPU.", .counter,
                labels, Double(waiting) / 1e9)
            set.add("node_schedstat_timeslices_total", "Number of timeslices executed by CPU.", .counter, labels, Double(timeslices))
        }
        if let truncated { problems.append("\(path): last line cut short: \(TextParsing.quoted(truncated))") }
        if cpus == 0, problems.isEmpty { problems.append("\(path): no cpu lines") }
        return Parsed(Collected(set.all), problems: problems)
    }
}
