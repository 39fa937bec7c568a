/// A position in central's change feed: the sequence number of the last change seen and that
/// row's random tag. The tag lets central tell a cursor from its own history from one that
/// points into a history it no longer has (central restored from a backup): then the same
/// `seq` either does not exist or carries another tag, and the agent resyncs.
///
/// Text form: `"<seq>-<tag as 16 lowercase hex digits>"`; the start is `"0-0000000000000000"`.
public struct FeedCursor: Sendable, Hashable, Codable, CustomStringConvertible {
    public var seq: Int64
    public var tag: Int64

    public init(seq: Int64, tag: Int64) {
        self.seq = seq
        self.tag = tag
    }

    public static let start = FeedCursor(seq: 0, tag: 0)

    public init?(_ text: some StringProtocol) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, let seq = Int64(parts[0]), seq >= 0, parts[1].count == 16,
            let bits = UInt64(parts[1], radix: 16)
        else { return nil }
        self.seq = seq
        self.tag = Int64(bitPattern: bits)
    }

    public var description: String {
        let hex = String(UInt64(bitPattern: tag), radix: 16)
        return "\(seq)-" + String(repeating: "0", count: 16 - hex.count) + hex
    }

    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let cursor = FeedCursor(text) else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath, debugDescription: "not a feed cursor: \(text.prefix(40))"))
        }
        self = cursor
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}
