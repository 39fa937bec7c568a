import Foundation
import Synchronization
import Testing

@testable import HostProbes

@Suite struct ThermalZonesTests {
    @Test func convertsMillidegreesToCelsius() {
        #expect(ThermalZone.parseTemperature("48686\n").value == 48.686)
        #expect(ThermalZone.parseTemperature("-5000\n").value == -5)
    }

    @Test func refusesGarbageAndImpossibleTemperatures() {
        for text in ["abc\n", "nan\n", "", "48.7\n", "-300000\n", "2147483647\n", "1e5\n"] {
            let parsed = ThermalZone.parseTemperature(text)
            #expect(parsed.value == nil, "\(text)")
            #expect(parsed.problems.count == 1)
        }
    }

    @Test func readsZonesThroughTheirLinks() {
        let parsed = ThermalZone.read(from: Fixtures.root("rpi4"))
        #expect(parsed.value == [ThermalZone(zone: "0", type: "cpu-thermal", celsius: 48.686)])
        #expect(parsed.problems.isEmpty)
    }

    @Test func aMissingSourceIsOneProblem() {
        let parsed = ThermalZone.read(from: Fixtures.root("empty"))
        #expect(parsed.value.isEmpty)
        #expect(parsed.problems == ["/sys/class/thermal: not found"])
    }
}

@Suite struct CPUFrequencyTests {
    @Test func convertsKilohertzToHertz() {
        #expect(CPUFrequency.parseKilohertz("1800000\n").value == 1_800_000_000)
    }

    @Test func refusesGarbage() {
        #expect(CPUFrequency.parseKilohertz("fast\n").value == nil)
        #expect(CPUFrequency.parseKilohertz("-1\n").value == nil)
        #expect(CPUFrequency.parseKilohertz("999999999999\n").value == nil)
    }

    @Test func readsEveryCPUThroughTheSharedPolicy() {
        let parsed = CPUFrequency.read(from: Fixtures.root("rpi4"))
        #expect(parsed.value.map(\.cpu) == ["0", "1", "2", "3"])
        #expect(parsed.value.allSatisfy { $0.hertz == 1_800_000_000 })
        #expect(parsed.problems.isEmpty)
    }
}

@Suite struct FansTests {
    @Test func readsTheFanWithNodeExporterChipName() {
        let parsed = Fan.read(from: Fixtures.root("rpi5"))
        #expect(parsed.value == [Fan(chip: "platform_cooling_fan", sensor: "fan1", rpm: 2978)])
        #expect(parsed.problems.isEmpty)
    }

    @Test func chipNamesFollowNodeExporter() {
        let root = Fixtures.root("rpi5")
        #expect(Hwmon.chipName("/sys/class/hwmon/hwmon0", in: root) == "thermal_thermal_zone0")
        #expect(Hwmon.chipName("/sys/class/hwmon/hwmon1", in: root) == "1000120000_pcie_1f000c8000_adc")
        #expect(Hwmon.chipName("/sys/class/hwmon/hwmon3", in: root) == "soc_107c000000:firmware_raspberrypi_hwmon")
        #expect(Hwmon.clean("__Soc@1:x__") == "soc_1:x")
    }

    @Test func noFanIsOneProblem() {
        let parsed = Fan.read(from: Fixtures.root("rpi4"))
        #expect(parsed.value.isEmpty)
        #expect(parsed.problems == ["/sys/class/hwmon: no fan*_input"])
    }

    @Test func refusesNegativeSpeeds() {
        #expect(Fan.parseRPM("-5\n").value == nil)
        #expect(Fan.parseRPM("2978\n").value == 2978)
    }
}

@Suite struct ThrottlingTests {
    @Test func parsesHexWithoutPrefix() {
        let parsed = Throttling.parse("50005\n")
        #expect(parsed.value?.raw == 0x50005)
        #expect(parsed.value?.isActive("under_voltage", sinceBoot: false) == true)
        #expect(parsed.value?.isActive("arm_freq_capped", sinceBoot: false) == false)
        #expect(parsed.value?.isActive("throttled", sinceBoot: false) == true)
        #expect(parsed.value?.isActive("under_voltage", sinceBoot: true) == true)
        #expect(parsed.value?.isActive("soft_temp_limit", sinceBoot: true) == false)
        #expect(Throttling.parse("0x80008").value?.raw == 0x80008)
        #expect(Throttling.parse("0\n").value?.raw == 0)
    }

    @Test func refusesGarbage() {
        for text in ["5000g\n", "", "0x", "123456789\n", "-1\n"] {
            #expect(Throttling.parse(text).value == nil, "\(text)")
        }
    }

    @Test func findsGetThrottledOnPi4AndPi5() {
        #expect(Throttling.locate(in: Fixtures.root("rpi4")) == "/sys/devices/platform/soc/soc:firmware/get_throttled")
        #expect(
            Throttling.locate(in: Fixtures.root("rpi5"))
                == "/sys/devices/platform/soc@107c000000/soc@107c000000:firmware/get_throttled")
        #expect(Throttling.locate(in: Fixtures.root("empty")) == nil)
    }

    @Test func exportsEightSamples() {
        let families = Throttling.metricFamilies(Throttling(raw: 0x50005))
        #expect(families[0].samples.count == 8)
        #expect(
            families[0].samples.filter { $0.value == 1 }.map { "\($0[label: "condition"]!)/\($0[label: "when"]!)" }
                == ["under_voltage/now", "under_voltage/since_boot", "throttled/now", "throttled/since_boot"])
    }
}

@Suite struct UnderVoltageTests {
    @Test func readsTheRpiVoltAlarm() {
        #expect(UnderVoltage.read(from: Fixtures.root("rpi4")).value == true)
        #expect(UnderVoltage.read(from: Fixtures.root("rpi5")).value == false)
    }

    @Test func onlyZeroOrOneCount() {
        #expect(UnderVoltage.parseAlarm("0\n").value == false)
        #expect(UnderVoltage.parseAlarm("1").value == true)
        #expect(UnderVoltage.parseAlarm("2\n").value == nil)
        #expect(UnderVoltage.parseAlarm("yes\n").value == nil)
    }
}

@Suite struct BoardInfoTests {
    @Test func readsDeviceTreeStringsEndingInNul() {
        #expect(
            BoardInfo.parseDeviceTreeString(Array("Raspberry Pi 4 Model B Rev 1.4\0".utf8)).value
                == "Raspberry Pi 4 Model B Rev 1.4")
    }

    @Test func refusesNonUTF8AndEmbeddedNuls() {
        #expect(BoardInfo.parseDeviceTreeString([0x52, 0xFF, 0xFE, 0x00]).value == nil)
        #expect(BoardInfo.parseDeviceTreeString(Array("a\0b\0".utf8)).value == nil)
        #expect(BoardInfo.parseDeviceTreeString([0]).value == nil)
    }

    @Test func readsCPUInfoLines() {
        let parsed = BoardInfo.parseCPUInfo(
            "processor\t: 0\nmodel name\t: x\nRevision\t: c03114\nSerial\t\t: 10000000C5F1A2B3\nModel\t\t: Raspberry Pi 4 Model B Rev 1.4\n")
        #expect(parsed.value == BoardInfo(model: "Raspberry Pi 4 Model B Rev 1.4", revision: "c03114", serial: "10000000c5f1a2b3"))
        #expect(BoardInfo.parseCPUInfo("Revision\t: zz14\n").value.revision == nil)
    }

    @Test func prefersTheDeviceTreeAndTakesTheRevisionFromCPUInfo() {
        let parsed = BoardInfo.read(from: Fixtures.root("rpi5"))
        #expect(parsed.value == BoardInfo(model: "Raspberry Pi 5 Model B Rev 1.0", revision: "d04170", serial: "9e3f0c2a7d41b865"))
        #expect(parsed.problems.isEmpty)
    }

    @Test func garbageModelIsAbsentNotMadeUp() {
        let parsed = BoardInfo.read(from: Fixtures.root("garbage"))
        #expect(parsed.value == BoardInfo(model: nil, revision: nil, serial: "10000000c5f1a2b3"))
        #expect(parsed.problems.count == 2)
    }
}

@Suite struct ClockSyncTests {
    @Test func timesyncdFlagMeansSynchronized() {
        #expect(ClockSync.read(from: Fixtures.root("rpi4"), kernel: FixedClockSynchronization(false)).value == true)
    }

    @Test func otherwiseTheKernelDecides() {
        #expect(ClockSync.read(from: Fixtures.root("rpi5"), kernel: FixedClockSynchronization(false)).value == false)
        let unknown = ClockSync.read(from: Fixtures.root("rpi5"), kernel: FixedClockSynchronization(nil))
        #expect(unknown.value == nil)
        #expect(unknown.problems.count == 1)
    }

    @Test func theKernelAnswersOnLinux() {
        #expect(KernelClockSynchronization().isSynchronized() != nil)
    }
}

@Suite struct FilesystemsTests {
    @Test func skipsPseudoFilesystemsAndStatsTheRest() {
        let asked = Mutex<[String]>([])
        let stub = StubFilesystemStatistics { mount in
            asked.withLock { $0.append(mount.mountPoint) }
            return FilesystemSpace(sizeBytes: 100, availBytes: 40)
        }
        let parsed = FilesystemUsage.read(from: Fixtures.root("rpi4"), statistics: stub)
        #expect(asked.withLock { $0 } == ["/run", "/", "/run/lock", "/boot/firmware", "/run/user/1000", "/media/pi/Photo Disk"])
        #expect(
            parsed.value.first { $0.mountpoint == "/" }
                == FilesystemUsage(device: "/dev/mmcblk0p2", fstype: "ext4", mountpoint: "/", sizeBytes: 100, availBytes: 40))
        #expect(parsed.problems.isEmpty)
    }

    @Test func fallsBackToSelfMountInfo() {
        let parsed = FilesystemUsage.read(
            from: Fixtures.root("rpi5"), statistics: StubFilesystemStatistics(sizeBytes: 1, availBytes: 1))
        #expect(parsed.value.contains { $0.mountpoint == "/" && $0.device == "/dev/nvme0n1p2" })
        #expect(parsed.problems.isEmpty)
    }

    @Test func aFailedStatLeavesOnlyThatMountOut() {
        let stub = StubFilesystemStatistics { $0.mountPoint == "/" ? FilesystemSpace(sizeBytes: 1, availBytes: 1) : nil }
        let parsed = FilesystemUsage.read(from: Fixtures.root("rpi4"), statistics: stub)
        #expect(parsed.value.map(\.mountpoint) == ["/"])
        #expect(parsed.problems.count == 5)
    }

    @Test func statvfsReadsTheRealRoot() throws {
        let text = try String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)
        let rootMount = try #require(Mount.parseMountInfo(text).value.last { $0.mountPoint == "/" })
        let space = try StatvfsFilesystemStatistics().space(of: rootMount, in: HostRoot("/"))
        #expect(space.sizeBytes > 0)
        #expect(space.availBytes <= space.sizeBytes)
    }

    @Test func statvfsRefusesAMountPointShowingAnotherFilesystem() throws {
        // Under a host root without the host's mounts, "/" is the container's filesystem, not the host's.
        let tree = try TemporaryTree()
        let mount = Mount(major: 179, minor: 2, mountPoint: "/", fstype: "ext4", source: "/dev/mmcblk0p2")
        #expect(throws: FilesystemStatisticsError.self) {
            try StatvfsFilesystemStatistics().space(of: mount, in: HostRoot(tree.path))
        }
        let missing = Mount(major: 179, minor: 1, mountPoint: "/boot/firmware", fstype: "vfat", source: "/dev/mmcblk0p1")
        #expect(throws: FilesystemStatisticsError.self) {
            try StatvfsFilesystemStatistics().space(of: missing, in: HostRoot(tree.path))
        }
    }
}
