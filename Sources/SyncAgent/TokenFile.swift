import CommandLineSupport

/// The central token, read from its file and read again whenever the file changes. A
/// missing or unusable file is a sync state (`unauthorized`), never a start-up error.
public final class TokenFile: Sendable {
    private let file: WatchedSecretFile
    public var path: String { file.path }

    public init(path: String) {
        file = WatchedSecretFile(path: path, option: "--central-token-file")
    }

    /// The current token, or why there is none.
    public func current() throws(SyncFailure) -> String {
        switch file.current() {
        case .success(let token): return token
        case .failure(let problem): throw SyncFailure(.unauthorized, problem.message)
        }
    }

    /// Whether the file looks different from when it was last read.
    public var changed: Bool { file.changed }
}
