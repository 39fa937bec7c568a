#if canImport(Glibc)
    import Glibc
#endif

/// What the sync loop reads time from and waits with: the monotonic clock (never steps with
/// the wall clock) and a sleep. Tests drive a virtual one, so the loop's timing is checked
/// without waiting.
public struct LoopClock: Sendable {
    /// Milliseconds on a clock that only moves forward.
    public var nowMillis: @Sendable () -> Int64
    /// Waits about `millis` milliseconds (returns early when the task is cancelled).
    public var sleep: @Sendable (_ millis: Int64) async -> Void

    public init(nowMillis: @escaping @Sendable () -> Int64, sleep: @escaping @Sendable (_ millis: Int64) async -> Void) {
        self.nowMillis = nowMillis
        self.sleep = sleep
    }

    /// `CLOCK_MONOTONIC` and `Task.sleep`.
    public static let monotonic = LoopClock(
        nowMillis: {
            var ts = timespec()
            clock_gettime(CLOCK_MONOTONIC, &ts)
            return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
        },
        sleep: { millis in try? await Task.sleep(for: .milliseconds(millis)) })
}
