import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// What one HTTP server lets a client on the LAN hold: a request head must arrive within
/// `headerTimeout`, a keep-alive connection may idle for `idleTimeout`, and at most
/// `maxConnections` connections are open at once. A Pi's agent must keep answering the
/// household with a thousand idle sockets or a slowloris open against it.
public struct ConnectionLimits: Sendable, Equatable {
    /// Time from accept (or from the first byte of a later request on a kept-alive
    /// connection) until the request head must be complete. Default 10 s.
    public var headerTimeout: Duration
    /// Time a kept-alive connection may wait for its next request. Default 60 s.
    public var idleTimeout: Duration
    /// Connections open at once; at the cap a new one evicts an idle one (see
    /// `ConnectionCounters`) or is closed at once, and counted. Always below the process's
    /// open-file limit (see `effective`). Default 256 for the agent, 4096 for central.
    public var maxConnections: Int

    public init(headerTimeout: Duration = .seconds(10), idleTimeout: Duration = .seconds(60), maxConnections: Int = 256) {
        self.headerTimeout = headerTimeout
        self.idleTimeout = idleTimeout
        self.maxConnections = maxConnections
    }

    /// Descriptors kept back for the database, probes, logs and outgoing connections.
    public static let reservedDescriptors = 128

    /// Sockets accepted at once: the cap plus a margin for connections being set up,
    /// evicted or refused. At this count the server stops accepting (Hummingbird's
    /// `MaximumAvailableConnections`) and new connections wait in the kernel's backlog, so a
    /// flood of reconnects cannot push descriptors far past the cap; eviction frees a slot.
    public var acceptLimit: Int { maxConnections + max(8, min(64, maxConnections / 4)) }

    /// The limits with `maxConnections` lowered to fit the open-file limit, after raising the
    /// soft limit to the hard one (as Go's runtime does): a server that runs out of
    /// descriptors cannot accept, and NIO then retries accepting instead of serving.
    public func effective() -> ConnectionLimits {
        var limits = self
        let descriptors = Self.raiseOpenFileLimit()
        limits.maxConnections = max(1, min(maxConnections, descriptors - Self.reservedDescriptors))
        return limits
    }

    /// Raises RLIMIT_NOFILE's soft limit to its hard limit; returns the soft limit in force.
    @discardableResult
    public static func raiseOpenFileLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0 else { return 1024 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(Int32(RLIMIT_NOFILE.rawValue), &raised) == 0 { limit = raised }
        }
        return limit.rlim_cur > rlim_t(Int32.max) ? Int(Int32.max) : Int(limit.rlim_cur)
    }
}

/// The connections one server holds, and what the limits did to them (for `/metrics`).
///
/// At the cap a new connection is not simply refused, because then a LAN device holding
/// idle sockets would lock the household out. It evicts the oldest connection that has not
/// yet sent a complete request (an idle or slowloris socket); if there is none, the oldest
/// kept-alive connection waiting between requests. A connection in the middle of a request
/// is never evicted; when every one is, the new connection is refused.
public final class ConnectionCounters: Sendable {
    private struct Entry {
        let channel: any Channel
        let activity: ConnectionActivity
        var evicting = false
    }

    private struct Registry {
        var next: UInt64 = 0
        var entries: [UInt64: Entry] = [:]
        var evicting = 0

        /// The oldest connection without a complete request, else the oldest idle one.
        func victim() -> UInt64? {
            var fresh: UInt64?
            var idle: UInt64?
            for (key, entry) in entries where !entry.evicting && !entry.activity.busy {
                if entry.activity.served {
                    if key < (idle ?? .max) { idle = key }
                } else if key < (fresh ?? .max) {
                    fresh = key
                }
            }
            return fresh ?? idle
        }
    }

    private let registry = Mutex(Registry())
    /// Evicted connections whose close has not completed, past which new ones are refused.
    static let maxPendingEvictions = 16
    private let refusedCount = Atomic<Int>(0)
    private let evictedCount = Atomic<Int>(0)
    private let timedOutCount = Atomic<Int>(0)

    public init() {}

    /// Connections open now (including evicted ones whose close has not completed).
    public var open: Int { registry.withLock { $0.entries.count } }
    /// Connections closed at once because `maxConnections` were open, all in a request.
    public var refused: Int { refusedCount.load(ordering: .relaxed) }
    /// Connections closed to make room for a new one at `maxConnections`.
    public var evicted: Int { evictedCount.load(ordering: .relaxed) }
    /// Connections closed because their request head did not arrive within `headerTimeout`.
    public var headerTimeouts: Int { timedOutCount.load(ordering: .relaxed) }

    /// Registers `channel`, evicting another connection if `limit` are open; nil when refused.
    func admit(_ channel: any Channel, activity: ConnectionActivity, limit: Int) -> UInt64? {
        let (key, victim): (UInt64?, (any Channel)?) = registry.withLock { registry in
            var victim: (any Channel)?
            if registry.entries.count - registry.evicting >= limit {
                // While many evicted connections are still closing (a flood of reconnects),
                // refuse instead, so descriptors stay near the cap.
                guard registry.evicting < Self.maxPendingEvictions, let old = registry.victim() else { return (nil, nil) }
                registry.entries[old]!.evicting = true
                registry.evicting += 1
                victim = registry.entries[old]!.channel
            }
            registry.next += 1
            registry.entries[registry.next] = Entry(channel: channel, activity: activity)
            return (registry.next, victim)
        }
        if let victim {
            evictedCount.add(1, ordering: .relaxed)
            victim.close(promise: nil)
        }
        if key == nil { refusedCount.add(1, ordering: .relaxed) }
        return key
    }

    func release(_ key: UInt64) {
        registry.withLock { registry in
            if registry.entries.removeValue(forKey: key)?.evicting == true { registry.evicting -= 1 }
        }
    }

    func timedOut() { timedOutCount.add(1, ordering: .relaxed) }
}

/// Whether a connection is in a request and whether it has completed one, readable from
/// any thread by the eviction choice; written on the connection's event loop.
final class ConnectionActivity: Sendable {
    private let busyFlag = Atomic<Bool>(false)
    private let servedFlag = Atomic<Bool>(false)

    var busy: Bool { busyFlag.load(ordering: .relaxed) }
    var served: Bool { servedFlag.load(ordering: .relaxed) }

    func requestStarted() { busyFlag.store(true, ordering: .relaxed) }
    func responseSent() {
        servedFlag.store(true, ordering: .relaxed)
        busyFlag.store(false, ordering: .relaxed)
    }
}

extension HTTPServerBuilder {
    /// An HTTP/1.1 server (HTTPS when `tls` wraps the channel) that enforces `limits`.
    public static func limitedHTTP1(
        _ limits: ConnectionLimits, counters: ConnectionCounters,
        wrap: @escaping @Sendable (HTTP1Channel) throws -> any ServerChildChannel = { $0 }
    ) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            let http1 = HTTP1Channel(responder: responder, configuration: .init(idleTimeout: .init(limits.idleTimeout)))
            return LimitedChannel(base: try wrap(http1), limits: limits, counters: counters)
        }
    }
}

/// A child channel that puts the limit handlers around another one's pipeline.
struct LimitedChannel: ServerChildChannel {
    struct Value: ServerChildChannelValue {
        let inner: any ServerChildChannelValue
        var channel: any Channel { inner.channel }
    }
    let base: any ServerChildChannel
    let limits: ConnectionLimits
    let counters: ConnectionCounters

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        base.setupErased(channel: channel, logger: logger).flatMapThrowing { value in
            let state = ConnectionState()
            let pipeline = channel.pipeline.syncOperations
            try pipeline.addHandler(
                AcceptGuardHandler(state: state, limits: limits, counters: counters), position: .first)
            let codec = try pipeline.handler(type: HTTP1ToHTTPServerCodec.self)
            try pipeline.addHandler(RequestHeadHandler(state: state), position: .before(codec))
            return Value(inner: value)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handleErased(value: value.inner, logger: logger)
    }
}

extension ServerChildChannel {
    func setupErased(channel: any Channel, logger: Logger) -> EventLoopFuture<any ServerChildChannelValue> {
        setup(channel: channel, logger: logger).map { $0 as any ServerChildChannelValue }
    }

    func handleErased(value: any ServerChildChannelValue, logger: Logger) async {
        await handle(value: value as! Value, logger: logger)
    }
}

/// Where one connection is between requests; touched only on its event loop.
final class ConnectionState {
    enum Phase { case awaitingHead, inRequest, idle }
    var phase = Phase.awaitingHead
    var deadline: Scheduled<Void>?
    var keepAlive = true
    let activity = ConnectionActivity()

    func cancelDeadline() {
        deadline?.cancel()
        deadline = nil
    }
}

/// First in the pipeline: admits the connection or closes it at once, and closes it when a
/// request head does not arrive in time. It sees raw (or TLS) bytes only to notice that a
/// kept-alive connection has started its next request.
final class AcceptGuardHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer

    let state: ConnectionState
    let limits: ConnectionLimits
    let counters: ConnectionCounters
    private var admission: UInt64?
    private var started = false

    init(state: ConnectionState, limits: ConnectionLimits, counters: ConnectionCounters) {
        self.state = state
        self.limits = limits
        self.counters = counters
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { start(context) }
    }

    func channelActive(context: ChannelHandlerContext) {
        start(context)
        context.fireChannelActive()
    }

    private func start(_ context: ChannelHandlerContext) {
        guard !started else { return }
        started = true
        admission = counters.admit(context.channel, activity: state.activity, limit: limits.maxConnections)
        guard admission != nil else {
            context.close(promise: nil)
            return
        }
        armDeadline(context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.cancelDeadline()
        if let admission {
            self.admission = nil
            counters.release(admission)
        }
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        state.cancelDeadline()
        if let admission {
            self.admission = nil
            counters.release(admission)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard admission != nil else { return }  // refused: being closed, read nothing
        if state.phase == .idle {
            state.phase = .awaitingHead
            armDeadline(context)
        }
        context.fireChannelRead(data)
    }

    private func armDeadline(_ context: ChannelHandlerContext) {
        state.cancelDeadline()
        let timeout = TimeAmount(limits.headerTimeout)
        let loopBound = NIOLoopBound((context, state, counters), eventLoop: context.eventLoop)
        state.deadline = context.eventLoop.scheduleTask(in: timeout) {
            let (context, state, counters) = loopBound.value
            state.deadline = nil
            guard state.phase == .awaitingHead else { return }
            counters.timedOut()
            context.close(promise: nil)
        }
    }
}

/// Between NIO's HTTP/1 codec and Hummingbird's: sees each request head (ending the header
/// deadline) and closes the connection after the response when the client did not ask to
/// keep it alive (HTTP/1.0 without `keep-alive`, or `Connection: close`).
final class RequestHeadHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias InboundOut = HTTPServerRequestPart
    typealias OutboundIn = HTTPServerResponsePart
    typealias OutboundOut = HTTPServerResponsePart

    let state: ConnectionState

    init(state: ConnectionState) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head(let head) = unwrapInboundIn(data) {
            state.cancelDeadline()
            state.phase = .inRequest
            state.activity.requestStarted()
            state.keepAlive = head.isKeepAlive
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(var head) where !state.keepAlive:
            head.headers.replaceOrAdd(name: "connection", value: "close")
            context.write(wrapOutboundOut(.head(head)), promise: promise)
        case .end where !state.keepAlive:
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            let written = context.eventLoop.makePromise(of: Void.self)
            written.futureResult.whenComplete { _ in loopBound.value.close(promise: nil) }
            promise.map { written.futureResult.cascade(to: $0) }
            context.writeAndFlush(data, promise: written)
        case .end:
            state.phase = .idle
            state.activity.responseSent()
            context.write(data, promise: promise)
        default:
            context.write(data, promise: promise)
        }
    }
}
