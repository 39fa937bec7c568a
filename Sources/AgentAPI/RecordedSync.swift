import LocalStore
import Sync

/// Sync status with a central configured: what the sync service last recorded in the
/// database (so `edge-agent status` in another process sees it too), plus what is pending now.
public struct RecordedSync: SyncStatusSource {
    public let store: LocalStore
    public let centralURL: String

    public init(store: LocalStore, centralURL: String) {
        self.store = store
        self.centralURL = centralURL
    }

    public func syncState(now: Int64) throws -> AgentStatus.SyncState {
        let changes = try store.pendingSummary()
        let samples = try store.undeliveredSummary()
        let record = try store.syncRecord()
        let oldest = [changes.oldestRecordedAt, samples.oldest].compactMap { $0 }.min()
        var state = AgentStatus.SyncState(
            centralURL: centralURL, state: record?.state ?? "starting",
            pendingTaskChanges: changes.count, pendingSamples: samples.samples,
            oldestPendingAgeSeconds: oldest.map { max(0, Double(now - $0) / 1000) } ?? 0,
            lastSuccessAt: record?.lastSuccessAt, lastError: record?.lastError, errors: record?.errors ?? [:],
            clockOffsetSeconds: record?.clockOffsetMillis.map { Double($0) / 1000 })
        state.quarantined = try store.quarantinedChanges()
        return state
    }
}
