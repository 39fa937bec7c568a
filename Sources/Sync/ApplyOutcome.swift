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
