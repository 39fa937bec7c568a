import CommandLineSupport

/// The central token, read from its file and read again whenever the file changes. A
/// missing, empty or unreadable file (or none configured) is a sync state
/// (`no_credential`), never a start-up error: the household page, the API and `/metrics`
/// keep working, and sync resumes by itself when the file appears.
public final class TokenFile: Sendable {
    private let file: WatchedSecretFile?
    public let path: String

    /// `path` empty: no token file is configured. `option` names the source in messages.
    /// `requirePrivate`: the node credential the agent stored itself (mode 0600 or refused).
    public init(path: String, option: String = "--central-token-file", requirePrivate: Bool = false) {
        self.path = path
        file = path.isEmpty ? nil : WatchedSecretFile(path: path, option: option, requirePrivate: requirePrivate)
    }

    /// The current token, or why there is none.
    public func current() throws(SyncFailure) -> String {
        guard let file else {
            throw SyncFailure(
                .noCredential,
                "no --central-token-file / EDGE_CENTRAL_TOKEN_FILE is configured "
                    + "(nor $CREDENTIALS_DIRECTORY/central-token): put this node's token from `edge-central nodes add` in a file")
        }
        switch file.current() {
        case .success(let token): return token
        case .failure(let problem): throw SyncFailure(.noCredential, problem.message)
        }
    }

    /// Whether anything is at the path.
    public var exists: Bool { file?.exists ?? false }

    /// Whether the file looks different from when it was last read.
    public var changed: Bool { file?.changed ?? false }
}
