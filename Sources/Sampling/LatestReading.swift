import HostProbes
import Synchronization

/// The sampler's most recent reading, shared with the HTTP API and `/metrics`, which serve it
/// instead of reading the hardware again on every request.
public final class LatestReading: Sendable {
    private let state = Mutex<(reading: HardwareReading, takenAt: Int64)?>(nil)

    public init() {}

    public func set(_ reading: HardwareReading, takenAt: Int64) {
        state.withLock { $0 = (reading, takenAt) }
    }

    public var value: (reading: HardwareReading, takenAt: Int64)? {
        state.withLock { $0 }
    }
}
