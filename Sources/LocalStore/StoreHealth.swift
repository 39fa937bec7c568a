#if canImport(Glibc)
    import Glibc
#endif

/// Whether the database file the agent has open is still one it may write: not damaged, and
/// still the file at its path. Once anything but `ok`, it stays so until restart, readiness
/// answers 503 and no write is attempted, so a damaged or vanished database is never made
/// worse and no write is acknowledged into a file that is gone.
public enum StoreHealth: Sendable, Equatable, CustomStringConvertible {
    case ok
    /// SQLite found the file damaged (`quick_check`, or SQLITE_CORRUPT on use).
    case corrupt(path: String, detail: String)
    /// The file was deleted while open: writes would land in an unlinked inode and be lost.
    case missing(path: String)
    /// Another file now sits at the path (a restore copied over it, say).
    case replaced(path: String)
    /// The database, its WAL or its shared-memory index is immutable or append-only
    /// (`chattr +i`). Not sticky: the store is usable again once the flag is removed.
    case immutable(path: String)

    /// `ok`, `corrupt`, `missing` or `replaced`, as `status` and `/v1/status` show it.
    public var state: String {
        switch self {
        case .ok: "ok"
        case .corrupt: "corrupt"
        case .missing: "missing"
        case .replaced: "replaced"
        case .immutable: "immutable"
        }
    }

    public var description: String {
        switch self {
        case .ok:
            "the database is usable"
        case .corrupt(let path, let detail):
            "\(path) is damaged (\(detail)); nothing more is written. Stop the agent, then run 'edge-agent db check' "
                + "and restore a backup, or salvage with 'sqlite3 \(path) .recover | sqlite3 recovered.db'"
        case .missing(let path):
            "\(path) was deleted while the agent ran; nothing more is written. Restart the agent to create a new "
                + "database, or restore a backup there first"
        case .replaced(let path):
            "\(path) was replaced by another file while the agent ran; nothing more is written. Restart the agent to use it"
        case .immutable(let path):
            "\(path) (or its -wal or -shm file) is immutable or append-only (chattr +i / +a); the database is not used "
                + "until 'chattr -i -a' clears the flag"
        }
    }
}

/// The identity of the database file when it was opened, to notice deletion or replacement.
struct FileIdentity: Sendable, Equatable {
    var device: UInt64
    var inode: UInt64

    init?(path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }
}

/// Watches the database files' immutable and append-only flags (`chattr +i` / `+a`). SQLite
/// maps the `-shm` index shared and writes it on every transaction, reads included; once the
/// file is immutable, the kernel answers such a write with SIGBUS. So every transaction asks
/// first: one `ioctl(FS_IOC_GETFLAGS)` per file on descriptors kept open for the purpose.
final class FileFlagsWatch: Sendable {
    private let descriptors: [Int32]

    init(paths: [String]) {
        descriptors = paths.map { open($0, O_RDONLY | O_CLOEXEC | O_NONBLOCK) }.filter { $0 >= 0 }
    }

    deinit {
        for fd in descriptors { close(fd) }
    }

    /// `FS_IOC_GETFLAGS` (`_IOR('f', 1, long)`, the same on x86-64 and arm64) and the flags
    /// that make a file unwritable.
    private static let getFlags: UInt = 0x8008_6601
    private static let unwritable: Int = 0x10 | 0x20  // FS_IMMUTABLE_FL | FS_APPEND_FL

    /// Whether any watched file is immutable or append-only now. Filesystems without the
    /// flags (tmpfs, overlay on some kernels) answer ENOTTY: not immutable.
    var anyUnwritable: Bool {
        for fd in descriptors {
            var flags: Int = 0
            if ioctl(fd, Self.getFlags, &flags) == 0, flags & Self.unwritable != 0 { return true }
        }
        return false
    }
}
