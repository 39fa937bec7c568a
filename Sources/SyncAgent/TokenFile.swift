import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import CommandLineSupport

/// The central token, read from its file (a Kubernetes Secret mount or a systemd credential)
/// and read again whenever the file changes: Kubernetes swaps a `..data` symlink, systemd
/// replaces the file, an operator rewrites it. Never logged.
public final class TokenFile: Sendable {
    public let path: String
    private struct State {
        var identity: [Int]?
        var token: String?
        var problem: String?
    }
    private let state = Mutex(State())

    public init(path: String) {
        self.path = path
    }

    /// The current token; re-read if the file's identity (device, inode, size, mtime) changed.
    /// Throws a one-sentence message when the file is missing or unusable.
    public func current() throws(SyncFailure) -> String {
        let identity = Self.identity(path)
        let result: Result<String, SyncFailure> = state.withLock { s in
            if identity != s.identity || (s.token == nil && s.problem == nil) {
                s.identity = identity
                do {
                    s.token = try SecretFile.read(path, option: "--central-token-file")
                    s.problem = nil
                } catch {
                    s.token = nil
                    s.problem = "\(error)"
                }
            }
            if let token = s.token { return .success(token) }
            return .failure(SyncFailure(.unauthorized, s.problem ?? "the central token file is unreadable"))
        }
        return try result.get()
    }

    /// Whether the file looks different from when it was last read.
    public var changed: Bool {
        let identity = Self.identity(path)
        return state.withLock { $0.identity != identity }
    }

    static func identity(_ path: String) -> [Int]? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return [Int(st.st_dev), Int(st.st_ino), Int(st.st_size), Int(st.st_mtim.tv_sec), Int(st.st_mtim.tv_nsec)]
    }
}
