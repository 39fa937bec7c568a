import GRDB

extension LocalStore {
    /// Runs `body`, whose every read of this store (``taskCounts()``, ``usedBytes()``, …) shares one read
    /// transaction: one consistent snapshot, and one connection check-out and `BEGIN` instead of one per figure
    /// (a `/metrics` scrape reads about a dozen). `body` must not write: a write waiting on a reader it holds
    /// itself is not allowed.
    public func readTogether<T>(_ body: () throws -> T) throws -> T {
        // Nested: `read` runs on the snapshot already shared.
        try read { db in try SharedRead.$current.withValue(SharedRead(store: self, db: db)) { try body() } }
    }
}

/// The snapshot of ``LocalStore/readTogether(_:)``, bound to the calling thread (or task) while its body runs.
final class SharedRead: @unchecked Sendable {
    @TaskLocal static var current: SharedRead?

    unowned let store: LocalStore
    /// Used only on the thread that runs the body, inside GRDB's read block that lent it.
    let db: Database

    init(store: LocalStore, db: Database) {
        self.store = store
        self.db = db
    }
}
