import Synchronization

/// Whether the agent should receive traffic: not before the database is open, and not once
/// shutdown has begun (so Kubernetes stops routing to a terminating pod).
public final class Readiness: Sendable {
    public enum State: Sendable { case starting, ready, stopping }
    private let state = Mutex(State.starting)

    public init() {}

    public var current: State { state.withLock { $0 } }
    public func set(_ value: State) { state.withLock { $0 = value } }
}
