import Sync

/// What the central store refuses or fails at. The API maps each case to one status and code.
public enum CentralStoreError: Error, Equatable, CustomStringConvertible {
    /// PostgreSQL is unreachable or did not answer in time. Nothing was written.
    case unavailable(String)
    /// A pull cursor that is not from this database's feed (central restored from a backup).
    case cursorUnknown(String)
    /// Sample positions the agent holds acknowledged are newer than what central has.
    case rewound(String)
    /// A change in a log-mode push stamped by another node, or a body naming another node.
    case wrongNode(String)
    /// A node's own log carries a change stamped by another node.
    case forgedChange(changeID: String, String)
    /// A snapshot push without an open resync window.
    case resyncNotOpen
    case invalidChange(String)
    case invalidField(InvalidFieldError)
    case taskNotFound(String)
    /// A create request names an existing task's ID with other content (or a deleted task's).
    case taskConflict(String)
    case nodeExists(String)
    case nodeNotFound(String)
    case invalidNodeName(String)
    /// A join token that is unknown, expired, revoked or used up (why, never the token).
    case invalidJoinToken(String)
    /// The join token's `--nodes` pattern does not allow this name.
    case nameNotAllowed(String)
    case joinTokenNotFound(Int32)
    /// The name is enrolled already and an operator has not reset it with `nodes rotate`.
    case nodeEnrolled(String)
    /// PostgreSQL refused a value (a NUL byte in a text, a number out of range).
    case invalidInput(String)
    /// The database holds migrations this binary does not know.
    case newerSchema([String])
    /// A sample batch reaches too far ahead of central's clock; the message names the reading.
    case sampleInFuture(String)

    public var description: String {
        switch self {
        case .unavailable(let why): "the database is unavailable: \(why)"
        case .cursorUnknown(let c): "cursor \(c) is not from this central's change feed (was central restored from a backup?); resync"
        case .rewound(let why): "central is behind this node: \(why); resync"
        case .wrongNode(let why): why
        case .forgedChange(_, let why): why
        case .resyncNotOpen: "snapshot pushes are accepted only during a resync (POST /v1/sync/resync first)"
        case .invalidChange(let why): why
        case .invalidField(let e): e.message
        case .taskNotFound(let id): "no task with ID \(id)"
        case .taskConflict(let why): why
        case .nodeExists(let name): "a node named \(name) already exists (use `nodes revoke` and a new name, or `nodes rotate`)"
        case .nodeNotFound(let name): "no node named \(name)"
        case .invalidNodeName(let name): "\(name.prefix(60)) is not a valid node name (letters, digits, . _ -; at most 253; not \"central\")"
        case .invalidJoinToken(let why): "the join token is \(why); ask the operator for a new one (`edge-central join-tokens create`)"
        case .nameNotAllowed(let why): why
        case .joinTokenNotFound(let id): "no join token with ID \(id) (see `edge-central join-tokens list`)"
        case .nodeEnrolled(let name):
            "a node named \(name) is enrolled already; a join token cannot take over its identity (an operator resets it with `edge-central nodes rotate \(name)`)"
        case .invalidInput(let why): "a value in the request cannot be stored: \(why)"
        case .sampleInFuture(let why): why
        case .newerSchema(let names): "the database has migrations this edge-central does not know (\(names.joined(separator: ", "))); run a newer edge-central"
        }
    }
}
