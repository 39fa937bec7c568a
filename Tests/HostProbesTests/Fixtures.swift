import Foundation
import HostProbes
import Testing

/// Fixture trees live in `Tests/Fixtures`, found from this file so the tests work wherever the package is.
enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    static func root(_ name: String) -> HostRoot {
        HostRoot(directory.appendingPathComponent(name).path)
    }

    /// Filesystem sizes the golden files expect, by mount point; any other mount is an issue.
    static let filesystemSpace: [String: FilesystemSpace] = [
        "/": FilesystemSpace(
            sizeBytes: 31_068_966_912, availBytes: 22_906_105_856, freeBytes: 24_497_930_240, files: 1_929_536, filesFree: 1_731_002),
        "/boot/firmware": FilesystemSpace(
            sizeBytes: 535_805_952, availBytes: 469_688_320, freeBytes: 469_688_320, files: 0, filesFree: 0),
        "/run": FilesystemSpace(
            sizeBytes: 795_738_112, availBytes: 794_365_952, freeBytes: 794_365_952, files: 485_688, filesFree: 484_870),
        "/run/lock": FilesystemSpace(sizeBytes: 5_242_880, availBytes: 5_226_496, freeBytes: 5_226_496, files: 485_688, filesFree: 485_685),
        "/run/user/1000": FilesystemSpace(
            sizeBytes: 397_864_960, availBytes: 397_848_576, freeBytes: 397_848_576, files: 97_135, filesFree: 97_110),
        "/media/pi/Photo Disk": FilesystemSpace(
            sizeBytes: 62_495_129_600, availBytes: 18_021_564_416, freeBytes: 18_021_564_416, files: 0, filesFree: 0),
        "/var/lib/kubelet/pods/5f0c6f3e-1d2a-4b7c-9e8f-2a3b4c5d6e7f/volumes/kubernetes.io~projected/kube-api-access-x7k2q":
            FilesystemSpace(
                sizeBytes: 8_292_663_296, availBytes: 8_292_651_008, freeBytes: 8_292_651_008, files: 1_012_287, filesFree: 1_012_278),
        "/run/k3s/containerd/io.containerd.grpc.v1.cri/sandboxes/2f9a81c3d4e5/shm":
            FilesystemSpace(sizeBytes: 67_108_864, availBytes: 67_108_864, freeBytes: 67_108_864, files: 1_012_287, filesFree: 1_012_286),
    ]

    /// What the kernel answers for each tree: uname (the Pi 5's is the pod's node name, replaced by the node's),
    /// adjtimex (a clock disciplined by systemd-timesyncd), the wall clock, the page size (16 KiB on the Pi 5 kernel).
    static func kernel(_ name: String) -> FixedKernel {
        let pi5 = name == "rpi5"
        return FixedKernel(
            uname: Uname(
                sysname: "Linux", release: pi5 ? "6.6.51+rpt-rpi-2712" : "6.6.51+rpt-rpi-v8",
                version: "#1 SMP PREEMPT Debian 1:6.6.51-1+rpt3 (2024-10-08)", machine: "aarch64",
                nodename: pi5 ? "edge-agent-x7k2q" : "rpi-worker-1", domainname: "(none)"),
            timex: TimexState(
                state: 0, offset: -1_204_321, freq: -1_311_232, maxerror: 18_500, esterror: 1_200, status: 0x2001, constant: 7,
                tick: 10_000),
            wallTime: WallTime(seconds: 1_763_788_800.25, zone: pi5 ? "UTC" : "GMT", offsetSeconds: 0),
            pageSize: pi5 ? 16_384 : 4096)
    }

    /// The node name `node_uname_info` shows instead of uname's: the Pi 5 runs the agent in a pod.
    static let nodeNames: [String: String] = ["rpi5": "rpi-worker-2"]

    /// GPIO lines configured for the golden readings.
    static let gpioLines: [String: String] = [
        "rpi4": "chip=pinctrl-bcm2711,line=17,name=door",
        "rpi5": "chip=pinctrl-rp1,line=GPIO17,name=door; chip=gpiochip0,line=27,name=garage",
    ]

    /// The Pi 5 tree is laid out as the DaemonSet sees its host: the host's `/` (its os-release) under `root/`.
    static func rootfs(_ name: String) -> HostRoot? {
        name == "rpi5" ? HostRoot(directory.appendingPathComponent(name).appendingPathComponent("root").path) : nil
    }

    static func reader(_ name: String, cachePeriod: Duration = .seconds(60)) throws -> HardwareReader {
        let space = filesystemSpace
        return HardwareReader(
            root: root(name),
            filesystemStatistics: StubFilesystemStatistics { space[$0.mountPoint] },
            clock: FixedClockSynchronization(nil),
            gpio: FakeGPIOReader(["door": 1, "garage": 0]),
            gpioLines: try GPIOLineSpec.parseList(gpioLines[name] ?? ""),
            cachePeriod: cachePeriod,
            kernel: kernel(name),
            rootfs: rootfs(name),
            nodeName: nodeNames[name])
    }

    /// Compares `actual` with `Tests/Fixtures/<file>`. With `UPDATE_GOLDENS=1` in the environment the file is
    /// rewritten instead: review the diff by eye before committing it.
    static func expectGolden(_ actual: String, file: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let url = directory.appendingPathComponent(file)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDENS"] == "1" {
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        if actual != expected {
            let actualLines = actual.split(separator: "\n", omittingEmptySubsequences: false)
            let expectedLines = expected.split(separator: "\n", omittingEmptySubsequences: false)
            let firstDifference =
                zip(actualLines, expectedLines).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(actualLines.count, expectedLines.count)
            Issue.record(
                """
                \(file) differs at line \(firstDifference + 1):
                  expected: \(firstDifference < expectedLines.count ? String(expectedLines[firstDifference]) : "<end>")
                  actual:   \(firstDifference < actualLines.count ? String(actualLines[firstDifference]) : "<end>")
                (regenerate with UPDATE_GOLDENS=1 swift test --filter GoldenTests)
                """, sourceLocation: sourceLocation)
        }
    }
}

/// A scratch directory for HostRoot tests, removed at the end.
final class TemporaryTree {
    let url: URL
    var path: String { url.path }

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("hostprobes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func file(_ path: String, _ contents: String) throws {
        try bytes(path, Array(contents.utf8))
    }

    func bytes(_ path: String, _ contents: [UInt8]) throws {
        let target = url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contents).write(to: target)
    }

    func directory(_ path: String) throws {
        try FileManager.default.createDirectory(at: url.appendingPathComponent(path), withIntermediateDirectories: true)
    }

    func link(_ path: String, to target: String) throws {
        let source = url.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: source.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: source.path, withDestinationPath: target)
    }
}
