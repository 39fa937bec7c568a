import Foundation
import Testing

@testable import LocalStore

@Suite struct PackedValuesTests {
    @Test func everyValueComesBackBitForBit() {
        var values: [Double] = [
            0, -0.0, 1, -1, 0.1, 0.52, 48.686, 213_320.45, 1_800_000_000, 3_978_678_272, 1e15, -1e15,
            9.1e15, 1e300, -1e-300, .pi, Double.leastNonzeroMagnitude, 127 / 4, Double(Int64(1) << 53), 0.001, 0.0005,
        ]
        var random = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            switch Int.random(in: 0..<4, using: &random) {
            case 0: values.append(Double(Int64.random(in: -1_000_000_000_000...1_000_000_000_000, using: &random)))
            case 1: values.append(Double(Int64.random(in: -10_000_000...10_000_000, using: &random)) / 100)
            case 2: values.append(Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &random) & 0x7FEF_FFFF_FFFF_FFFF))
            default: values.append(Double.random(in: -1e6...1e6, using: &random))
            }
        }
        let decoded = Packed.doubles(Packed.doubles(values))
        #expect(decoded.count == values.count)
        let mismatches = zip(values, decoded).filter { $0.0.bitPattern != $0.1.bitPattern }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(5))")
        for index in [0, 7, 100, values.count - 1] {
            #expect(Packed.double(Packed.doubles(values), at: index)?.bitPattern == values[index].bitPattern)
        }
        #expect(Packed.double(Packed.doubles(values), at: values.count) == nil)
    }

    @Test func typicalNodeValuesTakeFewBytes() {
        let values: [Double] = [0.52, 48.686, 213_320.45, 1_800_000_000, 3_978_678_272, 0, 1]
        #expect(Packed.doubles(values).count <= 1 + 2 + 3 + 4 + 5 + 5 + 1 + 1)
    }
}
