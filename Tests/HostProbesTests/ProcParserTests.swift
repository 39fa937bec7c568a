import Testing

@testable import HostProbes

@Suite struct LoadAverageTests {
    @Test func parsesTheThreeAverages() {
        let parsed = LoadAverage.parse("0.52 0.58 0.59 2/389 4821\n")
        #expect(parsed.value == LoadAverage(load1: 0.52, load5: 0.58, load15: 0.59))
        #expect(parsed.problems.isEmpty)
    }

    @Test func garbageLeavesOnlyThatAverageOut() {
        let parsed = LoadAverage.parse("0.52 abc 0.59 2/389 4821\n")
        #expect(parsed.value == LoadAverage(load1: 0.52, load5: nil, load15: 0.59))
        #expect(parsed.problems == [#"load5: not a load average: "abc""#])
    }

    @Test func refusesNaNInfinityAndSigns() {
        let parsed = LoadAverage.parse("nan inf -1\n")
        #expect(parsed.value == LoadAverage())
        #expect(parsed.problems.count == 3)
    }

    @Test func emptyFileGivesNothing() {
        let parsed = LoadAverage.parse("")
        #expect(parsed.value == LoadAverage())
        #expect(parsed.problems == ["load1: missing", "load5: missing", "load15: missing"])
    }
}

@Suite struct CPUTimesTests {
    let stat = """
        cpu  1523541 12432 580210 85432101 120342 0 34120 0 0 0
        cpu0 381204 3101 150210 21332045 30512 0 21011 7 0 0
        cpu1 380912 3120 143322 21372119 29876 0 4512 0 0 0
        intr 310276343 0 0
        btime 1718003395

        """

    @Test func dividesTicksByUserHZ() {
        let parsed = CPUTimes.parse(stat)
        #expect(parsed.problems.isEmpty)
        #expect(parsed.value.map(\.cpu) == ["0", "1"])
        #expect(parsed.value[0].seconds["user"] == 3812.04)
        #expect(parsed.value[0].seconds["steal"] == 0.07)
        #expect(parsed.value[0].seconds.count == 8)
    }

    @Test func skipsTheAggregateLine() {
        #expect(!CPUTimes.parse(stat).value.contains { $0.cpu.isEmpty })
    }

    @Test func garbageLeavesOnlyThatModeOut() {
        let parsed = CPUTimes.parse("cpu0 abc 3101 150210 21332045 30512 0 21011 0 0 0\n")
        #expect(parsed.value[0].seconds["user"] == nil)
        #expect(parsed.value[0].seconds["nice"] == 31.01)
        #expect(parsed.problems == [#"cpu0 user: not a tick count: "abc""#])
    }

    @Test func shortLinesKeepWhatIsThere() {
        let parsed = CPUTimes.parse("cpu1 380912 3120 143322\n")
        #expect(parsed.value[0].seconds == ["user": 3809.12, "nice": 31.2, "system": 1433.22])
        #expect(parsed.problems == ["cpu1: 3 columns, expected at least 8"])
    }

    @Test func aLineCutShortAtTheEndIsDropped() {
        let parsed = CPUTimes.parse("cpu0 1 2 3 4 5 6 7 8\ncpu1 38")
        #expect(parsed.value.map(\.cpu) == ["0"])
        #expect(parsed.problems.count == 1)
    }
}

@Suite struct BootTimeTests {
    @Test func readsBtime() {
        #expect(BootTime.parse("cpu 1 2\nbtime 1718003395\nprocesses 1\n").value == 1_718_003_395)
    }

    @Test func garbageIsAbsentNotZero() {
        let parsed = BootTime.parse("btime soon\n")
        #expect(parsed.value == nil)
        #expect(parsed.problems == [#"btime: not a time: "btime soon""#])
        #expect(BootTime.parse("btime -5\n").value == nil)
    }

    @Test func missingLineIsAProblem() {
        #expect(BootTime.parse("cpu 1 2\n").problems == ["no btime line"])
        #expect(BootTime.parse("cpu 1 2\nbtime 17180").value == nil)
    }
}

@Suite struct MemoryInfoTests {
    @Test func convertsKilobytesToBytes() {
        let parsed = MemoryInfo.parse("MemTotal:        3885428 kB\nMemAvailable:    3265632 kB\n")
        #expect(parsed.problems.isEmpty)
        // `.some(...)`: Debian's Swift 6.2.3 (the aarch64 cross compiler) crashes on an optional
        // compared with an arithmetic expression inside #expect.
        #expect(parsed.value["MemTotal"] == .some(3_885_428 * 1024))
        #expect(parsed.value.fields.map(\.metricName) == ["node_memory_MemTotal_bytes", "node_memory_MemAvailable_bytes"])
    }

    @Test func sanitisesFieldNamesLikeNodeExporter() {
        #expect(MemoryInfo.metricField(for: "Active(anon)") == "Active_anon")
        #expect(MemoryInfo.metricField(for: "Inactive(file)") == "Inactive_file")
        #expect(MemoryInfo.metricField(for: "Committed_AS") == "Committed_AS")
        #expect(MemoryInfo.metricField(for: "Weird Name") == nil)
    }

    @Test func unitlessFieldsAreCountsWithoutBytesSuffix() {
        let parsed = MemoryInfo.parse("HugePages_Total:       0\nHugepagesize:       2048 kB\n")
        #expect(parsed.value.fields.map(\.metricName) == ["node_memory_HugePages_Total", "node_memory_Hugepagesize_bytes"])
        #expect(parsed.value["Hugepagesize"] == 2_097_152)
    }

    @Test func garbageLinesAreLeftOutAlone() {
        let parsed = MemoryInfo.parse(
            "MemTotal:        3885428 kB\nBuffers:             abc kB\nCached:          1093504 MB\nSwapTotal:  5 kB\n")
        #expect(parsed.value.fields.map(\.name) == ["MemTotal", "SwapTotal"])
        #expect(parsed.problems == [#"Buffers: not a number: "abc""#, #"Cached: unexpected unit: "MB""#])
    }

    @Test func aTruncatedFileDropsTheCutLine() {
        // "MemAvailable: 32" could be read as 32 with no unit: a made-up number.
        let parsed = MemoryInfo.parse("MemTotal:        3885428 kB\nMemAvailable:    32")
        #expect(parsed.value.fields.map(\.name) == ["MemTotal"])
        #expect(parsed.problems == [#"last line cut short: "MemAvailable:    32""#])
    }

    @Test func repeatedFieldsKeepTheFirst() {
        let parsed = MemoryInfo.parse("MemFree: 1 kB\nMemFree: 2 kB\n")
        #expect(parsed.value["MemFree"] == 1024)
        #expect(parsed.problems == ["MemFree: listed twice"])
    }
}

@Suite struct NetworkInterfacesTests {
    let header = """
        Inter-|   Receive                                                |  Transmit
         face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed

        """

    @Test func readsReceiveAndTransmitBytes() {
        let parsed = NetworkInterface.parse(
            header + "  eth0: 1735486230 1520832 0 163 0 0 0 9403 98765432 612345 0 0 0 0 0 0\n")
        #expect(parsed.value == [NetworkInterface(device: "eth0", receiveBytes: 1_735_486_230, transmitBytes: 98_765_432)])
        #expect(parsed.problems.isEmpty)
    }

    @Test func handlesNamesTouchingTheFirstNumber() {
        let parsed = NetworkInterface.parse(header + "  eth0:18446742012 1 0 0 0 0 0 0 22 1 0 0 0 0 0 0\n")
        #expect(parsed.value.first?.receiveBytes == 18_446_742_012)
    }

    @Test func garbageLeavesOnlyThatCounterOut() {
        let parsed = NetworkInterface.parse(
            header + "  eth0: 12e9 1 0 0 0 0 0 0 22 1 0 0 0 0 0 0\n wlan0: 0 0\n")
        #expect(
            parsed.value == [
                NetworkInterface(device: "eth0", receiveBytes: nil, transmitBytes: 22),
                NetworkInterface(device: "wlan0", receiveBytes: 0, transmitBytes: nil),
            ])
        #expect(parsed.problems == [#"eth0 receive bytes: not a number: "12e9""#, "wlan0 transmit bytes: missing"])
    }
}

@Suite struct DiskStatsTests {
    @Test func multipliesSectorsBy512() {
        let parsed = DiskStat.parse(
            " 179       0 mmcblk0 40112 15226 3067578 212874 28154 30811 1498112 579306 0 221612 805290 0 0 0 0 1102 13108\n")
        #expect(parsed.value == [DiskStat(device: "mmcblk0", readBytes: 3_067_578 * 512, writtenBytes: 1_498_112 * 512)])
    }

    @Test func ignoresDevicesLikeNodeExporter() {
        for device in ["ram0", "zram0", "loop7", "sda1", "vdb2", "xvda1", "nvme0n1p2", "fd0"] {
            #expect(DiskStat.isIgnored(device: device), "\(device)")
        }
        for device in ["mmcblk0", "mmcblk0p1", "nvme0n1", "sda", "dm-0", "md0"] {
            #expect(!DiskStat.isIgnored(device: device), "\(device)")
        }
    }

    @Test func acceptsOldKernelsWithElevenCounters() {
        #expect(DiskStat.parse("8 0 sda 1 2 3 4 5 6 7 8 9 10 11\n").value.first?.writtenBytes == .some(7 * 512))
    }

    @Test func garbageLeavesOnlyThatCounterOut() {
        let parsed = DiskStat.parse(
            " 179 0 mmcblk0 40112 15226 3067578 212874 28154 30811 -1498112 579306 0 221612 805290\n 179 1 mmcblk0p1 321\n")
        #expect(parsed.value == [DiskStat(device: "mmcblk0", readBytes: 3_067_578 * 512, writtenBytes: nil)])
        #expect(parsed.problems.count == 2)
    }
}

@Suite struct MountInfoTests {
    @Test func parsesMountInfoLines() {
        let parsed = Mount.parseMountInfo(
            "28 1 179:2 / / rw,noatime shared:1 - ext4 /dev/mmcblk0p2 rw\n"
                + "44 28 179:1 / /boot/firmware rw,relatime - vfat /dev/mmcblk0p1 rw,fmask=0022\n")
        #expect(
            parsed.value == [
                Mount(major: 179, minor: 2, mountPoint: "/", fstype: "ext4", source: "/dev/mmcblk0p2"),
                Mount(major: 179, minor: 1, mountPoint: "/boot/firmware", fstype: "vfat", source: "/dev/mmcblk0p1"),
            ])
        #expect(parsed.problems.isEmpty)
    }

    @Test func unescapesOctalSequences() {
        let parsed = Mount.parseMountInfo(#"415 28 8:1 / /media/pi/Photo\040Disk\134x rw - vfat /dev/sda1 rw"# + "\n")
        #expect(parsed.value.first?.mountPoint == #"/media/pi/Photo Disk\x"#)
    }

    @Test func ignoresPseudoFilesystemsLikeNodeExporter() {
        func mount(_ point: String, _ type: String) -> Mount {
            Mount(major: 0, minor: 1, mountPoint: point, fstype: type, source: "x")
        }
        #expect(mount("/sys", "sysfs").isIgnored)
        #expect(mount("/sys/fs/cgroup", "cgroup2").isIgnored)
        #expect(mount("/x", "overlay").isIgnored)
        #expect(mount("/dev/shm", "tmpfs").isIgnored)
        #expect(mount("/run/credentials/systemd-sysctl.service", "ramfs").isIgnored)
        #expect(mount("/var/lib/docker/overlay2/abc", "ext4").isIgnored)
        #expect(!mount("/run", "tmpfs").isIgnored)
        #expect(!mount("/run/credentials", "tmpfs").isIgnored)
        #expect(!mount("/devices", "ext4").isIgnored)
        #expect(!mount("/", "ext4").isIgnored)
        #expect(!mount("/var/lib/docker", "ext4").isIgnored)
    }

    @Test func malformedLinesAreSkipped() {
        let parsed = Mount.parseMountInfo(
            "28 1 179:2 / / rw,noatime shared:1 ext4 /dev/mmcblk0p2 rw\n44 28 x:1 / /b rw - vfat /dev/b rw\n")
        #expect(parsed.value.isEmpty)
        #expect(parsed.problems.count == 2)
    }
}
