import Foundation
import Sync
import Testing

/// The hand-written JSON of tasks, changes and records must say exactly what their `Codable`
/// form says: same bytes as `JSONEncoder` with sorted keys, and the same value when decoded.
@Suite struct JSONWriterTests {
    let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static let texts = [
        "Buy milk", "", "quote \" and back\\slash", "a/b path", "tab\there, new\nline, cr\r",
        "ünïcödé ✓ 🥛 日本語", "bell \u{07} nul \u{00} esc \u{1B} del \u{7F}",
    ]
    let t0: Int64 = 1_763_788_800_123

    func items() -> [TaskItem] {
        Self.texts.enumerated().map { i, text in
            TaskItem(
                id: UUID(), title: text.isEmpty ? "x" : text, notes: text, dueAt: i % 2 == 0 ? t0 + Int64(i) * 1000 : nil,
                assignee: i % 3 == 0 ? nil : text, done: i % 2 == 1, completedAt: i % 2 == 1 ? t0 - 86_400_000 * Int64(i) : nil,
                createdAt: t0 - Int64(i) * 3_600_000_000, updatedAt: t0 + Int64(i), origin: "rpi-worker-\(i)")
        }
    }

    @Test func theTaskListIsWhatJSONEncoderWrites() throws {
        let tasks = items()
        let written = TaskItem.listJSON(tasks)
        #expect(try JSONDecoder().decode([String: [TaskItem]].self, from: Data(written)) == ["tasks": tasks])
        // Byte for byte, for text without control characters (which both escape, maybe differently).
        let plain = tasks.filter { !$0.notes.unicodeScalars.contains { $0.value < 0x20 } }
        #expect(
            String(decoding: TaskItem.listJSON(plain), as: UTF8.self)
                == String(decoding: try encoder.encode(["tasks": plain]), as: UTF8.self))
        #expect(TaskItem.listJSON([]) == Array(#"{"tasks":[]}"#.utf8))
    }

    @Test func oldAndFarDatesKeepTheirDigits() throws {
        for millis: Int64 in [0, 1, 999, 1000, 86_399_999, -1, -62_135_596_800_000, 253_402_300_799_999] {
            var bytes: [UInt8] = []
            RFC3339.append(millis: millis, to: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == RFC3339.format(millis: millis))
            #expect(RFC3339.parse(RFC3339.format(millis: millis)) == millis || millis < 0)
        }
        #expect(RFC3339.format(millis: 1_763_788_800_123) == "2025-11-22T05:20:00.123Z")
        #expect(RFC3339.format(millis: 0) == "1970-01-01T00:00:00Z")
    }

    @Test func changesAndRecordsAreWhatJSONEncoderWrites() throws {
        var record = TaskRecord(id: UUID(), createdAt: t0, origin: "a")
        for (i, text) in Self.texts.enumerated() {
            let stamp = HLCTimestamp(physical: t0 + Int64(i), counter: UInt16(i), node: "node-\(i)")
            let patches = [
                TaskPatch(title: text, notes: text),
                TaskPatch(dueAt: FieldValue(i % 2 == 0 ? t0 : nil), assignee: FieldValue(i % 2 == 0 ? nil : text)),
                TaskPatch(done: DoneState(done: i % 2 == 0, completedAt: t0), deleted: i == Self.texts.count - 1),
            ]
            for patch in patches {
                let change = TaskChange(id: UUID(), taskID: record.id, stamp: stamp, createdAt: t0, origin: "a", patch: patch)
                #expect(try JSONDecoder().decode(TaskChange.self, from: Data(change.json())) == change)
                record = TaskMerge.apply(change, to: record).record
                #expect(try JSONDecoder().decode(TaskRecord.self, from: Data(record.json())) == record)
                if !text.unicodeScalars.contains(where: { $0.value < 0x20 }) {
                    #expect(change.json() == Array(try encoder.encode(change)))
                    #expect(record.json() == Array(try encoder.encode(record)))
                }
            }
        }
        #expect(record.deleted && record.deletedStamp != nil)
    }
}
