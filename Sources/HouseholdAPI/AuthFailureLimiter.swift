import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// Failed authentications per source address, as a token bucket: `burst` failures at once,
/// then one more every `refillMillis`. An address over it is answered 429 with
/// `Retry-After` before its token is even looked at, so a token cannot be guessed by brute
/// force (a few hundred tries take hours), while a node with a stale token after a rotation
/// keeps retrying at its normal pace. Successful requests cost nothing. At most
/// `maxAddresses` are tracked; past that the least recently seen is forgotten.
public final class AuthFailureLimiter: Sendable {
    private struct Bucket {
        var tokens: Double
        var updated: Int64
    }

    public let burst: Double
    public let refillMillis: Double
    public let maxAddresses: Int
    private let now: @Sendable () -> Int64
    private let buckets = Mutex<[String: Bucket]>([:])
    private let failures = Atomic<Int>(0)
    private let limitedCount = Atomic<Int>(0)

    public init(
        burst: Int = 20, refillMillis: Int64 = 3000, maxAddresses: Int = 10_000,
        now: @escaping @Sendable () -> Int64 = AuthFailureLimiter.monotonicMillis
    ) {
        self.burst = Double(max(1, burst))
        self.refillMillis = Double(max(1, refillMillis))
        self.maxAddresses = max(1, maxAddresses)
        self.now = now
    }

    /// Failed authentications since start.
    public var failed: Int { failures.load(ordering: .relaxed) }
    /// Requests answered 429 since start.
    public var limited: Int { limitedCount.load(ordering: .relaxed) }

    /// Seconds until `address` may try again, or nil when it may try now. Counts a 429.
    public func retryAfterSeconds(_ address: String) -> Int? {
        let t = now()
        let wait: Double? = buckets.withLock { buckets in
            guard let bucket = buckets[address] else { return nil }
            let tokens = min(burst, bucket.tokens + Double(t - bucket.updated) / refillMillis)
            return tokens >= 1 ? nil : (1 - tokens) * refillMillis
        }
        guard let wait else { return nil }
        limitedCount.add(1, ordering: .relaxed)
        return max(1, Int((wait / 1000).rounded(.up)))
    }

    /// Records one failed authentication from `address`.
    public func recordFailure(_ address: String) {
        failures.add(1, ordering: .relaxed)
        let t = now()
        buckets.withLock { buckets in
            var bucket = buckets[address] ?? Bucket(tokens: burst, updated: t)
            bucket.tokens = min(burst, bucket.tokens + Double(t - bucket.updated) / refillMillis) - 1
            bucket.updated = t
            if buckets[address] == nil && buckets.count >= maxAddresses { forgetOne(&buckets, at: t) }
            buckets[address] = bucket
        }
    }

    /// Forgets the buckets that have refilled; if none has, the least recently seen one.
    private func forgetOne(_ buckets: inout [String: Bucket], at t: Int64) {
        let full = buckets.filter { Double(t - $0.value.updated) / refillMillis + $0.value.tokens >= burst }
        if !full.isEmpty {
            for key in full.keys { buckets.removeValue(forKey: key) }
        } else if let oldest = buckets.min(by: { $0.value.updated < $1.value.updated }) {
            buckets.removeValue(forKey: oldest.key)
        }
    }

    public static func monotonicMillis() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Int64(ts.tv_sec) * 1000 + Int64(ts.tv_nsec) / 1_000_000
    }
}
