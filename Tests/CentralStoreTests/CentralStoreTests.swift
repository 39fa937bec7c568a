import Foundation
import Logging
import PostgresNIO
import Sync
import TestSupport
import Testing

@testable import CentralStore

/// Central's store against a real PostgreSQL 15.
@Suite(.enabled(if: TestDatabase.available, "needs EDGE_TEST_DATABASE_URL (scripts/with-postgres.sh)"), .serialized)
struct CentralStoreTests {
    let t0 = WallClock.system.nowMillis() - 3_600_000

    func change(_ task: UUID, _ physical: Int64, _ node: String, _ patch: TaskPatch, counter: UInt16 = 0) -> TaskChange {
        TaskChange(
            id: UUID(), taskID: task, stamp: HLCTimestamp(physical: physical, counter: counter, node: node),
            createdAt: t0, origin: "pi-a", patch: patch)
    }

    func node(_ store: CentralStore, _ name: String) async throws -> (AuthenticatedNode, String) {
        let token = try await store.addNode(name)
        let node = try #require(try await store.authenticate(token: token))
        #expect(node.name == name)
        return (node, token)
    }

    @Test func nodesLearnEachOthersAddressesAndRevokedOnesAreLeftOut() async throws {
        try await TestDatabase.withStore { store, _ in
            let (a, _) = try await node(store, "pi-a")
            let (b, _) = try await node(store, "pi-b")
            let (c, _) = try await node(store, "pi-c")
            #expect(try await store.exchangePeers(a, url: "http://192.168.1.11:8080") == [])
            #expect(try await store.exchangePeers(b, url: "http://pi-b.local") == ["http://192.168.1.11:8080"])
            #expect(try await store.exchangePeers(c, url: nil) == ["http://192.168.1.11:8080", "http://pi-b.local"])
            try await store.revokeNode("pi-b")
            #expect(try await store.exchangePeers(c, url: nil) == ["http://192.168.1.11:8080"])
            #expect(try await store.exchangePeers(a, url: nil) == [], "nil withdraws the address")
            #expect(try await store.exchangePeers(c, url: "http://pi-c.local") == [])
        }
    }

    @Test func migrationsRunOnceWhenStartedTogether() async throws {
        try await TestDatabase.withStore { first, url in
            var logger = Logger(label: "t")
            logger.logLevel = .warning
            // Two more stores (as two replicas would) racing to migrate a database the fixture
            // already migrated: both wait on the lock and apply nothing; each migration is
            // recorded once. (Two processes racing on an empty database: Tests/sync.)
            let a = try CentralStore(url: try DatabaseURL(url), poolSize: 2, logger: logger)
            let b = try CentralStore(url: try DatabaseURL(url), poolSize: 2, logger: logger)
            let ra = Task { await a.run() }
            let rb = Task { await b.run() }
            async let x = a.migrate()
            async let y = b.migrate()
            let (appliedA, appliedB) = try await (x, y)
            #expect(appliedA.isEmpty && appliedB.isEmpty)
            let counts = try await first.postgresClient.query("SELECT count(*), count(DISTINCT name) FROM schema_migration")
                .decode((Int64, Int64).self).reduce(into: []) { $0.append($1) }
            #expect(counts.first?.0 == counts.first?.1)
            #expect(counts.first?.0 == Int64(CentralMigrations.all.count))  // every migration, once
            ra.cancel(); rb.cancel()
        }
    }

    @Test func aReplayedPushIsAlreadyKnownAndAddsNothing() async throws {
        try await TestDatabase.withStore { store, _ in
            let (a, _) = try await node(store, "pi-a")
            let task = UUID()
            let batch = [
                change(task, t0, "pi-a", try NewTask(title: "Milk").validatedPatch()),
                change(task, t0 + 5, "pi-a", TaskPatch(assignee: .value("mum"))),
            ]
            let first = try await store.push(SyncWire.ChangePush(node: "pi-a", changes: batch), from: a)
            #expect(first.map(\.outcome) == [.applied, .applied])
            let feedBefore = try await store.pull(after: .start, limit: 100)
            let again = try await store.push(SyncWire.ChangePush(node: "pi-a", changes: batch), from: a)
            #expect(again.map(\.outcome) == [.alreadyKnown, .alreadyKnown])
            #expect(try await store.pull(after: .start, limit: 100) == feedBefore)
            let item = try #require(try await store.task(id: task))
            #expect(item.title == "Milk" && item.assignee == "mum")
        }
    }

    @Test func tokensWriteOnlyAsTheirOwnNodeAndRevocationIsImmediate() async throws {
        try await TestDatabase.withStore { store, _ in
            let (a, tokenA) = try await node(store, "pi-a")
            _ = try await node(store, "pi-b")
            let task = UUID()
            await #expect(throws: CentralStoreError.self) {
                _ = try await store.push(SyncWire.ChangePush(node: "pi-b", changes: [self.change(task, self.t0, "pi-b", TaskPatch(title: "x"))]), from: a)
            }
            await #expect(throws: CentralStoreError.self) {
                _ = try await store.push(SyncWire.ChangePush(node: "pi-a", changes: [self.change(task, self.t0, "pi-b", TaskPatch(title: "x"))]), from: a)
            }
            await #expect(throws: CentralStoreError.resyncNotOpen) {
                _ = try await store.push(
                    SyncWire.ChangePush(node: "pi-a", mode: .snapshot, changes: [self.change(task, self.t0, "pi-b", TaskPatch(title: "x"))]), from: a)
            }
            #expect(try await store.pull(after: .start, limit: 10).contains(#""changes":[]"#), "a refused batch wrote nothing")
            try await store.revokeNode("pi-a")
            #expect(try await store.authenticate(token: tokenA) == nil)
            #expect(try await store.authenticate(token: tokenA + "x") == nil)
            let rotated = try await store.rotateNode("pi-a")
            #expect(try await store.authenticate(token: rotated)?.name == "pi-a")
            #expect(try await store.authenticate(token: tokenA) == nil)
            await #expect(throws: CentralStoreError.nodeExists("pi-b")) { _ = try await store.addNode("pi-b") }
            await #expect(throws: CentralStoreError.self) { _ = try await store.addNode("central") }
        }
    }

    @Test func aStampFarInTheFutureIsRefusedAloneAndTheRestIsMerged() async throws {
        try await TestDatabase.withStore { store, _ in
            let (a, _) = try await node(store, "pi-a")
            let now = WallClock.system.nowMillis()
            let ok = change(UUID(), now, "pi-a", try NewTask(title: "ok").validatedPatch())
            let ahead = change(UUID(), now + 3_600_000, "pi-a", try NewTask(title: "ahead").validatedPatch())
            let results = try await store.push(SyncWire.ChangePush(node: "pi-a", changes: [ahead, ok]), from: a)
            #expect(results.map(\.outcome) == [.stampInFuture, .applied])
            #expect(results[0].reason?.contains("ahead of central's clock") == true)
            #expect(try await store.tasks(.all).map(\.title) == ["ok"])
        }
    }

    /// Three nodes' interleaved pushes, with duplicates, end where the pure model says.
    @Test func interleavedPushesFromThreeNodesMatchThePureMerge() async throws {
        try await TestDatabase.withStore { store, _ in
            var random = SeededRandom(seed: 11)
            var nodes: [String: AuthenticatedNode] = [:]
            for name in ["pi-a", "pi-b", "pi-c"] { nodes[name] = try await node(store, name).0 }
            let tasks = (0..<6).map { _ in UUID() }
            var perNode: [String: [TaskChange]] = [:]
            var model: [UUID: TaskRecord] = [:]
            for i in 0..<120 {
                let name = ["pi-a", "pi-b", "pi-c"][Int.random(in: 0...2, using: &random)]
                let task = tasks[Int.random(in: 0..<tasks.count, using: &random)]
                var patch = TaskPatch()
                switch Int.random(in: 0...4, using: &random) {
                case 0: patch.title = "title \(i)"
                case 1: patch.notes = "notes \(i)"
                case 2: patch.assignee = .value("who \(i % 5)")
                case 3: patch.done = DoneState(done: Bool.random(using: &random), completedAt: t0 + Int64(i))
                default: patch.deleted = Bool.random(using: &random)
                }
                // Equal physical times across nodes on purpose: the node name breaks ties.
                let c = change(task, t0 + Int64.random(in: 0...30, using: &random), name, patch, counter: UInt16(i))
                perNode[name, default: []].append(c)
                model[task] = TaskMerge.apply(c, to: model[task]).record
            }
            // Interleave per-node batches of 5, each batch pushed twice at random later points.
            var queue: [(String, [TaskChange])] = []
            for (name, changes) in perNode {
                for start in stride(from: 0, to: changes.count, by: 5) {
                    queue.append((name, Array(changes[start..<min(start + 5, changes.count)])))
                }
            }
            queue += queue.shuffled(using: &random)
            queue.shuffle(using: &random)
            for (name, batch) in queue {
                _ = try await store.push(SyncWire.ChangePush(node: name, changes: batch), from: nodes[name]!)
            }
            for task in tasks {
                #expect(try await store.record(id: task) == model[task], "task \(task)")
            }
            // The feed holds each change that altered state once, no more.
            let page = try await store.pull(after: .start, limit: 1000)
            let pulled = try JSONDecoder().decode(SyncWire.ChangePage.self, from: Data(page.utf8))
            #expect(Set(pulled.changes.map(\.id)).count == pulled.changes.count)
            #expect(!pulled.more)
            // Replaying the feed into an empty replica gives central's state.
            var replica: [UUID: TaskRecord] = [:]
            for c in pulled.changes { replica[c.taskID] = TaskMerge.apply(c, to: replica[c.taskID]).record }
            #expect(replica == model.filter { replica[$0.key] != nil })
        }
    }

    /// Concurrent pushers and a reader paging by cursor: the reader sees every applied
    /// change exactly once, and sequence numbers have no gaps.
    @Test func theFeedNeverSkipsUnderConcurrentPushes() async throws {
        try await TestDatabase.withStore(poolSize: 12) { store, _ in
            var nodes: [AuthenticatedNode] = []
            for i in 0..<6 { nodes.append(try await node(store, "pi-\(i)").0) }
            let t0 = self.t0
            let pushed = try await withThrowingTaskGroup(of: [UUID].self) { group in
                for (i, n) in nodes.enumerated() {
                    group.addTask {
                        var ids: [UUID] = []
                        for round in 0..<25 {
                            let c = TaskChange(
                                id: UUID(), taskID: UUID(), stamp: HLCTimestamp(physical: t0 + Int64(round), counter: 0, node: n.name),
                                createdAt: t0, origin: n.name, patch: try NewTask(title: "t\(i)-\(round)").validatedPatch())
                            _ = try await store.push(SyncWire.ChangePush(node: n.name, changes: [c]), from: n)
                            ids.append(c.id)
                        }
                        return ids
                    }
                }
                var seen: [UUID] = []
                var cursor = FeedCursor.start
                // Read while they write.
                while seen.count < nodes.count * 25 {
                    let page = try JSONDecoder().decode(SyncWire.ChangePage.self, from: Data(try await store.pull(after: cursor, limit: 7).utf8))
                    seen += page.changes.map(\.id)
                    cursor = page.cursor
                    if page.changes.isEmpty { try await Task.sleep(for: .milliseconds(5)) }
                }
                var all: [UUID] = []
                for try await ids in group { all += ids }
                #expect(Set(seen) == Set(all))
                #expect(seen.count == all.count, "a change was read twice")
                #expect(cursor.seq == Int64(all.count), "sequence numbers have a gap")
                return all
            }
            #expect(pushed.count == 150)
        }
    }

    @Test func aCursorFromAnotherHistoryIsRefused() async throws {
        try await TestDatabase.withStore { store, _ in
            let (a, _) = try await node(store, "pi-a")
            _ = try await store.push(
                SyncWire.ChangePush(node: "pi-a", changes: [change(UUID(), t0, "pi-a", try NewTask(title: "x").validatedPatch())]), from: a)
            let page = try JSONDecoder().decode(SyncWire.ChangePage.self, from: Data(try await store.pull(after: .start, limit: 10).utf8))
            #expect(page.cursor.seq == 1)
            _ = try await store.pull(after: page.cursor, limit: 10)
            await #expect(throws: CentralStoreError.cursorUnknown(FeedCursor(seq: 1, tag: page.cursor.tag &+ 1).description)) {
                _ = try await store.pull(after: FeedCursor(seq: 1, tag: page.cursor.tag &+ 1), limit: 10)
            }
            await #expect(throws: CentralStoreError.self) { _ = try await store.pull(after: FeedCursor(seq: 99, tag: 0), limit: 10) }
        }
    }

    @Test func samplesAreStoredOnceAndARewoundCentralIsDetected() async throws {
        try await TestDatabase.withStore { store, _ in
            let (a, _) = try await node(store, "pi-a")
            let series = [
                SyncWire.SampleBatch.Series(name: "node_load1", labels: [:]),
                SyncWire.SampleBatch.Series(name: "node_cpu_seconds_total", labels: ["cpu": "0", "mode": "idle"]),
            ]
            var readings: [SyncWire.SampleBatch.Reading] = []
            for i in 0..<50 {
                let values: [Double] = [Double(i) / 7, 1e300 / Double(i + 1)]
                let clock: SyncWire.SampleClock = i < 5 ? .untrusted : .synced
                readings.append(SyncWire.SampleBatch.Reading(ts: t0 + Int64(i) * 15_000, clock: clock, layout: 0, values: values))
            }
            let batch = SyncWire.SampleBatch(node: "pi-a", after: nil, series: series, layouts: [[0, 1]], readings: readings)
            let ack = try await store.ingest(batch, from: a)
            #expect(ack == SyncWire.SampleAck(storedThrough: readings.last!.ts, samples: 100, inserted: 100, duplicates: 0))
            let replay = try await store.ingest(batch, from: a)
            #expect(replay.inserted == 0 && replay.duplicates == 100)
            // A batch half of which is stored (its first answer was lost, then readings were
            // added): the stored half is skipped, the new half goes in, each counted.
            var extended = Array(readings.suffix(25))
            for i in 50..<75 {
                extended.append(.init(ts: t0 + Int64(i) * 15_000, clock: .synced, layout: 0, values: [-Double(i), -0.0]))
            }
            let overlap = try await store.ingest(
                SyncWire.SampleBatch(node: "pi-a", after: readings.last!.ts, series: series, layouts: [[0, 1]], readings: extended), from: a)
            #expect(overlap == SyncWire.SampleAck(storedThrough: extended.last!.ts, samples: 100, inserted: 50, duplicates: 50))
            readings = Array(readings.prefix(25)) + extended
            let stored = try await store.series(node: "pi-a", name: "node_cpu_seconds_total", labels: ["cpu": "0"], since: 0, until: .max / 2, limit: 1000)
            #expect(stored.count == 1)
            #expect(stored.first?.points.map(\.ts) == readings.map(\.ts))
            #expect(stored.first?.points.map(\.value) == readings.map { $0.values[1] }, "values must round-trip exactly")
            #expect(stored.first?.points.prefix(5).allSatisfy { $0.clock == .untrusted } == true)
            // The agent says it has more acknowledged than central holds: central was restored.
            let ahead = SyncWire.SampleBatch(
                node: "pi-a", after: readings.last!.ts + 1, series: series, layouts: [[0, 1]],
                readings: [.init(ts: readings.last!.ts + 2, clock: .synced, layout: 0, values: [1, 2])])
            await #expect(throws: CentralStoreError.self) { _ = try await store.ingest(ahead, from: a) }
            let resync = try await store.beginResync(a)
            #expect(resync.samplesThrough == readings.last!.ts)
            #expect(try await store.nodes().first?.samplesStored == 150)
        }
    }

    @Test func aSnapshotCarriesCentralsOwnChangesBackOnlyWithItsProof() async throws {
        try await TestDatabase.withStore { store, _ in
            let (a, _) = try await node(store, "pi-a")
            let created = try await store.createTask(NewTask(title: "Bins")).item
            _ = try await store.push(SyncWire.ChangePush(node: "pi-a", changes: [change(UUID(), t0, "pi-a", TaskPatch(title: "own"))]), from: a)
            let page = try JSONDecoder().decode(SyncWire.ChangePage.self, from: Data(try await store.pull(after: .start, limit: 100).utf8))
            let issued = try #require(page.changes.first { $0.stamp.node == "central" })
            #expect(issued.taskID == created.id)
            let proof = try #require(page.proofs?[issued.id.lowercasedString])
            #expect(page.proofs?.count == 2, "every change carries central's proof")
            _ = try await store.beginResync(a)
            let feed = try await store.pull(after: .start, limit: 100)

            // Written as central: no proof, a proof of another change, a proof that is not hex.
            let forged = TaskChange(
                id: UUID(), taskID: created.id, stamp: HLCTimestamp(physical: issued.stamp.physical + 1, counter: 0, node: "central"),
                createdAt: issued.createdAt, origin: "central", patch: TaskPatch(title: "written by pi-a"))
            var altered = issued
            altered.patch.title = "altered"
            for (changes, proofs) in [
                ([forged], nil), ([forged], [forged.id.lowercasedString: proof]),
                ([altered], [altered.id.lowercasedString: proof]), ([forged], [forged.id.lowercasedString: "zz"]),
            ] {
                var tampered = changes
                if changes[0] == altered { tampered[0].id = UUID() }
                let results = try await store.push(
                    SyncWire.ChangePush(
                        node: "pi-a", mode: .snapshot, changes: tampered,
                        proofs: proofs.map { p in Dictionary(uniqueKeysWithValues: p.map { (tampered[0].id.lowercasedString, $0.value) }) }),
                    from: a)
                #expect(results.map(\.outcome) == [.refused])
                #expect(results[0].reason?.contains("stamped by central") == true && results[0].reason?.contains(tampered[0].id.lowercasedString) == true)
                #expect(results[0].reason?.contains("forgery") == true)
            }
            #expect(try await store.pull(after: .start, limit: 100) == feed, "nothing was written")
            #expect(try await store.task(id: created.id)?.title == "Bins")

            // The change central issued, with its proof: taken (a no-op here, where central holds it).
            let results = try await store.push(
                SyncWire.ChangePush(
                    node: "pi-a", mode: .snapshot, changes: [issued],
                    proofs: [issued.id.lowercasedString: proof]), from: a)
            #expect(results.map(\.outcome) == [.alreadyKnown])
            #expect(CentralProof.verify(issued.json(), proof: proof, key: Array(repeating: 0, count: 32)) == false)
        }
    }

    @Test func householdEditsAreStampedByCentralAndReachTheFeed() async throws {
        try await TestDatabase.withStore { store, _ in
            let (a, _) = try await node(store, "pi-a")
            let created = try await store.createTask(NewTask(title: "  Bins  ", assignee: "dad")).item
            #expect(created.title == "Bins" && created.origin == "central")
            // A node's edit stamped later wins; central's next edit orders after it.
            let later = change(created.id, WallClock.system.nowMillis() + 60_000, "pi-a", TaskPatch(title: "Bins out"))
            _ = try await store.push(SyncWire.ChangePush(node: "pi-a", changes: [later]), from: a)
            let edited = try await store.updateTask(id: created.id, TaskPatch(title: "Bins in"))
            #expect(edited.title == "Bins in")
            let record = try #require(try await store.record(id: created.id))
            #expect(record.titleStamp! > later.stamp)
            #expect(record.titleStamp?.node == "central")
            try await store.deleteTask(id: created.id)
            #expect(try await store.task(id: created.id) == nil)
            await #expect(throws: CentralStoreError.self) { try await store.deleteTask(id: created.id) }
            await #expect(throws: CentralStoreError.self) { _ = try await store.updateTask(id: UUID(), TaskPatch(title: "x")) }
            await #expect(throws: CentralStoreError.self) { _ = try await store.createTask(NewTask(title: " ")) }
            let page = try JSONDecoder().decode(SyncWire.ChangePage.self, from: Data(try await store.pull(after: .start, limit: 100).utf8))
            #expect(page.changes.count == 4)
        }
    }

    @Test func aCreateRetriedWithItsClientIDIsAnsweredWithTheTaskItMade() async throws {
        try await TestDatabase.withStore { store, _ in
            let id = UUID()
            let first = try await store.createTask(NewTask(title: "Pay rent", assignee: "mum", id: id))
            #expect(first.created && first.item.id == id)
            let again = try await store.createTask(NewTask(title: "Pay rent", assignee: "mum", id: id))
            #expect(!again.created && again.item == first.item)
            await #expect(
                throws: CentralStoreError.taskConflict(
                    "task \(id.lowercasedString) exists with another title; "
                        + "a retry must repeat the request unchanged, a new task needs a new id")
            ) {
                _ = try await store.createTask(NewTask(title: "Pay the rent", assignee: "mum", id: id))
            }
            // An edit since: the retry still finds its task (the edited field is not compared).
            _ = try await store.updateTask(id: id, TaskPatch(title: "Pay rent (done by the 25th)"))
            #expect(!(try await store.createTask(NewTask(title: "Pay rent", assignee: "mum", id: id))).created)
            try await store.deleteTask(id: id)
            await #expect(throws: CentralStoreError.self) { _ = try await store.createTask(NewTask(title: "Pay rent", assignee: "mum", id: id)) }
            #expect(try await store.allRecords().count == 1)
        }
    }
}
