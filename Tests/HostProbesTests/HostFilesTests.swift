import Foundation
import Glibc
import Synchronization
import Testing

@testable import HostProbes

/// What a ``HardwareReader`` keeps between readings (``HostFiles``): readings must stay what a reader that keeps
/// nothing would read, except that a device plugged in may wait for the cache period.
@Suite struct HostFilesTests {
    let tree: TemporaryTree
    let time = ManualTime()

    init() throws {
        tree = try TemporaryTree()
        try tree.file("proc/cpuinfo", "Revision\t: c03114\nSerial\t\t: 10000000C5F1A2B3\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n")
        try tree.file("proc/loadavg", "0.52 0.58 0.59 2/389 4821\n")
        try tree.file("sys/class/hwmon/hwmon0/name", "cpu_thermal\n")
        try tree.file("sys/devices/platform/soc/soc:firmware/get_throttled", "50005\n")
    }

    func reader(cachePeriod: Duration = .seconds(60)) -> HardwareReader {
        HardwareReader(
            root: HostRoot(tree.path), filesystemStatistics: StubFilesystemStatistics(sizeBytes: 1, availBytes: 1),
            clock: FixedClockSynchronization(false), cachePeriod: cachePeriod, now: time.now)
    }

    /// What a reader that keeps nothing reads now.
    func uncached() -> HardwareReading { reader(cachePeriod: .zero).read() }

    func addVoltageMonitor(_ name: String = "hwmon1", alarm: String = "1\n") throws {
        try tree.file("sys/class/hwmon/\(name)/name", "rpi_volt\n")
        try tree.file("sys/class/hwmon/\(name)/in0_lcrit_alarm", alarm)
    }

    @Test(arguments: ["rpi4", "rpi5", "garbage", "empty"])
    func keptReadingsEqualFreshOnes(tree: String) throws {
        let reader = try Fixtures.reader(tree)
        let fresh = try Fixtures.reader(tree, cachePeriod: .zero).read()
        for _ in 0..<3 { #expect(reader.read() == fresh) }
    }

    @Test func aHwmonThatAppearsIsFoundWithinTheCachePeriod() throws {
        let reader = reader()
        #expect(reader.read().underVoltageAlarm == nil)
        try addVoltageMonitor()
        time.advance(by: .seconds(30))
        #expect(reader.read().underVoltageAlarm == nil)  // the listing of /sys/class/hwmon is still the old one
        time.advance(by: .seconds(30))
        #expect(reader.read().underVoltageAlarm == true)
        #expect(reader.read() == uncached())
    }

    @Test func aZeroPeriodKeepsNothing() throws {
        let reader = reader(cachePeriod: .zero)
        #expect(reader.read().underVoltageAlarm == nil)
        try addVoltageMonitor()
        #expect(reader.read().underVoltageAlarm == true)
    }

    @Test func aHwmonThatGoesAwayIsAbsentAtOnceWithoutAnIssue() throws {
        try addVoltageMonitor()
        try tree.file("sys/class/hwmon/hwmon2/name", "pwmfan\n")
        try tree.file("sys/class/hwmon/hwmon2/fan1_input", "2978\n")
        let reader = reader()
        let first = reader.read()
        #expect(first.fans == [Fan(chip: "pwmfan", sensor: "fan1", rpm: 2978)])
        #expect(first.underVoltageAlarm == true)

        try FileManager.default.removeItem(atPath: tree.path + "/sys/class/hwmon/hwmon2")
        try FileManager.default.removeItem(atPath: tree.path + "/sys/class/hwmon/hwmon1")
        time.advance(by: .seconds(1))
        let second = reader.read()
        #expect(second.fans.isEmpty)
        #expect(second.underVoltageAlarm == nil)
        #expect(second == uncached())
    }

    @Test func aThermalZoneThatGoesAwayIsAbsentAtOnceWithoutAnIssue() throws {
        for zone in 0...1 {
            try tree.file("sys/class/thermal/thermal_zone\(zone)/type", "zone\(zone)\n")
            try tree.file("sys/class/thermal/thermal_zone\(zone)/temp", "4\(zone)000\n")
        }
        let reader = reader()
        #expect(reader.read().thermalZones.map(\.celsius) == [40, 41])
        try FileManager.default.removeItem(atPath: tree.path + "/sys/class/thermal/thermal_zone1")
        time.advance(by: .seconds(1))
        let reading = reader.read()
        #expect(reading.thermalZones.map(\.celsius) == [40])
        #expect(!reading.issues.contains { $0.probe == ThermalZone.probe })
        #expect(reading == uncached())
    }

    @Test func aRenumberedHwmonIsFollowed() throws {
        try addVoltageMonitor("hwmon1", alarm: "1\n")
        let reader = reader()
        #expect(reader.read().underVoltageAlarm == true)
        // Unplugged and plugged again under the same number, now reading 0.
        try FileManager.default.removeItem(atPath: tree.path + "/sys/class/hwmon/hwmon1")
        try addVoltageMonitor("hwmon1", alarm: "0\n")
        time.advance(by: .seconds(1))
        #expect(reader.read().underVoltageAlarm == false)
    }

    @Test func aThrottlingFileThatMovesIsLocatedAgain() throws {
        let reader = reader()
        #expect(reader.read().throttling == Throttling(raw: 0x50005))
        try FileManager.default.removeItem(atPath: tree.path + "/sys/devices/platform/soc")
        try tree.file("sys/devices/platform/soc@107c000000/soc@107c000000:firmware/get_throttled", "0\n")
        time.advance(by: .seconds(1))
        let reading = reader.read()
        #expect(reading.throttling == Throttling(raw: 0))
        #expect(!reading.issues.contains { $0.probe == Throttling.probe })
    }

    @Test func aMissingThrottlingFileIsSearchedForAgainAfterThePeriod() throws {
        try FileManager.default.removeItem(atPath: tree.path + "/sys/devices/platform/soc")
        let reader = reader()
        #expect(reader.read().throttling == nil)
        try tree.file("sys/devices/platform/soc/soc:firmware/get_throttled", "5\n")
        time.advance(by: .seconds(60))
        #expect(reader.read().throttling == Throttling(raw: 5))
    }

    @Test func filesAreReadAgainAtEveryReading() throws {
        let reader = reader()
        #expect(reader.read().load == LoadAverage(load1: 0.52, load5: 0.58, load15: 0.59))
        // Rewritten in place, as procfs and sysfs files change under an open descriptor.
        try tree.rewrite("proc/loadavg", "1.00 0.58 0.59 2/389 4821\n")
        #expect(reader.read().load?.load1 == 1.0)
        // Replaced by another file of the same name: the kept descriptor shows the old one, which has no name left.
        try tree.file("proc/loadavg.new", "2.00 0.58 0.59 2/389 4821\n")
        #expect(rename(tree.path + "/proc/loadavg.new", tree.path + "/proc/loadavg") == 0)
        #expect(reader.read().load?.load1 == 2.0)
        try FileManager.default.removeItem(atPath: tree.path + "/proc/loadavg")
        let gone = reader.read()
        #expect(gone.load == nil)
        #expect(gone.issues.contains(ProbeIssue(probe: LoadAverage.probe, message: "/proc/loadavg: not found")))
    }

    @Test func theBoardIsReadOnce() throws {
        let reader = reader()
        let board = BoardInfo(model: "Raspberry Pi 4 Model B Rev 1.4", revision: "c03114", serial: "10000000c5f1a2b3")
        #expect(reader.read().board == board)
        try tree.rewrite("proc/cpuinfo", "Revision\t: d04170\n")
        time.advance(by: .seconds(3600))
        #expect(reader.read().board == board)
        #expect(uncached().board == BoardInfo(revision: "d04170"))
    }

    @Test func aBoardReadWithAProblemIsReadAgainAfterThePeriod() throws {
        try tree.rewrite("proc/cpuinfo", "Revision\t: zz14\n")
        let reader = reader()
        #expect(reader.read().board == nil)
        try tree.rewrite("proc/cpuinfo", "Revision\t: c03114\n")
        time.advance(by: .seconds(60))
        #expect(reader.read().board == BoardInfo(revision: "c03114"))
    }

    @Test func theTimesyncFlagIsCheckedAtEveryReading() throws {
        let reader = reader()
        #expect(reader.read().clockSynchronized == false)
        try tree.file("run/systemd/timesync/synchronized", "")
        #expect(reader.read().clockSynchronized == true)
    }

    @Test func anotherRootStartsAfresh() throws {
        var reader = try Fixtures.reader("rpi4")
        _ = reader.read()
        reader.root = Fixtures.root("rpi5")
        let fresh = HardwareReader(
            root: Fixtures.root("rpi5"), filesystemStatistics: reader.filesystemStatistics, clock: reader.clock,
            gpio: reader.gpio, gpioLines: reader.gpioLines, cachePeriod: .zero)
        #expect(reader.read() == fresh.read())
    }

    @Test func descriptorsAreClosedWithTheReader() throws {
        try addVoltageMonitor()
        do {
            let reader = reader()
            _ = reader.read()
            #expect(openDescriptors(under: tree.path) > 0)
            _ = reader.read()
        }
        #expect(openDescriptors(under: tree.path) == 0)
    }

    @Test func descriptorsOfFilesNoLongerReadAreClosedAfterThePeriod() throws {
        try addVoltageMonitor()
        let reader = reader()
        _ = reader.read()
        let alarm = tree.path + "/sys/class/hwmon/hwmon1/in0_lcrit_alarm"
        #expect(openDescriptors(under: alarm) == 1)
        try tree.rewrite("sys/class/hwmon/hwmon1/name", "other\n")  // no longer rpi_volt: the alarm is not read
        time.advance(by: .seconds(30))
        _ = reader.read()
        #expect(openDescriptors(under: alarm) == 1)
        time.advance(by: .seconds(30))
        _ = reader.read()
        #expect(openDescriptors(under: alarm) == 0)
    }

    /// Open descriptors of this process on files under `path`.
    func openDescriptors(under path: String) -> Int {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return descriptors.filter { fd in
            let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\(fd)")
            return target == path || target?.hasPrefix(path + "/") == true
        }.count
    }
}

/// Monotonic time that a test moves by hand.
final class ManualTime: Sendable {
    private let start = ContinuousClock.now
    private let offset = Mutex(Duration.zero)

    func advance(by duration: Duration) {
        offset.withLock { $0 += duration }
    }

    var now: @Sendable () -> ContinuousClock.Instant {
        { [self] in start.advanced(by: offset.withLock { $0 }) }
    }
}

extension TemporaryTree {
    /// Replaces the content of an existing file without replacing the file, as the kernel does.
    func rewrite(_ path: String, _ contents: String) throws {
        let fd = open(self.path + "/" + path, O_WRONLY | O_TRUNC)
        #expect(fd >= 0)
        defer { close(fd) }
        let bytes = Array(contents.utf8)
        #expect(bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) } == bytes.count)
    }
}
