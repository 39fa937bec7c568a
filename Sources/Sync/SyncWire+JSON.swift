/// The encoders of the sync bodies that carry task changes (read with `Decodable`). A change
/// is encoded once, where it is made, and its bytes travel as they are: an agent pushes what
/// its change log holds, and central answers a pull with what its feed holds.
extension SyncWire.ChangePush {
    /// `POST /v1/sync/changes` around changes encoded already (``TaskChange/json()``).
    public static func json(
        node: String, mode: SyncWire.PushMode = .log, changes: some Sequence<some Collection<UInt8>>, proofs: [String: String]? = nil
    ) -> [UInt8] {
        JSONObjectWriter.object { w in
            w.rawArray("changes", changes)
            w.string("mode", mode.rawValue)
            w.string("node", node)
            if let proofs { w.stringObject("proofs", proofs.sorted { $0.key < $1.key }) }
        }
    }

    public func json() -> [UInt8] {
        Self.json(node: node, mode: mode, changes: changes.lazy.map { $0.json() }, proofs: proofs)
    }
}

extension SyncWire.ChangePage {
    /// A pull's page around changes encoded already (central's feed bodies); `proofs` in feed
    /// order.
    public static func json(
        changes: some Sequence<some Collection<UInt8>>, cursor: FeedCursor, more: Bool, stampFloor: HLCTimestamp? = nil,
        proofs: some Collection<(key: String, value: String)>
    ) -> [UInt8] {
        JSONObjectWriter.object { w in
            w.rawArray("changes", changes)
            w.string("cursor", cursor.description)
            w.bool("more", more)
            if !proofs.isEmpty { w.stringObject("proofs", proofs) }
            if let stampFloor { w.string("stamp_floor", stampFloor.description) }
        }
    }

    public func json() -> [UInt8] {
        Self.json(
            changes: changes.lazy.map { $0.json() }, cursor: cursor, more: more, stampFloor: stampFloor,
            proofs: (proofs ?? [:]).sorted { $0.key < $1.key })
    }
}
