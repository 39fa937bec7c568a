/// A hybrid logical clock reading: wall-clock milliseconds, a logical counter, and the node
/// that issued it.
///
/// Readings are totally ordered by (`physical`, `counter`, `node`), so two replicas that compare
/// the same two stamps always pick the same winner. The node name is the final tie-break.
///
/// The canonical text form is `PPPPPPPPPPPP-CCCC-node`: twelve hex digits of milliseconds and
/// four of counter. Its byte order equals the stamp order, which lets SQL compare stamps as text.
public struct HLCTimestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch as the clock believed them (never moves backwards).
    public var physical: Int64
    /// Distinguishes events within one millisecond of `physical`.
    public var counter: UInt16
    /// The node that issued the stamp.
    public var node: String

    public init(physical: Int64, counter: UInt16, node: String) {
        self.physical = physical
        self.counter = counter
        self.node = node
    }

    /// The largest physical value the text form can hold (year 10889).
    public static let maxPhysical: Int64 = 0xFFFF_FFFF_FFFF

    public static func < (lhs: HLCTimestamp, rhs: HLCTimestamp) -> Bool {
        if lhs.physical != rhs.physical { return lhs.physical < rhs.physical }
        if lhs.counter != rhs.counter { return lhs.counter < rhs.counter }
        return lhs.node.utf8.lexicographicallyPrecedes(rhs.node.utf8)
    }

    public var description: String {
        Hex.padded(UInt64(max(0, physical)), width: 12) + "-" + Hex.padded(UInt64(counter), width: 4) + "-" + node
    }

    /// Parses the canonical text form; `nil` if it is not one.
    public init?(_ text: String) {
        let utf8 = Array(text.utf8)
        guard utf8.count >= 19, utf8[12] == UInt8(ascii: "-"), utf8[17] == UInt8(ascii: "-"),
            let physical = Hex.parse(utf8[0..<12]), let counter = Hex.parse(utf8[13..<17])
        else { return nil }
        let node = String(decoding: utf8[18...], as: UTF8.self)
        guard NodeName.isValid(node) else { return nil }
        self.init(physical: Int64(physical), counter: UInt16(counter), node: node)
    }
}

extension HLCTimestamp: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let stamp = HLCTimestamp(text) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not a hybrid logical clock stamp: \(text.prefix(64))")
        }
        self = stamp
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

/// Fixed-width lowercase hexadecimal, without Foundation's formatters.
enum Hex {
    static func padded(_ value: UInt64, width: Int) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    static func parse(_ bytes: ArraySlice<UInt8>) -> UInt64? {
        var value: UInt64 = 0
        for byte in bytes {
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            default: return nil
            }
            value = value << 4 | UInt64(digit)
        }
        return value
    }
}
