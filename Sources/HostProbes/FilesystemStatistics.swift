import Glibc

/// Size and free space of a filesystem.
public struct FilesystemSpace: Sendable, Hashable, Codable {
    public var sizeBytes: UInt64
    /// Space available to unprivileged users (`f_bavail`), what `df` shows as available.
    public var availBytes: UInt64
    /// Free space including what is reserved for root (`f_bfree`); nil when not known.
    public var freeBytes: UInt64?
    /// File nodes (`f_files`) and free file nodes (`f_ffree`); nil when not known.
    public var files: UInt64?
    public var filesFree: UInt64?

    public init(sizeBytes: UInt64, availBytes: UInt64, freeBytes: UInt64? = nil, files: UInt64? = nil, filesFree: UInt64? = nil) {
        self.sizeBytes = sizeBytes
        self.availBytes = availBytes
        self.freeBytes = freeBytes
        self.files = files
        self.filesFree = filesFree
    }
}

/// The seam in front of `statvfs(2)`, so tests run against fixed numbers.
public protocol FilesystemStatistics: Sendable {
    /// The space of the filesystem mounted at `mount.mountPoint` on the host, whose root filesystem is `root`
    /// (the host root on a bare Pi, `/host/root` in the DaemonSet).
    func space(of mount: Mount, in root: HostRoot) throws -> FilesystemSpace
}

public struct FilesystemStatisticsError: Error, Sendable, Hashable, CustomStringConvertible {
    public var description: String
    /// True when `statfs` itself failed on a mount point that is there (I/O error, a stale network mount):
    /// node_exporter's `node_filesystem_device_error` 1. False when the mount point is not visible under the root
    /// filesystem at all (no `/host/root` in a pod): then the filesystem is simply absent.
    public var isDeviceError: Bool
    public init(_ description: String, isDeviceError: Bool = false) {
        self.description = description
        self.isDeviceError = isDeviceError
    }
}

/// The real `statvfs(2)` on `root.path + mountPoint`.
///
/// The mount point must show the filesystem that mountinfo names (same `major:minor`): under a root that does not
/// contain the host's mounts (a pod without the `/host/root` mount), the path would otherwise report the container's
/// own filesystem, a number that is not the host's.
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
            let code = errno
            throw FilesystemStatisticsError(
                "stat failed: \(String(cString: strerror(code)))", isDeviceError: code != ENOENT && code != ENOTDIR)
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
            throw FilesystemStatisticsError("statvfs failed: \(String(cString: strerror(errno)))", isDeviceError: true)
        }
        // node_exporter multiplies by f_bsize; glibc's statvfs copies it from statfs unchanged.
        let blockSize = UInt64(buffer.f_bsize)
        let (size, overflowSize) = UInt64(buffer.f_blocks).multipliedReportingOverflow(by: blockSize)
        let (avail, overflowAvail) = UInt64(buffer.f_bavail).multipliedReportingOverflow(by: blockSize)
        let (free, overflowFree) = UInt64(buffer.f_bfree).multipliedReportingOverflow(by: blockSize)
        guard !overflowSize, !overflowAvail, !overflowFree, avail <= size, free <= size else {
            throw FilesystemStatisticsError("statvfs returned impossible sizes", isDeviceError: true)
        }
        return FilesystemSpace(
            sizeBytes: size, availBytes: avail, freeBytes: free, files: UInt64(buffer.f_files), filesFree: UInt64(buffer.f_ffree))
    }
}

/// Test double: answers from a closure; a mount it does not know is an error, so a test sees it.
public struct StubFilesystemStatistics: FilesystemStatistics {
    private let answer: @Sendable (Mount) -> FilesystemSpace?

    public init(_ answer: @escaping @Sendable (Mount) -> FilesystemSpace?) {
        self.answer = answer
    }

    /// The same numbers for every mount.
    public init(sizeBytes: UInt64, availBytes: UInt64, freeBytes: UInt64? = nil, files: UInt64? = nil, filesFree: UInt64? = nil) {
        self.init { _ in
            FilesystemSpace(sizeBytes: sizeBytes, availBytes: availBytes, freeBytes: freeBytes, files: files, filesFree: filesFree)
        }
    }

    public func space(of mount: Mount, in root: HostRoot) throws -> FilesystemSpace {
        guard let space = answer(mount) else {
            throw FilesystemStatisticsError("StubFilesystemStatistics has no answer for \(mount.mountPoint)")
        }
        return space
    }
}
