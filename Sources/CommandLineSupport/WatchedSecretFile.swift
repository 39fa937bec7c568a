import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A secret read from its file (a Kubernetes Secret mount, a systemd credential) and read
/// again whenever the file changes: Kubernetes swaps a `..data` symlink, systemd replaces
/// the file, an operator rewrites or deletes it. The check is one `stat`, cheap enough to
/// make per request. Never logged.
public final class WatchedSecretFile: Sendable {
    public let path: String
    public let option: String
    public let requirePrivate: Bool
    private struct State {
        var identity: [Int]?
        var secret: String?
        var problem: String?
        var read = false
    }
    private let state = Mutex(State())

    /// `option` names the flag and variable in messages, e.g. `--api-token-file / EDGE_API_TOKEN_FILE`.
    public init(path: String, option: String, requirePrivate: Bool = false) {
        self.path = path
        self.option = option
        self.requirePrivate = requirePrivate
    }

    /// The current secret, re-read if the file's identity (device, inode, size, mtime)
    /// changed; a one-sentence reason when the file is missing, empty or unusable.
    public func current() -> Result<String, ConfigurationError> {
        let identity = Self.identity(path)
        return state.withLock { s in
            if !s.read || identity != s.identity {
                s.read = true
                s.identity = identity
                do {
                    s.secret = try SecretFile.read(path, option: option, requirePrivate: requirePrivate)
                    s.problem = nil
                } catch {
                    s.secret = nil
                    s.problem = "\(error)"
                }
            }
            if let secret = s.secret { return .success(secret) }
            return .failure(ConfigurationError(s.problem ?? "\(option): \(path) is unreadable"))
        }
    }

    /// Whether the file looks different from when it was last read.
    public var changed: Bool {
        let identity = Self.identity(path)
        return state.withLock { $0.identity != identity }
    }

    /// Whether anything is at the path (a file, a directory, a dangling link).
    public var exists: Bool {
        var st = stat()
        return lstat(path, &st) == 0
    }

    static func identity(_ path: String) -> [Int]? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return [Int(st.st_dev), Int(st.st_ino), Int(st.st_size), Int(st.st_mtim.tv_sec), Int(st.st_mtim.tv_nsec), Int(st.st_mode)]
    }
}
