import Sync

/// Everything the local store can refuse or fail with. Each case has a stable `code` (the HTTP
/// layer maps codes to statuses once) and a one-line `description` for people, which never
/// contains row data beyond the ID a person typed.
public enum LocalStoreError: Error, Equatable, CustomStringConvertible {
    /// The data directory could not be created or written.
    case dataDirectoryUnusable(path: String, reason: String)
    /// The database file exists but is not an SQLite database.
    case notADatabase(path: String)
    /// The database file is damaged (truncated, malformed).
    case corrupt(path: String, detail: String)
    /// The disk (or the size budget) is full; reads still work.
    case storageFull
    /// No live task has this ID or ID prefix.
    case taskNotFound(String)
    /// A create request names an existing task's ID with other content (or a deleted task's).
    case taskConflict(String)
    /// More than one task starts with this prefix.
    case ambiguousID(prefix: String, candidates: [String])
    /// A field breaks the task rules.
    case invalid(InvalidFieldError)
    /// The backup destination already exists.
    case destinationExists(path: String)
    /// The backup could not be written.
    case backupFailed(path: String, reason: String)
    /// Any other SQLite failure, with SQLite's own message.
    case database(String)
    /// A change from central is stamped further ahead than this node's clock allows.
    case remoteClockAhead(String)
    /// No quarantined change has this ID or ID prefix.
    case quarantinedNotFound(String)
    /// The database file is not usable any more (damaged, deleted or replaced while the
    /// agent runs); nothing more is written until the operator acts.
    case unavailable(StoreHealth)

    public var code: String {
        switch self {
        case .dataDirectoryUnusable: "data_dir_unusable"
        case .notADatabase: "not_a_database"
        case .corrupt: "database_corrupt"
        case .storageFull: "storage_full"
        case .taskNotFound: "not_found"
        case .taskConflict: "task_exists"
        case .ambiguousID: "ambiguous_id"
        case .invalid: "invalid_field"
        case .destinationExists: "destination_exists"
        case .backupFailed: "backup_failed"
        case .database: "database_error"
        case .remoteClockAhead: "remote_clock_ahead"
        case .quarantinedNotFound: "not_found"
        case .unavailable: "store_unavailable"
        }
    }

    public var description: String {
        switch self {
        case .dataDirectoryUnusable(let path, let reason):
            "data directory \(path) is not usable: \(reason)"
        case .notADatabase(let path):
            "\(path) is not an SQLite database; refusing to touch it (move it away or choose another --data-dir)"
        case .corrupt(let path, let detail):
            "\(path) is damaged (\(detail)); restore it from a backup or move it away"
        case .storageFull:
            "storage is full: the disk or the database size limit has no room for this write"
        case .taskNotFound(let id):
            "no task with ID \(id)"
        case .taskConflict(let message):
            message
        case .ambiguousID(let prefix, let candidates):
            "ID prefix \(prefix) matches \(candidates.count) tasks (\(candidates.joined(separator: ", "))); type more of it"
        case .invalid(let error):
            error.message
        case .destinationExists(let path):
            "\(path) already exists; choose a new file name"
        case .backupFailed(let path, let reason):
            "cannot write the backup to \(path): \(reason)"
        case .database(let message):
            "database error: \(message)"
        case .remoteClockAhead(let message):
            message
        case .quarantinedNotFound(let id):
            "no quarantined change with ID \(id) (see 'edge-agent sync quarantine list')"
        case .unavailable(let health):
            health.description
        }
    }
}
