#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Arrays packed as little-endian bytes for BLOB columns: Float64 values and Int32 series ids.
enum Packed {
    static func doubles(_ values: [Double]) -> Data {
        var data = Data(count: values.count * 8)
        data.withUnsafeMutableBytes { raw in
            for (i, v) in values.enumerated() {
                raw.storeBytes(of: v.bitPattern.littleEndian, toByteOffset: i * 8, as: UInt64.self)
            }
        }
        return data
    }

    static func doubles(_ data: Data) -> [Double] {
        data.withUnsafeBytes { raw in
            (0..<raw.count / 8).map { Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: UInt64.self))) }
        }
    }

    static func double(_ data: Data, at index: Int) -> Double? {
        data.withUnsafeBytes { raw in
            guard index >= 0, (index + 1) * 8 <= raw.count else { return nil }
            return Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index * 8, as: UInt64.self)))
        }
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
