/// What the sync engine needs from a replica's storage. The agent's SQLite store and the
/// central PostgreSQL store both implement it, so one merge implementation (``TaskMerge``)
/// decides on both sides.
public protocol ReplicaStore: Sendable {
    /// Merges changes received from another replica, all in one transaction, and says for each
    /// whether it changed anything. Replaying a change is harmless.
    func applyRemote(_ changes: [TaskChange]) async throws -> [ApplyOutcome]

    /// The stored record, tombstones included.
    func record(id: TaskChange.ID) async throws -> TaskRecord?
}

/// The effect of one change on a replica.
public enum ApplyOutcome: String, Sendable, Codable, Equatable {
    /// At least one field took the change's value.
    case applied
    /// Every field already held a newer or the same value (for instance a replay).
    case alreadyKnown = "already_known"
    /// Central refused the change: it breaks a field rule (the result's `reason` says which).
    /// Nothing of it was written; the sender quarantines it and goes on with the rest.
    case rejected
    /// Central would not take this change from this sender: a snapshot relayed another
    /// node's change that central cannot prove it issued. Nothing was written; the stamping
    /// node delivers it itself.
    case refused
    /// Stamped more than ten minutes ahead of central's clock (made while the node's wall
    /// clock was far ahead). Nothing was written; no other replica has seen it, so the node
    /// stamps it again once its clock is sane and sends it again.
    case stampInFuture = "stamp_in_future"
}
