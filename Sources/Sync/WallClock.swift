#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where timestamps come from. Nothing in the product reads the time directly: it takes a
/// `WallClock`, so tests can move time backwards, forwards or a month ahead in a second.
public struct WallClock: Sendable {
    /// Milliseconds since the Unix epoch, as the system believes them (possibly very wrong
    /// on a Raspberry Pi that has just booted without network time).
    public var nowMillis: @Sendable () -> Int64

    public init(nowMillis: @escaping @Sendable () -> Int64) {
        self.nowMillis = nowMillis
    }

    /// The system's real-time clock.
    public static let system = WallClock {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }

    /// Always `millis`.
    public static func fixed(_ millis: Int64) -> WallClock {
        WallClock { millis }
    }
}
