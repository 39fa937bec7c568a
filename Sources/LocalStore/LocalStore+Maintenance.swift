import GRDB

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

extension LocalStore {
    /// `PRAGMA integrity_check`: `["ok"]` for a sound database, otherwise SQLite's findings.
    public func integrityCheck() throws -> [String] {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
    }

    /// Copies the database to `destination` with SQLite's online backup API: a consistent
    /// snapshot even while another process writes. The copy is written beside the destination
    /// and renamed into place only when complete, so a failed backup leaves nothing behind.
    /// Refuses to overwrite an existing file. `progress` receives (copied pages, total pages).
    public func backup(to destination: String, progress: ((Int, Int) -> Void)? = nil) throws {
        if FileManager.default.fileExists(atPath: destination) {
            throw LocalStoreError.destinationExists(path: destination)
        }
        let temporary = destination + ".partial-\(getpid())"
        unlink(temporary)
        do {
            let target = try DatabaseQueue(path: temporary)
            try pool.backup(to: target, pagesPerStep: 256) { step in
                progress?(step.completedPageCount, step.totalPageCount)
            }
            try target.close()
        } catch {
            unlink(temporary)
            switch Self.translate(error, path: destination) {
            case LocalStoreError.storageFull: throw LocalStoreError.storageFull
            case let error as LocalStoreError:
                let reason = if case .dataDirectoryUnusable = error { "cannot create the file there" } else { error.description }
                throw LocalStoreError.backupFailed(path: destination, reason: reason)
            case let error: throw error
            }
        }
        // link(2) fails if the destination appeared meanwhile: never overwrite.
        guard link(temporary, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            if errno == EEXIST { throw LocalStoreError.destinationExists(path: destination) }
            throw LocalStoreError.backupFailed(path: destination, reason: reason)
        }
        unlink(temporary)
    }

    /// Bytes used by the database file and its WAL.
    public func diskUsage() -> Int64 {
        fileSize(path) + fileSize(path + "-wal")
    }

    /// Copies the WAL into the database file and truncates it (used at shutdown).
    public func checkpoint() throws {
        let health = health()
        guard health == .ok else { throw LocalStoreError.unavailable(health) }
        do {
            _ = try pool.writeWithoutTransaction { db in try db.checkpoint(.truncate) }
        } catch {
            throw translate(error)
        }
    }

    /// Closes the connections. The store must not be used afterwards.
    public func close() throws {
        try pool.close()
    }

    private func fileSize(_ path: String) -> Int64 {
        var st = stat()
        return stat(path, &st) == 0 ? Int64(st.st_size) : 0
    }
}

extension LocalStore {
    /// Proves the database can be read (for `/health`).
    public func healthCheck() throws {
        _ = try read { db in try Int.fetchOne(db, sql: "SELECT 1") }
    }
}
