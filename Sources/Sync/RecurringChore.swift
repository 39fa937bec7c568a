#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The identity of a recurring chore's occurrences. Completing an occurrence creates the next
/// one under an ID derived from the completed one, so two replicas that complete the same
/// occurrence while apart create the same record, and the merge unites them: exactly one next
/// occurrence, whatever the order of delivery. The due time and the rest of the new record
/// are computed where the zone is known (`HouseholdTime`, `RecurringChorePlan`).
public enum RecurringChore {
    /// The ID of the occurrence after `taskID`: its 128 bits through a fixed bijective mix
    /// (two rounds of a 64-bit finaliser across both halves), marked as an RFC 9562 version 8
    /// (custom) UUID. A random (version 4) ID can never equal one, and two different
    /// occurrences practically never share a successor.
    public static func nextID(after taskID: UUID) -> UUID {
        let b = taskID.uuid
        var hi: UInt64 = 0, lo: UInt64 = 0
        withUnsafeBytes(of: b) { raw in
            for i in 0..<8 { hi = hi << 8 | UInt64(raw[i]) }
            for i in 8..<16 { lo = lo << 8 | UInt64(raw[i]) }
        }
        for round in 0..<2 {
            hi = mix(hi ^ 0x6564_6765_2D61_6765 &+ UInt64(round))  // "edge-age"
            lo = mix(lo ^ hi)
            hi = mix(hi ^ lo)
        }
        var bytes = [UInt8](repeating: 0, count: 16)
        for i in 0..<8 {
            bytes[i] = UInt8(truncatingIfNeeded: hi >> (56 - 8 * i))
            bytes[8 + i] = UInt8(truncatingIfNeeded: lo >> (56 - 8 * i))
        }
        bytes[6] = bytes[6] & 0x0F | 0x80  // version 8
        bytes[8] = bytes[8] & 0x3F | 0x80  // RFC 9562 variant
        return UUID(
            uuid: (
                bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7],
                bytes[8], bytes[9], bytes[10], bytes[11], bytes[12], bytes[13], bytes[14], bytes[15]
            ))
    }

    /// splitmix64's finaliser: a bijection of 64-bit values.
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Whether `record` is still as its creation left it: every field carries one stamp.
    /// Undoing a completion withdraws the generated next occurrence only then.
    public static func isUntouched(_ record: TaskRecord) -> Bool {
        let stamps = record.fieldStamps.compactMap { $0 }
        guard let first = stamps.first else { return true }
        return stamps.allSatisfy { $0 == first }
    }
}
