import NIOCore
import NIOHTTP1

/// The exchange with central as the sync engine sees it: one request, its answer or a
/// `SyncFailure`. `CentralClient` is the real one (HTTP, gzip, TLS); tests script a double,
/// so the engine's decisions are checked without a socket.
public protocol CentralTransport: Sendable {
    /// Central's base URL, for status and logs (never carries the token).
    var baseURL: String { get }
    /// Sends one request (`json` is the uncompressed body); a non-2xx answer or a transport
    /// error is thrown as the `SyncFailure` it means.
    func send(_ method: HTTPMethod, _ path: String, json: ByteBuffer?) async throws(SyncFailure) -> CentralAnswer
    /// Closes connections; the transport is not used afterwards.
    func shutdown() async
}

/// A 2xx answer from central.
public struct CentralAnswer: Sendable {
    public var body: ByteBuffer
    /// Central's clock from the `Date` header, against ours when the answer arrived.
    public var clock: ClockReading?

    public init(body: ByteBuffer, clock: ClockReading? = nil) {
        self.body = body
        self.clock = clock
    }

    /// Central's clock and the local clock at the same moment, in milliseconds.
    public struct ClockReading: Sendable, Equatable {
        public var central: Int64
        public var local: Int64
        /// `CLOCK_BOOTTIME` milliseconds at that moment (``BootClock``), if known: what anchors
        /// this boot's readings to central's clock while the node's is not synchronised.
        public var mono: Int64?

        public init(central: Int64, local: Int64, mono: Int64? = nil) {
            self.central = central
            self.local = local
            self.mono = mono
        }
    }
}
