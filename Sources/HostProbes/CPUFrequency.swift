/// `/sys/devices/system/cpu/cpu*/cpufreq/scaling_cur_freq` (kHz) → `node_cpu_scaling_frequency_hertz{cpu}` (Hz).
public struct CPUFrequency: Sendable, Hashable, Codable {
    public static let probe = "cpufreq"
    static let directory = "/sys/devices/system/cpu"
    /// 100 GHz: no CPU runs faster; a larger value is garbage.
    static let maximumKilohertz: UInt64 = 100_000_000

    /// The CPU number as a label value: `"0"` for `cpu0`.
    public var cpu: String
    public var hertz: Double

    public init(cpu: String, hertz: Double) {
        self.cpu = cpu
        self.hertz = hertz
    }

    /// Parses `scaling_cur_freq`: kHz (`1800000` → 1.8e9 Hz).
    public static func parseKilohertz(_ text: String) -> Parsed<Double?> {
        let trimmed = text.trimmingTrailingNulsAndWhitespace()
        guard let kilohertz = TextParsing.unsigned(trimmed) else {
            return Parsed(nil, problems: ["not a frequency: \(TextParsing.quoted(trimmed))"])
        }
        guard kilohertz <= maximumKilohertz else {
            return Parsed(nil, problems: ["frequency out of range: \(kilohertz) kHz"])
        }
        return Parsed(Double(kilohertz) * 1000)
    }

    public static func read(from root: HostRoot) -> Parsed<[CPUFrequency]> { read(from: HostFiles(root)) }

    static func read(from files: HostFiles) -> Parsed<[CPUFrequency]> {
        var problems: [String] = []
        let cpus: [(name: String, number: Int)]
        do {
            cpus = try files.numberedEntries(directory, prefix: "cpu")
        } catch {
            return Parsed([], problems: [error.description])
        }
        var result: [CPUFrequency] = []
        var missing = 0
        for cpu in cpus {
            // The CPU's listing (kept) says whether it has cpufreq at all: a VM has none, and reading files that
            // are not there costs a path walk each.
            guard hasCPUFreq(cpu.name, in: files) else {
                missing += 1
                continue
            }
            let path = "\(directory)/\(cpu.name)/cpufreq/scaling_cur_freq"
            let text: String
            do {
                text = String(decoding: try files.readText(path), as: UTF8.self)
            } catch  where error.isNotFound {
                missing += 1  // a VM or a kernel without cpufreq: reported once below
                continue
            } catch {
                problems.append(error.description)
                continue
            }
            let frequency = parseKilohertz(text)
            problems += frequency.problems.prefixed(path)
            if let hertz = frequency.value {
                result.append(CPUFrequency(cpu: String(cpu.number), hertz: hertz))
            }
        }
        if cpus.isEmpty {
            problems.append("\(directory): no cpu* directories")
        } else if missing > 0 {
            problems.append("\(directory)/cpu*/cpufreq/scaling_cur_freq: not found for \(missing) of \(cpus.count) CPUs")
        }
        return Parsed(result, problems: problems)
    }

    /// node_exporter's `cpufreq` collector: the current, minimum and maximum frequency of each CPU, as the hardware
    /// (`cpuinfo_*`, whose current value only root may read) and the governor (`scaling_*`) see it.
    static let files: [(file: String, name: String, help: String)] = [
        ("cpuinfo_cur_freq", "node_cpu_frequency_hertz", "Current cpu thread frequency in hertz."),
        ("cpuinfo_min_freq", "node_cpu_frequency_min_hertz", "Minimum cpu thread frequency in hertz."),
        ("cpuinfo_max_freq", "node_cpu_frequency_max_hertz", "Maximum cpu thread frequency in hertz."),
        ("scaling_cur_freq", "node_cpu_scaling_frequency_hertz", "Current scaled CPU thread frequency in hertz."),
        ("scaling_min_freq", "node_cpu_scaling_frequency_min_hertz", "Minimum scaled CPU thread frequency in hertz."),
        ("scaling_max_freq", "node_cpu_scaling_frequency_max_hertz", "Maximum scaled CPU thread frequency in hertz."),
    ]

    static func collect(_ context: CollectorContext) -> Parsed<Collected> {
        let files = context.files
        var problems: [String] = []
        let cpus: [(name: String, number: Int)]
        do {
            cpus = try files.numberedEntries(directory, prefix: "cpu")
        } catch {
            return Parsed(Collected([]), problems: [error.description])
        }
        var set = FamilySet()
        for cpu in cpus where hasCPUFreq(cpu.name, in: files) {
            let base = "\(directory)/\(cpu.name)/cpufreq"
            for file in Self.files {
                let path = "\(base)/\(file.file)"
                let text: String
                do {
                    text = String(decoding: try files.readText(path), as: UTF8.self)
                } catch {
                    switch error {
                    case .notFound, .permissionDenied, .notADirectory: continue  // no cpufreq here, or root only
                    case .overBudget where files.skipped > 1: continue
                    default:
                        problems.append(error.description)
                        continue
                    }
                }
                let frequency = parseKilohertz(text)
                problems += frequency.problems.prefixed(path)
                if let hertz = frequency.value {
                    set.add(file.name, file.help, .gauge, [Label(name: "cpu", value: String(cpu.number))], hertz)
                }
            }
        }
        return Parsed(Collected(set.all), problems: problems)
    }

    /// Whether `/sys/devices/system/cpu/<cpu>` lists `cpufreq` (a link to its policy on a Pi). An unreadable listing
    /// says nothing: then the files are tried.
    static func hasCPUFreq(_ cpu: String, in files: HostFiles) -> Bool {
        guard let entries = try? files.directoryEntries("\(directory)/\(cpu)") else { return true }
        return entries.contains { $0.name == "cpufreq" }
    }

    static func metricFamilies(_ frequencies: [CPUFrequency]) -> [MetricFamily] {
        [
            MetricFamily(
                name: "node_cpu_scaling_frequency_hertz", help: "Current scaled CPU thread frequency in hertz.",
                type: .gauge, samples: frequencies.map { Sample(["cpu": $0.cpu], value: $0.hertz) })
        ]
    }
}
