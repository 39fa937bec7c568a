import NIOCore
import PostgresNIO

/// An element of a ``PackedArray``: fixed width, written big-endian as PostgreSQL's binary
/// format has it.
protocol PackedArrayElement: Sendable {
    static var elementType: PostgresDataType { get }
    static var arrayType: PostgresDataType { get }
    static var width: Int { get }
    /// The element's bits, big-endian, into `to` (which has `width` bytes).
    func store(to: UnsafeMutableRawBufferPointer, at offset: Int)
}

/// A one-dimensional array without NULLs bound as a parameter in PostgreSQL's binary array
/// format, written in one pass into one reserved region of the buffer. PostgresNIO's own
/// `Array` encoding writes each element through its generic `encodeRaw`, which on a 10,000-row
/// sample batch costs more than the rest of the request's encoding together.
struct PackedArray<Element: PackedArrayElement>: PostgresNonThrowingEncodable {
    var elements: [Element]

    init(_ elements: [Element]) { self.elements = elements }

    static var psqlType: PostgresDataType { Element.arrayType }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>) {
        buffer.writeInteger(elements.isEmpty ? 0 : 1, as: Int32.self)  // dimensions
        buffer.writeInteger(0, as: Int32.self)  // no NULLs
        buffer.writeInteger(Element.elementType.rawValue)
        guard !elements.isEmpty else { return }
        buffer.writeInteger(Int32(elements.count))  // length
        buffer.writeInteger(1, as: Int32.self)  // lower bound
        let width = Element.width
        let size = elements.count * (4 + width)
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: size) { raw in
            var offset = 0
            for element in elements {
                raw.storeBytes(of: UInt32(width).bigEndian, toByteOffset: offset, as: UInt32.self)
                element.store(to: raw, at: offset + 4)
                offset += 4 + width
            }
            return size
        }
    }
}

/// The integers: their big-endian bytes, as wide as the type.
extension PackedArrayElement where Self: FixedWidthInteger {
    static var width: Int { MemoryLayout<Self>.size }
    func store(to raw: UnsafeMutableRawBufferPointer, at offset: Int) {
        raw.storeBytes(of: bigEndian, toByteOffset: offset, as: Self.self)
    }
}

extension Int16: PackedArrayElement {
    static var elementType: PostgresDataType { .int2 }
    static var arrayType: PostgresDataType { .int2Array }
}

extension Int32: PackedArrayElement {
    static var elementType: PostgresDataType { .int4 }
    static var arrayType: PostgresDataType { .int4Array }
}

extension Int64: PackedArrayElement {
    static var elementType: PostgresDataType { .int8 }
    static var arrayType: PostgresDataType { .int8Array }
}

extension Double: PackedArrayElement {
    static var elementType: PostgresDataType { .float8 }
    static var arrayType: PostgresDataType { .float8Array }
    static var width: Int { 8 }
    func store(to raw: UnsafeMutableRawBufferPointer, at offset: Int) {
        raw.storeBytes(of: bitPattern.bigEndian, toByteOffset: offset, as: UInt64.self)
    }
}
