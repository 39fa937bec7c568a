#if canImport(Glibc)
    import Glibc
#endif

/// Small file checks without Foundation.
enum FileSystem {
    static func exists(_ path: String, isDirectory: inout Bool) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        isDirectory = info.st_mode & S_IFMT == S_IFDIR
        return true
    }
}
