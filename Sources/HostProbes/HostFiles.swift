import Glibc
import Synchronization

/// The host root as the probes of one reading see it: every path still goes through ``HostRoot``.
///
/// Alone (`HostFiles(root)`, what each probe's public `read(from: HostRoot)` uses) it only remembers the files
/// read during that call, so `/proc/stat` is read once for both the boot time and the CPU times.
/// Borrowed from the ``HostFileCache`` of a ``HardwareReader``, it also reuses what earlier readings found:
/// - open descriptors, read again from offset 0 with `pread` (procfs and sysfs generate a file anew at every
///   read from its start). One whose read fails (a removed device reads as ENODEV) or whose file has no name
///   left is closed and the path opened again; every descriptor is reopened after `period`, so a path whose
///   symbolic links changed is followed again by then, and one no longer read is closed.
/// - directory listings, listed again after `period`, or at once when a path found through one cannot be read
///   (see ``run(_:)``): a device that appears is seen within `period`, one that goes away at once.
/// - values a probe asks to keep (``keep(_:as:for:under:)``): the board, the `get_throttled` path.
final class HostFiles {
    let root: HostRoot
    private var kept: KeptFiles?
    private let now: ContinuousClock.Instant
    private let period: Duration
    /// Bytes of each file read during this reading.
    private var readNow: [String: [UInt8]] = [:]
    /// Listings taken during this reading: fresh, never the cause of a failure worth a second look.
    private var listedNow: Set<String> = []
    /// Listings from earlier readings that the running probe used.
    private var usedOldListings: [String] = []
    private var foundStaleListing = false
    private var scratch: [UInt8] = []
    /// When the running probe started, for its time budget.
    private var probeStarted = ContinuousClock.now
    /// Entries the running probe skipped: past ``maxEntriesPerClass``, or past its time budget.
    var skipped = 0

    /// Entries of one numbered class (`thermal_zone*`, `hwmon*`, `cpu*`) a probe reads: a Pi
    /// has a handful; a hostile or broken tree with thousands must not stall a reading.
    static let maxEntriesPerClass = 256
    /// Time one probe may spend reading before the rest of its files are skipped. A Pi's
    /// probes take well under a millisecond each; the budget only ever stops pathological trees.
    static let collectorBudget: Duration = .milliseconds(250)

    /// A view that keeps nothing beyond itself.
    init(_ root: HostRoot) {
        self.root = root
        self.kept = nil
        self.now = .now
        self.period = .zero
    }

    init(kept: KeptFiles, now: ContinuousClock.Instant, period: Duration) {
        self.root = kept.root
        self.kept = kept
        self.now = now
        self.period = period
        self.scratch = kept.scratch
        self.kept?.scratch = []  // one owner, so reading into it copies nothing
    }

    /// The state to keep for the next reading, with what has outlived `period` dropped.
    func finish() -> KeptFiles? {
        guard var kept else { return nil }
        self.kept = nil
        for (path, open) in kept.descriptors where !isFresh(open.openedAt) {
            close(open.fd)
            kept.descriptors[path] = nil
        }
        if kept.listings.values.contains(where: { !isFresh($0.listedAt) }) {
            kept.listings = kept.listings.filter { isFresh($0.value.listedAt) }
        }
        if kept.directories.values.contains(where: { !isFresh($0.resolvedAt) }) {
            kept.directories = kept.directories.filter { isFresh($0.value.resolvedAt) }
        }
        if kept.values.values.contains(where: { $0.expires.map { now >= $0 } ?? false }) {
            kept.values = kept.values.filter { $0.value.expires.map { now < $0 } ?? true }
        }
        kept.scratch = scratch
        return kept
    }

    private func isFresh(_ since: ContinuousClock.Instant) -> Bool { now < since.advanced(by: period) }

    // MARK: Probes

    /// Runs one probe. When it could not read a path found through a listing kept from an earlier reading, that
    /// listing is dropped and the probe runs once more on fresh listings: a device that went away between two
    /// readings is simply absent, as without the cache, not reported as unreadable.
    /// Each run has ``collectorBudget`` of time and counts what it ``skipped``.
    func run<Value>(_ probe: (HostFiles) -> Parsed<Value>) -> Parsed<Value> {
        usedOldListings = []
        foundStaleListing = false
        probeStarted = .now
        skipped = 0
        let first = probe(self)
        guard foundStaleListing, ContinuousClock.now - probeStarted < Self.collectorBudget else { return first }
        usedOldListings = []
        foundStaleListing = false
        skipped = 0
        return probe(self)
    }

    /// A failure on `path`: if a listing from an earlier reading led there, forget it.
    private func failed(_ path: String) {
        guard kept != nil else { return }
        for listing in usedOldListings where path == listing || path.hasPrefix(listing + "/") {
            forgetListing(listing)
            foundStaleListing = true
        }
    }

    private func forgetListing(_ listing: String) {
        guard var state = kept else { return }
        kept = nil  // no copy of the dictionaries while they change
        state.listings[listing] = nil
        let under = listing + "/"
        for (path, open) in state.descriptors where path.hasPrefix(under) {
            close(open.fd)
            state.descriptors[path] = nil
        }
        state.directories = state.directories.filter { $0.key != listing && !$0.key.hasPrefix(under) }
        state.values = state.values.filter { !($0.value.under.map { $0 == listing || $0.hasPrefix(under) } ?? false) }
        kept = state
    }

    // MARK: Files

    /// The bytes of a regular file, as ``HostRoot/readFile(_:)``.
    func readFile(_ path: String) throws(HostRootError) -> [UInt8] {
        if let bytes = readNow[path] { return bytes }
        guard ContinuousClock.now - probeStarted < Self.collectorBudget else {
            skipped += 1
            throw .overBudget(path: HostRoot.shown(path))
        }
        do {
            let bytes = try kept == nil ? root.readFile(path) : readKept(path)
            readNow[path] = bytes
            return bytes
        } catch {
            if kept != nil, Self.mayMeanGone(error), !root.isDirectory(Self.parent(of: path)) { failed(path) }
            throw error
        }
    }

    /// Errors a file whose device went away gives. Others (EINVAL from a `speed` of a link that is down, a file root
    /// alone may read, garbage) say nothing about the listing that led there: rereading would find the same.
    private static func mayMeanGone(_ error: HostRootError) -> Bool {
        switch error {
        case .notFound, .notADirectory: true
        case .system(_, let code): code == ENODEV || code == ENXIO || code == ESTALE
        default: false
        }
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "/" }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private func readKept(_ path: String) throws(HostRootError) -> [UInt8] {
        if let open = kept?.descriptors[path] {
            if isFresh(open.openedAt), open.isLinked(),
                let bytes = try? HostRoot.readAll(open.fd, path: path, limit: root.maxFileSize, buffer: &scratch)
            {
                return bytes
            }
            // Gone (a removed device reads as ENODEV, a removed ordinary file has no link left) or old: open the
            // path again.
            close(open.fd)
            kept?.descriptors[path] = nil
        }
        let fd = try openQuickly(path)
        let bytes: [UInt8]
        do {
            bytes = try HostRoot.readAll(fd, path: path, limit: root.maxFileSize, buffer: &scratch)
        } catch {
            close(fd)
            throw error
        }
        if (kept?.descriptors.count ?? Int.max) < KeptFiles.maximumDescriptors {
            kept?.descriptors[path] = KeptFiles.OpenFile(fd: fd, openedAt: now)
        } else {
            close(fd)
        }
        return bytes
    }

    /// Opens `path` through the kept local path of its directory when there is one (one `open`, where walking the
    /// path component by component costs a dozen system calls: a scrape opens about a hundred sysfs files whose
    /// descriptors are not kept). Anything unusual (a link as the last component, a file or directory gone) is
    /// answered by the full walk.
    private func openQuickly(_ path: String) throws(HostRootError) -> Int32 {
        guard kept != nil, let slash = path.utf8.lastIndex(of: UInt8(ascii: "/")), slash != path.utf8.startIndex else {
            return try root.openFile(path)
        }
        let parent = String(path[..<slash])
        let name = String(path[path.index(after: slash)...])
        guard !name.isEmpty, name != ".", name != "..", !path.utf8.contains(0) else { return try root.openFile(path) }
        if let directory = resolvedDirectory(parent),
            let fd = try root.openFile(named: name, inResolved: directory, path: path)
        {
            return fd
        }
        return try root.openFile(path)
    }

    /// The local path of the host directory `path`, kept for `period` (dropped with a listing it was found through).
    private func resolvedDirectory(_ path: String) -> String? {
        if let known = kept?.directories[path], isFresh(known.resolvedAt) { return known.local }
        guard let local = try? root.localPath(path) else { return nil }
        if (kept?.directories.count ?? Int.max) < KeptFiles.maximumDirectories {
            kept?.directories[path] = KeptFiles.Directory(local: local, resolvedAt: now)
        }
        return local
    }

    /// A file's bytes after checking they are UTF-8, as ``HostRoot/readText(_:)`` does.
    func readText(_ path: String) throws(HostRootError) -> [UInt8] {
        let bytes = try readFile(path)
        guard TextParsing.isUTF8(bytes) else { throw .notUTF8(path: HostRoot.shown(path)) }
        return bytes
    }

    /// The text of `path` as bytes, or nil with the reason appended to `problems`.
    func text(_ path: String, problems: inout [String]) -> [UInt8]? {
        do {
            return try readText(path)
        } catch {
            if case .overBudget = error, skipped > 1 { return nil }  // said once per run
            problems.append(error.description)
            return nil
        }
    }

    /// The text of a small file (one value) as a string, or nil with the reason appended to `problems`.
    func string(_ path: String, problems: inout [String]) -> String? {
        text(path, problems: &problems).map { String(decoding: $0, as: UTF8.self) }
    }

    /// A single-line attribute without its trailing newline, as ``HostRoot/readAttribute(_:)``.
    func readAttribute(_ path: String) throws(HostRootError) -> String {
        var text = String(decoding: try readText(path), as: UTF8.self)
        while text.last == "\n" { text.removeLast() }
        return text
    }

    /// A one-line attribute, or nil with the reason appended to `problems`.
    func attribute(_ path: String, problems: inout [String]) -> String? {
        do {
            return try readAttribute(path)
        } catch {
            if case .overBudget = error, skipped > 1 { return nil }  // said once per run
            problems.append(error.description)
            return nil
        }
    }

    /// True when `path` resolves inside the root. Never kept: a flag file comes and goes.
    func exists(_ path: String) -> Bool { root.exists(path) }

    /// True when `path` resolves to a directory (its resolution kept as ``openQuickly(_:)`` keeps it; its kind is
    /// checked every time).
    func isDirectory(_ path: String) -> Bool {
        guard kept != nil, let local = resolvedDirectory(path) else { return root.isDirectory(path) }
        var info = stat()
        return stat(local, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    // MARK: Directories

    /// As ``HostRoot/directoryEntries(_:)``, kept for `period`.
    func directoryEntries(_ path: String) throws(HostRootError) -> [DirectoryEntry] {
        guard kept != nil else { return try root.directoryEntries(path) }
        if let listing = kept?.listings[path], isFresh(listing.listedAt) {
            if !listedNow.contains(path) { usedOldListings.append(path) }
            return listing.entries
        }
        do {
            let entries = try root.directoryEntries(path)
            kept?.listings[path] = KeptFiles.Listing(entries: entries, listedAt: now)
            listedNow.insert(path)
            return entries
        } catch {
            kept?.listings[path] = nil
            failed(path)
            throw error
        }
    }

    /// Names in a directory, sorted, without `.` and `..`.
    func listDirectory(_ path: String) throws(HostRootError) -> [String] {
        try directoryEntries(path).map(\.name)
    }

    /// Names in `directory` of the form `<prefix><number>` (`thermal_zone0`, `cpu12`), in numeric order.
    /// The lowest-numbered ``maxEntriesPerClass`` entries named `prefix` + a number; more are skipped.
    func numberedEntries(_ directory: String, prefix: String) throws(HostRootError) -> [(name: String, number: Int)] {
        let all = try listDirectory(directory).compactMap { name -> (name: String, number: Int)? in
            guard name.hasPrefix(prefix), let number = TextParsing.unsigned(name.dropFirst(prefix.count)),
                number <= UInt64(Int32.max)
            else { return nil }
            return (name, Int(number))
        }
        .sorted { $0.number < $1.number }
        guard all.count > Self.maxEntriesPerClass else { return all }
        skipped += all.count - Self.maxEntriesPerClass
        return Array(all.prefix(Self.maxEntriesPerClass))
    }

    // MARK: Kept values

    /// How long a kept value stays.
    enum Lifetime {
        /// As long as the reader: what cannot change while the host runs (the board).
        case run
        /// One `period`.
        case period
    }

    /// A value kept by an earlier reading under `key`, if any.
    func recall<Value>(_ key: String, as type: Value.Type = Value.self) -> Value? {
        guard let entry = kept?.values[key] else { return nil }
        if let expires = entry.expires, now >= expires { return nil }
        return entry.value as? Value
    }

    /// Keeps `value` for later readings. With `under`, it is forgotten with that directory's listing.
    func keep<Value: Sendable>(_ value: Value, as key: String, for lifetime: Lifetime, under: String? = nil) {
        let expires: ContinuousClock.Instant? =
            switch lifetime {
            case .run: nil
            case .period: now.advanced(by: period)
            }
        kept?.values[key] = KeptFiles.Value(value: value, expires: expires, under: under)
    }

    func forget(_ key: String) {
        kept?.values[key] = nil
    }
}

/// What a ``HardwareReader`` keeps from one reading to the next (see ``HostFiles``).
struct KeptFiles: Sendable {
    /// A bound on descriptors kept open: the sampler's files need about twenty, a full scrape about 150 on a Pi
    /// (netclass alone reads 22 files per interface); the rest are opened and closed at every read. With the
    /// database's and sync's few, it must stay under the 128 descriptors the HTTP server keeps back
    /// (`ConnectionLimits.reservedDescriptors`).
    static let maximumDescriptors = 96

    struct OpenFile: Sendable {
        var fd: Int32
        var openedAt: ContinuousClock.Instant

        /// False once the file has no name left. A removed procfs or sysfs file fails to read anyway, but on an
        /// ordinary filesystem (a copied tree, the test fixtures) a removed or replaced file still reads.
        func isLinked() -> Bool {
            var info = stat()
            return fstat(fd, &info) == 0 && info.st_nlink > 0
        }
    }

    struct Listing: Sendable {
        var entries: [DirectoryEntry]
        var listedAt: ContinuousClock.Instant
    }

    /// A host directory's local path, symbolic links resolved (see ``HostFiles/openQuickly(_:)``).
    struct Directory: Sendable {
        var local: String
        var resolvedAt: ContinuousClock.Instant
    }

    /// A bound on directories kept resolved.
    static let maximumDirectories = 1024

    struct Value: Sendable {
        var value: any Sendable
        var expires: ContinuousClock.Instant?
        var under: String?
    }

    let root: HostRoot
    var descriptors: [String: OpenFile] = [:]
    var listings: [String: Listing] = [:]
    var directories: [String: Directory] = [:]
    var values: [String: Value] = [:]
    var scratch: [UInt8] = []

    init(root: HostRoot) { self.root = root }

    func closeAll() {
        for open in descriptors.values { close(open.fd) }
    }
}

/// The reference a ``HardwareReader`` (a value) holds to what it keeps between readings.
///
/// A reading borrows the whole state and gives it back, so the lock is never held during I/O; a reading that
/// runs while another one has it starts from nothing, and the state given back second is dropped.
final class HostFileCache: Sendable {
    let period: Duration
    private let now: @Sendable () -> ContinuousClock.Instant
    private let state = Mutex<KeptFiles?>(nil)

    init(period: Duration, now: @escaping @Sendable () -> ContinuousClock.Instant) {
        self.period = period
        self.now = now
    }

    deinit {
        state.withLock { $0?.closeAll() }
    }

    func borrow(_ root: HostRoot) -> HostFiles {
        let taken = state.withLock { kept -> KeptFiles? in
            defer { kept = nil }
            return kept
        }
        var kept = taken ?? KeptFiles(root: root)
        if kept.root != root {
            kept.closeAll()
            kept = KeptFiles(root: root)
        }
        return HostFiles(kept: kept, now: now(), period: period)
    }

    func giveBack(_ files: HostFiles) {
        guard let kept = files.finish() else { return }
        let unwanted = state.withLock { current -> KeptFiles? in
            guard current == nil else { return kept }
            current = kept
            return nil
        }
        unwanted?.closeAll()
    }
}
