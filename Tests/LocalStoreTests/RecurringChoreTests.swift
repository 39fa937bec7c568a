import Foundation
import HouseholdTime
import LocalStore
import Sync
import TestSupport
import Testing

/// Recurring chores in the node's store: completing creates the next occurrence in the same
/// transaction, undo withdraws it while untouched, and two nodes completing the same
/// occurrence apart end with one next occurrence once their changes meet.
@Suite struct RecurringChoreTests {
    let dirA = TemporaryDirectory()
    let dirB = TemporaryDirectory()
    /// Tuesday 24 November 2026, 10:00 in Berlin.
    let t0: Int64 = 1_795_510_800_000

    func open(_ dir: TemporaryDirectory, node: String, clock: ManualClock, zone: String = "Europe/Berlin") throws -> LocalStore {
        var config = LocalStore.Configuration(nodeName: node)
        config.clock = clock.wallClock
        config.timeZone = HouseholdTimeZone(try HouseholdTimeZone.named(zone))
        return try LocalStore(directory: dir.path, configuration: config)
    }

    @Test func completingCreatesTheNextOccurrenceAndUndoWithdrawsIt() throws {
        let clock = ManualClock(t0)
        let store = try open(dirA, node: "pi-a", clock: clock)
        let berlin = HouseholdTimeZone(try HouseholdTimeZone.named("Europe/Berlin"))
        #expect(berlin.format(millis: t0) == "2026-11-24T10:00:00+01:00")
        // Created without a due date: a calendar rule starts on its first matching day (today).
        let bins = try store.createTask(NewTask(title: "Bins", notes: "green one", assignee: "kid", repeatRule: "weekly:tue"))
        #expect(bins.repeatRule == "weekly:tue" && bins.series == nil)
        #expect(berlin.format(millis: try #require(bins.dueAt)) == "2026-11-24T23:59:59+01:00")

        clock.set(t0 + 3_600_000)
        _ = try store.updateTask(id: bins.id, TaskPatch(done: DoneState(done: true, completedAt: nil)))
        let open = try store.tasks(.open)
        #expect(open.count == 1)
        let next = try #require(open.first)
        #expect(next.id == RecurringChore.nextID(after: bins.id) && next.series == bins.id)
        #expect(next.title == "Bins" && next.notes == "green one" && next.assignee == "kid" && next.repeatRule == "weekly:tue")
        #expect(berlin.format(millis: try #require(next.dueAt)) == "2026-12-01T23:59:59+01:00")
        let pending = try store.pendingChanges(limit: 10).map(\.change)
        #expect(pending.count == 3, "creation, completion and the next occurrence, each for sync")
        #expect(pending[1].stamp == pending[2].stamp, "the next occurrence wins or loses with the completion")

        // Undo: the untouched next occurrence is withdrawn; complete again: it is back, same ID.
        _ = try store.updateTask(id: bins.id, TaskPatch(done: DoneState(done: false, completedAt: nil)))
        #expect(try store.tasks(.all).map(\.id) == [bins.id])
        _ = try store.updateTask(id: bins.id, TaskPatch(done: DoneState(done: true, completedAt: nil)))
        #expect(try store.task(id: next.id)?.done == false)

        // Once somebody has touched it, undo leaves it alone.
        _ = try store.updateTask(id: next.id, TaskPatch(assignee: .value("mum")))
        _ = try store.updateTask(id: bins.id, TaskPatch(done: DoneState(done: false, completedAt: nil)))
        #expect(try store.task(id: next.id)?.assignee == "mum")
        // And completing again does not write over the edited one.
        _ = try store.updateTask(id: bins.id, TaskPatch(done: DoneState(done: true, completedAt: nil)))
        #expect(try store.task(id: next.id)?.assignee == "mum")
        #expect(try store.tasks(.all).count == 2)
    }

    @Test func aNewRuleAppliesFromTheNextOccurrenceAndSeriesDeleteTakesThemAll() throws {
        let clock = ManualClock(t0)
        let store = try open(dirA, node: "pi-a", clock: clock)
        let plants = try store.createTask(NewTask(title: "Water plants", dueAt: t0, repeatRule: "every 3d after done"))
        _ = try store.updateTask(id: plants.id, TaskPatch(done: DoneState(done: true, completedAt: nil)))
        let second = try #require(try store.task(id: RecurringChore.nextID(after: plants.id)))
        #expect(second.dueAt == t0 + 3 * 86_400_000)
        _ = try store.updateTask(id: second.id, TaskPatch(repeatRule: .value("every 1w")))
        #expect(try store.task(id: plants.id)?.repeatRule == "every 3d after done", "a done occurrence keeps its rule")
        _ = try store.updateTask(id: second.id, TaskPatch(done: DoneState(done: true, completedAt: nil)))
        let third = try #require(try store.task(id: RecurringChore.nextID(after: second.id)))
        #expect(third.repeatRule == "every 1w" && third.series == plants.id && third.dueAt == second.dueAt! + 7 * 86_400_000)
        // A rule removed: this occurrence is the last.
        _ = try store.updateTask(id: third.id, TaskPatch(repeatRule: .null))
        _ = try store.updateTask(id: third.id, TaskPatch(done: DoneState(done: true, completedAt: nil)))
        #expect(try store.task(id: RecurringChore.nextID(after: third.id)) == nil)
        // A bad rule is refused naming the field, and changes nothing.
        #expect(throws: LocalStoreError.self) { _ = try store.updateTask(id: third.id, TaskPatch(repeatRule: .value("monthly:32"))) }
        #expect(try store.task(id: third.id)?.repeatRule == nil)

        let other = try store.createTask(NewTask(title: "Unrelated"))
        #expect(try store.deleteTask(id: third.id, series: true) == 3)
        #expect(try store.tasks(.all).map(\.id) == [other.id])
    }

    @Test func twoNodesCompletingTheSameOccurrenceApartEndWithOneNext() throws {
        let clockA = ManualClock(t0), clockB = ManualClock(t0 + 7_000)
        let a = try open(dirA, node: "pi-a", clock: clockA)
        let b = try open(dirB, node: "pi-b", clock: clockB, zone: "Asia/Tokyo")
        let rent = try a.createTask(NewTask(title: "Pay rent", dueAt: t0, repeatRule: "monthly:25"))
        _ = try b.applyRemoteChanges(try a.pendingChanges(limit: 10).map(\.change))
        try a.acknowledge(changeIDs: try a.pendingChanges(limit: 10).map(\.change.id))

        // Apart: both complete it, minutes apart.
        _ = try a.updateTask(id: rent.id, TaskPatch(done: DoneState(done: true, completedAt: nil)))
        clockB.set(t0 + 300_000)
        _ = try b.updateTask(id: rent.id, TaskPatch(done: DoneState(done: true, completedAt: nil)))
        let fromA = try a.pendingChanges(limit: 10).map(\.change)
        let fromB = try b.pendingChanges(limit: 10).map(\.change)
        #expect(fromA.count == 2 && fromB.count == 2)
        // They meet, each delivery twice.
        _ = try a.applyRemoteChanges(fromB + fromB)
        _ = try b.applyRemoteChanges(fromA + fromA)
        for store in [a, b] {
            let all = try store.tasks(.all)
            #expect(all.count == 2, "one occurrence done, one next")
            let next = try #require(all.first { !$0.done })
            #expect(next.id == RecurringChore.nextID(after: rent.id) && next.series == rent.id)
        }
        #expect(try a.tasks(.all) == b.tasks(.all))
    }
}
