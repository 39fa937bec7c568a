#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Arrays packed into BLOB columns.
///
/// Values use a lossless compact encoding, because every reading is one row and smaller rows
/// mean fewer pages written per commit (SD cards wear by pages written): a value that is
/// exactly `n / 10^k` for an integer `n` below 2^53 and `k` in 0...3 (counters, byte counts,
/// temperatures in millidegrees, CPU seconds in hundredths) is stored as the varint of
/// `zigzag(n) << 2 | k`, 1 to 8 bytes; anything else as a marker byte and its 8 raw bytes.
/// Decoding gives back the identical `Double` bits. Series ids are packed Int32.
enum Packed {
    /// First byte of an encoded value array.
    static let formatVersion: UInt8 = 1
    /// Marker for a raw Float64; no varint written by `encode` starts with this byte.
    static let rawMarker: UInt8 = 0xFF

    private static let scales: [Double] = [1, 10, 100, 1000]

    static func doubles(_ values: [Double]) -> Data {
        var bytes: [UInt8] = [formatVersion]
        bytes.reserveCapacity(values.count * 5 + 1)
        for value in values { encode(value, into: &bytes) }
        return Data(bytes)
    }

    static func doubles(_ data: Data) -> [Double] {
        data.withUnsafeBytes { raw in
            var values: [Double] = []
            var offset = 1
            guard raw.first == formatVersion else { return [] }
            while offset < raw.count, let value = decode(raw, &offset) { values.append(value) }
            return values
        }
    }

    /// The value at `index`, decoding the values before it.
    static func double(_ data: Data, at index: Int) -> Double? {
        data.withUnsafeBytes { raw in
            guard index >= 0, raw.first == formatVersion else { return nil }
            var offset = 1
            for _ in 0..<index {
                guard decode(raw, &offset) != nil else { return nil }
            }
            return decode(raw, &offset)
        }
    }

    static func encode(_ value: Double, into bytes: inout [UInt8]) {
        if value.isFinite, abs(value) < 9.0e15 {
            for (k, scale) in scales.enumerated() {
                let scaled = (value * scale).rounded()
                guard abs(scaled) < 9.0e15 else { break }
                let n = Int64(scaled)
                if Double(n) / scale == value, (Double(n) / scale).bitPattern == value.bitPattern {
                    let zigzag = UInt64(bitPattern: (n << 1) ^ (n >> 63))
                    let header = zigzag << 2 | UInt64(k)
                    // A varint whose first byte would be 0xFF (low bits all set, more to follow)
                    // would read as the raw marker: store those few values raw instead.
                    if header & 0x7F == 0x7F && header > 0x7F { break }
                    var v = header
                    while v >= 0x80 {
                        bytes.append(UInt8(v & 0x7F) | 0x80)
                        v >>= 7
                    }
                    bytes.append(UInt8(v))
                    return
                }
            }
        }
        bytes.append(rawMarker)
        withUnsafeBytes(of: value.bitPattern.littleEndian) { bytes.append(contentsOf: $0) }
    }

    static func decode(_ raw: UnsafeRawBufferPointer, _ offset: inout Int) -> Double? {
        guard offset < raw.count else { return nil }
        if raw[offset] == rawMarker {
            guard offset + 9 <= raw.count else { return nil }
            let bits = raw.loadUnaligned(fromByteOffset: offset + 1, as: UInt64.self)
            offset += 9
            return Double(bitPattern: UInt64(littleEndian: bits))
        }
        var header: UInt64 = 0, shift: UInt64 = 0
        while offset < raw.count {
            let byte = raw[offset]
            offset += 1
            header |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 {
                let zigzag = header >> 2
                let n = Int64(bitPattern: zigzag >> 1) ^ -Int64(bitPattern: zigzag & 1)
                return Double(n) / scales[Int(header & 3)]
            }
            shift += 7
            if shift > 63 { return nil }
        }
        return nil
    }

    static func ids(_ ids: [Int64]) -> Data {
        var data = Data(count: ids.count * 4)
        data.withUnsafeMutableBytes { raw in
            for (i, id) in ids.enumerated() {
                raw.storeBytes(of: Int32(truncatingIfNeeded: id).littleEndian, toByteOffset: i * 4, as: Int32.self)
            }
        }
        return data
    }

    static func ids(_ data: Data) -> [Int64] {
        data.withUnsafeBytes { raw in
            (0..<raw.count / 4).map { Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))) }
        }
    }
}
