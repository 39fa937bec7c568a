import LocalStore
import Logging
import NIOCore
import NIOHTTP1
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One sync cycle against central: push the change log, pull the feed, push samples; and a
/// full resync when central has lost history. Every local step that records central's
/// acknowledgement runs after central's 2xx (sent after its COMMIT), so a cut anywhere is
/// repaired by replaying: pushes are idempotent by change ID and sample key.
public struct SyncEngine: Sendable {
    public let store: LocalStore
    public let client: any CentralTransport
    public let node: String
    public let logger: Logger
    public var changeBatch = 500
    public var pullLimit = 500
    public var sampleBatch = 10_000
    /// Sample batches per cycle before the cycle ends (task changes get a turn in between).
    public var sampleBatchesPerCycle = 20
    public var makeUUID: @Sendable () -> UUID = { UUID() }
    /// This Pi's address as phones reach it (`--advertise-url`): told to central at every
    /// cycle, which answers the other Pis' addresses, handed to `onPeers`.
    public var advertiseURL: String?
    public var onPeers: (@Sendable ([String]) -> Void)?

    public init(store: LocalStore, client: any CentralTransport, node: String, logger: Logger) {
        self.store = store
        self.client = client
        self.node = node
        self.logger = logger
    }

    /// What a cycle did.
    public struct Report: Sendable, Equatable {
        public var changesPushed = 0
        public var changesApplied = 0
        public var changesPulled = 0
        /// Changes central refused this cycle, now in quarantine.
        public var changesQuarantined = 0
        /// Changes stamped again this cycle because central found their stamps in the future.
        public var changesRestamped = 0
        /// Changes stamped in the future that wait for this node's clock to be right.
        public var changesWaitingForClock = 0
        public var samplesPushed = 0
        /// Samples central acknowledged as older than its retention (not stored there; kept here).
        public var samplesExpired = 0
        public var resynced = false
        /// Samples are left that this cycle did not send (bounded cycles).
        public var moreWork = false
        /// Central's clock minus ours at the last answer, in milliseconds.
        public var clockOffsetMillis: Int64?
        /// Central's clock at the last answer, for anchoring this boot's readings.
        public var centralClock: CentralAnswer.ClockReading?
        /// Readings moved to their true times this cycle (anchored to central's clock).
        public var readingsRetimed = 0
        /// Readings held back this cycle until their time is known.
        public var readingsWaitingForClock = 0
        public init() {}
    }

    /// Runs one cycle. `shouldStop` is checked between requests (graceful shutdown).
    public func cycle(shouldStop: @Sendable () -> Bool = { false }) async throws(SyncFailure) -> Report {
        var report = Report()
        do {
            if try local({ try store.pullPosition().resyncPending }) {
                try await resync(&report)
            }
            try await pushChanges(&report, shouldStop)
            try await pull(&report, shouldStop)
            try await pushSamples(&report, shouldStop)
            await exchangePeers()
        } catch let failure where failure.needsResync && !report.resynced {
            logger.warning("central lost history; starting a full resync", metadata: ["reason": "\(failure.message)"])
            try local { try store.beginResync(centralSamplesThrough: nil) }
            try await resync(&report)
            try await pushChanges(&report, shouldStop)
            try await pull(&report, shouldStop)
            try await pushSamples(&report, shouldStop)
        }
        return report
    }

    /// Tells central where phones reach this Pi and learns the others' addresses. A central
    /// that predates `POST /v1/sync/peers` (404) or fails here does not fail the cycle.
    func exchangePeers() async {
        guard let advertiseURL, let onPeers else { return }
        do {
            let answer = try await client.send(.POST, "/v1/sync/peers", json: try encode(SyncWire.PeerNotice(node: node, url: advertiseURL)))
            onPeers(try decode(SyncWire.PeerList.self, answer).peers.compactMap(PeerURL.normalise))
        } catch {
            logger.debug("peer addresses not exchanged with central", metadata: ["error": "\(error.message)"])
        }
    }

    func local<T>(_ body: () throws -> T) throws(SyncFailure) -> T {
        do { return try body() } catch {
            throw SyncFailure(.local, "the local database failed: \(error)")
        }
    }

    func encode<T: Encodable>(_ value: T) throws(SyncFailure) -> ByteBuffer {
        do { return ByteBuffer(bytes: try JSONEncoder().encode(value)) } catch {
            throw SyncFailure(.local, "encoding a request failed: \(error)")
        }
    }

    func decode<T: Decodable>(_ type: T.Type, _ answer: CentralAnswer) throws(SyncFailure) -> T {
        do { return try JSONDecoder().decode(T.self, from: Data(answer.body.readableBytesView)) } catch {
            throw SyncFailure(.serverError, "central's answer could not be read: \(error)")
        }
    }

    func note(_ answer: CentralAnswer, _ report: inout Report) {
        if let clock = answer.clock {
            report.clockOffsetMillis = clock.central - clock.local
            report.centralClock = clock
        }
    }

    /// Pushes the change log in order, batch by batch; each batch is removed locally only
    /// after central's answer names every change in it. A change central rejects (it breaks
    /// a rule) is quarantined with central's reason, and the rest go on.
    func pushChanges(_ report: inout Report, _ shouldStop: () -> Bool) async throws(SyncFailure) {
        var restampedOnce = false
        while !shouldStop() {
            let pending = try local { try store.pendingChanges(limit: changeBatch) }
            guard !pending.isEmpty else { return }
            let check = try local { try store.acknowledgedPosition() }.map { "?check=\($0)" } ?? ""
            let answer = try await client.send(
                .POST, "/v1/sync/changes\(check)", json: ByteBuffer(bytes: SyncWire.ChangePush.json(node: node, changes: pending.lazy.map(\.body))))
            note(answer, &report)
            let response = try decode(SyncWire.ChangePushResponse.self, answer)
            let sent = Set(pending.map(\.change.id))
            let answered = response.results.filter { sent.contains($0.changeID) }
            guard Set(answered.map(\.changeID)) == sent else {
                throw SyncFailure(.serverError, "central acknowledged \(answered.count) of \(sent.count) changes")
            }
            let refused = answered.filter { $0.outcome == .rejected || $0.outcome == .refused }
            if !refused.isEmpty {
                try local {
                    try store.quarantine(
                        Dictionary(
                            refused.map { ($0.changeID, "central refused it: " + ($0.reason ?? $0.outcome.rawValue)) },
                            uniquingKeysWith: { a, _ in a }))
                }
                for result in refused {
                    logger.error(
                        "change quarantined",
                        metadata: [
                            "change": "\(result.changeID.lowercasedString)", "reason": "\(result.reason ?? result.outcome.rawValue)",
                        ])
                }
                report.changesQuarantined += refused.count
            }
            // Stamped while this node's clock ran far ahead: kept, and stamped again once the
            // clock agrees with central's, then sent again. Never a reason to stop the cycle.
            let future = Set(answered.filter { $0.outcome == .stampInFuture }.map(\.changeID))
            let kept = Set(refused.map(\.changeID)).union(future)
            let highest = answered.compactMap(\.position).max { $0.seq < $1.seq }
            try local { try store.acknowledge(changeIDs: answered.map(\.changeID).filter { !kept.contains($0) }, position: highest) }
            report.changesPushed += pending.count
            report.changesApplied += response.results.count { $0.outcome == .applied }
            if !future.isEmpty {
                let localNow = store.configuration.clock.nowMillis()
                if let clock = answer.clock, abs(clock.central - clock.local) < HybridLogicalClock.defaultMaxForwardDrift / 2 {
                    let restamped = try local { try store.restampFuture(changeIDs: future, now: localNow) }
                    report.changesRestamped += restamped
                    logger.notice("changes made while this node's clock ran ahead were stamped again", metadata: ["changes": "\(restamped)"])
                    if restamped > 0 && !restampedOnce {
                        restampedOnce = true
                        continue  // send them now
                    }
                } else {
                    report.changesWaitingForClock += future.count
                    logger.warning(
                        "central refused changes stamped in the future; they wait until this node's clock is right",
                        metadata: ["changes": "\(future.count)", "offset_ms": "\(answer.clock.map { $0.central - $0.local } ?? 0)"])
                }
            }
            if pending.count < changeBatch { return }
        }
    }

    /// Pulls the feed from the persisted cursor to its end; each page is merged in one local
    /// transaction with the cursor that follows it.
    func pull(_ report: inout Report, _ shouldStop: () -> Bool) async throws(SyncFailure) {
        while !shouldStop() {
            let cursor = try local { try store.pullPosition().cursor }
            // Central must still hold the last position it acknowledged to us; if it was
            // restored from an earlier backup it does not, answers 410, and we resync.
            let check = try local { try store.acknowledgedPosition() }.map { "&check=\($0)" } ?? ""
            let answer = try await client.send(.GET, "/v1/sync/changes?cursor=\(cursor)&limit=\(pullLimit)\(check)", json: nil)
            note(answer, &report)
            let page = try decode(SyncWire.ChangePage.self, answer)
            let reference = max(store.configuration.clock.nowMillis(), (answer.clock?.central ?? 0) + 1000)
            if let floor = page.stampFloor, try local({ try store.raiseClock(past: floor, referenceNow: reference) }) {
                logger.notice(
                    "clock moved past the newest stamp central holds from this node (restored from a backup?)",
                    metadata: ["stamp": "\(floor)"])
            }
            do {
                _ = try store.applyPulled(page.changes, cursor: page.cursor, referenceNow: reference, proofs: page.proofs ?? [:])
            } catch LocalStoreError.remoteClockAhead(let why) {
                throw SyncFailure(.clock, "refused a change from central: \(why)")
            } catch {
                throw SyncFailure(.local, "the local database failed: \(error)")
            }
            report.changesPulled += page.changes.count
            if !page.more { return }
        }
    }

    /// Pushes raw samples after the delivered mark, in bounded batches, marking each batch
    /// delivered only after central's answer.
    ///
    /// First, while this boot's wall clock is not known to be right, central's clock anchors
    /// it and the readings taken so far move to their true times. Readings stamped more than
    /// the allowed drift ahead of central's clock wait (they move once the clock is right).
    func pushSamples(_ report: inout Report, _ shouldStop: () -> Bool) async throws(SyncFailure) {
        var batches = 0
        if let clock = report.centralClock, let mono = clock.mono {
            let moved = try local { try store.anchorToCentral(centralNow: clock.central, mono: mono) }
            if moved > 0 {
                report.readingsRetimed += moved
                logger.notice(
                    "readings taken before this node's clock was right were moved to central's time",
                    metadata: ["readings": "\(moved)"])
            }
        }
        let aheadLimit = LocalStore.aheadLimit(now: store.configuration.clock.nowMillis(), centralOffsetMillis: report.clockOffsetMillis)
        defer { report.readingsWaitingForClock = (try? store.readingsWaitingForClock(aheadLimit: aheadLimit)) ?? 0 }
        while !shouldStop() {
            if batches >= sampleBatchesPerCycle {
                report.moreWork = true
                return
            }
            let after = try local { try store.samplesDeliveredThrough() }
            guard let batch = try local({ try store.sampleBatchToSend(node: node, after: after, maxSamples: sampleBatch, aheadLimit: aheadLimit) })
            else { return }
            let answer = try await client.send(.POST, "/v1/sync/samples", json: try encode(batch))
            note(answer, &report)
            let ack = try decode(SyncWire.SampleAck.self, answer)
            guard let through = ack.storedThrough, through == batch.readings.last?.ts else {
                throw SyncFailure(.serverError, "central acknowledged samples through \(ack.storedThrough.map(String.init) ?? "nothing"), not the batch sent")
            }
            // Expired samples (older than central's retention) are acknowledged like the rest:
            // delivered, never sent again; the node keeps them in its own history.
            try local { try store.markDelivered(through: through, untrusted: batch.readings.count { $0.clock == .untrusted }) }
            if ack.expired > 0 {
                report.samplesExpired += ack.expired
                logger.notice(
                    "central acknowledged samples older than its retention without storing them",
                    metadata: ["expired": "\(ack.expired)", "through": "\(through)"])
            }
            report.samplesPushed += batch.sampleCount
            batches += 1
        }
    }

    /// Full resync: central's positions, then this node's whole task state as snapshot
    /// changes (original stamps: they merge as no-ops where central still has them), then a
    /// pull from the start. A crash anywhere restarts it from the top (the flag persists).
    func resync(_ report: inout Report) async throws(SyncFailure) {
        let answer = try await client.send(.POST, "/v1/sync/resync", json: try encode(SyncWire.ResyncRequest(node: node)))
        note(answer, &report)
        let positions = try decode(SyncWire.ResyncResponse.self, answer)
        try local { try store.beginResync(centralSamplesThrough: positions.samplesThrough) }
        var last: UUID?
        while true {
            let records = try local { try store.snapshotRecords(after: last, limit: 150) }
            guard let tail = records.last else { break }
            last = tail.id
            // Other replicas' changes go back as central sent them, with its proof that it took
            // them; rebuilt from fields they would carry none, and a restored central that lost
            // them could not tell them from forgeries.
            let proven = try local { try store.provenChanges(taskIDs: records.map(\.id)) }
            var changes: [TaskChange] = []
            var proofs: [String: String] = [:]
            for record in records {
                let originals = proven[record.id] ?? []
                let provenStamps = Set(originals.map(\.change.stamp))
                changes += SnapshotChanges.changes(for: record, makeUUID: makeUUID).filter { !provenStamps.contains($0.stamp) }
                for (change, proof) in originals {
                    changes.append(change)
                    proofs[change.id.lowercasedString] = proof
                }
            }
            let pushed = try await client.send(
                .POST, "/v1/sync/changes",
                json: ByteBuffer(bytes: SyncWire.ChangePush(node: node, mode: .snapshot, changes: changes, proofs: proofs.isEmpty ? nil : proofs).json()))
            note(pushed, &report)
        }
        try await pull(&report, { false })
        try local { try store.finishResync() }
        report.resynced = true
        logger.info("full resync finished")
    }
}
