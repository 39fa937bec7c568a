import NIOCore
import PostgresNIO
import Sync

/// A join token as `join-tokens list` shows it (never the token itself).
public struct JoinTokenInfo: Sendable, Equatable {
    public var id: Int32
    public var createdAt: Int64
    public var expiresAt: Int64
    public var maxUses: Int32?
    public var uses: Int32
    public var nodePattern: String?
    public var revoked: Bool
    public var lastUsedAt: Int64?

    /// active, expired, revoked or used up, as of `now`.
    public func state(now: Int64) -> String {
        if revoked { return "revoked" }
        if expiresAt <= now { return "expired" }
        if let maxUses, uses >= maxUses { return "used up" }
        return "active"
    }
}

/// What an enrollment produced.
public struct EnrolledNode: Sendable, Equatable {
    /// The node's new token: returned once, central keeps its hash.
    public var token: String
    public var joinTokenID: Int32
    /// The name was enrolled before and reset by `nodes rotate`.
    public var reenrolled: Bool
}

extension CentralStore {
    /// Creates a join token valid for `ttlMillis`, for at most `maxUses` enrollments (nil:
    /// any number), of names matching `nodePattern` (nil: any valid name). Returns the token:
    /// the only time it exists outside the operator's hands; central keeps its hash.
    public func createJoinToken(ttlMillis: Int64, maxUses: Int32?, nodePattern: String?) async throws -> (id: Int32, token: String, expiresAt: Int64) {
        let token = NodeToken.generate(prefix: "edgejoin1_")
        let hash = ByteBuffer(bytes: NodeToken.hash(token))
        let expiresAt = now() + ttlMillis
        let id = try await operation("join-tokens create") { [client, logger] in
            try await client.query(
                """
                INSERT INTO join_token (hash, expires_at, max_uses, node_pattern)
                VALUES (\(hash), to_timestamp(\(Double(expiresAt) / 1000)), \(maxUses), \(nodePattern))
                RETURNING id
                """, logger: logger
            ).column(Int32.self)
        }
        guard let id = id.first else { throw CentralStoreError.unavailable("join-tokens create: no id returned") }
        return (id, token, expiresAt)
    }

    public func joinTokens() async throws -> [JoinTokenInfo] {
        try await operation("join-tokens list") { [client, logger] in
            try await client.query(
                """
                SELECT id, (extract(epoch FROM created_at) * 1000)::bigint, (extract(epoch FROM expires_at) * 1000)::bigint,
                       max_uses, uses, node_pattern, revoked_at IS NOT NULL, (extract(epoch FROM last_used_at) * 1000)::bigint
                FROM join_token ORDER BY id
                """, logger: logger
            ).collect((Int32, Int64, Int64, Int32?, Int32, String?, Bool, Int64?).self).map {
                JoinTokenInfo(
                    id: $0.0, createdAt: $0.1, expiresAt: $0.2, maxUses: $0.3, uses: $0.4, nodePattern: $0.5,
                    revoked: $0.6, lastUsedAt: $0.7)
            }
        }
    }

    /// Revokes a join token at once; nodes it enrolled keep their own tokens.
    public func revokeJoinToken(_ id: Int32) async throws {
        let hit = try await operation("join-tokens revoke") { [client, logger] in
            try await client.query(
                "UPDATE join_token SET revoked_at = coalesce(revoked_at, now()) WHERE id = \(id) RETURNING id", logger: logger
            ).column(Int32.self)
        }
        guard !hit.isEmpty else { throw CentralStoreError.joinTokenNotFound(id) }
    }

    /// Enrolls `name` with a join token and returns the node's own token. A join token can
    /// enroll a name that is not registered yet, or one an operator reset with `nodes
    /// rotate`; never an enrolled node's identity (`nodeEnrolled`). Nothing is written when
    /// it refuses: the join token is checked, used and the node written in one transaction.
    public func enroll(joinToken: String, name: String) async throws -> EnrolledNode {
        guard NodeName.isValid(name), name != "central", name.utf8.count <= 253 else { throw CentralStoreError.invalidNodeName(name) }
        guard joinToken.utf8.count <= 256 else { throw CentralStoreError.invalidJoinToken("unknown") }
        let joinHash = ByteBuffer(bytes: NodeToken.hash(joinToken))
        let token = NodeToken.generate()
        let hash = ByteBuffer(bytes: NodeToken.hash(token))
        return try await operation("enroll") { [client, logger] in
            try await client.withTransaction(logger: logger) { tx in
                let rows = try await tx.query(
                    """
                    SELECT id, expires_at > now(), max_uses, uses, node_pattern, revoked_at IS NOT NULL
                    FROM join_token WHERE hash = \(joinHash) FOR UPDATE
                    """, logger: logger
                ).collect((Int32, Bool, Int32?, Int32, String?, Bool).self)
                guard let join = rows.first else { throw CentralStoreError.invalidJoinToken("unknown") }
                if join.5 { throw CentralStoreError.invalidJoinToken("revoked") }
                if !join.1 { throw CentralStoreError.invalidJoinToken("expired") }
                if let max = join.2, join.3 >= max { throw CentralStoreError.invalidJoinToken("used up (\(max) enrollments)") }
                if let pattern = join.4, !NodePattern.matches(pattern, name) {
                    throw CentralStoreError.nameNotAllowed("this join token enrolls only names matching \(pattern), not \(name)")
                }
                let existing = try await tx.query(
                    "SELECT id, enroll_open FROM node WHERE name = \(name) FOR UPDATE", logger: logger
                ).collect((Int32, Bool).self)
                let nodeID: Int32
                if let node = existing.first {
                    guard node.1 else { throw CentralStoreError.nodeEnrolled(name) }
                    nodeID = node.0
                    try await tx.query(
                        "UPDATE node SET revoked_at = NULL, enroll_open = false, enrolled_by = \(join.0) WHERE id = \(nodeID)",
                        logger: logger)
                    try await tx.query(
                        "UPDATE node_token SET revoked_at = coalesce(revoked_at, now()) WHERE node_id = \(nodeID)", logger: logger)
                } else {
                    let inserted = try await tx.query(
                        """
                        INSERT INTO node (name, enrolled_by) VALUES (\(name), \(join.0))
                        ON CONFLICT (name) DO NOTHING RETURNING id
                        """, logger: logger
                    ).column(Int32.self)
                    guard let id = inserted.first else { throw CentralStoreError.nodeEnrolled(name) }
                    nodeID = id
                }
                try await tx.query("INSERT INTO node_token (hash, node_id) VALUES (\(hash), \(nodeID))", logger: logger)
                try await tx.query(
                    "UPDATE join_token SET uses = uses + 1, last_used_at = now() WHERE id = \(join.0)", logger: logger)
                return EnrolledNode(token: token, joinTokenID: join.0, reenrolled: !existing.isEmpty)
            }
        }
    }
}

/// `--nodes` patterns of join tokens: node-name characters, `*` for any run of them and
/// `?` for one, matched against the whole name.
public enum NodePattern {
    public static func isValid(_ pattern: String) -> Bool {
        let literal = pattern.filter { $0 != "*" && $0 != "?" }
        return !pattern.isEmpty && pattern.utf8.count <= 253 && (literal.isEmpty || NodeName.isValid(literal))
    }

    public static func matches(_ pattern: String, _ name: String) -> Bool {
        let p = Array(pattern.utf8), n = Array(name.utf8)
        var pi = 0, ni = 0, star = -1, mark = 0
        while ni < n.count {
            if pi < p.count && (p[pi] == UInt8(ascii: "?") || p[pi] == n[ni]) {
                pi += 1; ni += 1
            } else if pi < p.count && p[pi] == UInt8(ascii: "*") {
                star = pi; mark = ni; pi += 1
            } else if star >= 0 {
                pi = star + 1; mark += 1; ni = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}
