import PostgresNIO
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension CentralStore {
    /// Every write to tasks (pushes and central's own household edits) takes this
    /// transaction-scoped lock first. Task changes are human-rate, so one writer at a time
    /// costs little, and it makes the feed trivially gap-free: seq is allocated, inserted
    /// and committed before the next writer reads `max(seq)`, so a reader paging with
    /// `seq > cursor` can never skip a row that commits later.
    static let feedLockKey: Int64 = 7_310_593_858_008_514_677

    /// The pull page size limit.
    public static let maxPullLimit = 1000

    /// Merges a batch of changes pushed by `node`. Idempotent by change ID: a change seen
    /// before is `already_known` and merged no further; a new change that alters nothing
    /// (older than what central holds) is also `already_known`.
    ///
    /// One bad change never fails the batch: a change that breaks a field rule is `rejected`
    /// with its reason and the rest are merged. Identity is different: a change in the
    /// node's own log stamped by another node is a forgery, and the whole batch is refused
    /// (`forgedChange`, nothing written). In a snapshot (resync) push, another node's change
    /// is taken only where central already holds that very change; any other is `refused`,
    /// since central cannot tell a relay from a forgery, and its own node delivers it.
    /// Changes stamped by central itself are still relayed back (see below).
    ///
    /// `check`, the highest position central acknowledged to this node before, must still be
    /// in the feed: if central was restored from a backup taken before it, the push is refused
    /// (`cursorUnknown`, nothing written) and the node resyncs instead of acknowledging new
    /// changes at positions that would hide the lost ones.
    public func push(_ push: SyncWire.ChangePush, from node: AuthenticatedNode, check: FeedCursor? = nil) async throws -> [SyncWire.ChangeResult] {
        guard push.node == node.name else {
            throw CentralStoreError.wrongNode("this token belongs to node \(node.name), not \(push.node.prefix(60))")
        }
        let checked = try self.check(push.changes, mode: push.mode, node: node.name)
        return try await operation("push changes") { [self] in
            try await client.withTransaction(logger: logger) { tx in
                var verdicts = checked
                if let check, check.seq > 0 {
                    let tags = try await tx.query("SELECT tag FROM change_feed WHERE seq = \(check.seq)", logger: logger).column(Int64.self)
                    guard tags.first == check.tag else { throw CentralStoreError.cursorUnknown(check.description) }
                }
                if push.mode == .snapshot {
                    let open = try await tx.query(
                        "SELECT resync_open_until > now() FROM node WHERE id = \(node.id)", logger: logger
                    ).column(Bool?.self)
                    guard case .some(.some(true)) = open.first else { throw CentralStoreError.resyncNotOpen }
                    // Relayed changes (another node's, or central's own): taken with the proof central
                    // gave them in a pull, which shows central took that very change before (after
                    // a restore, the other replicas may hold the only copy); else only if central
                    // holds them already. Without a proof central cannot tell a relay from a forgery.
                    let relayed = push.changes.indices.filter { verdicts[$0] == nil && push.changes[$0].stamp.node != node.name }
                    if !relayed.isEmpty {
                        let ids = relayed.map { push.changes[$0].id }
                        let known = Set(
                            try await tx.query(
                                "SELECT change_id FROM applied_change WHERE change_id = ANY(\(ids)::uuid[])", logger: logger
                            ).column(UUID.self))
                        let key = push.proofs?.isEmpty == false ? try await Self.secretKey(tx, logger) : []
                        for i in relayed {
                            let change = push.changes[i]
                            let proof = push.proofs?[change.id.lowercasedString]
                            if known.contains(change.id) {
                                verdicts[i] = .alreadyKnown
                            } else if let proof, CentralProof.verify(change.json(), proof: proof, key: key) {
                                continue  // proven: merged below
                            } else {
                                verdicts[i] = .refused(
                                    "change \(change.id.lowercasedString) is stamped by \(change.stamp.node.prefix(60)), not by \(node.name); "
                                        + (proof == nil ? "it carries no proof" : "its proof does not verify")
                                        + " and central does not hold it, so it cannot tell it from a forgery")
                            }
                        }
                    }
                }
                let accepted = push.changes.indices.filter { verdicts[$0] == nil }
                var positions: [UUID: FeedCursor] = [:]
                let outcomes = try await self.merge(accepted.map { push.changes[$0] }, pushedBy: node.id, tx, positions: &positions)
                for (i, outcome) in zip(accepted, outcomes) { verdicts[i] = .merged(outcome) }
                let own = push.changes.filter { $0.stamp.node == node.name }.map(\.stamp).max()
                try await tx.query(
                    """
                    UPDATE node SET last_sync_at = now(),
                        (stamp_physical, stamp_counter) = (SELECT p, c FROM (VALUES (stamp_physical, stamp_counter),
                            (\(own?.physical ?? 0), \(Int32(own?.counter ?? 0)))) AS v(p, c) ORDER BY p DESC, c DESC LIMIT 1)
                    WHERE id = \(node.id)
                    """, logger: logger)
                return zip(push.changes, verdicts).map { change, verdict in
                    switch verdict {
                    case .merged(let outcome)?: SyncWire.ChangeResult(changeID: change.id, outcome: outcome, position: positions[change.id])
                    case .alreadyKnown?: SyncWire.ChangeResult(changeID: change.id, outcome: .alreadyKnown)
                    case .rejected(let why)?: SyncWire.ChangeResult(changeID: change.id, outcome: .rejected, reason: why)
                    case .refused(let why)?: SyncWire.ChangeResult(changeID: change.id, outcome: .refused, reason: why)
                    case .future(let why)?: SyncWire.ChangeResult(changeID: change.id, outcome: .stampInFuture, reason: why)
                    case nil: SyncWire.ChangeResult(changeID: change.id, outcome: .alreadyKnown)
                    }
                }
            }
        }
    }

    /// What becomes of one pushed change before and after the merge.
    enum Verdict: Equatable {
        case merged(ApplyOutcome)
        case alreadyKnown
        case rejected(String)
        case refused(String)
        case future(String)
    }

    /// What the HTTP layer would otherwise have to know: stamps by the pushing node only
    /// (outside a resync), no stamp far ahead of central's clock, fields within the rules.
    /// Central rejects, never normalises: a change must already be what the agent stored.
    /// Throws for what refuses the whole batch (a forgery); returns
    /// a verdict per change for the changes it rejects on their own (nil: go on to merge).
    func check(_ changes: [TaskChange], mode: SyncWire.PushMode, node: String) throws -> [Verdict?] {
        if mode == .log, let other = changes.first(where: { $0.stamp.node != node }) {
            throw CentralStoreError.forgedChange(
                changeID: other.id.lowercasedString,
                "change \(other.id.lowercasedString) is stamped by \(other.stamp.node.prefix(60)), not by \(node): a node's token writes only its own changes")
        }
        let now = now()
        let limit = now + HybridLogicalClock.defaultMaxForwardDrift
        return changes.map { change in
            let id = change.id.lowercasedString
            // A stamp far ahead is refused alone, so it never holds up the rest of the batch.
            if change.stamp.physical > limit {
                return .future("change \(id) is stamped \((change.stamp.physical - now) / 1000) s ahead of central's clock")
            }
            guard change.stamp.node == "central" || NodeName.isValid(change.stamp.node), NodeName.isValid(change.origin) || change.origin == "central" else {
                return .rejected("change \(id) names an invalid node")
            }
            if change.patch.isEmpty { return .rejected("change \(id) sets no field") }
            do {
                guard try TaskRules.validate(change.patch) == change.patch else {
                    return .rejected("change \(id) is not in its normal form (an untrimmed title or assignee, or a repeat rule not written canonically)")
                }
            } catch {
                return .rejected("change \(id): \((error as? InvalidFieldError)?.message ?? "\(error)")")
            }
            return nil
        }
    }

    /// Merges changes inside `tx`: takes the feed lock, records the IDs, applies the new ones
    /// with `TaskMerge`, writes the records that changed and appends the changes that altered
    /// anything to the feed.
    func merge(_ changes: [TaskChange], pushedBy: Int32?, _ tx: PostgresConnection) async throws -> [ApplyOutcome] {
        var positions: [UUID: FeedCursor] = [:]
        return try await merge(changes, pushedBy: pushedBy, tx, positions: &positions)
    }

    /// As `merge(_:pushedBy:_:)`, also giving the feed position of each change appended.
    func merge(
        _ changes: [TaskChange], pushedBy: Int32?, _ tx: PostgresConnection,
        positions: inout [UUID: FeedCursor]
    ) async throws -> [ApplyOutcome] {
        guard !changes.isEmpty else { return [] }
        try await tx.query("SELECT pg_advisory_xact_lock(\(Self.feedLockKey))", logger: logger)
        let ids = changes.map(\.id)
        let fresh = Set(
            try await tx.query(
                """
                INSERT INTO applied_change (change_id, node_id) SELECT unnest(\(ids)::uuid[]), \(pushedBy)
                ON CONFLICT DO NOTHING RETURNING change_id
                """, logger: logger
            ).column(UUID.self))
        var records: [UUID: TaskRecord] = [:]
        let taskIDs = Array(Set(changes.map(\.taskID)))
        for (_, text) in try await tx.query(
            "SELECT id, record FROM task WHERE id = ANY(\(taskIDs)::uuid[])", logger: logger
        ).collect((UUID, String).self) {
            let record = try JSONDecoder().decode(TaskRecord.self, from: Data(text.utf8))
            records[record.id] = record
        }
        var outcomes: [ApplyOutcome] = []
        var applied: [TaskChange] = []
        var dirty: Set<UUID> = []
        var seenInBatch: Set<UUID> = []
        for change in changes {
            // A change listed twice in one batch counts once.
            guard fresh.contains(change.id), seenInBatch.insert(change.id).inserted else {
                outcomes.append(.alreadyKnown)
                continue
            }
            let (merged, changed) = TaskMerge.apply(change, to: records[change.taskID])
            outcomes.append(changed ? .applied : .alreadyKnown)
            if changed {
                records[change.taskID] = merged
                dirty.insert(change.taskID)
                applied.append(change)
            }
        }
        if !dirty.isEmpty {
            // Rows in key order (lock order); a UUID's text sorts as its bytes do, formatted once each.
            let rows = dirty.map { ($0.lowercasedString, $0) }.sorted { $0.0 < $1.0 }.map(\.1).map { id -> (UUID, String, Bool, Bool, Int64) in
                let r = records[id]!
                return (id, String(decoding: r.json(), as: UTF8.self), r.deleted, r.done, r.createdAt)
            }
            try await tx.query(
                """
                INSERT INTO task (id, record, deleted, done, created_at)
                SELECT * FROM unnest(\(rows.map(\.0))::uuid[], \(rows.map(\.1))::text[], \(rows.map(\.2))::bool[],
                                     \(rows.map(\.3))::bool[], \(rows.map(\.4))::int8[])
                ON CONFLICT (id) DO UPDATE SET record = excluded.record, deleted = excluded.deleted,
                    done = excluded.done, created_at = excluded.created_at
                """, logger: logger)
            let top = try await tx.query("SELECT coalesce(max(seq), 0)::int8 FROM change_feed", logger: logger).column(Int64.self)
            let first = (top.first ?? 0) + 1
            var rng = SystemRandomNumberGenerator()
            let seqs = (0..<Int64(applied.count)).map { first + $0 }
            let tags = applied.map { _ in Int64.random(in: Int64.min...Int64.max, using: &rng) }
            for (change, (seq, tag)) in zip(applied, zip(seqs, tags)) { positions[change.id] = FeedCursor(seq: seq, tag: tag) }
            let bodies = applied.map { String(decoding: $0.json(), as: UTF8.self) }
            if let newest = applied.map(\.stamp).max() {
                try await tx.query(
                    """
                    UPDATE central_clock SET physical = \(newest.physical), counter = \(Int32(newest.counter))
                    WHERE id = 1 AND (physical, counter) < (\(newest.physical), \(Int32(newest.counter)))
                    """, logger: logger)
            }
            try await tx.query(
                """
                INSERT INTO change_feed (seq, tag, change_id, task_id, pushed_by, body)
                SELECT s, t, c, k, \(pushedBy), b FROM unnest(\(seqs)::int8[], \(tags)::int8[], \(applied.map(\.id))::uuid[],
                    \(applied.map(\.taskID))::uuid[], \(bodies)::text[]) AS x(s, t, c, k, b)
                """, logger: logger)
        }
        return outcomes
    }

    /// Changes after `cursor` in feed order, at most `limit`; bodies are spliced verbatim.
    /// Returns the encoded `ChangePage` JSON. A cursor not from this feed is `cursorUnknown`.
    public func pull(after cursor: FeedCursor, limit: Int, check: FeedCursor? = nil, for node: AuthenticatedNode? = nil) async throws -> String {
        let limit = min(max(limit, 1), Self.maxPullLimit)
        return try await operation("pull changes") { [client, logger] in
            try await client.withConnection { connection in
                try await connection.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY", logger: logger)
                do {
                    for position in [cursor, check ?? .start] where position.seq > 0 {
                        let tags = try await connection.query(
                            "SELECT tag FROM change_feed WHERE seq = \(position.seq)", logger: logger
                        ).column(Int64.self)
                        guard tags.first == position.tag else { throw CentralStoreError.cursorUnknown(position.description) }
                    }
                    let rows = try await connection.query(
                        """
                        SELECT seq, tag, body, change_id FROM change_feed WHERE seq > \(cursor.seq) ORDER BY seq LIMIT \(limit + 1)
                        """, logger: logger
                    ).collect((Int64, Int64, String, UUID).self)
                    // Every change carries central's proof that it took it, for agents to keep (CentralProof).
                    var proofs: [(UUID, String)] = []
                    if !rows.isEmpty {
                        let key = try await Self.secretKey(connection, logger)
                        for row in rows.prefix(limit) { proofs.append((row.3, CentralProof.sign(Array(row.2.utf8), key: key))) }
                    }
                    var floor: HLCTimestamp?
                    if let node {
                        for (physical, counter) in try await connection.query(
                            "SELECT stamp_physical, stamp_counter FROM node WHERE id = \(node.id)", logger: logger
                        ).collect((Int64, Int32).self) where physical > 0 {
                            floor = HLCTimestamp(physical: physical, counter: UInt16(clamping: counter), node: node.name)
                        }
                    }
                    try await connection.query("COMMIT", logger: logger)
                    let page = rows.prefix(limit)
                    let next = page.last.map { FeedCursor(seq: $0.0, tag: $0.1) } ?? cursor
                    let json = SyncWire.ChangePage.json(
                        changes: page.lazy.map(\.2.utf8), cursor: next, more: rows.count > limit, stampFloor: floor,
                        proofs: proofs.map { (key: $0.0.lowercasedString, value: $0.1) })
                    return String(decoding: json, as: UTF8.self)
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        }
    }

    /// Opens a 24-hour window in which `node` may push snapshot changes, and returns central's
    /// positions for it.
    public func beginResync(_ node: AuthenticatedNode) async throws -> SyncWire.ResyncResponse {
        try await operation("resync") { [client, logger] in
            let rows = try await client.query(
                """
                UPDATE node SET resync_open_until = now() + interval '24 hours' WHERE id = \(node.id)
                RETURNING samples_through, (extract(epoch FROM resync_open_until) * 1000)::bigint
                """, logger: logger
            ).collect((Int64?, Int64).self)
            guard let row = rows.first else { throw CentralStoreError.nodeNotFound(node.name) }
            return SyncWire.ResyncResponse(samplesThrough: row.0, resyncOpenUntil: RFC3339.format(millis: row.1))
        }
    }

    /// The key central proves its own changes with (``CentralProof``).
    static func secretKey(_ connection: PostgresConnection, _ logger: Logger) async throws -> [UInt8] {
        let rows = try await connection.query("SELECT key FROM central_secret WHERE id = 1", logger: logger).collect(ByteBuffer.self)
        guard let key = rows.first, key.readableBytes >= 16 else {
            throw CentralStoreError.unavailable("central_secret holds no key: run edge-central migrate")
        }
        return Array(key.readableBytesView)
    }
}
