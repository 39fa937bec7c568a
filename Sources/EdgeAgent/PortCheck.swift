#if canImport(Glibc)
    import CommandLineSupport
    import Glibc
#endif

/// Checks that an IP-literal listen address can be bound, so a busy or foreign address stops
/// start-up with one clear line before anything else starts. Host names are left to the server.
enum PortCheck {
    /// nil if bindable (or not an IP literal); otherwise the reason.
    static func problem(_ address: ListenAddress) -> String? {
        var v4 = sockaddr_in(), v6 = sockaddr_in6()
        let isV4 = inet_pton(AF_INET, address.host, &v4.sin_addr) == 1
        let isV6 = !isV4 && inet_pton(AF_INET6, address.host, &v6.sin6_addr) == 1
        guard isV4 || isV6, address.port != 0 else { return nil }
        let fd = socket(isV4 ? AF_INET : AF_INET6, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        let result: Int32
        if isV4 {
            v4.sin_family = sa_family_t(AF_INET)
            v4.sin_port = in_port_t(UInt16(address.port).bigEndian)
            result = withUnsafePointer(to: &v4) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
        } else {
            v6.sin6_family = sa_family_t(AF_INET6)
            v6.sin6_port = in_port_t(UInt16(address.port).bigEndian)
            result = withUnsafePointer(to: &v6) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in6>.size)) }
            }
        }
        return result == 0 ? nil : String(cString: strerror(errno))
    }
}
