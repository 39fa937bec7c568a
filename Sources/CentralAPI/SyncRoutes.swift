import CentralStore
import HouseholdAPI
import Hummingbird
import Sync

/// The sync endpoints agents use (`docs/sync-design.md` §2; central's `/openapi.json`).
struct SyncRoutes {
    let store: CentralStore
    let metrics: CentralMetrics

    static let maxChanges = 1000
    static let maxSamples = 50_000
    static let maxReadings = 5_000
    static let maxSeries = 4_096

    func register(_ group: RouterGroup<CentralRequestContext>) {
        group.post("sync/changes") { request, context -> Response in
            let node = try context.requireNode()
            let push = try await SyncBody.decode(SyncWire.ChangePush.self, request, SyncBody.changes)
            guard push.changes.count <= Self.maxChanges else {
                throw APIError(.contentTooLarge, "body_too_large", "at most \(Self.maxChanges) changes per push; got \(push.changes.count)")
            }
            var check: FeedCursor?
            if let text = request.uri.queryParameters["check"] {
                guard let parsed = FeedCursor(text) else {
                    throw APIError(.gone, "cursor_unknown", "check \(text.prefix(40)) is not a position of this feed; resync")
                }
                check = parsed
            }
            let results = try await store.push(push, from: node, check: check)
            metrics.changesReceived(results)
            return try JSONResponse.make(SyncWire.ChangePushResponse(results: results))
        }
        group.get("sync/changes") { request, context -> Response in
            let node = try context.requireNode()
            let query = request.uri.queryParameters
            let cursor: FeedCursor
            if let text = query["cursor"] {
                guard let parsed = FeedCursor(text) else {
                    // Not a cursor this feed could have issued: the agent must start over.
                    throw APIError(.gone, "cursor_unknown", "cursor \(text.prefix(40)) is not a cursor of this feed; resync")
                }
                cursor = parsed
            } else {
                cursor = .start
            }
            // The highest position central acknowledged to this node: it must still exist.
            var check: FeedCursor?
            if let text = query["check"] {
                guard let parsed = FeedCursor(text) else {
                    throw APIError(.gone, "cursor_unknown", "check \(text.prefix(40)) is not a position of this feed; resync")
                }
                check = parsed
            }
            var limit = 500
            if let text = query["limit"] {
                guard let n = Int(text), (1...CentralStore.maxPullLimit).contains(n) else {
                    throw APIError.badParameter("limit must be an integer from 1 to \(CentralStore.maxPullLimit)")
                }
                limit = n
            }
            let body = try await store.pull(after: cursor, limit: limit, check: check, for: node)
            return JSONResponse.text(body, contentType: "application/json")
        }
        group.post("sync/samples") { request, context -> Response in
            let node = try context.requireNode()
            let batch = try await SyncBody.decode(SyncWire.SampleBatch.self, request, SyncBody.samples)
            let count = batch.sampleCount
            guard count <= Self.maxSamples, batch.readings.count <= Self.maxReadings, batch.series.count <= Self.maxSeries else {
                throw APIError(
                    .contentTooLarge, "body_too_large",
                    "at most \(Self.maxSamples) samples, \(Self.maxReadings) readings and \(Self.maxSeries) series per batch")
            }
            if let problem = batch.structuralProblem() {
                throw APIError(.badRequest, "malformed_batch", problem)
            }
            let ack = try await store.ingest(batch, from: node)
            metrics.samplesIngested(inserted: ack.inserted, duplicates: ack.duplicates, expired: ack.expired)
            return try JSONResponse.make(ack)
        }
        group.post("sync/peers") { request, context -> Response in
            let node = try context.requireNode()
            let body = try await SyncBody.decode(SyncWire.PeerNotice.self, request, SyncBody.small)
            guard body.node == node.name else {
                throw APIError(.forbidden, "wrong_node", "this token belongs to node \(node.name), not \(body.node.prefix(60))")
            }
            let url = try body.url.map { text -> String in
                guard let url = PeerURL.normalise(text) else {
                    throw APIError.invalidField("url must be a base URL such as http://192.168.1.11:8080 (http or https, a host, an optional port, no path)")
                }
                return url
            }
            return try JSONResponse.make(SyncWire.PeerList(peers: try await store.exchangePeers(node, url: url)))
        }
        group.post("sync/resync") { request, context -> Response in
            let node = try context.requireNode()
            let body = try await SyncBody.decode(SyncWire.ResyncRequest.self, request, SyncBody.small)
            guard body.node == node.name else {
                throw APIError(.forbidden, "wrong_node", "this token belongs to node \(node.name), not \(body.node.prefix(60))")
            }
            return try JSONResponse.make(try await store.beginResync(node))
        }
    }
}
