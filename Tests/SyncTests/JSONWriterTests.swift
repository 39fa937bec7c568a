import Foundation
import Sync
import TestSupport
import Testing

/// Any JSON value, read and written by Foundation's `Codable` machinery: the reference the
/// writers are held to. Decoding a writer's output into it and encoding it again with
/// `JSONEncoder` (sorted keys) must give the writer's bytes back.
enum JSONValue: Codable, Equatable {
    case null, bool(Bool), int(Int64), double(Double), string(String), array([JSONValue]), object([String: JSONValue])

    init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let v = try? c.decode(Bool.self) {
            self = .bool(v)
        } else if let v = try? c.decode(Int64.self) {
            self = .int(v)
        } else if let v = try? c.decode(Double.self) {
            self = .double(v)
        } else if let v = try? c.decode(String.self) {
            self = .string(v)
        } else if let v = try? c.decode([JSONValue].self) {
            self = .array(v)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        switch self {
        case .null: try c.encodeNil()
        case .bool(let v): try c.encode(v)
        case .int(let v): try c.encode(v)
        case .double(let v): try c.encode(v)
        case .string(let v): try c.encode(v)
        case .array(let v): try c.encode(v)
        case .object(let v): try c.encode(v)
        }
    }
}

/// Every wire type with task data has one encoder, its writer (`json()`); `Decodable` reads.
/// Across generated values: the writer's output decodes to the same value, and (for text
/// without control characters, which JSON allows to be escaped more than one way) it is
/// byte for byte what `JSONEncoder` with sorted keys writes for the same JSON.
@Suite struct JSONWriterTests {
    let reference: JSONEncoder = {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    static let texts = [
        "Buy milk", "", "quote \" and back\\slash", "a/b path", "ünïcödé ✓ 🥛 日本語", "tab\there, new\nline, cr\r",
        "bell \u{07} nul \u{00} esc \u{1B} del \u{7F}", "</script>", "  spaced  ",
    ]
    let t0: Int64 = 1_763_788_800_123

    /// The writer's bytes against the reference; `plain`: byte equality is expected.
    func check<T: Decodable & Equatable>(_ value: T, _ json: [UInt8], plain: Bool, _ what: String) throws {
        #expect(try JSONDecoder().decode(T.self, from: Data(json)) == value, "\(what) does not read back")
        let canonical = try reference.encode(try JSONDecoder().decode(JSONValue.self, from: Data(json)))
        if plain {
            #expect(String(decoding: json, as: UTF8.self) == String(decoding: canonical, as: UTF8.self), "\(what)")
        }
    }

    static func plain(_ texts: String?...) -> Bool {
        texts.allSatisfy { ($0 ?? "").unicodeScalars.allSatisfy { $0.value >= 0x20 || $0 == "\n" || $0 == "\r" || $0 == "\t" } }
    }

    func text(_ random: inout SeededRandom) -> String { Self.texts.randomElement(using: &random)! }

    func stamp(_ random: inout SeededRandom) -> HLCTimestamp {
        HLCTimestamp(
            physical: t0 + Int64.random(in: -10_000_000...10_000_000, using: &random), counter: UInt16.random(in: 0...3, using: &random),
            node: ["rpi-worker-1", "central", "b"].randomElement(using: &random)!)
    }

    func patch(_ random: inout SeededRandom) -> TaskPatch {
        var patch = TaskPatch()
        if Bool.random(using: &random) { patch.title = text(&random) }
        if Bool.random(using: &random) { patch.notes = text(&random) }
        if Bool.random(using: &random) { patch.dueAt = Bool.random(using: &random) ? .null : .value(t0 + Int64.random(in: -9...9, using: &random)) }
        if Bool.random(using: &random) { patch.assignee = Bool.random(using: &random) ? .null : .value(text(&random)) }
        if Bool.random(using: &random) { patch.done = DoneState(done: Bool.random(using: &random), completedAt: t0 - 86_400_000) }
        if Bool.random(using: &random) { patch.deleted = Bool.random(using: &random) }
        if Bool.random(using: &random) { patch.repeatRule = Bool.random(using: &random) ? .null : .value("every 3d after done") }
        if Int.random(in: 0..<4, using: &random) == 0 { patch.series = UUID() }
        return patch
    }

    func item(_ random: inout SeededRandom) -> TaskItem {
        let done = Bool.random(using: &random)
        return TaskItem(
            id: UUID(), title: text(&random), notes: text(&random), dueAt: Bool.random(using: &random) ? t0 : nil,
            assignee: Bool.random(using: &random) ? nil : text(&random), done: done, completedAt: done ? t0 - 1 : nil,
            createdAt: t0 - 3_600_000_000, updatedAt: t0 + 999, origin: "rpi-worker-2",
            repeatRule: Bool.random(using: &random) ? "weekly:mon,thu" : nil, series: Bool.random(using: &random) ? UUID() : nil)
    }

    @Test(arguments: 1...20 as ClosedRange<UInt64>)
    func everyWireTypeIsWrittenAsTheReferenceEncoderWritesIt(seed: UInt64) throws {
        var random = SeededRandom(seed: seed)
        var record: TaskRecord?
        var changes: [TaskChange] = []
        for _ in 0..<25 {
            let patch = patch(&random)
            let plainPatch = Self.plain(patch.title, patch.notes, patch.assignee?.optional)
            try check(patch, patch.json(), plain: plainPatch, "patch")
            let change = TaskChange(
                id: UUID(), taskID: record?.id ?? UUID(), stamp: stamp(&random), createdAt: t0, origin: "rpi-worker-1", patch: patch)
            try check(change, change.json(), plain: plainPatch, "change")
            changes.append(change)
            record = TaskMerge.apply(change, to: record).record
            let merged = record!
            try check(merged, merged.json(), plain: Self.plain(merged.title, merged.notes, merged.assignee), "record")
            let item = item(&random)
            try check(item, item.json(), plain: Self.plain(item.title, item.notes, item.assignee), "task")
        }
        let plainChanges = changes.filter { Self.plain($0.patch.title, $0.patch.notes, $0.patch.assignee?.optional) }
        let push = SyncWire.ChangePush(node: "rpi-worker-1", changes: plainChanges)
        try check(push, push.json(), plain: true, "push")
        let proofs = Dictionary(uniqueKeysWithValues: plainChanges.map { ($0.id.lowercasedString, String(repeating: "ab", count: 32)) })
        let snapshot = SyncWire.ChangePush(node: "b", mode: .snapshot, changes: plainChanges, proofs: proofs)
        try check(snapshot, snapshot.json(), plain: true, "snapshot push")
        // The push around stored bytes is the same as the push of the values.
        #expect(SyncWire.ChangePush.json(node: "b", mode: .snapshot, changes: plainChanges.map { $0.json() }, proofs: proofs) == snapshot.json())
        for page in [
            SyncWire.ChangePage(changes: plainChanges, cursor: FeedCursor(seq: 42, tag: 0xabc), more: true),
            SyncWire.ChangePage(changes: [], cursor: .start, more: false, stampFloor: stamp(&random), proofs: proofs),
        ] {
            try check(page, page.json(), plain: true, "page")
        }
        let items = (0..<5).map { _ in item(&random) }.filter { Self.plain($0.title, $0.notes, $0.assignee) }
        try check(["tasks": items], TaskItem.listJSON(items), plain: true, "task list")
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

    @Test func prettyJSONIsWhatJSONEncoderPrettyPrints() throws {
        let pretty = JSONEncoder()
        pretty.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var random = SeededRandom(seed: 9)
        let items = (0..<4).map { _ in item(&random) }.filter { Self.plain($0.title, $0.notes, $0.assignee) }
        for json in [items.first.map { $0.json() } ?? [], TaskItem.listJSON(items), Array(#"{"a":[1,{"b":"x:,{}[]\"y"}],"c":true}"#.utf8)] {
            let value = try JSONDecoder().decode(JSONValue.self, from: Data(json))
            #expect(JSONText.pretty(json) == String(decoding: try pretty.encode(value), as: UTF8.self))
        }
    }
}
