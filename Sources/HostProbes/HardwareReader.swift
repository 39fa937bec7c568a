/// Runs every probe against a host root and gathers one ``HardwareReading``.
///
/// All I/O with side effects or host state outside the root sits behind a seam, so tests pass fixture
/// trees and fixed answers:
/// ```swift
/// let reader = HardwareReader(root: HostRoot("/host"))
/// let reading = reader.read()
/// let text = PrometheusExposition.render(reading.metricFamilies)
/// ```
public struct HardwareReader: Sendable {
    public var root: HostRoot
    public var filesystemStatistics: any FilesystemStatistics
    public var clock: any ClockSynchronization
    public var gpio: any GPIOReader
    public var gpioLines: [GPIOLineSpec]
    /// `uname(2)`, `adjtimex(2)`, the wall clock and the page size, for the scrape's collectors.
    public var kernel: any KernelInterface
    /// Where the host's mount points are for `statfs`, and its `etc/os-release` (node_exporter's `--path.rootfs`):
    /// `root` on a bare Pi, the read-only `/host/root` mount in the DaemonSet.
    public var rootfs: HostRoot
    /// The node name `node_uname_info` shows instead of `uname(2)`'s (a pod's UTS namespace names the pod).
    public var nodeName: String?
    /// What readings keep for the next ones (open files, directory listings, the board); shared by copies.
    let cache: HostFileCache

    /// - Parameters:
    ///   - root: the host root. Default `/`.
    ///   - filesystemStatistics: `statvfs` behind a seam. Default the real one.
    ///   - clock: asked when the host root has no systemd-timesyncd flag. Default `adjtimex(2)`.
    ///   - gpio: reads `gpioLines`. Default: no GPIO.
    ///   - gpioLines: the configured lines. Default none.
    ///   - cachePeriod: how long a reading may reuse what an earlier one found: directory listings (so a device
    ///     plugged in is seen within this period; one removed is noticed at once), open file descriptors, a failed
    ///     search for `get_throttled`. What cannot change while the host runs (the board, the `get_throttled`
    ///     path while it reads) is kept longer. `.zero` keeps nothing. Default 60 s.
    ///   - now: monotonic time for `cachePeriod`. Default `ContinuousClock.now`.
    ///   - kernel: system calls for the scrape (uname, adjtimex, time). Default the real ones.
    ///   - rootfs: where mount points and `etc/os-release` are found. Default `root`.
    ///   - nodeName: replaces the node name of `uname(2)` in `node_uname_info`. Default none.
    public init(
        root: HostRoot = HostRoot(),
        filesystemStatistics: any FilesystemStatistics = StatvfsFilesystemStatistics(),
        clock: any ClockSynchronization = KernelClockSynchronization(),
        gpio: any GPIOReader = UnavailableGPIOReader(),
        gpioLines: [GPIOLineSpec] = [],
        cachePeriod: Duration = .seconds(60),
        now: @escaping @Sendable () -> ContinuousClock.Instant = { .now },
        kernel: any KernelInterface = LiveKernel(),
        rootfs: HostRoot? = nil,
        nodeName: String? = nil
    ) {
        self.root = root
        self.filesystemStatistics = filesystemStatistics
        self.clock = clock
        self.gpio = gpio
        self.gpioLines = gpioLines
        self.cache = HostFileCache(period: cachePeriod, now: now)
        self.kernel = kernel
        self.rootfs = rootfs ?? root
        self.nodeName = nodeName
    }

    /// Takes one reading. Never throws: every failure becomes an issue in the reading.
    /// Blocking file I/O (and `statvfs`, which can hang on a dead network mount): call it off the event loop.
    public func read() -> HardwareReading {
        var issues: [ProbeIssue] = []
        var skipped: [String: Int] = [:]
        let files = cache.borrow(root)
        defer { cache.giveBack(files) }
        func take<Value>(_ probe: String, _ parsed: Parsed<Value>) -> Value {
            if files.skipped > 0 {
                skipped[probe, default: 0] += files.skipped
                let issue = ProbeIssue(probe: probe, message: "entries skipped: more than \(HostFiles.maxEntriesPerClass) or over the time budget")
                if !issues.contains(issue) { issues.append(issue) }
                files.skipped = 0
            }
            for message in parsed.problems {
                let issue = ProbeIssue(probe: probe, message: message)
                if !issues.contains(issue) { issues.append(issue) }
            }
            return parsed.value
        }
        var reading = HardwareReading()
        reading.board = take(BoardInfo.probe, files.run(BoardInfo.read))
        reading.clockSynchronized = take(ClockSync.probe, files.run { ClockSync.read(from: $0, kernel: clock) })
        reading.bootTimeSeconds = take(BootTime.probe, files.run(BootTime.read))
        reading.load = take(LoadAverage.probe, files.run(LoadAverage.read))
        reading.cpuTimes = take(CPUTimes.probe, files.run(CPUTimes.read))
        reading.cpuFrequencies = take(CPUFrequency.probe, files.run(CPUFrequency.read))
        reading.thermalZones = take(ThermalZone.probe, files.run(ThermalZone.read))
        reading.throttling = take(Throttling.probe, files.run(Throttling.read))
        reading.underVoltageAlarm = take(UnderVoltage.probe, files.run(UnderVoltage.read))
        reading.fans = take(Fan.probe, files.run(Fan.read))
        reading.memory = take(MemoryInfo.probe, files.run(MemoryInfo.read))
        reading.filesystems = take(
            FilesystemUsage.probe, files.run { FilesystemUsage.read(from: $0, statistics: filesystemStatistics, rootfs: rootfs) })
        reading.networkInterfaces = take(NetworkInterface.probe, files.run(NetworkInterface.read))
        reading.disks = take(DiskStat.probe, files.run(DiskStat.read))
        reading.gpioLines = take(GPIOLineValue.probe, GPIOLineValue.read(gpioLines, using: gpio))
        reading.issues = issues
        reading.skippedEntries = skipped.isEmpty ? nil : skipped
        return reading
    }
}
