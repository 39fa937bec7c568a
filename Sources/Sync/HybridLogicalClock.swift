/// The hybrid logical clock (Kulkarni et al., 2014) as a pure state machine.
///
/// It issues stamps that strictly increase whatever the wall clock does: a wall clock that jumps
/// backwards (a Raspberry Pi booting without a real-time clock) leaves `physical` where it was
/// and advances `counter`; a forward jump simply moves `physical` ahead. The caller persists
/// ``last`` (the local store does so in the same transaction as the change it stamps), so the
/// order also holds across restarts and between processes sharing one database.
public struct HybridLogicalClock: Sendable, Equatable {
    /// The most recent stamp issued or observed, without its node.
    public private(set) var physical: Int64
    public private(set) var counter: UInt16

    /// How far ahead of our own wall clock a remote stamp may be before it is refused
    /// rather than adopted (adopting it would drag this node's clock along with it).
    public var maxForwardDrift: Int64

    public init(physical: Int64 = 0, counter: UInt16 = 0, maxForwardDrift: Int64 = HybridLogicalClock.defaultMaxForwardDrift) {
        self.physical = physical
        self.counter = counter
        self.maxForwardDrift = maxForwardDrift
    }

    /// Ten minutes.
    public static let defaultMaxForwardDrift: Int64 = 10 * 60 * 1000

    /// A stamp for a local event at wall time `now` (milliseconds since the epoch).
    public mutating func tick(now: Int64, node: String) -> HLCTimestamp {
        let wall = min(max(now, 0), HLCTimestamp.maxPhysical)
        if wall > physical {
            physical = wall
            counter = 0
        } else {
            advanceCounter()
        }
        return HLCTimestamp(physical: physical, counter: counter, node: node)
    }

    /// Folds in a stamp received from another replica, so that every later local stamp orders
    /// after it. Throws ``ClockError/remoteTooFarAhead`` if the remote stamp is more than
    /// ``maxForwardDrift`` ahead of `now`; the clock is then left unchanged.
    public mutating func observe(_ remote: HLCTimestamp, now: Int64) throws(ClockError) {
        let wall = min(max(now, 0), HLCTimestamp.maxPhysical)
        if remote.physical > wall + maxForwardDrift {
            throw .remoteTooFarAhead(remote: remote, aheadByMillis: remote.physical - wall)
        }
        if remote.physical > physical || (remote.physical == physical && remote.counter > counter) {
            physical = remote.physical
            counter = remote.counter
        }
    }

    private mutating func advanceCounter() {
        if counter == .max {
            // 65,536 events in one logical millisecond: borrow the next millisecond.
            physical += 1
            counter = 0
        } else {
            counter += 1
        }
    }
}

public enum ClockError: Error, Equatable, CustomStringConvertible {
    case remoteTooFarAhead(remote: HLCTimestamp, aheadByMillis: Int64)

    public var description: String {
        switch self {
        case .remoteTooFarAhead(let remote, let ahead):
            "clock stamp from node \(remote.node) is \(ahead / 1000) s ahead of this clock; refused"
        }
    }
}
