import Glibc

/// Size and free space of a filesystem.
public struct FilesystemSpace: Sendable, Hashable, Codable {
    public var sizeBytes: UInt64
    /// Space available to unprivileged users (`f_bavail`), what `df` shows as available.
    public var availBytes: UInt64

    public init(sizeBytes: UInt64, availBytes: UInt64) {
        self.sizeBytes = sizeBytes
        self.availBytes = availBytes
    }
}

/// The seam in front of `statvfs(2)`, so tests run against fixed numbers.
public protocol FilesystemStatistics: Sendable {
    /// The space of the filesystem mounted at `mount.mountPoint` on the host under `root`.
    func space(of mount: Mount, in root: HostRoot) throws -> FilesystemSpace
}

public struct FilesystemStatisticsError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The real `statvfs(2)` on `root.path + mountPoint`.
///
/// The mount point must show the filesystem that mountinfo names (same `major:minor`): under a host root
/// that does not contain the host's mounts (the DaemonSet mounts only `/proc` and `/sys`), `/host/boot`
/// would otherwise report the container's own filesystem, a number that is not the host's.
public struct StatvfsFilesystemStatistics: FilesystemStatistics {
    public init() {}

    public func space(of mount: Mount, in root: HostRoot) throws -> FilesystemSpace {
        let path: String
        do {
            path = try root.localPath(mount.mountPoint)
        } catch {
            throw FilesystemStatisticsError("mount point not visible under the host root: \(error)")
        }
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw FilesystemStatisticsError("stat failed: \(String(cString: strerror(errno)))")
        }
        let device = UInt64(info.st_dev)
        let major = UInt32(truncatingIfNeeded: ((device >> 8) & 0xfff) | ((device >> 32) & ~0xfff))
        let minor = UInt32(truncatingIfNeeded: (device & 0xff) | ((device >> 12) & ~0xff))
        guard major == mount.major, minor == mount.minor else {
            throw FilesystemStatisticsError(
                "mount point not visible under the host root (device \(major):\(minor), mountinfo says \(mount.major):\(mount.minor))")
        }
        var buffer = statvfs()
        guard statvfs(path, &buffer) == 0 else {
            throw FilesystemStatisticsError("statvfs failed: \(String(cString: strerror(errno)))")
        }
        // node_exporter multiplies by f_bsize; glibc's statvfs copies it from statfs unchanged.
        let blockSize = UInt64(buffer.f_bsize)
        let (size, overflowSize) = UInt64(buffer.f_blocks).multipliedReportingOverflow(by: blockSize)
        let (avail, overflowAvail) = UInt64(buffer.f_bavail).multipliedReportingOverflow(by: blockSize)
        guard !overflowSize, !overflowAvail, avail <= size else {
            throw FilesystemStatisticsError("statvfs returned impossible sizes")
        }
        return FilesystemSpace(sizeBytes: size, availBytes: avail)
    }
}

/// Test double: answers from a closure; a mount it does not know is an error, so a test sees it.
public struct StubFilesystemStatistics: FilesystemStatistics {
    private let answer: @Sendable (Mount) -> FilesystemSpace?

    public init(_ answer: @escaping @Sendable (Mount) -> FilesystemSpace?) {
        self.answer = answer
    }

    /// The same numbers for every mount.
    public init(sizeBytes: UInt64, availBytes: UInt64) {
        self.init { _ in FilesystemSpace(sizeBytes: sizeBytes, availBytes: availBytes) }
    }

    public func space(of mount: Mount, in root: HostRoot) throws -> FilesystemSpace {
        guard let space = answer(mount) else {
            throw FilesystemStatisticsError("StubFilesystemStatistics has no answer for \(mount.mountPoint)")
        }
        return space
    }
}
