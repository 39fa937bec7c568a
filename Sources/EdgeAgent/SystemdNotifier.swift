import CommandLineSupport

#if canImport(Glibc)
    import Glibc
#endif

/// The sd_notify protocol without libsystemd: datagrams to the unix socket in `$NOTIFY_SOCKET`
/// (a path, or `@name` for the abstract namespace). Without the variable, every call is a
/// no-op, so the same binary runs under systemd, Kubernetes or a shell.
struct SystemdNotifier: Sendable {
    let socketPath: String?

    init(environment value: String? = Settings.environment("NOTIFY_SOCKET")) {
        socketPath = (value?.isEmpty ?? true) ? nil : value
    }

    var isEnabled: Bool { socketPath != nil }

    /// The watchdog period systemd asked for (`WATCHDOG_USEC`, for this process), if any.
    static func watchdogInterval() -> Duration? {
        guard let usec = Settings.environment("WATCHDOG_USEC").flatMap(UInt64.init), usec > 0 else { return nil }
        if let pid = Settings.environment("WATCHDOG_PID").flatMap(Int32.init), pid != getpid() { return nil }
        return .microseconds(Int64(usec))
    }

    func ready(status: String) { send("READY=1\nSTATUS=\(status)") }
    func status(_ text: String) { send("STATUS=\(text)") }
    func watchdog() { send("WATCHDOG=1") }
    func stopping(status: String) { send("STOPPING=1\nSTATUS=\(status)") }

    /// Sends one datagram; failures are ignored (systemd may not be listening any more).
    @discardableResult
    func send(_ message: String) -> Bool {
        guard let socketPath else { return false }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        var path = Array(socketPath.utf8)
        if path.first == UInt8(ascii: "@") { path[0] = 0 }  // abstract namespace
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, byte) in path.enumerated() { raw[i] = byte }
        }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (path.first == 0 ? 0 : 1))
        let bytes = Array(message.utf8)
        let sent = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { sockaddrPointer in
                bytes.withUnsafeBytes { sendto(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL), sockaddrPointer, length) }
            }
        }
        return sent == bytes.count
    }
}
