import Glibc

/// Whether the wall clock can be trusted. A Pi has no real-time clock and may run with a wall clock far in
/// the past until NTP has synchronized it.
public protocol ClockSynchronization: Sendable {
    /// True when synchronized, false when known not to be, nil when unknown.
    func isSynchronized() -> Bool?
}

/// The kernel's NTP state through `adjtimex(2)` (read-only: `modes` is 0). The clock is not namespaced,
/// so this is the host's state even inside a container. `TIME_ERROR` means "not synchronized".
public struct KernelClockSynchronization: ClockSynchronization {
    public init() {}

    public func isSynchronized() -> Bool? {
        // Glibc's Swift module does not export <sys/timex.h>; look the function up instead. A zeroed
        // buffer larger than `struct timex` (208 bytes on 64-bit Linux) with modes 0 only reads the state.
        typealias AdjTimex = @convention(c) (UnsafeMutableRawPointer) -> Int32
        guard let symbol = dlsym(nil, "adjtimex") else { return nil }
        let function = unsafeBitCast(symbol, to: AdjTimex.self)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 16)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: 512)
        let state = function(buffer)
        let timeError: Int32 = 5
        switch state {
        case 0..<timeError: return true
        case timeError: return false
        default: return nil
        }
    }
}

/// Test double: a fixed answer.
public struct FixedClockSynchronization: ClockSynchronization {
    public var synchronized: Bool?
    public init(_ synchronized: Bool?) { self.synchronized = synchronized }
    public func isSynchronized() -> Bool? { synchronized }
}

/// Clock state for the reading: systemd-timesyncd's flag file under the host root, else the kernel.
public enum ClockSync {
    public static let probe = "clock"
    static let timesyncFlag = "/run/systemd/timesync/synchronized"

    public static func read(from root: HostRoot, kernel: any ClockSynchronization) -> Parsed<Bool?> {
        read(from: HostFiles(root), kernel: kernel)
    }

    static func read(from files: HostFiles, kernel: any ClockSynchronization) -> Parsed<Bool?> {
        if files.exists(timesyncFlag) { return Parsed(true) }
        if let synchronized = kernel.isSynchronized() { return Parsed(synchronized) }
        return Parsed(nil, problems: ["clock synchronization state unknown"])
    }
}
