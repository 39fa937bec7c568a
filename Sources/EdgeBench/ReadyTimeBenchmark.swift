import ArgumentParser
import CommandLineSupport
import Foundation  // Process: a benchmark tool, not shipped to the Pi

#if canImport(Glibc)
    import Glibc
#endif

/// Time from starting `edge-agent run` to its first 200 from `/readiness`, polled every
/// millisecond over loopback.
struct ReadyTimeBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ready-time", abstract: "Start-to-ready time of edge-agent run.")

    @Option(help: "The edge-agent binary.") var agent = ".build/release/edge-agent"
    @Option(help: "Data directory (e.g. filled by fill-db).") var dataDir: String
    @Option(help: "Runs.") var runs = 5

    func run() throws {
        var times: [Double] = []
        for run in 1...runs {
            let port = try freePort()
            let process = Process()
            process.executableURL = URL(fileURLWithPath: agent)
            process.arguments = ["run", "--data-dir", dataDir, "--listen", "127.0.0.1:\(port)", "--node-name", "bench", "--log-level", "error"]
            process.standardError = FileHandle.nullDevice
            let start = Monotonic.now()
            try process.run()
            var ready = false
            while !ready && Monotonic.seconds(since: start) < 10 {
                ready = Self.status(port: port, path: "/readiness") == 200
                if !ready { usleep(1000) }
            }
            let elapsed = Monotonic.seconds(since: start) * 1000
            kill(process.processIdentifier, SIGTERM)
            process.waitUntilExit()
            guard ready else { throw BenchError("the agent did not become ready within 10 s") }
            times.append(elapsed)
            Output.progress("ready-time: run \(run): \(Int(elapsed)) ms")
        }
        let median = times.sorted()[times.count / 2]
        Output.line("ready-time: start to first 200 from /readiness, median \(StoreCommitBenchmark.format(median)) ms over \(runs) runs (target <= 100 ms)")
    }

    private func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
        _ = withUnsafeMutablePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// The HTTP status of a GET, or nil if the connection failed.
    static func status(port: Int, path: String) -> Int? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".utf8)
        guard send(fd, request, request.count, Int32(MSG_NOSIGNAL)) == request.count else { return nil }
        var buffer = [UInt8](repeating: 0, count: 64)
        let n = recv(fd, &buffer, buffer.count, 0)
        guard n >= 12 else { return nil }
        return Int(String(decoding: buffer[9..<12], as: UTF8.self))
    }
}
