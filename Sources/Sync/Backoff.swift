/// Retry delays after failed sync attempts (docs/sync-design.md): exponential backoff with full
/// jitter, from 5 s up to a 3 min cap, reset on success. Pure; the caller supplies randomness.
public struct Backoff: Sendable, Equatable {
    public var base: Int64
    public var cap: Int64
    /// Consecutive failures so far.
    public private(set) var failures: Int = 0

    public init(baseMillis: Int64 = 5_000, capMillis: Int64 = 180_000) {
        self.base = baseMillis
        self.cap = capMillis
    }

    /// The ceiling of the next delay: `min(cap, base × 2ⁿ)` for the n-th consecutive failure.
    public var ceiling: Int64 {
        let shift = min(failures, 30)
        return min(cap, base << Int64(shift))
    }

    /// Records a failure and returns how long to wait, in milliseconds: uniform in
    /// `[base, ceiling]` ("full jitter", floored at the base so a flapping central is not
    /// hammered), never less than a server's `Retry-After`.
    public mutating func failed(retryAfterMillis: Int64? = nil, using random: inout some RandomNumberGenerator) -> Int64 {
        let high = ceiling
        failures += 1
        let delay = Int64.random(in: min(base, high)...high, using: &random)
        return max(delay, retryAfterMillis ?? 0)
    }

    public mutating func succeeded() {
        failures = 0
    }
}
