import ArgumentParser
#if canImport(Glibc)
import Glibc
#endif

/// `--listen` and `--api-token-file`.
struct ServerOptions: ParsableArguments {
    @Option(name: .customLong("listen"), help: ArgumentHelp(
        "Address and port of the HTTP API and web page, e.g. 0.0.0.0:8080 to serve phones on the LAN. "
            + "[env: EDGE_LISTEN] [default: 127.0.0.1:8080]", valueName: "host:port"))
    var listenFlag: String?

    @Option(name: .customLong("api-token-file"), help: ArgumentHelp(
        "File holding a token that every /v1/* request must send as 'Authorization: Bearer <token>'. "
            + "[env: EDGE_API_TOKEN_FILE] [default: none, the API is open]", valueName: "file"))
    var apiTokenFileFlag: String?

    func listenAddress() throws -> ListenAddress {
        let text = Settings.resolve(flag: listenFlag, env: "EDGE_LISTEN") { "127.0.0.1:8080" }
        guard let address = ListenAddress(text) else {
            throw CLIError.configuration("--listen / EDGE_LISTEN: \"\(text.prefix(60))\" is not host:port (e.g. 127.0.0.1:8080, 0.0.0.0:8080, [::]:8080)")
        }
        return address
    }

    /// The API token, or nil when none is configured. Never printed.
    func apiToken() throws -> String? {
        let path = Settings.resolve(flag: apiTokenFileFlag, env: "EDGE_API_TOKEN_FILE") { "" }
        guard !path.isEmpty else { return nil }
        return try SecretFile.read(path, option: "--api-token-file / EDGE_API_TOKEN_FILE")
    }
}

/// A listen address: host (IPv4, IPv6 in brackets, or a name) and port.
struct ListenAddress: Equatable, CustomStringConvertible {
    var host: String
    var port: Int

    init?(_ text: String) {
        let trimmed = text.trimmingSpaces
        let hostPart: Substring, portPart: Substring
        if trimmed.hasPrefix("[") {
            guard let close = trimmed.firstIndex(of: "]"), trimmed[trimmed.index(after: close)...].hasPrefix(":") else { return nil }
            hostPart = trimmed[trimmed.index(after: trimmed.startIndex)..<close]
            portPart = trimmed[trimmed.index(close, offsetBy: 2)...]
        } else {
            guard let colon = trimmed.lastIndex(of: ":") else { return nil }
            hostPart = trimmed[..<colon]
            portPart = trimmed[trimmed.index(after: colon)...]
        }
        guard !hostPart.isEmpty, !hostPart.contains(" "), let port = Int(portPart), (0...65535).contains(port) else { return nil }
        host = String(hostPart)
        self.port = port
    }

    var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// Secrets read from files (Kubernetes Secret mounts, systemd credentials): trailing
/// whitespace trimmed, contents never shown in errors or logs.
enum SecretFile {
    static func read(_ path: String, option: String) throws -> String {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            throw CLIError.configuration("\(option): cannot read \(path): \(String(cString: strerror(errno)))")
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, 4096) }
            if n < 0 {
                throw CLIError.configuration("\(option): cannot read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            bytes += buffer[0..<n]
            if bytes.count > 64 * 1024 { throw CLIError.configuration("\(option): \(path) is too large for a token") }
        }
        let token = String(decoding: bytes, as: UTF8.self).trimmingSpaces
        guard !token.isEmpty else { throw CLIError.configuration("\(option): \(path) is empty") }
        guard token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) else {
            throw CLIError.configuration("\(option): \(path) must hold one token of printable ASCII characters")
        }
        return token
    }
}
