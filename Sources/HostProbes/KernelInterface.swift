import Glibc

/// `uname(2)`: what `node_uname_info` labels carry.
public struct Uname: Sendable, Hashable {
    public var sysname: String
    public var release: String
    public var version: String
    public var machine: String
    public var nodename: String
    public var domainname: String

    public init(sysname: String, release: String, version: String, machine: String, nodename: String, domainname: String) {
        self.sysname = sysname
        self.release = release
        self.version = version
        self.machine = machine
        self.nodename = nodename
        self.domainname = domainname
    }
}

/// What `adjtimex(2)` with `modes` 0 reports (read only): the fields of `struct timex` node_exporter's timex
/// collector exports, as the kernel gives them (units vary: see ``TimexCollector``).
public struct TimexState: Sendable, Hashable {
    /// The return value: the clock state; 5 (`TIME_ERROR`) means not synchronised.
    public var state: Int32
    public var offset: Int64
    public var freq: Int64
    public var maxerror: Int64
    public var esterror: Int64
    public var status: Int32
    public var constant: Int64
    public var tick: Int64
    public var ppsfreq: Int64
    public var jitter: Int64
    public var shift: Int32
    public var stabil: Int64
    public var jitcnt: Int64
    public var calcnt: Int64
    public var errcnt: Int64
    public var stbcnt: Int64
    public var tai: Int32

    public init(
        state: Int32, offset: Int64 = 0, freq: Int64 = 0, maxerror: Int64 = 0, esterror: Int64 = 0, status: Int32 = 0,
        constant: Int64 = 0, tick: Int64 = 10000, ppsfreq: Int64 = 0, jitter: Int64 = 0, shift: Int32 = 0,
        stabil: Int64 = 0, jitcnt: Int64 = 0, calcnt: Int64 = 0, errcnt: Int64 = 0, stbcnt: Int64 = 0, tai: Int32 = 0
    ) {
        self.state = state
        self.offset = offset
        self.freq = freq
        self.maxerror = maxerror
        self.esterror = esterror
        self.status = status
        self.constant = constant
        self.tick = tick
        self.ppsfreq = ppsfreq
        self.jitter = jitter
        self.shift = shift
        self.stabil = stabil
        self.jitcnt = jitcnt
        self.calcnt = calcnt
        self.errcnt = errcnt
        self.stbcnt = stbcnt
        self.tai = tai
    }
}

/// The wall clock and the local time zone, as node_exporter's time collector reads them.
public struct WallTime: Sendable, Hashable {
    /// Seconds since the epoch.
    public var seconds: Double
    /// The zone's abbreviation (`UTC`, `CET`).
    public var zone: String
    /// Seconds east of UTC.
    public var offsetSeconds: Int

    public init(seconds: Double, zone: String, offsetSeconds: Int) {
        self.seconds = seconds
        self.zone = zone
        self.offsetSeconds = offsetSeconds
    }
}

public struct KernelInterfaceError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// What collectors ask the kernel directly rather than through files under the host root: `uname(2)`,
/// `adjtimex(2)`, the wall clock, the page size, and a monotonic clock for collector durations. Behind a
/// seam so the fixture trees give the same output on every machine.
///
/// None of these is namespaced away from the host in a pod, except the node name (the UTS namespace):
/// ``HardwareReader/nodeName`` replaces it when set.
public protocol KernelInterface: Sendable {
    func uname() throws(KernelInterfaceError) -> Uname
    func timex() throws(KernelInterfaceError) -> TimexState
    func wallTime() -> WallTime
    /// Bytes per page (`/proc/net/sockstat` counts memory in pages).
    var pageSize: Int { get }
    /// Seconds on a monotonic clock, for `node_scrape_collector_duration_seconds`.
    func monotonicSeconds() -> Double
}

/// The real system calls.
public struct LiveKernel: KernelInterface {
    public init() {}

    public func uname() throws(KernelInterfaceError) -> Uname {
        var names = utsname()
        guard Glibc.uname(&names) == 0 else { throw KernelInterfaceError("uname failed: \(String(cString: strerror(errno)))") }
        func text<T>(_ field: T) -> String {
            withUnsafeBytes(of: field) { raw in String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self) }
        }
        return Uname(
            sysname: text(names.sysname), release: text(names.release), version: text(names.version),
            machine: text(names.machine), nodename: text(names.nodename), domainname: text(names.__domainname))
    }

    /// `struct timex` on 64-bit Linux (the same on x86-64 and aarch64): 208 bytes, offsets below.
    public func timex() throws(KernelInterfaceError) -> TimexState {
        // Glibc's Swift module does not export <sys/timex.h>; look the function up. `modes` 0 only reads.
        typealias AdjTimex = @convention(c) (UnsafeMutableRawPointer) -> Int32
        guard MemoryLayout<Int>.size == 8 else { throw KernelInterfaceError("adjtimex: only 64-bit Linux is supported") }
        guard let symbol = dlsym(nil, "adjtimex") else { throw KernelInterfaceError("adjtimex: not found") }
        let function = unsafeBitCast(symbol, to: AdjTimex.self)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 16)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: 512)
        let state = function(buffer)
        if state < 0 { throw KernelInterfaceError("adjtimex: \(String(cString: strerror(errno)))") }
        func long(_ offset: Int) -> Int64 { buffer.load(fromByteOffset: offset, as: Int64.self) }
        func int(_ offset: Int) -> Int32 { buffer.load(fromByteOffset: offset, as: Int32.self) }
        return TimexState(
            state: state, offset: long(8), freq: long(16), maxerror: long(24), esterror: long(32), status: int(40),
            constant: long(48), tick: long(88), ppsfreq: long(96), jitter: long(104), shift: int(112), stabil: long(120),
            jitcnt: long(128), calcnt: long(136), errcnt: long(144), stbcnt: long(152), tai: int(160))
    }

    public func wallTime() -> WallTime {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        var seconds = now.tv_sec
        var local = tm()
        tzset()
        localtime_r(&seconds, &local)
        let zone = local.tm_zone.map { String(cString: $0) } ?? "UTC"
        return WallTime(seconds: Double(now.tv_sec) + Double(now.tv_nsec) / 1e9, zone: zone, offsetSeconds: local.tm_gmtoff)
    }

    public var pageSize: Int { Int(sysconf(Int32(_SC_PAGESIZE))) }

    public func monotonicSeconds() -> Double {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
    }
}

/// Test double: fixed answers; nil makes the call fail. The monotonic clock stands still, so every
/// collector duration reads 0.
public struct FixedKernel: KernelInterface {
    public var fixedUname: Uname?
    public var fixedTimex: TimexState?
    public var fixedWallTime: WallTime
    public var pageSize: Int

    public init(uname: Uname?, timex: TimexState?, wallTime: WallTime, pageSize: Int = 4096) {
        self.fixedUname = uname
        self.fixedTimex = timex
        self.fixedWallTime = wallTime
        self.pageSize = pageSize
    }

    public func uname() throws(KernelInterfaceError) -> Uname {
        guard let fixedUname else { throw KernelInterfaceError("uname: unavailable") }
        return fixedUname
    }

    public func timex() throws(KernelInterfaceError) -> TimexState {
        guard let fixedTimex else { throw KernelInterfaceError("adjtimex: Operation not permitted") }
        return fixedTimex
    }

    public func wallTime() -> WallTime { fixedWallTime }
    public func monotonicSeconds() -> Double { 0 }
}
