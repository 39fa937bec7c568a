#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The sync protocol between an agent and edge-central (version 1), shared by both sides so
/// it is defined once. JSON; request bodies of `POST /v1/sync/*` may be gzip-compressed.
/// `docs/sync-design.md` §2 and central's `/openapi.json` describe it for people.
public enum SyncWire {
    /// How a change batch is meant: the agent's own change log, or (during a resync only) a
    /// snapshot of its whole task state, which may carry other nodes' stamps.
    public enum PushMode: String, Codable, Sendable {
        case log, snapshot
    }

    /// `POST /v1/sync/changes`.
    public struct ChangePush: Decodable, Sendable, Equatable {
        public var node: String
        public var mode: PushMode
        public var changes: [TaskChange]
        /// In a snapshot: central's proofs (``ChangePage/proofs``) of the other replicas'
        /// changes it relays, by change ID. Central takes a relayed change it does not hold
        /// only with one.
        public var proofs: [String: String]?

        public init(node: String, mode: PushMode = .log, changes: [TaskChange], proofs: [String: String]? = nil) {
            self.node = node
            self.mode = mode
            self.changes = changes
            self.proofs = proofs
        }
    }

    /// One result per pushed change, in request order.
    public struct ChangeResult: Codable, Sendable, Equatable {
        public var changeID: UUID
        public var outcome: ApplyOutcome
        /// Why a change was `rejected` or `refused`, a sentence naming the field or rule.
        public var reason: String?
        /// Where an `applied` change sits in central's feed. The agent keeps the highest one
        /// and has central check it on every pull: a central restored from a backup taken
        /// before it no longer holds that position, and the agent resyncs, even when its pull
        /// cursor still looks valid (a push acknowledged, then the pull cut off).
        public var position: FeedCursor?

        public init(changeID: UUID, outcome: ApplyOutcome, reason: String? = nil, position: FeedCursor? = nil) {
            self.changeID = changeID
            self.outcome = outcome
            self.reason = reason
            self.position = position
        }

        enum CodingKeys: String, CodingKey { case changeID = "change_id", outcome, reason, position }

        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(changeID.lowercasedString, forKey: .changeID)
            try c.encode(outcome, forKey: .outcome)
            try c.encodeIfPresent(reason, forKey: .reason)
            try c.encodeIfPresent(position, forKey: .position)
        }
    }

    public struct ChangePushResponse: Codable, Sendable, Equatable {
        public var results: [ChangeResult]
        public init(results: [ChangeResult]) { self.results = results }
    }

    /// `GET /v1/sync/changes?cursor=C&limit=N`: changes after the cursor, in feed order.
    public struct ChangePage: Decodable, Sendable, Equatable {
        public var changes: [TaskChange]
        /// The position after the last change returned (the given cursor if none).
        public var cursor: FeedCursor
        public var more: Bool
        /// The newest stamp central holds from the pulling node itself. A node restored from
        /// its own backup moves its clock past it, so it never reissues a stamp it had used.
        public var stampFloor: HLCTimestamp?
        /// Central's proof (HMAC) that it took each change on the page, by change ID: agents
        /// keep those of other replicas' changes, to carry them back after central is restored.
        public var proofs: [String: String]?

        public init(changes: [TaskChange], cursor: FeedCursor, more: Bool, stampFloor: HLCTimestamp? = nil, proofs: [String: String]? = nil) {
            self.changes = changes
            self.cursor = cursor
            self.more = more
            self.stampFloor = stampFloor
            self.proofs = proofs
        }

        enum CodingKeys: String, CodingKey { case changes, cursor, more, stampFloor = "stamp_floor", proofs }
    }

    /// `POST /v1/sync/samples`: a run of the node's readings, shaped like the agent's storage
    /// (a reading is one layout of series plus its values) so neither side builds a dictionary
    /// per sample. A sample is `(node, series[layout[i]], ts, values[i])`.
    public struct SampleBatch: Codable, Sendable, Equatable {
        public var node: String
        /// Everything up to and including this timestamp was acknowledged before (nil: nothing yet).
        public var after: Int64?
        public var series: [Series]
        /// Each layout lists indexes into `series`.
        public var layouts: [[Int]]
        public var readings: [Reading]

        public init(node: String, after: Int64?, series: [Series], layouts: [[Int]], readings: [Reading]) {
            self.node = node
            self.after = after
            self.series = series
            self.layouts = layouts
            self.readings = readings
        }

        /// A series as the batch names it: the series' one form in code (``SeriesKey``, its
        /// labels ``SeriesLabel``s sorted by name), `{"name": …, "labels": {name: value}}` on the wire.
        public struct Series: Codable, Sendable, Equatable, Hashable {
            public var key: SeriesKey
            public var name: String { key.name }

            public init(_ key: SeriesKey) { self.key = key }

            public init(name: String, labels: KeyValuePairs<String, String>) {
                self.init(SeriesKey(name, labels))
            }

            enum CodingKeys: String, CodingKey { case name, labels }

            public init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                let labels = try c.decode([String: String].self, forKey: .labels)
                key = SeriesKey(try c.decode(String.self, forKey: .name), labels.map { SeriesLabel($0.key, $0.value) })
            }

            public func encode(to encoder: any Encoder) throws {
                var c = encoder.container(keyedBy: CodingKeys.self)
                try c.encode(key.name, forKey: .name)
                try c.encode(Dictionary(key.labels.map { ($0.name, $0.value) }, uniquingKeysWith: { first, _ in first }), forKey: .labels)
            }
        }

        public struct Reading: Codable, Sendable, Equatable {
            /// Milliseconds since the epoch, exactly as the agent stored it.
            public var ts: Int64
            public var clock: SampleClock
            public var layout: Int
            public var values: [Double]
            public init(ts: Int64, clock: SampleClock, layout: Int, values: [Double]) {
                self.ts = ts
                self.clock = clock
                self.layout = layout
                self.values = values
            }
        }

        public var sampleCount: Int { readings.reduce(0) { $0 + $1.values.count } }

        /// The structural rules a batch must keep, checked by central before anything is
        /// written; the message says what is wrong. (Sizes are checked separately.)
        public func structuralProblem() -> String? {
            if series.isEmpty && !readings.isEmpty { return "readings without series" }
            if Set(series).count != series.count { return "a series is listed twice" }
            for (i, layout) in layouts.enumerated() {
                if let bad = layout.first(where: { $0 < 0 || $0 >= series.count }) {
                    return "layout \(i) refers to series \(bad), but there are \(series.count)"
                }
                if Set(layout).count != layout.count { return "layout \(i) lists a series twice" }
            }
            // Year 1970 to 9999, as RFC 3339 can write it.
            let validTime: ClosedRange<Int64> = 0...253_402_300_799_999
            if let after, !validTime.contains(after) { return "after \(after) is not a time between 1970 and 9999 in milliseconds" }
            var previous = after
            for (i, r) in readings.enumerated() {
                if !validTime.contains(r.ts) { return "reading \(i): ts \(r.ts) is not a time between 1970 and 9999 in milliseconds" }
                guard r.layout >= 0, r.layout < layouts.count else {
                    return "reading \(i) refers to layout \(r.layout), but there are \(layouts.count)"
                }
                if r.values.count != layouts[r.layout].count {
                    return "reading \(i) has \(r.values.count) values for a layout of \(layouts[r.layout].count) series"
                }
                if let p = previous, r.ts <= p {
                    return "reading \(i): ts \(r.ts) is not after \(p); readings must be in strictly increasing time order after `after`"
                }
                if !r.values.allSatisfy(\.isFinite) { return "reading \(i) has a value that is not a finite number" }
                previous = r.ts
            }
            return nil
        }
    }

    /// Whether a sample's timestamp came from a trustworthy clock.
    public enum SampleClock: String, Codable, Sendable {
        /// The wall clock was synchronised (NTP) when the sample was taken.
        case synced
        /// Taken before the clock was known to be right; not corrected.
        case untrusted
        /// Taken before the clock was known to be right, then re-timed from the boot's
        /// `CLOCK_BOOTTIME` once it was (NTP, or central's clock): true to about a second.
        case corrected

        /// The stored form: 0 untrusted, 1 synced, 2 corrected.
        public var code: Int16 {
            switch self {
            case .untrusted: 0
            case .synced: 1
            case .corrected: 2
            }
        }

        public init(code: Int16) {
            switch code {
            case 1: self = .synced
            case 2: self = .corrected
            default: self = .untrusted
            }
        }
    }

    /// The answer to a sample batch, sent after COMMIT: every sample with `after < ts ≤
    /// stored_through` is durably stored.
    public struct SampleAck: Codable, Sendable, Equatable {
        public var storedThrough: Int64?
        public var samples: Int
        public var inserted: Int
        public var duplicates: Int
        /// Samples older than central's raw retention: acknowledged, not stored. A central
        /// from before retention does not send it (read as 0).
        public var expired: Int

        public init(storedThrough: Int64?, samples: Int, inserted: Int, duplicates: Int, expired: Int = 0) {
            self.storedThrough = storedThrough
            self.samples = samples
            self.inserted = inserted
            self.duplicates = duplicates
            self.expired = expired
        }

        enum CodingKeys: String, CodingKey {
            case storedThrough = "stored_through", samples, inserted, duplicates, expired
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            storedThrough = try c.decodeIfPresent(Int64.self, forKey: .storedThrough)
            samples = try c.decode(Int.self, forKey: .samples)
            inserted = try c.decode(Int.self, forKey: .inserted)
            duplicates = try c.decode(Int.self, forKey: .duplicates)
            expired = try c.decodeIfPresent(Int.self, forKey: .expired) ?? 0
        }
    }

    /// `POST /v1/sync/peers` body: this node's address as phones reach it (`--advertise-url`),
    /// or null to withdraw it. Central answers with ``PeerList``.
    public struct PeerNotice: Codable, Sendable, Equatable {
        public var node: String
        public var url: String?
        public init(node: String, url: String?) {
            self.node = node
            self.url = url
        }
    }

    /// The other nodes' addresses, as they gave them (not revoked ones), ordered by node name.
    public struct PeerList: Codable, Sendable, Equatable {
        public var peers: [String]
        public init(peers: [String]) { self.peers = peers }
    }

    /// `POST /v1/sync/resync` body.
    public struct ResyncRequest: Codable, Sendable, Equatable {
        public var node: String
        public init(node: String) { self.node = node }
    }

    /// Central's positions for a node starting a full resync; snapshot pushes are accepted
    /// from it until `resync_open_until`.
    public struct ResyncResponse: Codable, Sendable, Equatable {
        /// The newest sample timestamp central holds for the node (nil: none).
        public var samplesThrough: Int64?
        public var resyncOpenUntil: String

        public init(samplesThrough: Int64?, resyncOpenUntil: String) {
            self.samplesThrough = samplesThrough
            self.resyncOpenUntil = resyncOpenUntil
        }

        enum CodingKeys: String, CodingKey {
            case samplesThrough = "samples_through", resyncOpenUntil = "resync_open_until"
        }
    }
}
