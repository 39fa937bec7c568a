#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// Secrets read from files (Kubernetes Secret mounts, systemd credentials): trailing
/// whitespace trimmed, contents never shown in errors or logs.
public enum SecretFile {
    /// `requirePrivate`: the file must be readable by its owner only (a node credential the
    /// agent wrote itself, mode 0600); otherwise it is refused, never used or replaced.
    public static func read(_ path: String, option: String, requirePrivate: Bool = false) throws -> String {
        // Non-blocking: a FIFO in its place must not hang the caller; only a regular file is read.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else {
            throw ConfigurationError("\(option): cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw ConfigurationError("\(option): \(path) is not a regular file")
        }
        if requirePrivate && (info.st_mode & 0o077 != 0 || info.st_uid != geteuid()) {
            throw ConfigurationError(
                "\(option): \(path) has mode \(String(info.st_mode & 0o777, radix: 8)) (owner \(info.st_uid)); "
                    + "a node credential must be this user's, mode 600. It was not used or replaced: fix it (chmod 600), or delete it "
                    + "and have an operator run `edge-central nodes rotate NAME` so the node enrolls again")
        }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 4096) }
            if n < 0 {
                throw ConfigurationError("\(option): cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            bytes += buffer[0..<n]
            if bytes.count > 64 * 1024 { throw ConfigurationError("\(option): \(path) is too large for a token") }
        }
        let token = String(decoding: bytes, as: UTF8.self).trimmingSpaces
        guard !token.isEmpty else { throw ConfigurationError("\(option): \(path) is empty") }
        guard token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw ConfigurationError("\(option): \(path) must hold one token of printable ASCII characters")
        }
        return token
    }
}
