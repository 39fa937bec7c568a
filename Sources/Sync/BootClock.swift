#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Which boot of the machine this is, and the time since it began (`CLOCK_BOOTTIME`, which
/// counts suspend and never steps when the wall clock does). Together they tie a reading to
/// true time once the wall clock is known to be right, even if it was wrong when the reading
/// was taken: a Raspberry Pi has no real-time clock and boots at its last saved time, or in
/// 1970, until NTP steps it.
public struct BootClock: Sendable {
    /// The kernel's random ID of this boot (`/proc/sys/kernel/random/boot_id`); nil if unknown.
    /// It is not namespaced: a pod reads its host's.
    public var bootID: String?
    /// Milliseconds since this boot began; nil if unknown.
    public var nowMillis: @Sendable () -> Int64?

    public init(bootID: String?, nowMillis: @escaping @Sendable () -> Int64?) {
        self.bootID = bootID
        self.nowMillis = nowMillis
    }

    /// This machine's boot and `CLOCK_BOOTTIME`.
    public static let system = BootClock(bootID: readBootID()) {
        var ts = timespec()
        #if os(Linux)
            guard clock_gettime(CLOCK_BOOTTIME, &ts) == 0 else { return nil }
        #else
            guard clock_gettime(CLOCK_MONOTONIC, &ts) == 0 else { return nil }
        #endif
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    static func readBootID() -> String? {
        guard let file = fopen("/proc/sys/kernel/random/boot_id", "r") else { return nil }
        defer { fclose(file) }
        var buffer = [CChar](repeating: 0, count: 64)
        guard fgets(&buffer, Int32(buffer.count), file) != nil else { return nil }
        let text = String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        let id = text.filter { $0.isHexDigit || $0 == "-" }
        return id.count == 36 ? id : nil
    }
}
