/// A time zone read from a TZif file of the IANA database (`/usr/share/zoneinfo`, RFC 8536):
/// its transitions, and the POSIX rule of its footer for the instants after the last one.
/// Read with our own parser, so the agent needs neither ICU nor the C library's global `TZ`.
public struct ZoneInfo: Sendable {
    public let name: String
    let transitions: [Int64]  // UTC seconds, ascending
    let transitionTypes: [Int]  // index into types, one per transition
    let types: [(offset: Int32, isDST: Bool)]
    let footer: PosixTimeZoneRule?

    public static let utc = ZoneInfo(name: "UTC", transitions: [], transitionTypes: [], types: [(0, false)], footer: nil)

    init(name: String, transitions: [Int64], transitionTypes: [Int], types: [(offset: Int32, isDST: Bool)], footer: PosixTimeZoneRule?) {
        self.name = name
        self.transitions = transitions
        self.transitionTypes = transitionTypes
        self.types = types
        self.footer = footer
    }

    /// A zone from a POSIX rule alone (`TZ=JST-9`).
    init?(name: String, posixRule: Substring) {
        guard let rule = PosixTimeZoneRule(posixRule) else { return nil }
        self.init(name: name, transitions: [], transitionTypes: [], types: [(rule.standardOffset, false)], footer: rule)
    }

    /// Parses TZif bytes (versions 1 to 4). Nil when they are not a well-formed TZif file.
    public init?(name: String, tzif bytes: [UInt8]) {
        var reader = Reader(bytes: bytes)
        guard let first = reader.header() else { return nil }
        var header = first
        var timeSize = 4
        if first.version >= 2 {
            guard reader.skip(first.dataLength(timeSize: 4)), let second = reader.header() else { return nil }
            header = second
            timeSize = 8
        }
        guard header.typeCount > 0, header.typeCount <= 256, header.timeCount <= 100_000 else { return nil }
        var transitions: [Int64] = []
        transitions.reserveCapacity(header.timeCount)
        for _ in 0..<header.timeCount {
            guard let t = timeSize == 8 ? reader.int64() : reader.int32().map(Int64.init) else { return nil }
            if let last = transitions.last, t <= last { return nil }
            transitions.append(t)
        }
        var indices: [Int] = []
        for _ in 0..<header.timeCount {
            guard let i = reader.byte(), Int(i) < header.typeCount else { return nil }
            indices.append(Int(i))
        }
        var types: [(offset: Int32, isDST: Bool)] = []
        for _ in 0..<header.typeCount {
            guard let offset = reader.int32(), let dst = reader.byte(), reader.byte() != nil,
                offset > -25 * 3600, offset < 26 * 3600
            else { return nil }
            types.append((offset, dst != 0))
        }
        guard reader.skip(header.charCount + header.leapCount * (timeSize + 4) + header.isStdCount + header.isUTCCount) else { return nil }
        var footer: PosixTimeZoneRule?
        if header.version >= 2, reader.byte() == UInt8(ascii: "\n") {
            let rest = reader.rest()
            if let end = rest.firstIndex(of: UInt8(ascii: "\n")), end > 0 {
                footer = PosixTimeZoneRule(Substring(String(decoding: rest[..<end], as: UTF8.self)))
            }
        }
        self.init(name: name, transitions: transitions, transitionTypes: indices, types: types, footer: footer)
    }

    /// Seconds east of UTC at the UTC instant `t` (seconds since the epoch).
    public func offset(atUTC t: Int64) -> Int32 {
        guard let lastTransition = transitions.last, t >= transitions[0] else {
            if transitions.isEmpty, let footer { return footer.offset(atUTC: t).offset }
            return types.first(where: { !$0.isDST })?.offset ?? types[0].offset
        }
        if t >= lastTransition, let footer, t > lastTransition { return footer.offset(atUTC: t).offset }
        var low = 0, high = transitions.count - 1
        while low < high {
            let mid = (low + high + 1) / 2
            if transitions[mid] <= t { low = mid } else { high = mid - 1 }
        }
        return types[transitionTypes[low]].offset
    }

    /// The UTC instant of a local wall-clock time (seconds, as if local time were UTC). A time
    /// that a spring-forward skips is read with the offset before the switch (so it lands just
    /// after it); one that a fall-back repeats is the first of the two.
    public func utc(fromLocal local: Int64) -> Int64 {
        // The offsets a day before and a day after (zones switch at most once in two days).
        let before = Int64(offset(atUTC: local - 86_400))
        let after = Int64(offset(atUTC: local + 86_400))
        let valid = [before, after].filter { Int64(offset(atUTC: local - $0)) == $0 }
        if let largest = valid.max() { return local - largest }  // repeated: the earlier instant
        return local - before  // skipped: just after the switch
    }

    private struct Header {
        var version: Int
        var isUTCCount, isStdCount, leapCount, timeCount, typeCount, charCount: Int
        func dataLength(timeSize: Int) -> Int {
            timeCount * timeSize + timeCount + typeCount * 6 + charCount + leapCount * (timeSize + 4) + isStdCount + isUTCCount
        }
    }

    private struct Reader {
        let bytes: [UInt8]
        var position = 0

        mutating func header() -> Header? {
            guard position + 44 <= bytes.count, bytes[position..<position + 4].elementsEqual("TZif".utf8) else { return nil }
            let v = bytes[position + 4]
            let version = v == 0 ? 1 : Int(v) - Int(UInt8(ascii: "0"))
            guard (1...9).contains(version) else { return nil }
            position += 20
            var counts: [Int] = []
            for _ in 0..<6 {
                guard let c = int32(), c >= 0, c < 1_000_000 else { return nil }
                counts.append(Int(c))
            }
            return Header(
                version: version, isUTCCount: counts[0], isStdCount: counts[1], leapCount: counts[2],
                timeCount: counts[3], typeCount: counts[4], charCount: counts[5])
        }

        mutating func skip(_ n: Int) -> Bool {
            guard n >= 0, position + n <= bytes.count else { return false }
            position += n
            return true
        }

        mutating func byte() -> UInt8? {
            guard position < bytes.count else { return nil }
            defer { position += 1 }
            return bytes[position]
        }

        mutating func int32() -> Int32? { bigEndian(4).map { Int32(truncatingIfNeeded: $0) } }

        mutating func int64() -> Int64? { bigEndian(8).map { Int64(bitPattern: $0) } }

        /// The next `count` bytes as a big-endian number.
        private mutating func bigEndian(_ count: Int) -> UInt64? {
            guard position + count <= bytes.count else { return nil }
            var v: UInt64 = 0
            for b in bytes[position..<position + count] { v = v << 8 | UInt64(b) }
            position += count
            return v
        }

        func rest() -> ArraySlice<UInt8> { bytes[position...] }
    }
}
