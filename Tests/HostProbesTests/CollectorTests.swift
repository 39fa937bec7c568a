import Foundation
import Glibc
import Testing

@testable import HostProbes

/// A fixture tree copied to a scratch directory (symbolic links kept), to be spoiled by a test.
final class CopiedTree {
    let root: URL
    var path: String { root.path }

    init(_ fixture: String) throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("collectors-\(UUID().uuidString)")
        let copy = Process()
        copy.executableURL = URL(fileURLWithPath: "/bin/cp")
        copy.arguments = ["-a", Fixtures.directory.appendingPathComponent(fixture).path, root.path]
        try copy.run()
        copy.waitUntilExit()
        #expect(copy.terminationStatus == 0)
    }

    deinit {
        // chmod 000 leftovers would stop the removal of their directory's contents for a non-root user.
        _ = chmod(root.path, 0o755)
        try? FileManager.default.removeItem(at: root)
    }

    func url(_ relative: String) -> URL { root.appendingPathComponent(relative) }

    func remove(_ relative: String) throws { try FileManager.default.removeItem(at: url(relative)) }

    func reader(kernel: FixedKernel = Fixtures.kernel("rpi4"), rootfs: String? = nil) -> HardwareReader {
        let space = Fixtures.filesystemSpace
        return HardwareReader(
            root: HostRoot(path), filesystemStatistics: StubFilesystemStatistics { space[$0.mountPoint] },
            clock: FixedClockSynchronization(nil), cachePeriod: .zero, kernel: kernel,
            rootfs: rootfs.map { HostRoot(path + "/" + $0) })
    }
}

extension Scrape {
    func samples(_ name: String) -> [Sample] { families.first { $0.name == name }?.samples ?? [] }

    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        samples(name).first { sample in labels.allSatisfy { sample[label: $0.key] == $0.value } }?.value
    }

    func success(_ collector: NodeCollector) -> Double? { value("node_scrape_collector_success", ["collector": collector.rawValue]) }
}

/// Bad sources, collector by collector: a file that is absent, unreadable, binary garbage, a FIFO or 1 GB long leaves
/// its metric out, counts as a failure in `node_scrape_collector_success` (absent optional sources excepted), and never
/// hangs the scrape.
@Suite struct CollectorBadInputTests {
    enum Spoil: String, CaseIterable {
        case absent, unreadable, garbage, fifo, huge
    }

    struct Case: CustomStringConvertible, Sendable {
        var collector: NodeCollector
        var tree = "rpi4"
        var path: String
        /// The family that must go, and the labels that pick the sample the spoiled file held.
        var metric: String
        var labels: [String: String] = [:]
        /// False where the file may rightly be missing (a sensor a chip does not have): then nothing fails.
        var absentIsFailure = true
        var rootfs: String? = nil
        var description: String { "\(collector.rawValue): \(path)" }
    }

    static let cases: [Case] = [
        Case(collector: .stat, path: "proc/stat", metric: "node_context_switches_total"),
        Case(collector: .cpu, path: "proc/stat", metric: "node_cpu_seconds_total"),
        Case(collector: .loadavg, path: "proc/loadavg", metric: "node_load1"),
        Case(collector: .meminfo, path: "proc/meminfo", metric: "node_memory_MemTotal_bytes"),
        Case(collector: .vmstat, path: "proc/vmstat", metric: "node_vmstat_pgfault"),
        Case(collector: .pressure, path: "proc/pressure/io", metric: "node_pressure_io_waiting_seconds_total"),
        Case(collector: .diskstats, path: "proc/diskstats", metric: "node_disk_io_time_seconds_total"),
        Case(collector: .filesystem, path: "proc/1/mountinfo", metric: "node_filesystem_size_bytes", absentIsFailure: false),
        Case(collector: .netdev, path: "proc/1/net/dev", metric: "node_network_receive_packets_total"),
        Case(
            collector: .netclass, path: "sys/devices/platform/scb/fd580000.ethernet/net/eth0/mtu", metric: "node_network_mtu_bytes",
            labels: ["device": "eth0"], absentIsFailure: false),
        Case(collector: .netstat, path: "proc/1/net/snmp", metric: "node_netstat_Tcp_ActiveOpens"),
        Case(collector: .sockstat, path: "proc/1/net/sockstat", metric: "node_sockstat_TCP_inuse", absentIsFailure: false),
        Case(collector: .softnet, path: "proc/1/net/softnet_stat", metric: "node_softnet_processed_total"),
        Case(collector: .filefd, path: "proc/sys/fs/file-nr", metric: "node_filefd_allocated"),
        Case(collector: .entropy, path: "proc/sys/kernel/random/entropy_avail", metric: "node_entropy_available_bits"),
        Case(collector: .conntrack, tree: "rpi5", path: "proc/sys/net/netfilter/nf_conntrack_max", metric: "node_nf_conntrack_entries_limit"),
        Case(
            collector: .hwmon, path: "sys/devices/virtual/thermal/thermal_zone0/hwmon0/temp1_input", metric: "node_hwmon_temp_celsius",
            labels: ["sensor": "temp1"], absentIsFailure: false),
        Case(
            collector: .hwmon, tree: "rpi5", path: "sys/devices/platform/cooling_fan/hwmon/hwmon2/fan1_input",
            metric: "node_hwmon_fan_rpm", absentIsFailure: false),
        Case(collector: .thermal_zone, path: "sys/devices/virtual/thermal/thermal_zone0/temp", metric: "node_thermal_zone_temp"),
        Case(
            collector: .cpufreq, path: "sys/devices/system/cpu/cpufreq/policy0/scaling_cur_freq",
            metric: "node_cpu_scaling_frequency_hertz", absentIsFailure: false),
        Case(
            collector: .time, path: "sys/devices/system/clocksource/clocksource0/current_clocksource",
            metric: "node_time_clocksource_current_info"),
        Case(collector: .os, path: "usr/lib/os-release", metric: "node_os_info"),
        Case(collector: .arp, path: "proc/1/net/arp", metric: "node_arp_entries"),
        Case(collector: .schedstat, path: "proc/schedstat", metric: "node_schedstat_timeslices_total"),
        Case(collector: .os, tree: "rpi5", path: "root/usr/lib/os-release", metric: "node_os_info", rootfs: "root"),
    ]

    static var arguments: [(Case, Spoil)] { cases.flatMap { c in Spoil.allCases.map { (c, $0) } } }

    static func spoil(_ path: String, in tree: CopiedTree, _ spoil: Spoil) throws {
        let url = tree.url(path)
        try tree.remove(path)
        switch spoil {
        case .absent:
            break
        case .unreadable:
            if getuid() == 0 {
                // Permissions do not stop root: a link to itself cannot be opened by anyone (ELOOP).
                try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: url.lastPathComponent)
            } else {
                try Data("1\n".utf8).write(to: url)
                _ = chmod(url.path, 0)
            }
        case .garbage:
            var bytes: [UInt8] = []
            for index in 0..<4096 { bytes.append(UInt8(truncatingIfNeeded: index &* 2_654_435_761 >> 13) | 0x80) }
            try Data(bytes).write(to: url)
        case .fifo:
            #expect(mkfifo(url.path, 0o644) == 0)
        case .huge:
            // 1 GB, sparse: it costs no disk, and reading it through would take seconds.
            #expect(FileManager.default.createFile(atPath: url.path, contents: nil))
            let handle = try FileHandle(forWritingTo: url)
            try handle.truncate(atOffset: 1 << 30)
            try handle.close()
        }
    }

    @Test(arguments: arguments)
    func aBadSourceLeavesItsMetricOutAndFailsTheCollector(_ example: Case, _ spoil: Spoil) throws {
        let tree = try CopiedTree(example.tree)
        let reader = tree.reader(kernel: Fixtures.kernel(example.tree), rootfs: example.rootfs)
        let before = reader.scrape(CollectorSelection(enabled: [example.collector]))
        #expect(before.success(example.collector) == 1, "\(before.issues)")
        #expect(before.value(example.metric, example.labels) != nil, "the unspoiled tree has \(example.metric)")

        try Self.spoil(example.path, in: tree, spoil)
        let started = ContinuousClock.now
        let after = reader.scrape(CollectorSelection(enabled: [example.collector]))
        #expect(ContinuousClock.now - started < .seconds(2), "a scrape must never hang")
        #expect(after.value(example.metric, example.labels) == nil)
        let expected: Double = spoil == .absent && !example.absentIsFailure ? 1 : 0
        #expect(after.success(example.collector) == expected, "\(after.issues)")
        #expect(after.families.allSatisfy { $0.samples.allSatisfy { $0.value.isFinite } })
    }

    @Test func unameAndTimexRefusedLeaveTheirMetricsOut() throws {
        var kernel = Fixtures.kernel("rpi4")
        kernel.fixedUname = nil
        kernel.fixedTimex = nil
        let scrape = CopiedTreeless.reader(kernel).scrape(CollectorSelection(enabled: [.uname, .timex]))
        #expect(scrape.samples("node_uname_info").isEmpty)
        #expect(!scrape.families.contains { $0.name.hasPrefix("node_timex_") })
        #expect(scrape.success(.uname) == 0)
        #expect(scrape.success(.timex) == 0)
        #expect(scrape.issues.map(\.probe).sorted() == ["timex", "uname"])
    }
}

enum CopiedTreeless {
    static func reader(_ kernel: FixedKernel) -> HardwareReader {
        HardwareReader(root: Fixtures.root("rpi4"), clock: FixedClockSynchronization(nil), cachePeriod: .zero, kernel: kernel)
    }
}

/// What the DaemonSet sees: `/host/proc/net` is a link to `self/net`, the pod's own namespace; the host's is PID 1's.
@Suite struct PodLayoutTests {
    @Test(arguments: ["rpi4", "rpi5"])
    func theFixturesAreLaidOutAsAHostIs(tree: String) throws {
        let root = Fixtures.root(tree)
        #expect(try root.readLink("proc/net") == "self/net")
        #expect(try root.readLink("proc/self") == "4242")
        // The agent's own namespace and the host's differ, so reading the wrong one shows.
        #expect(try root.readText("proc/net/dev") != root.readText("proc/1/net/dev"))
        #expect(try root.readText("proc/self/mountinfo") != root.readText("proc/1/mountinfo"))
    }

    @Test(arguments: ["rpi4", "rpi5"])
    func networkAndMountsAreTheHostsNotThePods(tree: String) throws {
        let reader = try Fixtures.reader(tree)
        let scrape = reader.scrape()
        let hostEth0 = tree == "rpi4" ? 1_735_486_230.0 : 18_446_742_012
        #expect(scrape.value("node_network_receive_bytes_total", ["device": "eth0"]) == hostEth0)
        #expect(reader.read().networkInterfaces.first { $0.device == "eth0" }?.receiveBytes == UInt64(hostEth0))
        #expect(scrape.value("node_sockstat_sockets_used") == (tree == "rpi4" ? 233 : 612))
        #expect(scrape.value("node_netstat_Udp_InDatagrams") == (tree == "rpi4" ? 40112 : 902_211))
        // The pod's mount table has /var/lib/edge-agent and an overlay root; the host's has /boot/firmware.
        #expect(scrape.value("node_filesystem_size_bytes", ["mountpoint": "/boot/firmware"]) != nil)
        #expect(scrape.value("node_filesystem_size_bytes", ["mountpoint": "/var/lib/edge-agent"]) == nil)
    }

    @Test func conntrackEntriesAreTheHostNamespacesNotTheReaders() throws {
        let scrape = try Fixtures.reader("rpi5").scrape(CollectorSelection(enabled: [.conntrack]))
        #expect(scrape.value("node_nf_conntrack_entries") == 0x1a3)  // not the sysctl's 12, the pod's
        #expect(scrape.value("node_nf_conntrack_entries_limit") == 131_072)
        #expect(scrape.value("node_nf_conntrack_stat_invalid") == 28)
        #expect(scrape.value("node_nf_conntrack_stat_search_restart") == 7)
        #expect(scrape.success(.conntrack) == 1)
    }

    /// Under systemd's `ProtectProc=invisible` PID 1 is hidden; the agent then shares the host's namespace and reads
    /// its own.
    @Test func withoutAVisiblePID1TheAgentsOwnNamespaceIsRead() throws {
        let tree = try CopiedTree("rpi4")
        try tree.remove("proc/1")
        let scrape = tree.reader().scrape()
        #expect(scrape.value("node_network_receive_bytes_total", ["device": "eth0"]) == 734_112)
        #expect(scrape.value("node_sockstat_sockets_used") == 9)
        #expect(scrape.success(.netdev) == 1)
    }

    @Test func theRootFilesystemHoldsOSRelease() throws {
        let scrape = try Fixtures.reader("rpi5").scrape(CollectorSelection(enabled: [.os]))
        #expect(scrape.value("node_os_version", ["id": "debian"]) == 12)
        // Without the rootfs the host root has no etc/os-release: absent, not guessed.
        let withoutRootfs = HardwareReader(root: Fixtures.root("rpi5"), cachePeriod: .zero, kernel: Fixtures.kernel("rpi5"))
        #expect(withoutRootfs.scrape(CollectorSelection(enabled: [.os])).samples("node_os_info").isEmpty)
    }

    @Test func unameShowsTheNodeNotThePod() throws {
        let scrape = try Fixtures.reader("rpi5").scrape(CollectorSelection(enabled: [.uname]))
        #expect(scrape.samples("node_uname_info").first?[label: "nodename"] == "rpi-worker-2")
    }
}

@Suite struct CollectorSelectionTests {
    @Test func switchesApplyInOrderAndNodeMeansEveryCollector() throws {
        #expect(try CollectorSelection.all.applying([("node", false)]).enabled.isEmpty)
        #expect(try CollectorSelection.all.applying([("node", false), ("hwmon", true)]).enabled == [.hwmon])
        #expect(try CollectorSelection.all.applying([("timex", false)]).enabled.count == NodeCollector.allCases.count - 1)
        #expect(throws: CollectorSelection.SwitchError.unknown("wifi")) { try CollectorSelection.all.applying([("wifi", true)]) }
    }

    @Test func noNodeCollectorLeavesOnlyEdgeFamilies() throws {
        let scrape = try Fixtures.reader("rpi4").scrape(.none)
        #expect(!scrape.families.isEmpty)
        #expect(scrape.families.allSatisfy { $0.name.hasPrefix("edge_") }, "\(scrape.families.map(\.name))")
    }

    @Test func everyCollectorReportsSuccessAndDuration() throws {
        let scrape = try Fixtures.reader("rpi4").scrape()
        #expect(scrape.samples("node_scrape_collector_success").count == NodeCollector.allCases.count)
        #expect(scrape.samples("node_scrape_collector_duration_seconds").count == NodeCollector.allCases.count)
        // On the Pi 4 only conntrack (not loaded) has nothing to read.
        let failed = scrape.samples("node_scrape_collector_success").filter { $0.value == 0 }.compactMap { $0[label: "collector"] }
        #expect(failed == ["conntrack"], "\(scrape.issues)")
    }

    /// What a reader keeps between scrapes (descriptors, listings, resolved directories, interfaces' identities)
    /// never changes what a scrape shows.
    @Test(arguments: ["rpi4", "rpi5", "garbage", "empty"])
    func keptScrapesEqualFreshOnes(tree: String) throws {
        let reader = try Fixtures.reader(tree)
        let fresh = PrometheusExposition.render(try Fixtures.reader(tree, cachePeriod: .zero).scrape().families)
        for _ in 0..<3 { #expect(PrometheusExposition.render(reader.scrape().families) == fresh) }
    }

    @Test func anInterfacesStateIsReadAtEveryScrape() throws {
        let tree = try CopiedTree("rpi4")
        let space = Fixtures.filesystemSpace
        let reader = HardwareReader(
            root: HostRoot(tree.path), filesystemStatistics: StubFilesystemStatistics { space[$0.mountPoint] },
            clock: FixedClockSynchronization(nil), kernel: Fixtures.kernel("rpi4"))
        let eth0 = "sys/devices/platform/scb/fd580000.ethernet/net/eth0"
        #expect(reader.scrape(CollectorSelection(enabled: [.netclass])).value("node_network_up", ["device": "eth0"]) == 1)
        try tree.remove("\(eth0)/operstate")
        try Data("down\n".utf8).write(to: tree.url("\(eth0)/operstate"))
        try tree.remove("\(eth0)/mtu")
        try Data("9000\n".utf8).write(to: tree.url("\(eth0)/mtu"))
        let after = reader.scrape(CollectorSelection(enabled: [.netclass]))
        #expect(after.value("node_network_up", ["device": "eth0"]) == 0)
        #expect(after.value("node_network_mtu_bytes", ["device": "eth0"]) == 9000)
    }

    @Test func aRealScrapeMeasuresDurations() throws {
        let reader = HardwareReader(root: Fixtures.root("rpi4"), cachePeriod: .zero)
        let scrape = reader.scrape(CollectorSelection(enabled: [.stat, .meminfo]))
        #expect(scrape.samples("node_scrape_collector_duration_seconds").allSatisfy { $0.value > 0 && $0.value < 1 })
        #expect(scrape.samples("node_uname_info").isEmpty)
    }
}

@Suite struct NodeExporterParsingTests {
    @Test func hwmonFileNamesSplitAsNodeExportersRegex() {
        #expect(HwmonSensors.explode("temp1_input")! == ("temp", 1, "input"))
        #expect(HwmonSensors.explode("temp")! == ("temp", 0, ""))
        #expect(HwmonSensors.explode("in0_lcrit_alarm")! == ("in", 0, "lcrit_alarm"))
        #expect(HwmonSensors.explode("update_interval")! == ("update_interval", 0, ""))
        #expect(HwmonSensors.explode("fan1_") == nil)
        #expect(HwmonSensors.explode("1abc") == nil)
    }

    @Test func osReleaseQuotingFollowsTheSpec() {
        let parsed = OSRelease.parse(
            """
            # comment
            NAME="Debian GNU/Linux"
            ID=debian
            PRETTY_NAME='Debian "12"'
            VERSION="12 (\\"bookworm\\")"
            EMPTY=

            """)
        #expect(parsed.value?["NAME"] == "Debian GNU/Linux")
        #expect(parsed.value?["ID"] == "debian")
        #expect(parsed.value?["PRETTY_NAME"] == "Debian \"12\"")
        #expect(parsed.value?["VERSION"] == "12 (\"bookworm\")")
        #expect(parsed.value?["EMPTY"] == "")
        #expect(OSRelease.parse("NAME=\"Debian\n").value == nil)
        #expect(OSRelease.parse("just words\n").value == nil)
        #expect(OSRelease.version("12") == 12)
        #expect(OSRelease.version("24.04") == 24.04)
        #expect(OSRelease.version("3.18.4") == 3.18)
        #expect(OSRelease.version("rolling") == nil)
    }

    @Test func vmstatAndNetstatKeepNodeExportersDefaultFields() {
        for field in ["pgpgin", "pgpgout", "pswpin", "pswpout", "pgfault", "pgmajfault", "oom_kill"] {
            #expect(VMStat.isDefaultField(TextParsing.bytes(field)), "\(field)")
        }
        for field in ["pgfree", "nr_dirty", "thp_fault_alloc", "pgactivate"] {
            #expect(!VMStat.isDefaultField(TextParsing.bytes(field)), "\(field)")
        }
        for key in [
            "Tcp_InErrs", "Udp_InErrors", "Ip_Forwarding", "IpExt_InOctets", "Icmp6_OutMsgs", "TcpExt_ListenDrops",
            "TcpExt_SyncookiesFailed", "TcpExt_TCPTimeouts", "Tcp_CurrEstab", "Udp6_RcvbufErrors", "UdpLite_InErrors",
        ] {
            #expect(NetStat.isDefaultField(key), "\(key)")
        }
        for key in ["Tcp_MaxConn", "Ip_DefaultTTL", "TcpExt_TW", "Udp_IgnoredMulti", "UdpLite_InDatagrams", "IcmpMsg_InType3"] {
            #expect(!NetStat.isDefaultField(key), "\(key)")
        }
        // The byte-level test agrees with the regex's transcription on every field of the fixtures' tables.
        for tree in ["rpi4", "rpi5"] {
            for file in ["netstat", "snmp"] {
                let text = try? Fixtures.root(tree).readText("proc/1/net/\(file)")
                for line in (text ?? "").split(separator: "\n") where line.contains(":") {
                    let fields = line.split(separator: " ")
                    let proto = fields[0].dropLast()
                    for name in fields.dropFirst() where !name.allSatisfy(\.isNumber) && !name.hasPrefix("-") {
                        let key = "\(proto)_\(name)"
                        #expect(NetStat.isDefaultField(key) == NetStat.isDefaultFieldString(key), "\(key)")
                    }
                }
            }
        }
    }

    @Test func timexScalesAsNodeExporter() {
        let families = Timex.families(TimexState(state: 5, offset: 1_500_000, freq: 65536, maxerror: 16_000_000, status: 0x2001, tick: 10000))
        func value(_ name: String) -> Double? { families.first { $0.name == "node_timex_" + name }?.samples.first?.value }
        #expect(value("sync_status") == 0)
        #expect(value("offset_seconds") == 0.0015)  // STA_NANO: nanoseconds
        #expect(value("frequency_adjustment_ratio") == 1.000001)
        #expect(value("maxerror_seconds") == 16)
        #expect(value("tick_seconds") == 0.01)
        #expect(families.first { $0.name == "node_timex_pps_jitter_total" }?.type == .counter)
    }
}
