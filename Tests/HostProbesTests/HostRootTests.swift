import Foundation
import Glibc
import Testing

@testable import HostProbes

@Suite struct HostRootTests {
    @Test func readsFilesRelativeToTheRoot() throws {
        let tree = try TemporaryTree()
        try tree.file("proc/loadavg", "0.52 0.58 0.59 2/389 4821\n")
        let root = HostRoot(tree.path)
        #expect(try root.readText("proc/loadavg") == "0.52 0.58 0.59 2/389 4821\n")
        #expect(try root.readText("/proc/loadavg") == "0.52 0.58 0.59 2/389 4821\n")
        #expect(try root.readAttribute("proc/loadavg") == "0.52 0.58 0.59 2/389 4821")
    }

    @Test func normalisesTheRootPath() {
        #expect(HostRoot("/host/").path == "/host")
        #expect(HostRoot("//host//x/").path == "/host/x")
        #expect(HostRoot().path == "/")
        #expect(HostRoot("").path == "/")
        #expect(HostRoot("relative/dir").path.hasSuffix("/relative/dir"))
        #expect(HostRoot("relative/dir").path.hasPrefix("/"))
    }

    @Test func followsRelativeLinksLikeSysfs() throws {
        let root = Fixtures.root("rpi4")
        #expect(try root.resolve("sys/class/thermal/thermal_zone0") == "/sys/devices/virtual/thermal/thermal_zone0")
        #expect(try root.readAttribute("sys/class/thermal/thermal_zone0/type") == "cpu-thermal")
        #expect(try root.readAttribute("sys/class/net/eth0/operstate") == "up")
        #expect(try root.readAttribute("sys/block/mmcblk0/size") == "62333952")
        #expect(
            try root.resolve("sys/class/hwmon/hwmon1/device")
                == "/sys/devices/platform/soc/soc:firmware/raspberrypi-hwmon")
        #expect(try root.readLink("sys/class/thermal/thermal_zone0") == "../../devices/virtual/thermal/thermal_zone0")
    }

    @Test func absoluteLinksStartAgainAtTheRoot() throws {
        // On a Pi, /proc/device-tree -> /sys/firmware/devicetree/base.
        let root = Fixtures.root("rpi4")
        #expect(try root.resolve("proc/device-tree/model") == "/sys/firmware/devicetree/base/model")
        #expect(try root.readFile("proc/device-tree/model").last == 0)
    }

    @Test func dotDotStopsAtTheRoot() throws {
        let tree = try TemporaryTree()
        try tree.file("etc/hostname", "inside\n")
        let root = HostRoot(tree.path + "/")
        #expect(try root.readText("../../../../etc/hostname") == "inside\n")
        #expect(try root.readText("etc/../../../etc/hostname") == "inside\n")
        #expect(try root.resolve("..") == "/")
    }

    @Test func linksCannotEscapeTheRoot() throws {
        let tree = try TemporaryTree()
        try tree.file("etc/hostname", "inside\n")
        try tree.directory("sys/class")
        try tree.link("sys/class/up", to: "../../../../../../etc/hostname")
        try tree.link("sys/class/absolute", to: "/etc/hostname")
        try tree.link("sys/class/dir", to: "/../..")
        let root = HostRoot(tree.path)
        #expect(try root.readText("sys/class/up") == "inside\n")
        #expect(try root.readText("sys/class/absolute") == "inside\n")
        #expect(try root.resolve("sys/class/dir") == "/")
        #expect(try root.readText("sys/class/dir/etc/hostname") == "inside\n")
    }

    @Test func aLinkToAMissingHostFileIsAbsentNotTheOutsideFile() throws {
        // /etc/passwd exists outside the root but not inside: the link must not reach it.
        let tree = try TemporaryTree()
        try tree.link("passwd", to: "/etc/passwd")
        try tree.link("passwd2", to: "../../../../../../../../etc/passwd")
        let root = HostRoot(tree.path)
        #expect(throws: HostRootError.notFound(path: "/passwd")) { try root.readFile("passwd") }
        #expect(throws: HostRootError.notFound(path: "/passwd2")) { try root.readFile("passwd2") }
        #expect(!root.exists("passwd"))
    }

    @Test func linkLoopsAreAnError() throws {
        let tree = try TemporaryTree()
        try tree.link("a", to: "b")
        try tree.link("b", to: "a")
        try tree.link("self", to: "self")
        try tree.link("dir/parent", to: "../dir/parent/x")
        let root = HostRoot(tree.path)
        #expect(throws: HostRootError.self) { try root.readFile("a") }
        do {
            _ = try root.readFile("a")
        } catch {
            #expect(error.code == "too_many_symbolic_links")
        }
        #expect(throws: HostRootError.tooManySymbolicLinks(path: "/self")) { try root.resolve("self") }
        #expect(!root.exists("dir/parent"))
    }

    @Test func followsAtMostFortyLinks() throws {
        let tree = try TemporaryTree()
        try tree.file("target", "end\n")
        try tree.link("l0", to: "target")
        for index in 1...40 { try tree.link("l\(index)", to: "l\(index - 1)") }
        let root = HostRoot(tree.path)
        #expect(try root.readText("l39") == "end\n")  // 40 links
        #expect(throws: HostRootError.tooManySymbolicLinks(path: "/l40")) { try root.readText("l40") }
    }

    @Test func aDirectoryWhereAFileIsExpectedIsAnError() throws {
        let tree = try TemporaryTree()
        try tree.directory("sys/temp")
        try tree.file("proc/stat", "cpu 1\n")
        let root = HostRoot(tree.path)
        #expect(throws: HostRootError.isADirectory(path: "/sys/temp")) { try root.readFile("sys/temp") }
        #expect(throws: HostRootError.notADirectory(path: "/proc/stat/x")) { try root.readFile("proc/stat/x") }
        #expect(throws: HostRootError.notADirectory(path: "/proc/stat")) { try root.listDirectory("proc/stat") }
        #expect(throws: HostRootError.notFound(path: "/nope/x")) { try root.readFile("nope/x") }
    }

    @Test func refusesFilesOverTheSizeLimit() throws {
        let tree = try TemporaryTree()
        try tree.file("big", String(repeating: "x", count: 5000))
        try tree.file("fits", String(repeating: "x", count: 4096))
        let root = HostRoot(tree.path, maxFileSize: 4096)
        #expect(throws: HostRootError.tooLarge(path: "/big", limit: 4096)) { try root.readFile("big") }
        #expect(try root.readFile("fits").count == 4096)
        #expect(try HostRoot(tree.path).readFile("big").count == 5000)
    }

    @Test func refusesFIFOsWithoutBlocking() throws {
        let tree = try TemporaryTree()
        #expect(mkfifo(tree.path + "/fifo", 0o600) == 0)
        #expect(throws: HostRootError.notARegularFile(path: "/fifo")) { try HostRoot(tree.path).readFile("fifo") }
    }

    @Test func textMustBeUTF8() throws {
        let tree = try TemporaryTree()
        try tree.bytes("model", [0x52, 0xFF, 0xFE, 0x00])
        let root = HostRoot(tree.path)
        #expect(throws: HostRootError.notUTF8(path: "/model")) { try root.readText("model") }
        #expect(try root.readFile("model") == [0x52, 0xFF, 0xFE, 0x00])
    }

    @Test func listsDirectoriesSortedWithKinds() throws {
        let root = Fixtures.root("rpi4")
        #expect(try root.listDirectory("sys/class/thermal") == ["cooling_device0", "thermal_zone0"])
        let entries = try root.directoryEntries("sys/devices/platform/soc")
        #expect(entries.first { $0.name == "soc:firmware" }?.kind == .directory)
        #expect(try root.directoryEntries("sys/class/hwmon").allSatisfy { $0.kind == .symbolicLink })
        #expect(root.isDirectory("sys/class/hwmon/hwmon0"))
        #expect(!root.isDirectory("proc/loadavg"))
    }

    @Test func readLinkRefusesOrdinaryFiles() throws {
        let root = Fixtures.root("rpi4")
        #expect(throws: HostRootError.notASymbolicLink(path: "/proc/loadavg")) { try root.readLink("proc/loadavg") }
    }

    @Test func rejectsPathsWithNulBytes() {
        #expect(throws: HostRootError.self) { try Fixtures.root("rpi4").readFile("proc/load\0avg") }
    }

    @Test func errorsDescribeHostPathsNotLocalOnes() throws {
        let root = Fixtures.root("empty")
        do {
            _ = try root.readFile("proc/loadavg")
            Issue.record("expected an error")
        } catch {
            #expect(error.description == "/proc/loadavg: not found")
            #expect(error.isNotFound)
        }
    }
}
