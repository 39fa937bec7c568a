/// One reading of the node's hardware. Every part is optional or possibly empty: a source that is absent
/// or garbage leaves its part out and adds a ``ProbeIssue``, it never becomes a made-up number.
public struct HardwareReading: Sendable, Hashable, Codable {
    public var board: BoardInfo?
    /// Whether the wall clock is trustworthy (NTP synchronized); nil when unknown.
    public var clockSynchronized: Bool?
    public var bootTimeSeconds: Double?
    public var load: LoadAverage?
    public var cpuTimes: [CPUTimes]
    public var cpuFrequencies: [CPUFrequency]
    public var thermalZones: [ThermalZone]
    public var throttling: Throttling?
    public var underVoltageAlarm: Bool?
    public var fans: [Fan]
    public var memory: MemoryInfo?
    public var filesystems: [FilesystemUsage]
    public var networkInterfaces: [NetworkInterface]
    public var disks: [DiskStat]
    public var gpioLines: [GPIOLineValue]
    /// Why parts are missing, each once, in probe order. Log them at debug level (see ``ProbeIssueLog``).
    public var issues: [ProbeIssue]
    /// Entries each probe skipped (over ``HostFiles/maxEntriesPerClass`` or its time budget), by probe.
    public var skippedEntries: [String: Int]? = nil

    public init(
        board: BoardInfo? = nil, clockSynchronized: Bool? = nil, bootTimeSeconds: Double? = nil,
        load: LoadAverage? = nil, cpuTimes: [CPUTimes] = [], cpuFrequencies: [CPUFrequency] = [],
        thermalZones: [ThermalZone] = [], throttling: Throttling? = nil, underVoltageAlarm: Bool? = nil,
        fans: [Fan] = [], memory: MemoryInfo? = nil, filesystems: [FilesystemUsage] = [],
        networkInterfaces: [NetworkInterface] = [], disks: [DiskStat] = [], gpioLines: [GPIOLineValue] = [],
        issues: [ProbeIssue] = []
    ) {
        self.board = board
        self.clockSynchronized = clockSynchronized
        self.bootTimeSeconds = bootTimeSeconds
        self.load = load
        self.cpuTimes = cpuTimes
        self.cpuFrequencies = cpuFrequencies
        self.thermalZones = thermalZones
        self.throttling = throttling
        self.underVoltageAlarm = underVoltageAlarm
        self.fans = fans
        self.memory = memory
        self.filesystems = filesystems
        self.networkInterfaces = networkInterfaces
        self.disks = disks
        self.gpioLines = gpioLines
        self.issues = issues
    }

    /// The reading as Prometheus metric families, sorted by name. Families without samples are left out.
    public var metricFamilies: [MetricFamily] {
        unsortedMetricFamilies.filter { !$0.samples.isEmpty }.sorted { $0.name < $1.name }
    }

    /// The same families in no particular order, some possibly without samples: for callers that look samples
    /// up by name (the sampler's store), sorting is wasted work.
    public var unsortedMetricFamilies: [MetricFamily] {
        var families: [MetricFamily] = []
        families.reserveCapacity(32 + (memory?.fields.count ?? 0))
        families += load?.metricFamilies ?? []
        families += CPUTimes.metricFamilies(cpuTimes)
        families += memory?.metricFamilies ?? []
        families += ThermalZone.metricFamilies(thermalZones)
        families += CPUFrequency.metricFamilies(cpuFrequencies)
        families += FilesystemUsage.metricFamilies(filesystems)
        families += NetworkInterface.metricFamilies(networkInterfaces)
        families += DiskStat.metricFamilies(disks)
        families += BootTime.metricFamilies(bootTimeSeconds)
        families += Fan.metricFamilies(fans)
        families += BoardInfo.metricFamilies(board)
        families += Throttling.metricFamilies(throttling)
        families += UnderVoltage.metricFamilies(underVoltageAlarm)
        families += GPIOLineValue.metricFamilies(gpioLines)
        families.append(
            MetricFamily(
                name: "edge_probe_entries_skipped",
                help: "Entries a probe skipped in the latest reading: more than 256 of one kind, or over its 250 ms time budget.",
                type: .gauge,
                samples: (skippedEntries ?? [:]).sorted { $0.key < $1.key }.map { Sample(["collector": $0.key], value: Double($0.value)) }))
        return families
    }
}
