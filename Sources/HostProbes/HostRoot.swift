import Glibc

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The directory that holds the host's `/proc` and `/sys`: `/` on a bare Pi, `/host` in the DaemonSet.
///
/// Every probe reads through this value, never by absolute path. Paths given to it are host paths
/// (`"proc/loadavg"` and `"/proc/loadavg"` mean the same file). Symbolic links are resolved here,
/// component by component, as if the root were a `chroot`: an absolute link target starts again at the
/// root and `..` stops at the root, so nothing outside it is ever read.
public struct HostRoot: Sendable, Hashable, CustomStringConvertible {
    /// Absolute path of the root on this machine, without a trailing slash (`"/"` stays `"/"`).
    public let path: String
    /// Files larger than this are refused: every source we read is a few KiB.
    public var maxFileSize: Int
    /// Same limit as the kernel's `MAXSYMLINKS`.
    public static let maxSymlinks = 40

    /// - Parameters:
    ///   - path: the host root; a relative path is taken from the current directory. Default `/`.
    ///   - maxFileSize: largest file `readFile` accepts. Default 1 MiB.
    public init(_ path: String = "/", maxFileSize: Int = 1 << 20) {
        var absolute = path.isEmpty ? "/" : path
        if !absolute.hasPrefix("/") {
            absolute = HostRoot.currentDirectory() + "/" + absolute
        }
        let parts = absolute.split(separator: "/", omittingEmptySubsequences: true)
        self.path = "/" + parts.joined(separator: "/")
        self.maxFileSize = maxFileSize
    }

    public var description: String { path }

    // MARK: Resolution

    /// The host path `path` names after following every symbolic link, as an absolute path inside the
    /// root (`"/sys/devices/virtual/thermal/thermal_zone0"`). Every component must exist.
    public func resolve(_ path: String) throws(HostRootError) -> String {
        "/" + (try resolveComponents(path)).joined(separator: "/")
    }

    /// Where the host path lives on this machine (`root.path` + the resolved path).
    public func localPath(_ path: String) throws(HostRootError) -> String {
        local(try resolveComponents(path))
    }

    /// True when `path` resolves to something inside the root.
    public func exists(_ path: String) -> Bool {
        (try? resolveComponents(path)) != nil
    }

    /// True when `path` resolves to a directory.
    public func isDirectory(_ path: String) -> Bool {
        guard let components = try? resolveComponents(path) else { return false }
        return fileKind(local(components)) == .directory
    }

    // MARK: Reading

    /// The bytes of a regular file. A directory, device or FIFO where a file was expected is an error.
    public func readFile(_ path: String) throws(HostRootError) -> [UInt8] {
        let fd = try openFile(path)
        defer { close(fd) }
        var buffer: [UInt8] = []
        return try HostRoot.readAll(fd, path: path, limit: maxFileSize, buffer: &buffer)
    }

    /// A descriptor open for reading on the regular file `path`: the caller closes it.
    func openFile(_ path: String) throws(HostRootError) -> Int32 {
        let components = try resolveComponents(path)
        let fd = local(components).withCString { open($0, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK) }
        if fd < 0 { throw HostRootError(errno: errno, path: HostRoot.shown(path)) }
        return try checkedRegularFile(fd, path: path)
    }

    /// The file `name` (no `/`, not `.` or `..`) in the directory whose local path `resolvedDirectory` an earlier
    /// ``localPath(_:)`` gave: one `open` with `O_NOFOLLOW` instead of walking the path again. Nil when that cannot
    /// answer for sure (the name is a symbolic link, the directory is gone or moved): then use ``openFile(_:)``.
    func openFile(named name: String, inResolved resolvedDirectory: String, path: String) throws(HostRootError) -> Int32? {
        let fd = (resolvedDirectory == "/" ? "/" + name : resolvedDirectory + "/" + name).withCString {
            open($0, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        }
        if fd < 0 { return nil }
        return try checkedRegularFile(fd, path: path)
    }

    /// `fd` when it is a regular file within ``maxFileSize``; closed and an error otherwise.
    private func checkedRegularFile(_ fd: Int32, path: String) throws(HostRootError) -> Int32 {
        var info = stat()
        if fstat(fd, &info) != 0 {
            let code = errno
            close(fd)
            throw HostRootError(errno: code, path: HostRoot.shown(path))
        }
        switch info.st_mode & S_IFMT {
        case S_IFREG where info.st_size > maxFileSize:
            // procfs and sysfs report 0 or 4096 whatever they hold: only an ordinary file can be refused unread.
            close(fd)
            throw .tooLarge(path: HostRoot.shown(path), limit: maxFileSize)
        case S_IFREG: return fd
        case S_IFDIR:
            close(fd)
            throw .isADirectory(path: HostRoot.shown(path))
        default:
            close(fd)
            throw .notARegularFile(path: HostRoot.shown(path))
        }
    }

    /// Everything from offset 0 to the end of file of `fd`, read with `pread`, so a descriptor kept open shows the
    /// current content every time (procfs and sysfs files are generated anew by a read from offset 0).
    /// `buffer` is scratch space, kept by callers that read often.
    static func readAll(_ fd: Int32, path: String, limit: Int, buffer: inout [UInt8]) throws(HostRootError) -> [UInt8] {
        // sysfs reports a size of 4096 and procfs 0 whatever the content: read until end of file.
        if buffer.count < 16 * 1024 { buffer = [UInt8](repeating: 0, count: 16 * 1024) }
        var total = 0
        while true {
            if total > limit { throw .tooLarge(path: shown(path), limit: limit) }
            if total == buffer.count { buffer.append(contentsOf: [UInt8](repeating: 0, count: buffer.count)) }
            let count = buffer.withUnsafeMutableBytes { raw in
                pread(fd, raw.baseAddress! + total, raw.count - total, off_t(total))
            }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                throw HostRootError(errno: code, path: shown(path))
            }
            if count == 0 { break }
            total += count
            // A sysfs attribute is generated whole, at most a page, by the first read: a short read is its end, and
            // the read that would say so costs a system call for each of the hundred attributes of a scrape. (On an
            // ordinary file, a fixture, a short read is the end too.)
            if count < buffer.count - (total - count), total < 4096, isSysfs(path) { break }
        }
        if total > limit { throw .tooLarge(path: shown(path), limit: limit) }
        return Array(buffer[..<total])
    }

    private static func isSysfs(_ path: String) -> Bool {
        path.utf8.starts(with: "/sys/".utf8) || path.utf8.starts(with: "sys/".utf8)
    }

    /// A file's content as UTF-8 text; other bytes are an error, not replacement characters.
    public func readText(_ path: String) throws(HostRootError) -> String {
        let bytes = try readFile(path)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .notUTF8(path: HostRoot.shown(path))
        }
        return text
    }

    /// A single-line sysfs attribute without its trailing newline.
    public func readAttribute(_ path: String) throws(HostRootError) -> String {
        var text = try readText(path)
        while text.last == "\n" { text.removeLast() }
        return text
    }

    /// Names in a directory, sorted, without `.` and `..`.
    public func listDirectory(_ path: String) throws(HostRootError) -> [String] {
        try directoryEntries(path).map(\.name)
    }

    /// Entries of a directory with their kind (a symbolic link is reported as such, not followed), sorted by name.
    public func directoryEntries(_ path: String) throws(HostRootError) -> [DirectoryEntry] {
        let components = try resolveComponents(path)
        let shown = HostRoot.shown(path)
        let directory = local(components)
        guard let handle = opendir(directory) else {
            let code = errno
            if code == ENOTDIR { throw .notADirectory(path: shown) }
            throw HostRootError(errno: code, path: shown)
        }
        defer { closedir(handle) }
        var entries: [DirectoryEntry] = []
        while let entry = readdir(handle) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name == "." || name == ".." { continue }
            let kind: DirectoryEntry.Kind
            switch Int32(entry.pointee.d_type) {
            case Int32(DT_DIR): kind = .directory
            case Int32(DT_REG): kind = .file
            case Int32(DT_LNK): kind = .symbolicLink
            case Int32(DT_UNKNOWN): kind = fileKind(directory == "/" ? "/" + name : directory + "/" + name)
            default: kind = .other
            }
            entries.append(DirectoryEntry(name: name, kind: kind))
        }
        return entries.sorted { $0.name < $1.name }
    }

    /// The target of the symbolic link `path` (its parent directories are resolved first), as stored.
    public func readLink(_ path: String) throws(HostRootError) -> String {
        var components = try split(path)
        guard let last = components.popLast() else { throw .notASymbolicLink(path: "/") }
        let parent = try resolveComponents(components.joined(separator: "/"))
        let shown = HostRoot.shown(path)
        guard let target = linkTarget(local(parent + [last])) else {
            let code = errno
            if code == EINVAL { throw .notASymbolicLink(path: shown) }
            throw HostRootError(errno: code, path: shown)
        }
        return target
    }

    // MARK: Internals

    private func local(_ components: [String]) -> String {
        if components.isEmpty { return path }
        return (path == "/" ? "" : path) + "/" + components.joined(separator: "/")
    }

    /// A requested path as errors show it: a host path with one leading slash.
    static func shown(_ path: String) -> String {
        "/" + path.split(separator: "/", omittingEmptySubsequences: true).joined(separator: "/")
    }

    private func split(_ path: String) throws(HostRootError) -> [String] {
        if path.utf8.contains(0) { throw .invalidPath(path: path) }
        return path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
    }

    /// Walks `path` one component at a time: symbolic links are read and their targets spliced into the
    /// remaining path, absolute ones restarting at the root. `..` never climbs above the root.
    private func resolveComponents(_ path: String) throws(HostRootError) -> [String] {
        let shown = HostRoot.shown(path)
        var pending = Array(try split(path).reversed())
        var resolved: [String] = []
        var linksFollowed = 0
        while let component = pending.popLast() {
            if component == "." { continue }
            if component == ".." {
                if !resolved.isEmpty { resolved.removeLast() }
                continue
            }
            let candidate = resolved + [component]
            let candidatePath = local(candidate)
            var info = stat()
            if lstat(candidatePath, &info) != 0 {
                let code = errno
                throw HostRootError(errno: code, path: shown)
            }
            if info.st_mode & S_IFMT == S_IFLNK {
                linksFollowed += 1
                if linksFollowed > HostRoot.maxSymlinks {
                    throw .tooManySymbolicLinks(path: shown)
                }
                guard let target = linkTarget(candidatePath) else {
                    throw HostRootError(errno: errno, path: shown)
                }
                if target.hasPrefix("/") { resolved = [] }
                pending.append(contentsOf: try split(target).reversed())
            } else {
                if !pending.isEmpty, info.st_mode & S_IFMT != S_IFDIR {
                    throw .notADirectory(path: shown)
                }
                resolved = candidate
            }
        }
        return resolved
    }

    private func linkTarget(_ localPath: String) -> String? {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = buffer.withUnsafeMutableBytes { raw in
            readlink(localPath, raw.baseAddress!.assumingMemoryBound(to: CChar.self), raw.count - 1)
        }
        if count < 0 { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    private func fileKind(_ localPath: String) -> DirectoryEntry.Kind {
        var info = stat()
        if lstat(localPath, &info) != 0 { return .other }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }

    private static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// One entry of a directory listing.
public struct DirectoryEntry: Sendable, Hashable {
    public enum Kind: Sendable, Hashable { case file, directory, symbolicLink, other }
    public var name: String
    public var kind: Kind
    public init(name: String, kind: Kind) {
        self.name = name
        self.kind = kind
    }
}

/// Why a host path could not be read. The path is the one asked for, as a host path (`/proc/loadavg`),
/// never the local path under the root.
public enum HostRootError: Error, Sendable, Hashable, CustomStringConvertible {
    case notFound(path: String)
    case notADirectory(path: String)
    case isADirectory(path: String)
    case notARegularFile(path: String)
    case notASymbolicLink(path: String)
    case tooManySymbolicLinks(path: String)
    case tooLarge(path: String, limit: Int)
    case notUTF8(path: String)
    case invalidPath(path: String)
    case permissionDenied(path: String)
    case system(path: String, errno: Int32)
    /// The collector reading it had used its time budget (``HostFiles/collectorBudget``).
    case overBudget(path: String)

    init(errno code: Int32, path: String) {
        switch code {
        case ENOENT: self = .notFound(path: path)
        case ENOTDIR: self = .notADirectory(path: path)
        case EISDIR: self = .isADirectory(path: path)
        case ELOOP: self = .tooManySymbolicLinks(path: path)
        case EACCES, EPERM: self = .permissionDenied(path: path)
        default: self = .system(path: path, errno: code)
        }
    }

    /// Stable, machine-matchable code.
    public var code: String {
        switch self {
        case .notFound: "not_found"
        case .notADirectory: "not_a_directory"
        case .isADirectory: "is_a_directory"
        case .notARegularFile: "not_a_regular_file"
        case .notASymbolicLink: "not_a_symbolic_link"
        case .tooManySymbolicLinks: "too_many_symbolic_links"
        case .tooLarge: "too_large"
        case .notUTF8: "not_utf8"
        case .invalidPath: "invalid_path"
        case .permissionDenied: "permission_denied"
        case .system: "system_error"
        case .overBudget: "over_budget"
        }
    }

    public var description: String {
        switch self {
        case .notFound(let path): "\(path): not found"
        case .notADirectory(let path): "\(path): not a directory"
        case .isADirectory(let path): "\(path): is a directory, expected a file"
        case .notARegularFile(let path): "\(path): not a regular file"
        case .notASymbolicLink(let path): "\(path): not a symbolic link"
        case .tooManySymbolicLinks(let path): "\(path): too many levels of symbolic links"
        case .tooLarge(let path, let limit): "\(path): larger than \(limit) bytes"
        case .notUTF8(let path): "\(path): not valid UTF-8"
        case .invalidPath(let path): "\(path.replacingNulls()): invalid path"
        case .permissionDenied(let path): "\(path): permission denied"
        case .system(let path, let code): "\(path): \(String(cString: strerror(code))) (errno \(code))"
        case .overBudget: "the collector's time budget is used up; the rest of its entries are skipped"
        }
    }

    /// True when the source simply is not there (a VM has no thermal zone): not a malfunction.
    public var isNotFound: Bool {
        if case .notFound = self { return true }
        return false
    }
}

extension String {
    fileprivate func replacingNulls() -> String {
        String(unicodeScalars.map { $0 == "\0" ? "?" : Character($0) })
    }
}
