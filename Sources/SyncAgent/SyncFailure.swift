/// Why a sync attempt failed, in the terms status, metrics and retry need: a `reason`
/// (the `edge_sync_errors_total` label), the state to show, and one sentence for people.
public struct SyncFailure: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: String, Sendable, CaseIterable {
        case unreachable, timeout, tls
        case serverError = "server_error"
        case unauthorized, forbidden, rejected, clock, local
        /// The token file is missing, empty or unreadable (or none is configured).
        case noCredential = "no_credential"
    }

    public var reason: Reason
    public var message: String
    /// Central asked for a full resync (410 `cursor_unknown`, 409 `central_rewound`).
    public var needsResync = false
    /// A `Retry-After` from central, in milliseconds.
    public var retryAfterMillis: Int64?

    public init(_ reason: Reason, _ message: String, needsResync: Bool = false, retryAfterMillis: Int64? = nil) {
        self.reason = reason
        self.message = message
        self.needsResync = needsResync
        self.retryAfterMillis = retryAfterMillis
    }

    /// What `edge-agent status` shows while this is the last failure.
    public var state: String {
        switch reason {
        case .unreachable, .timeout, .serverError: "offline"
        case .unauthorized, .forbidden: "unauthorized"
        case .noCredential: "no_credential"
        case .tls, .rejected, .clock, .local: "error"
        }
    }

    public var description: String { message }

    /// Maps central's answer (status and error code) to a failure.
    public static func fromResponse(status: Int, code: String?, message: String?, retryAfterMillis: Int64?) -> SyncFailure {
        let said = message.map { ": \($0)" } ?? ""
        switch (status, code) {
        case (401, _): return SyncFailure(.unauthorized, "central answered 401: the token is missing, unknown or revoked\(said)")
        case (403, _): return SyncFailure(.forbidden, "central answered 403\(said)")
        case (409, "central_rewound"), (410, _):
            return SyncFailure(.rejected, "central lost history (restored from a backup?); resyncing\(said)", needsResync: true)
        case (422, "stamp_in_future"): return SyncFailure(.clock, "central refused changes stamped in the future\(said)")
        case (422, "sample_in_future"): return SyncFailure(.clock, "central refused samples taken more than a day ahead of its clock\(said)")
        case (500..., _): return SyncFailure(.serverError, "central answered \(status)\(said)", retryAfterMillis: retryAfterMillis)
        default: return SyncFailure(.rejected, "central answered \(status)\(said)")
        }
    }
}
