import ArgumentParser
import CommandLineSupport
import CompressNIO
import Foundation
import LocalStore
import NIOCore
import Sync

/// `push-encode`: the agent's CPU to turn a 500-change batch of its change log into the
/// gzip-compressed body of `POST /v1/sync/changes`. Before: each change parsed from the log and
/// encoded again with `JSONEncoder` (the `Codable` encoders the wire types had). After: the
/// bytes the log holds, written once when the change was made, copied into the body.
struct PushEncodeBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "push-encode", abstract: "CPU to encode and compress a push batch.")
    @Option(help: "Changes per batch.") var batch = 500
    @Option(help: "Rounds (each encodes `batches` batches per path); the median round is reported.") var rounds = 15
    @Option(help: "Batches per round.") var batches = 20
    @Option(help: "Scratch directory (removed afterwards).") var scratch = "/tmp"

    func run() throws {
        let dir = scratch + "/edge-push-encode-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try LocalStore(directory: dir, configuration: .init(nodeName: "rpi-worker-1"))
        for i in 0..<batch {
            let task = try store.createTask(NewTask(title: "Take the bins out \(i)", notes: "green one on Thursdays", assignee: "sam"))
            if i % 3 == 0 { _ = try store.updateTask(id: task.id, TaskPatch(done: DoneState(done: true, completedAt: nil))) }
        }
        let pending = try store.pendingChanges(limit: batch)
        guard pending.count == batch else { throw ValidationError("expected \(batch) pending changes, found \(pending.count)") }
        let before = try LegacyChangePush(node: "rpi-worker-1", changes: pending.map { try JSONDecoder().decode(TaskChange.self, from: Data($0.body)) })
        let after = SyncWire.ChangePush.json(node: "rpi-worker-1", changes: pending.map(\.body))
        // The same request either way (the key order aside).
        let same = try JSONDecoder().decode(SyncWire.ChangePush.self, from: JSONEncoder().encode(before))
        guard same == (try JSONDecoder().decode(SyncWire.ChangePush.self, from: Data(after))) else { throw ValidationError("the two bodies differ") }

        func gzip(_ bytes: some Sequence<UInt8>) throws -> Int {
            var buffer = ByteBuffer(bytes: bytes)
            return try buffer.compress(with: .gzip()).readableBytes
        }
        let paths: [() throws -> Int] = [
            { try store.pendingChanges(limit: batch).count },
            {
                let changes = try store.pendingChanges(limit: batch).map { try JSONDecoder().decode(TaskChange.self, from: Data($0.body)) }
                return try gzip(try JSONEncoder().encode(LegacyChangePush(node: "rpi-worker-1", changes: changes)))
            },
            { try gzip(SyncWire.ChangePush.json(node: "rpi-worker-1", changes: try store.pendingChanges(limit: batch).map(\.body))) },
        ]
        // A warm-up batch each, then the paths in turn within every round (the machine's load
        // drifts alike for all three); per-batch process CPU, median over the rounds.
        var sink = 0
        for path in paths { sink &+= try path() }
        var samples: [[Double]] = paths.map { _ in [] }
        for _ in 0..<rounds {
            for (n, path) in paths.enumerated() {
                let start = CPUTime.now()
                for _ in 0..<batches { sink &+= try path() }
                samples[n].append((CPUTime.now() - start) * 1000 / Double(batches))
            }
        }
        precondition(sink != 0)
        let medians = samples.map { $0.sorted()[$0.count / 2] }
        let (read, legacy, stored) = (medians[0], medians[1], medians[2])
        let f = { (v: Double) in String(format: "%.2f", v) }
        Output.line("push-encode: \(batch)-change batch, \(after.count) bytes of JSON, median of \(rounds) rounds of \(batches) batches (process CPU)")
        Output.line("push-encode: reading the batch from the change log: \(f(read)) ms (both paths)")
        Output.line(
            "push-encode: read + encode + gzip, before (parse, JSONEncoder): \(f(legacy)) ms; after (stored bytes): \(f(stored)) ms; "
                + "encode + gzip alone \(f(legacy - read)) -> \(f(stored - read)) ms (\(f((legacy - read) / max(stored - read, 0.001)))x less)")
    }
}

/// The `Codable` encoding the wire types had until each got one encoder: kept here only to
/// measure what it cost.
struct LegacyChangePush: Encodable {
    var node: String
    var mode = "log"
    var changes: [LegacyChange]

    init(node: String, changes: [TaskChange]) throws {
        self.node = node
        self.changes = changes.map(LegacyChange.init)
    }

    struct LegacyChange: Encodable {
        let change: TaskChange
        enum Keys: String, CodingKey {
            case id = "change_id", taskID = "task_id", stamp, origin, patch = "set", createdAt = "created_at"
            case title, notes, assignee, done, deleted, series, dueAt = "due_at", completedAt = "completed_at", repeatRule = "repeat"
        }

        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(change.id.lowercasedString, forKey: .id)
            try c.encode(change.taskID.lowercasedString, forKey: .taskID)
            try c.encode(change.stamp.description, forKey: .stamp)
            try c.encode(RFC3339.format(millis: change.createdAt), forKey: .createdAt)
            try c.encode(change.origin, forKey: .origin)
            var p = c.nestedContainer(keyedBy: Keys.self, forKey: .patch)
            let patch = change.patch
            try p.encodeIfPresent(patch.title, forKey: .title)
            try p.encodeIfPresent(patch.notes, forKey: .notes)
            if let dueAt = patch.dueAt { try p.encode(dueAt.optional.map(RFC3339.format(millis:)), forKey: .dueAt) }
            if let assignee = patch.assignee { try p.encode(assignee.optional, forKey: .assignee) }
            if let done = patch.done {
                try p.encode(done.done, forKey: .done)
                try p.encode(done.completedAt.map(RFC3339.format(millis:)), forKey: .completedAt)
            }
            try p.encodeIfPresent(patch.deleted, forKey: .deleted)
            if let repeatRule = patch.repeatRule { try p.encode(repeatRule.optional, forKey: .repeatRule) }
            try p.encodeIfPresent(patch.series?.lowercasedString, forKey: .series)
        }
    }
}
