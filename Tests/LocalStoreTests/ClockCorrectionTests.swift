import Foundation
import LocalStore
import Sync
import TestSupport
import Testing

/// Readings taken before the wall clock was right get their true time from their boot's
/// `CLOCK_BOOTTIME`, and are sent only once it is final.
@Suite struct ClockCorrectionTests {
    let dir = TemporaryDirectory()
    let t0: Int64 = 1_763_788_800_000
    let load = SeriesKey("node_load1")
    let year: Int64 = 365 * 86_400_000
    let step: Int64 = 15_000

    /// `CLOCK_BOOTTIME` as the test sets it.
    final class Mono: @unchecked Sendable {
        private let lock = NSLock()
        private var millis: Int64
        init(_ millis: Int64) { self.millis = millis }
        var now: Int64 {
            get { lock.withLock { millis } }
            set { lock.withLock { millis = newValue } }
        }
    }

    func open(boot: String, mono: Mono) throws -> LocalStore {
        var config = LocalStore.Configuration(nodeName: "a")
        config.clock = WallClock.fixed(t0)
        config.boot = BootClock(bootID: boot) { mono.now }
        return try LocalStore(directory: dir.path, configuration: config)
    }

    @discardableResult
    func take(_ store: LocalStore, wall: Int64, mono: Int64, synced: Bool, value: Double) throws -> Int64 {
        try store.record(
            MetricReading(
                timestamp: wall, clockSynchronized: synced, values: [load: value],
                boot: store.configuration.boot.bootID, mono: mono))
    }

    /// Everything the push would send after `after`, batch by batch, as (ts, clock, value).
    func sendable(_ store: LocalStore, after: Int64 = Int64.min, aheadLimit: Int64? = nil) throws -> [(Int64, SyncWire.SampleClock, Double)] {
        var out: [(Int64, SyncWire.SampleClock, Double)] = []
        var after = after
        while let batch = try store.sampleBatch(node: "a", after: after, maxSamples: 3, aheadLimit: aheadLimit) {
            out += batch.readings.map { ($0.ts, $0.clock, $0.values[0]) }
            after = batch.readings.last!.ts
        }
        return out
    }

    @Test func readingsTakenBeforeNTPGetTheirTrueTimesAndWaitUntilThen() throws {
        let mono = Mono(0)
        // The last boot: synchronised readings, all delivered.
        let before = try open(boot: "boot-0", mono: mono)
        for k in 0..<3 { try take(before, wall: t0 + Int64(k) * step, mono: 1000 + Int64(k) * step, synced: true, value: Double(k)) }
        try before.markDelivered(through: t0 + 2 * step)

        // This boot starts with the clock in 1970, unsynchronised.
        mono.now = 5000
        let store = try open(boot: "boot-1", mono: mono)
        for k in 0..<4 {
            let stored = try take(store, wall: 10_000 + Int64(k) * step, mono: 5000 + Int64(k) * step, synced: false, value: Double(10 + k))
            #expect(stored > t0 + 2 * step, "an untrusted reading is never stored behind what central holds")
        }
        mono.now = 5000 + 4 * step
        #expect(try sendable(store, after: t0 + 2 * step).isEmpty, "readings that may still move are not sent")
        #expect(try store.readingsWaitingForClock(aheadLimit: nil) == 4)

        // NTP steps the clock: the first synchronised reading anchors the boot.
        let trueNow = t0 + 600_000
        #expect(try take(store, wall: trueNow, mono: 5000 + 4 * step, synced: true, value: 14) == trueNow)
        let sent = try sendable(store, after: t0 + 2 * step)
        #expect(sent.map(\.0) == (0...4).map { trueNow - Int64(4 - $0) * step })
        #expect(sent.map(\.1) == [.corrected, .corrected, .corrected, .corrected, .synced])
        #expect(sent.map(\.2) == [10, 11, 12, 13, 14])
        #expect(try store.readingsWaitingForClock(aheadLimit: nil) == 0)
        #expect(try store.readingsRetimedTotal() == 4)

        // Unsynchronised again later in the same boot: stored at the true time straight away.
        #expect(try take(store, wall: 99, mono: 5000 + 5 * step, synced: false, value: 15) == trueNow + step)
        #expect(try sendable(store, after: trueNow).map(\.1) == [.corrected])
    }

    @Test func aClockThatRanAheadAndStepsBackDragsNothing() throws {
        let mono = Mono(1000)
        let store = try open(boot: "boot-1", mono: mono)
        // The kernel said synchronised, but the clock was a year ahead.
        for k in 0..<4 { try take(store, wall: t0 + year + Int64(k) * step, mono: 1000 + Int64(k) * step, synced: true, value: Double(k)) }
        // Central's clock says t0: those readings wait rather than land a year ahead at central.
        #expect(try sendable(store, aheadLimit: t0 + 600_000).isEmpty)
        #expect(try store.readingsWaitingForClock(aheadLimit: t0 + 600_000) == 4)

        // The clock steps back to the truth.
        let now = t0 + 4 * step
        mono.now = 1000 + 4 * step
        #expect(try take(store, wall: now, mono: 1000 + 4 * step, synced: true, value: 4) == now)
        for k in 5..<8 { try take(store, wall: t0 + Int64(k) * step, mono: 1000 + Int64(k) * step, synced: true, value: Double(k)) }
        let sent = try sendable(store, aheadLimit: t0 + 8 * step + 600_000)
        #expect(sent.map(\.0) == (0..<8).map { t0 + Int64($0) * step }, "every reading at its true time, none in the future")
        #expect(sent.map(\.2) == (0..<8).map(Double.init))
        #expect(sent.prefix(4).allSatisfy { $0.1 == .corrected } && sent.suffix(4).allSatisfy { $0.1 == .synced })
        #expect(try store.readingsWaitingForClock(aheadLimit: t0 + 8 * step + 600_000) == 0)
    }

    @Test func aBootThatNeverSynchronisesIsSentUntrustedAfterADay() throws {
        let mono = Mono(0)
        let store = try open(boot: "boot-1", mono: mono)
        for k in 0..<3 { try take(store, wall: 10_000 + Int64(k) * step, mono: Int64(k) * step, synced: false, value: Double(k)) }
        mono.now = 2 * step + LocalStore.untrustedHoldMillis - 1
        #expect(try sendable(store).count == 2, "the readings older than the bound are final; the newest still waits")
        mono.now = 2 * step + LocalStore.untrustedHoldMillis
        let sent = try sendable(store)
        #expect(sent.map(\.0) == [10_000, 10_000 + step, 10_000 + 2 * step])
        #expect(sent.allSatisfy { $0.1 == .untrusted })
        try store.markDelivered(through: sent.last!.0, untrusted: sent.count)
        #expect(try store.readingsSentUntrustedTotal() == 3)
    }

    @Test func centralsClockAnchorsABootWithoutNTP() throws {
        let mono = Mono(5000)
        let store = try open(boot: "boot-1", mono: mono)
        for k in 0..<4 { try take(store, wall: 10_000 + Int64(k) * step, mono: 5000 + Int64(k) * step, synced: false, value: Double(k)) }
        #expect(try store.anchorToCentral(centralNow: t0, mono: 5000 + 4 * step) == 4)
        #expect(try store.anchorToCentral(centralNow: t0 + 500, mono: 5000 + 4 * step) == 0, "an anchor that still agrees is kept")
        #expect(try take(store, wall: 77, mono: 5000 + 5 * step, synced: false, value: 4) == t0 + step)
        let sent = try sendable(store)
        #expect(sent.map(\.0) == [t0 - 4 * step, t0 - 3 * step, t0 - 2 * step, t0 - step, t0 + step])
        #expect(sent.allSatisfy { $0.1 == .corrected })

        // NTP wins over central: a synchronised reading re-anchors; central no longer does.
        try take(store, wall: t0 + 2 * step + 5000, mono: 5000 + 6 * step, synced: true, value: 5)
        #expect(try store.anchorToCentral(centralNow: t0, mono: 5000 + 6 * step) == 0)
    }

    @Test func anEndedBootsReadingsAheadOfThePresentMoveBeforeTheNewBoot() throws {
        let mono = Mono(0)
        let ended = try open(boot: "boot-0", mono: mono)
        try take(ended, wall: t0 - 600_000, mono: 100, synced: true, value: 0)
        try ended.markDelivered(through: t0 - 600_000)
        // Later that boot the clock jumped a day ahead; those readings were never sent.
        for k in 0..<3 { try take(ended, wall: t0 + 86_400_000 + Int64(k) * step, mono: 1000 + Int64(k) * step, synced: true, value: Double(1 + k)) }

        // The next boot began 30 s before its first, synchronised, reading at t0.
        mono.now = 30_000
        let store = try open(boot: "boot-1", mono: mono)
        #expect(try take(store, wall: t0, mono: 30_000, synced: true, value: 9) == t0)
        let sent = try sendable(store, after: t0 - 600_000)
        #expect(sent.map(\.2) == [1, 2, 3, 9])
        let bootStart = t0 - 30_000
        #expect(sent.prefix(3).map(\.0) == [bootStart - 1 - 2 * step, bootStart - 1 - step, bootStart - 1], "spacing kept, before this boot")
        #expect(sent.prefix(3).allSatisfy { $0.1 == .untrusted } && sent.last?.1 == .synced)
    }

    @Test func readingsBeforeTheAheadLimitAreSentAndTheRestWait() throws {
        let store = try open(boot: "boot-1", mono: Mono(0))
        for k in 0..<6 { try take(store, wall: t0 + Int64(k) * 600_000, mono: Int64(k) * 600_000, synced: true, value: Double(k)) }
        #expect(try sendable(store, aheadLimit: t0 + 1_500_000).map(\.2) == [0, 1, 2])
        #expect(try store.readingsWaitingForClock(aheadLimit: t0 + 1_500_000) == 3, "the three past the limit wait")
    }

    @Test func readingsThatMayBeAtCentralNeverMove() throws {
        let mono = Mono(1000)
        let store = try open(boot: "boot-1", mono: mono)
        for k in 0..<4 { try take(store, wall: t0 + year + Int64(k) * step, mono: 1000 + Int64(k) * step, synced: true, value: Double(k)) }
        // No clock from central to hold them by: the batch goes out, and its answer is lost.
        let batch = try #require(try store.sampleBatchToSend(node: "a", after: Int64.min, maxSamples: 1000, aheadLimit: nil))
        #expect(batch.readings.count == 4)

        // The clock steps back. Central may hold those four: they keep their timestamps, and
        // the new reading goes after them (marked untrusted) so that it is still sent.
        mono.now = 1000 + 4 * step
        #expect(try take(store, wall: t0 + 4 * step, mono: 1000 + 4 * step, synced: true, value: 4) == t0 + year + 3 * step + 1)
        let all = try sendable(store)
        #expect(all.prefix(4).map(\.0) == batch.readings.map(\.ts))
        #expect(all.last?.1 == .untrusted)
        #expect(try store.readingsRetimedTotal() == 0)
    }
}
