import HouseholdAPI
import Synchronization
import Testing

@Suite struct AuthFailureLimiterTests {
    final class FakeClock: Sendable {
        let millis = Atomic<Int64>(1_000_000)
        func advance(_ ms: Int64) { millis.add(ms, ordering: .relaxed) }
    }

    @Test func aBurstOfFailuresThenOneEveryRefill() {
        let clock = FakeClock()
        let limiter = AuthFailureLimiter(burst: 3, refillMillis: 1000, now: { clock.millis.load(ordering: .relaxed) })
        for _ in 0..<3 {
            #expect(limiter.retryAfterSeconds("10.0.0.9") == nil)
            limiter.recordFailure("10.0.0.9")
        }
        #expect(limiter.retryAfterSeconds("10.0.0.9") == 1)
        #expect(limiter.retryAfterSeconds("10.0.0.8") == nil, "another address is not limited")
        clock.advance(999)
        #expect(limiter.retryAfterSeconds("10.0.0.9") == 1)
        clock.advance(1)
        #expect(limiter.retryAfterSeconds("10.0.0.9") == nil, "one try earned back after the refill time")
        limiter.recordFailure("10.0.0.9")
        #expect(limiter.retryAfterSeconds("10.0.0.9") == 1)
        clock.advance(60_000)
        for _ in 0..<3 { limiter.recordFailure("10.0.0.9") }
        #expect(limiter.retryAfterSeconds("10.0.0.9") != nil, "the bucket never holds more than the burst")
        #expect(limiter.failed == 7)
        #expect(limiter.limited == 4)
    }

    @Test func trackedAddressesAreBounded() {
        let clock = FakeClock()
        let limiter = AuthFailureLimiter(burst: 2, refillMillis: 1000, maxAddresses: 10, now: { clock.millis.load(ordering: .relaxed) })
        for i in 0..<10 { clock.advance(1); limiter.recordFailure("a\(i)"); limiter.recordFailure("a\(i)") }
        #expect(limiter.retryAfterSeconds("a0") != nil)
        clock.advance(1)
        limiter.recordFailure("new")
        // The least recently seen address (a0) was forgotten to make room.
        #expect(limiter.retryAfterSeconds("a0") == nil)
        #expect(limiter.retryAfterSeconds("a9") != nil)
    }
}
