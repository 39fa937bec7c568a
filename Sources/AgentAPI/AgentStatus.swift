import LocalStore
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// What `GET /v1/status` and `edge-agent status --json` print (docs/agent-api.md). Every key is
/// always present; unknown values are null.
public struct AgentStatus: Sendable, Equatable, Encodable {
    public var node: String
    public var version: String
    public var startedAt: Int64?
    public var store: Store
    public var sync: SyncState

    public struct Store: Sendable, Equatable, Encodable {
        public var path: String
        /// `ok`, `corrupt`, `missing` or `replaced` (``StoreHealth``).
        public var state: String
        /// What is wrong and what to do, when `state` is not `ok`.
        public var problem: String?
        public var bytes: Int64
        public var tasksOpen: Int
        public var tasksDone: Int
        public var samplesDropped: Int64

        enum CodingKeys: String, CodingKey {
            case path, state, problem, bytes, tasksOpen = "tasks_open", tasksDone = "tasks_done", samplesDropped = "samples_dropped"
        }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(path, forKey: .path)
            try c.encode(state, forKey: .state)
            try c.encode(problem, forKey: .problem)
            try c.encode(bytes, forKey: .bytes)
            try c.encode(tasksOpen, forKey: .tasksOpen)
            try c.encode(tasksDone, forKey: .tasksDone)
            try c.encode(samplesDropped, forKey: .samplesDropped)
        }
    }

    public struct SyncState: Sendable, Equatable, Encodable {
        public var centralURL: String?
        /// standalone, ok, offline, unauthorized or error.
        public var state: String
        public var pendingTaskChanges: Int
        public var pendingSamples: Int
        public var oldestPendingAgeSeconds: Double?
        public var lastSuccessAt: Int64?
        public var lastError: String?
        /// Failed sync cycles by reason (`edge_sync_errors_total`), as recorded in the database.
        public var errors: [String: Int]
        /// Central's clock minus ours at the last answer, in seconds (`edge_sync_clock_offset_seconds`).
        public var clockOffsetSeconds: Double?
        /// Changes kept out of the queue (`edge_sync_quarantined`), with the reason for each.
        public var quarantined: [QuarantinedChange] = []
        /// Local changes stamped again because central found them stamped in the future
        /// (`edge_sync_changes_restamped_total`), since the database was created.
        public var changesRestamped: Int64 = 0
        /// Whether this node's wall clock is synchronised (NTP): `synchronised`,
        /// `unsynchronised`, or nil when unknown.
        public var clock: String?
        /// Readings not yet sent that wait until their true time is known: taken in this boot
        /// before the clock was right, or stamped ahead of central's clock.
        public var readingsWaitingForClock = 0
        /// Readings moved to their true times since the database was created.
        public var readingsRetimed: Int64 = 0
        /// Readings sent marked `untrusted` (their boot's true time never became known).
        public var readingsSentUntrusted: Int64 = 0

        public init(
            centralURL: String?, state: String, pendingTaskChanges: Int, pendingSamples: Int,
            oldestPendingAgeSeconds: Double?, lastSuccessAt: Int64?, lastError: String?, errors: [String: Int] = [:],
            clockOffsetSeconds: Double? = nil
        ) {
            self.centralURL = centralURL
            self.state = state
            self.pendingTaskChanges = pendingTaskChanges
            self.pendingSamples = pendingSamples
            self.oldestPendingAgeSeconds = oldestPendingAgeSeconds
            self.lastSuccessAt = lastSuccessAt
            self.lastError = lastError
            self.errors = errors
            self.clockOffsetSeconds = clockOffsetSeconds
        }

        enum CodingKeys: String, CodingKey {
            case centralURL = "central_url", state, pending, oldestPendingAgeSeconds = "oldest_pending_age_seconds"
            case lastSuccessAt = "last_success_at", lastError = "last_error", errors
            case clockOffsetSeconds = "clock_offset_seconds", quarantined
            case changesRestamped = "changes_restamped", clock
            case readingsWaitingForClock = "readings_waiting_for_clock", readingsRetimed = "readings_retimed"
            case readingsSentUntrusted = "readings_sent_untrusted"
        }

        enum PendingKeys: String, CodingKey { case taskChanges = "task_changes", samples }
        enum QuarantineKeys: String, CodingKey { case id, taskID = "task_id", reason, quarantinedAt = "quarantined_at" }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(centralURL, forKey: .centralURL)
            try c.encode(state, forKey: .state)
            var pending = c.nestedContainer(keyedBy: PendingKeys.self, forKey: .pending)
            try pending.encode(pendingTaskChanges, forKey: .taskChanges)
            try pending.encode(pendingSamples, forKey: .samples)
            try c.encode(oldestPendingAgeSeconds, forKey: .oldestPendingAgeSeconds)
            try c.encode(lastSuccessAt.map(RFC3339.format(millis:)), forKey: .lastSuccessAt)
            try c.encode(lastError, forKey: .lastError)
            try c.encode(errors, forKey: .errors)
            try c.encode(clockOffsetSeconds, forKey: .clockOffsetSeconds)
            try c.encode(changesRestamped, forKey: .changesRestamped)
            try c.encode(clock, forKey: .clock)
            try c.encode(readingsWaitingForClock, forKey: .readingsWaitingForClock)
            try c.encode(readingsRetimed, forKey: .readingsRetimed)
            try c.encode(readingsSentUntrusted, forKey: .readingsSentUntrusted)
            var list = c.nestedUnkeyedContainer(forKey: .quarantined)
            for change in quarantined {
                var item = list.nestedContainer(keyedBy: QuarantineKeys.self)
                try item.encode(change.changeID, forKey: .id)
                try item.encode(change.taskID, forKey: .taskID)
                try item.encode(change.reason, forKey: .reason)
                try item.encode(change.quarantinedAt.map(RFC3339.format(millis:)), forKey: .quarantinedAt)
            }
        }
    }

    enum CodingKeys: String, CodingKey { case node, version, startedAt = "started_at", store, sync }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(node, forKey: .node)
        try c.encode(version, forKey: .version)
        try c.encode(startedAt.map(RFC3339.format(millis:)), forKey: .startedAt)
        try c.encode(store, forKey: .store)
        try c.encode(sync, forKey: .sync)
    }
}

/// Where the sync part of the status comes from; the sync service provides the real one.
public protocol SyncStatusSource: Sendable {
    func syncState(now: Int64) throws -> AgentStatus.SyncState
}

/// No central configured: nothing is sent; local changes wait in the change log, so a central
/// configured later receives the whole history.
public struct StandaloneSync: SyncStatusSource {
    public let store: LocalStore
    public init(store: LocalStore) { self.store = store }

    public func syncState(now: Int64) throws -> AgentStatus.SyncState {
        let pending = try store.pendingSummary()
        var state = AgentStatus.SyncState(
            centralURL: nil, state: "standalone", pendingTaskChanges: pending.count, pendingSamples: 0,
            oldestPendingAgeSeconds: nil, lastSuccessAt: nil, lastError: nil)
        state.quarantined = try store.quarantinedChanges()
        return state
    }
}

extension AgentStatus.SyncState {
    /// Fills in the reading-clock figures from the store. Readings stamped more than the
    /// allowed drift ahead of central's clock (as last measured) wait; so do untrusted
    /// readings of this boot until its true time is known.
    mutating func noteReadingClocks(_ store: LocalStore, now: Int64) {
        let aheadLimit = LocalStore.aheadLimit(now: now, centralOffsetMillis: clockOffsetSeconds.map { Int64(($0 * 1000).rounded()) })
        readingsWaitingForClock = (try? store.readingsWaitingForClock(aheadLimit: aheadLimit)) ?? 0
        readingsRetimed = (try? store.readingsRetimedTotal()) ?? 0
        readingsSentUntrusted = (try? store.readingsSentUntrustedTotal()) ?? 0
    }
}

extension AgentStatus {
    /// `synchronised` / `unsynchronised` / nil, as the status shows a clock reading.
    public static func clockText(_ synchronized: Bool?) -> String? {
        synchronized.map { $0 ? "synchronised" : "unsynchronised" }
    }
}

extension AgentStatus {
    /// Reads the current status from the store and the sync source.
    public static func current(
        store: LocalStore, node: String, version: String, startedAt: Int64?,
        sync: any SyncStatusSource, now: Int64, clockSynchronized: Bool? = nil
    ) throws -> AgentStatus {
        let health = store.health()
        // A damaged database may fail any read: the status still says what is wrong.
        let counts = health == .ok ? try store.taskCounts() : ((try? store.taskCounts()) ?? (open: 0, done: 0))
        let dropped = health == .ok ? try store.samplesDroppedTotal() : ((try? store.samplesDroppedTotal()) ?? 0)
        var syncState =
            health == .ok
            ? try sync.syncState(now: now)
            : ((try? sync.syncState(now: now))
                ?? AgentStatus.SyncState(
                    centralURL: nil, state: "error", pendingTaskChanges: 0, pendingSamples: 0,
                    oldestPendingAgeSeconds: nil, lastSuccessAt: nil, lastError: health.description))
        syncState.changesRestamped = (try? store.changesRestampedTotal()) ?? 0
        syncState.clock = clockText(clockSynchronized)
        syncState.noteReadingClocks(store, now: now)
        return AgentStatus(
            node: node, version: version, startedAt: startedAt,
            store: Store(
                path: store.path, state: health.state, problem: health == .ok ? nil : health.description,
                bytes: store.diskUsage(), tasksOpen: counts.open, tasksDone: counts.done, samplesDropped: dropped),
            sync: syncState)
    }
}
