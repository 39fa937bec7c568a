import Foundation
import GRDB
import LocalStore
import Sync
import TestSupport
import Testing

/// A change that cannot be sent is kept out of the queue with its reason, never blocking the
/// changes behind it, and the operator can put it back or drop it.
@Suite struct ChangeQuarantineTests {
    let dir = TemporaryDirectory()
    let t0: Int64 = 1_763_788_800_000

    func open() throws -> LocalStore {
        var config = LocalStore.Configuration(nodeName: "a")
        config.clock = ManualClock(t0).wallClock
        return try LocalStore(directory: dir.path, configuration: config)
    }

    /// What an older agent wrote before dates were checked: a year it formatted as `00-1`.
    func breakBody(of changeID: UUID) throws {
        let queue = try DatabaseQueue(path: dir.path + "/agent.db")
        try queue.write { db in
            let body = try String.fetchOne(db, sql: "SELECT body FROM change_log WHERE change_id = ?", arguments: [changeID.lowercasedString])!
            let broken = body.replacingOccurrences(of: #""due_at":null"#, with: #""due_at":"00-1-12-31T00:01:00Z""#)
            #expect(broken != body)
            try db.execute(sql: "UPDATE change_log SET body = ? WHERE change_id = ?", arguments: [broken, changeID.lowercasedString])
        }
        try queue.close()
    }

    @Test func anUnreadableChangeIsQuarantinedAndTheRestStillGo() throws {
        let store = try open()
        _ = try store.createTask(NewTask(title: "one"))
        _ = try store.createTask(NewTask(title: "two"))
        _ = try store.createTask(NewTask(title: "three"))
        let ids = try store.pendingChanges(limit: 10).map(\.change.id)
        try breakBody(of: ids[1])

        let pending = try store.pendingChanges(limit: 10)
        #expect(pending.map(\.change.id) == [ids[0], ids[2]])
        let quarantined = try store.quarantinedChanges()
        #expect(quarantined.map(\.changeID) == [ids[1].lowercasedString])
        #expect(quarantined.first?.reason.contains("due_at") == true)
        #expect(try store.pendingSummary().count == 2)
    }

    @Test func aRefusedChangeIsQuarantinedWithCentralsReasonThenRetriedOrDropped() throws {
        let store = try open()
        _ = try store.createTask(NewTask(title: "one"))
        _ = try store.createTask(NewTask(title: "two"))
        let ids = try store.pendingChanges(limit: 10).map(\.change.id)
        try store.quarantine([ids[0]: "central refused it: title is too long"])
        #expect(try store.pendingChanges(limit: 10).map(\.change.id) == [ids[1]])
        #expect(try store.quarantinedChanges().first?.reason == "central refused it: title is too long")

        let prefix = String(ids[0].lowercasedString.prefix(8))
        #expect(try store.releaseQuarantined(idPrefix: prefix, drop: false) == [ids[0].lowercasedString])
        #expect(try store.pendingChanges(limit: 10).map(\.change.id) == [ids[0], ids[1]], "back in its place in the queue")

        try store.quarantine([ids[1]: "central refused it"])
        #expect(try store.releaseQuarantined(idPrefix: ids[1].lowercasedString, drop: true) == [ids[1].lowercasedString])
        #expect(try store.quarantinedChanges().isEmpty)
        #expect(try store.pendingChanges(limit: 10).map(\.change.id) == [ids[0]])
        #expect(throws: LocalStoreError.self) { try store.releaseQuarantined(idPrefix: ids[1].lowercasedString, drop: true) }
    }
}

/// The store notices when the file it has open is no longer usable, and then writes nothing.
@Suite struct StoreHealthTests {
    let dir = TemporaryDirectory()

    func open() throws -> LocalStore {
        try LocalStore(directory: dir.path, configuration: .init(nodeName: "a"))
    }

    @Test func aDeletedDatabaseRefusesWritesInsteadOfLosingThem() throws {
        let store = try open()
        _ = try store.createTask(NewTask(title: "before"))
        #expect(store.health() == .ok)
        for suffix in ["", "-wal", "-shm"] { unlink(store.path + suffix) }
        #expect(store.health().state == "missing")
        #expect(throws: LocalStoreError.self) { _ = try store.createTask(NewTask(title: "after")) }
    }

    @Test func aReplacedDatabaseRefusesWrites() throws {
        let store = try open()
        _ = try store.createTask(NewTask(title: "before"))
        let other = TemporaryDirectory()
        let copy = try LocalStore(directory: other.path, configuration: .init(nodeName: "b"))
        try copy.close()
        #expect(rename(other.path + "/agent.db", store.path) == 0)
        #expect(store.health().state == "replaced")
        #expect(throws: LocalStoreError.self) { _ = try store.createTask(NewTask(title: "after")) }
    }

    @Test func damageFoundByQuickCheckStopsEveryWrite() throws {
        let store = try open()
        for i in 0..<300 { _ = try store.createTask(NewTask(title: "task \(i) " + String(repeating: "x", count: 150))) }
        try store.checkpoint()
        try store.close()
        // Overwrite two pages in the middle of the file.
        let fd = Foundation.open(dir.path + "/agent.db", O_RDWR)
        #expect(fd >= 0)
        var st = stat()
        fstat(fd, &st)
        let garbage = [UInt8](repeating: 0xA5, count: 8192)
        _ = garbage.withUnsafeBytes { pwrite(fd, $0.baseAddress, 8192, off_t(st.st_size / 2 / 4096 * 4096)) }
        close(fd)

        let reopened = try open()
        #expect(reopened.quickCheck().state == "corrupt")
        #expect(throws: LocalStoreError.self) { _ = try reopened.createTask(NewTask(title: "more")) }
    }
}
