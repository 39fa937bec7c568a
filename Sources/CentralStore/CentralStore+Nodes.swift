import NIOCore
import PostgresNIO
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A node as `nodes list` and `GET /v1/nodes` show it.
public struct NodeInfo: Sendable, Equatable, Encodable {
    public var name: String
    public var createdAt: Int64
    public var lastSeenAt: Int64?
    public var lastSyncAt: Int64?
    public var samplesStored: Int64
    public var revoked: Bool

    enum CodingKeys: String, CodingKey {
        case name, createdAt = "created_at", lastSeenAt = "last_seen_at", lastSyncAt = "last_sync_at"
        case samplesStored = "samples_stored", revoked
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .name)
        try c.encode(RFC3339.format(millis: createdAt), forKey: .createdAt)
        try c.encode(lastSeenAt.map { RFC3339.format(millis: $0) }, forKey: .lastSeenAt)
        try c.encode(lastSyncAt.map { RFC3339.format(millis: $0) }, forKey: .lastSyncAt)
        try c.encode(samplesStored, forKey: .samplesStored)
        try c.encode(revoked, forKey: .revoked)
    }
}

/// The node a request's token belongs to.
public struct AuthenticatedNode: Sendable, Equatable {
    public var id: Int32
    public var name: String
}

extension CentralStore {
    /// Registers a node and returns its token: the only time the token exists outside the
    /// node; central keeps its hash.
    public func addNode(_ name: String) async throws -> String {
        guard NodeName.isValid(name), name != "central", name.utf8.count <= 253 else { throw CentralStoreError.invalidNodeName(name) }
        let token = NodeToken.generate()
        let hash = ByteBuffer(bytes: NodeToken.hash(token))
        try await operation("nodes add") { [client, logger] in
            try await client.withTransaction(logger: logger) { tx in
                let inserted = try await tx.query(
                    "INSERT INTO node (name) VALUES (\(name)) ON CONFLICT (name) DO NOTHING RETURNING id", logger: logger
                ).column(Int32.self)
                guard let id = inserted.first else { throw CentralStoreError.nodeExists(name) }
                try await tx.query("INSERT INTO node_token (hash, node_id) VALUES (\(hash), \(id))", logger: logger)
            }
        }
        return token
    }

    /// Revokes a node's tokens at once: the next request with one gets 401, on every replica.
    public func revokeNode(_ name: String) async throws {
        try await operation("nodes revoke") { [client, logger] in
            try await client.withTransaction(logger: logger) { tx in
                let ids = try await tx.query(
                    "UPDATE node SET revoked_at = coalesce(revoked_at, now()) WHERE name = \(name) RETURNING id", logger: logger
                ).column(Int32.self)
                guard let id = ids.first else { throw CentralStoreError.nodeNotFound(name) }
                try await tx.query(
                    "UPDATE node_token SET revoked_at = coalesce(revoked_at, now()) WHERE node_id = \(id)", logger: logger)
            }
        }
    }

    /// Revokes a node's tokens and issues a new one; the node keeps its history. Until the
    /// new token is first used, a join token may also enroll the name again (the node's
    /// way back after a revocation, or after its stored credential was lost).
    public func rotateNode(_ name: String) async throws -> String {
        let token = NodeToken.generate()
        let hash = ByteBuffer(bytes: NodeToken.hash(token))
        try await operation("nodes rotate") { [client, logger] in
            try await client.withTransaction(logger: logger) { tx in
                let ids = try await tx.query(
                    "UPDATE node SET revoked_at = NULL, enroll_open = true WHERE name = \(name) RETURNING id", logger: logger
                ).column(Int32.self)
                guard let id = ids.first else { throw CentralStoreError.nodeNotFound(name) }
                try await tx.query(
                    "UPDATE node_token SET revoked_at = coalesce(revoked_at, now()) WHERE node_id = \(id)", logger: logger)
                try await tx.query("INSERT INTO node_token (hash, node_id) VALUES (\(hash), \(id))", logger: logger)
            }
        }
        return token
    }

    public func nodes() async throws -> [NodeInfo] {
        try await operation("nodes list") { [client, logger] in
            try await client.query(
                """
                SELECT name, (extract(epoch FROM created_at) * 1000)::bigint,
                       (extract(epoch FROM last_seen_at) * 1000)::bigint, (extract(epoch FROM last_sync_at) * 1000)::bigint,
                       samples_stored, revoked_at IS NOT NULL
                FROM node ORDER BY name
                """, logger: logger
            ).collect((String, Int64, Int64?, Int64?, Int64, Bool).self).map {
                NodeInfo(name: $0.0, createdAt: $0.1, lastSeenAt: $0.2, lastSyncAt: $0.3, samplesStored: $0.4, revoked: $0.5)
            }
        }
    }

    /// The node holding this token, or nil if the token is unknown or revoked. Looked up on
    /// every request (no cache), so a revocation takes effect at once on every replica.
    /// `last_seen_at` is written at most once a minute.
    public func authenticate(token: String) async throws -> AuthenticatedNode? {
        let hash = ByteBuffer(bytes: NodeToken.hash(token))
        return try await operation("authenticate") { [client, logger] in
            let rows = try await client.query(
                """
                WITH hit AS (
                    SELECT n.id, n.name FROM node_token t JOIN node n ON n.id = t.node_id
                    WHERE t.hash = \(hash) AND t.revoked_at IS NULL AND n.revoked_at IS NULL),
                seen AS (
                    UPDATE node SET last_seen_at = now(), enroll_open = false FROM hit
                    WHERE node.id = hit.id
                      AND (node.last_seen_at IS NULL OR node.last_seen_at < now() - interval '1 minute' OR node.enroll_open))
                SELECT id, name FROM hit
                """, logger: logger
            ).collect((Int32, String).self)
            return rows.first.map { AuthenticatedNode(id: $0.0, name: $0.1) }
        }
    }

    /// Records `node`'s address (nil withdraws it) and answers the other live nodes' addresses,
    /// ordered by node name.
    public func exchangePeers(_ node: AuthenticatedNode, url: String?) async throws -> [String] {
        try await operation("exchange peers") { [client, logger] in
            try await client.query("UPDATE node SET api_url = \(url) WHERE id = \(node.id)", logger: logger)
            return try await client.query(
                """
                SELECT api_url FROM node WHERE id <> \(node.id) AND revoked_at IS NULL AND api_url IS NOT NULL ORDER BY name
                """, logger: logger
            ).collect(String.self)
        }
    }
}
