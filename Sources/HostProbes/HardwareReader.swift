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

    /// - Parameters:
    ///   - root: the host root. Default `/`.
    ///   - filesystemStatistics: `statvfs` behind a seam. Default the real one.
    ///   - clock: asked when the host root has no systemd-timesyncd flag. Default `adjtimex(2)`.
    ///   - gpio: reads `gpioLines`. Default: no GPIO.
    ///   - gpioLines: the configured lines. Default none.
    public init(
        root: HostRoot = HostRoot(),
        filesystemStatistics: any FilesystemStatistics = StatvfsFilesystemStatistics(),
        clock: any ClockSynchronization = KernelClockSynchronization(),
        gpio: any GPIOReader = UnavailableGPIOReader(),
        gpioLines: [GPIOLineSpec] = []
    ) {
        self.root = root
        self.filesystemStatistics = filesystemStatistics
        self.clock = clock
        self.gpio = gpio
        self.gpioLines = gpioLines
    }

    /// Takes one reading. Never throws: every failure becomes an issue in the reading.
    /// Blocking file I/O (and `statvfs`, which can hang on a dead network mount): call it off the event loop.
    public func read() -> HardwareReading {
        var issues: [ProbeIssue] = []
        func take<Value>(_ probe: String, _ parsed: Parsed<Value>) -> Value {
            for message in parsed.problems {
                let issue = ProbeIssue(probe: probe, message: message)
                if !issues.contains(issue) { issues.append(issue) }
            }
            return parsed.value
        }
        var reading = HardwareReading()
        reading.board = take(BoardInfo.probe, BoardInfo.read(from: root))
        reading.clockSynchronized = take(ClockSync.probe, ClockSync.read(from: root, kernel: clock))
        reading.bootTimeSeconds = take(BootTime.probe, BootTime.read(from: root))
        reading.load = take(LoadAverage.probe, LoadAverage.read(from: root))
        reading.cpuTimes = take(CPUTimes.probe, CPUTimes.read(from: root))
        reading.cpuFrequencies = take(CPUFrequency.probe, CPUFrequency.read(from: root))
        reading.thermalZones = take(ThermalZone.probe, ThermalZone.read(from: root))
        reading.throttling = take(Throttling.probe, Throttling.read(from: root))
        reading.underVoltageAlarm = take(UnderVoltage.probe, UnderVoltage.read(from: root))
        reading.fans = take(Fan.probe, Fan.read(from: root))
        reading.memory = take(MemoryInfo.probe, MemoryInfo.read(from: root))
        reading.filesystems = take(
            FilesystemUsage.probe, FilesystemUsage.read(from: root, statistics: filesystemStatistics))
        reading.networkInterfaces = take(NetworkInterface.probe, NetworkInterface.read(from: root))
        reading.disks = take(DiskStat.probe, DiskStat.read(from: root))
        reading.gpioLines = take(GPIOLineValue.probe, GPIOLineValue.read(gpioLines, using: gpio))
        reading.issues = issues
        return reading
    }
}
