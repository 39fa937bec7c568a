#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Writes one JSON object straight into bytes, member by member, in the order called (callers
/// call in sorted key order, matching `JSONEncoder`'s `.sortedKeys`). The one encoder of the
/// wire's task types (tasks, changes, patches, records and the sync bodies that carry them):
/// they encode thousands of small objects, where `JSONEncoder`'s intermediate tree costs more
/// than the JSON itself.
public struct JSONObjectWriter {
    private var bytes: [UInt8] = []
    private var empty = true

    /// Appends one object to `out`, its members written by `body`. The buffer moves into the
    /// writer and back (no copy), so building a large list object by object stays linear.
    public static func write(into out: inout [UInt8], _ body: (inout JSONObjectWriter) -> Void) {
        var writer = JSONObjectWriter()
        swap(&writer.bytes, &out)
        writer.bytes.append(UInt8(ascii: "{"))
        body(&writer)
        writer.bytes.append(UInt8(ascii: "}"))
        swap(&writer.bytes, &out)
    }

    /// One object on its own.
    public static func object(_ body: (inout JSONObjectWriter) -> Void) -> [UInt8] {
        var out: [UInt8] = []
        write(into: &out, body)
        return out
    }

    private mutating func key(_ name: StaticString) {
        if !empty { bytes.append(UInt8(ascii: ",")) }
        empty = false
        bytes.append(UInt8(ascii: "\""))
        name.withUTF8Buffer { bytes.append(contentsOf: $0) }
        bytes.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
    }

    private mutating func null() { bytes.append(contentsOf: [0x6E, 0x75, 0x6C, 0x6C]) }

    /// `"name": "value"`, or `null` when nil.
    public mutating func string(_ name: StaticString, _ value: String?) {
        key(name)
        if let value { JSONText.appendQuoted(value, to: &bytes) } else { null() }
    }

    public mutating func bool(_ name: StaticString, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: (value ? "true" : "false").utf8)
    }

    /// An integer, or `null` when nil.
    public mutating func int(_ name: StaticString, _ value: Int64?) {
        key(name)
        if let value { bytes.append(contentsOf: String(value).utf8) } else { null() }
    }

    /// Milliseconds as an RFC 3339 string, or `null` when nil.
    public mutating func time(_ name: StaticString, _ millis: Int64?) {
        key(name)
        guard let millis else { return null() }
        bytes.append(UInt8(ascii: "\""))
        RFC3339.append(millis: millis, to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    /// A UUID in its lowercase text form.
    public mutating func uuid(_ name: StaticString, _ value: UUID) {
        key(name)
        value.appendLowercased(to: &bytes)
    }

    /// A UUID in its lowercase text form, or `null` when nil.
    public mutating func optionalUUID(_ name: StaticString, _ value: UUID?) {
        guard let value else {
            key(name)
            return null()
        }
        uuid(name, value)
    }

    /// A number as Swift writes a `Double` (the shortest text that reads back the same);
    /// `null` for a value JSON cannot hold (NaN, infinity).
    public mutating func double(_ name: StaticString, _ value: Double) {
        key(name)
        if value.isFinite { bytes.append(contentsOf: "\(value)".utf8) } else { null() }
    }

    /// An array of objects, each written by `body`.
    public mutating func objects<Element>(_ name: StaticString, _ elements: some Sequence<Element>, _ body: (inout JSONObjectWriter, Element) -> Void) {
        key(name)
        list(elements, "[", "]") { bytes, element in Self.write(into: &bytes) { body(&$0, element) } }
    }

    /// An array of JSON values written already (stored bytes, copied as they are).
    public mutating func rawArray<Element: Collection<UInt8>>(_ name: StaticString, _ elements: some Sequence<Element>) {
        key(name)
        list(elements, "[", "]") { bytes, element in bytes.append(contentsOf: element) }
    }

    /// An object of string members, in the order given.
    public mutating func stringObject(_ name: StaticString, _ members: some Sequence<(key: String, value: String)>) {
        key(name)
        list(members, "{", "}") { bytes, member in
            JSONText.appendQuoted(member.key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            JSONText.appendQuoted(member.value, to: &bytes)
        }
    }

    /// `open`, the elements written by `write` and separated by commas, `close`.
    private mutating func list<Element>(
        _ elements: some Sequence<Element>, _ open: Unicode.Scalar, _ close: Unicode.Scalar, _ write: (inout [UInt8], Element) -> Void
    ) {
        bytes.append(UInt8(ascii: open))
        var first = true
        for element in elements {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            write(&bytes, element)
        }
        bytes.append(UInt8(ascii: close))
    }

    /// A nested object written by `body`.
    public mutating func object(_ name: StaticString, _ body: (inout JSONObjectWriter) -> Void) {
        key(name)
        Self.write(into: &bytes, body)
    }
}

extension UUID {
    /// Appends `"` + `lowercasedString` + `"` without building the string.
    func appendLowercased(to out: inout [UInt8]) {
        let hex: StaticString = "0123456789abcdef"
        out.append(UInt8(ascii: "\""))
        withUnsafeBytes(of: uuid) { bytes in
            hex.withUTF8Buffer { digits in
                for (i, byte) in bytes.enumerated() {
                    if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
                    out.append(digits[Int(byte >> 4)])
                    out.append(digits[Int(byte & 0xF)])
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
