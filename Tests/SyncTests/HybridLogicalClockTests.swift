import Sync
import Testing

@Suite struct HybridLogicalClockTests {
    let year: Int64 = 365 * 86_400_000
    let t0: Int64 = 1_763_788_800_000

    @Test func followsTheWallClockWhenItAdvances() {
        var clock = HybridLogicalClock()
        let a = clock.tick(now: t0, node: "n")
        let b = clock.tick(now: t0 + 5, node: "n")
        #expect(a.physical == t0 && a.counter == 0)
        #expect(b.physical == t0 + 5 && b.counter == 0)
    }

    @Test func staysIncreasingWhenTheWallClockJumpsAYearBackwards() {
        var clock = HybridLogicalClock()
        var last = clock.tick(now: t0, node: "n")
        for i in 0..<1000 {
            let next = clock.tick(now: t0 - year + Int64(i), node: "n")
            #expect(last < next)
            #expect(next.physical == t0, "physical time must not follow the wall clock backwards")
            last = next
        }
    }

    @Test func staysIncreasingWhenTheWallClockJumpsAYearForwardAndBack() {
        var clock = HybridLogicalClock()
        let before = clock.tick(now: t0, node: "n")
        let ahead = clock.tick(now: t0 + year, node: "n")
        let back = clock.tick(now: t0 + 1, node: "n")
        #expect(before < ahead && ahead < back)
        #expect(ahead.physical == t0 + year)
    }

    @Test func manyEventsInOneMillisecondStayUniqueAndOrdered() {
        var clock = HybridLogicalClock()
        var last = clock.tick(now: t0, node: "n")
        // More events than the 16-bit counter holds: the clock borrows the next millisecond.
        for _ in 0..<70_000 {
            let next = clock.tick(now: t0, node: "n")
            #expect(last < next)
            last = next
        }
        #expect(last.physical == t0 + 1)
    }

    @Test func observingARemoteStampOrdersLaterLocalStampsAfterIt() throws {
        var clock = HybridLogicalClock()
        _ = clock.tick(now: t0, node: "local")
        let remote = HLCTimestamp(physical: t0 + 60_000, counter: 9, node: "remote")
        try clock.observe(remote, now: t0)
        let next = clock.tick(now: t0, node: "local")
        #expect(remote < next)
    }

    @Test func refusesARemoteStampFarInTheFutureAndKeepsItsState() {
        var clock = HybridLogicalClock()
        _ = clock.tick(now: t0, node: "local")
        let before = clock
        let remote = HLCTimestamp(physical: t0 + year, counter: 0, node: "remote")
        #expect(throws: ClockError.self) { try clock.observe(remote, now: t0) }
        #expect(clock == before)
        #expect(clock.tick(now: t0 + 1, node: "local").physical == t0 + 1)
    }
}
