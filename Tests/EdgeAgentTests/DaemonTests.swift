import Foundation
import TestSupport
import Testing

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real `edge-agent run` process: systemd notification, HTTP, and shutdown.
@Suite(.serialized) struct DaemonTests {
    /// A datagram socket in the abstract namespace or on a path, bound by the test.
    final class NotifySocket {
        let fd: Int32
        let name: String

        init(abstract: Bool) throws {
            fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
            let id = UUID().uuidString.prefix(8)
            name = abstract ? "@edge-agent-test-\(id)" : FileManager.default.temporaryDirectory.path + "/notify-\(id).sock"
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            var path = Array(name.utf8)
            if abstract { path[0] = 0 }
            withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.enumerated() { raw[i] = b } }
            let length = socklen_t(MemoryLayout<sa_family_t>.size + path.count + (abstract ? 0 : 1))
            let result = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) } }
            guard result == 0 else { throw POSIXError(.EADDRINUSE) }
            var timeout = timeval(tv_sec: 10, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        }

        deinit {
            close(fd)
            if !name.hasPrefix("@") { unlink(name) }
        }

        /// The next datagram, or nil after 10 s.
        func receive() -> String? {
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &buffer, buffer.count, 0)
            return n > 0 ? String(decoding: buffer[0..<n], as: UTF8.self) : nil
        }
    }

    struct Daemon {
        let process: Process
        let stderr: Pipe
        let port: Int
        /// What it logged up to "listening".
        let startupLog: String

        /// Starts the agent on a free port and waits for its "listening" log line.
        static func start(dir: TemporaryDirectory, env: [String: String] = [:], extra: [String] = []) throws -> Daemon {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Binaries.agent)
            process.arguments =
                [
                    "run", "--data-dir", dir.path, "--node-name", "daemon", "--listen", "127.0.0.1:0",
                    "--sample-interval", "1s", "--host-root", HardwareCommandTests.fixtures + "/rpi4",
                ] + extra
            var environment = ProcessInfo.processInfo.environment
            for key in environment.keys where key.hasPrefix("EDGE_") || key == "NOTIFY_SOCKET" || key.hasPrefix("WATCHDOG") { environment[key] = nil }
            environment.merge(env) { _, new in new }
            process.environment = environment
            let err = Pipe()
            process.standardError = err
            process.standardOutput = FileHandle.nullDevice
            try process.run()
            // Never wait forever: a daemon that does not start within 20 s is killed.
            let deadline = DispatchWorkItem { [process] in if process.isRunning { process.terminate() } }
            DispatchQueue.global().asyncAfter(deadline: .now() + 20, execute: deadline)
            defer { deadline.cancel() }
            var log = ""
            // Text logs say `address=127.0.0.1:N ... [EdgeAgent] listening`, JSON logs
            // `"address":"127.0.0.1:N"` with `"msg":"listening"`.
            while !(log.contains("[EdgeAgent] listening") || log.contains(#""msg":"listening""#)) {
                let chunk = err.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                log += String(decoding: chunk, as: UTF8.self)
            }
            guard let range = log.range(of: #"address(=|":")127\.0\.0\.1:[0-9]+"#, options: .regularExpression) else {
                process.terminate()
                throw CancellationError()
            }
            let port = Int(log[range].split(separator: ":").last!.filter(\.isNumber))!
            return Daemon(process: process, stderr: err, port: port, startupLog: log)
        }

        func request(_ method: String, _ path: String, json: String? = nil) async throws -> (Int, Data) {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
            request.httpMethod = method
            if let json {
                request.httpBody = Data(json.utf8)
                request.setValue("application/json", forHTTPHeaderField: "Content-Type")
            }
            let (data, response) = try await URLSession.shared.data(for: request)
            return ((response as! HTTPURLResponse).statusCode, data)
        }

        func stop(_ signal: Int32 = SIGTERM) -> (status: Int32, log: String) {
            kill(process.processIdentifier, signal)
            let rest = stderr.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return (process.terminationStatus, String(decoding: rest, as: UTF8.self))
        }
    }

    @Test(arguments: [true, false])
    func notifiesSystemdReadyWatchdogAndStopping(abstract: Bool) async throws {
        let socket = try NotifySocket(abstract: abstract)
        let dir = TemporaryDirectory()
        let daemon = try Daemon.start(dir: dir, env: ["NOTIFY_SOCKET": socket.name, "WATCHDOG_USEC": "400000"])
        let ready = socket.receive()
        #expect(ready?.contains("READY=1") == true, "READY=1 comes first, before any watchdog ping: \(ready ?? "nothing")")
        #expect(ready?.contains("STATUS=serving on 127.0.0.1:\(daemon.port)") == true)
        // The watchdog is pinged at half of WATCHDOG_USEC while healthy.
        var pings = 0
        while pings < 2, let message = socket.receive() { if message == "WATCHDOG=1" { pings += 1 } }
        #expect(pings == 2)
        let (status, _) = daemon.stop()
        var stopping = false
        while let message = socket.receive() {
            if message.contains("STOPPING=1") { stopping = true; break }
        }
        #expect(stopping)
        #expect(status == 0)
    }

    /// Tasks acknowledged over HTTP survive SIGTERM; the WAL is checkpointed; exit 0 within 5 s.
    @Test func acknowledgedHTTPWritesSurviveSIGTERM() async throws {
        let dir = TemporaryDirectory()
        let daemon = try Daemon.start(dir: dir)
        var created: [String] = []
        for i in 0..<20 {
            let (status, data) = try await daemon.request("POST", "/v1/tasks", json: #"{"title":"http \#(i)"}"#)
            #expect(status == 201)
            if let id = (try JSONSerialization.jsonObject(with: data) as? [String: Any])?["id"] as? String { created.append(id) }
        }
        let (readiness, _) = try await daemon.request("GET", "/readiness")
        #expect(readiness == 200)
        let start = Date()
        let (status, log) = daemon.stop()
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(status == 0, "\(log)")
        let walSize = (try? FileManager.default.attributesOfItem(atPath: dir.path + "/agent.db-wal")[.size] as? Int) ?? 0
        #expect(walSize == 0)
        let list = try execute(["tasks", "list", "--json"], env: ["EDGE_DATA_DIR": dir.path, "EDGE_NODE_NAME": "cli"])
        let ids = Set(
            (((try JSONSerialization.jsonObject(with: Data(list.stdout.utf8))) as? [String: Any])?["tasks"] as? [[String: Any]] ?? [])
                .compactMap { $0["id"] as? String })
        #expect(Set(created).isSubset(of: ids) && created.count == 20)
    }

    @Test func jsonLogsAreOneObjectPerLineAndNeverShowTheToken() throws {
        let dir = TemporaryDirectory()
        let tokenFile = dir.path + "/token"
        _ = FileManager.default.createFile(atPath: tokenFile, contents: Data("very-secret-value\n".utf8))
        let daemon = try Daemon.start(dir: dir, env: ["EDGE_LOG_FORMAT": "json", "EDGE_API_TOKEN_FILE": tokenFile])
        let (status, rest) = daemon.stop()
        #expect(status == 0)
        let log = daemon.startupLog + rest
        let lines = log.split(separator: "\n")
        #expect(lines.count >= 4)
        #expect(!lines.isEmpty)
        for line in lines {
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(object?["level"] is String && object?["msg"] is String && object?["ts"] is String, "\(line)")
        }
        #expect(!log.contains("very-secret-value"))
    }

    @Test func aBusyPortIsAConfigurationError() throws {
        let dir = TemporaryDirectory()
        let first = try Daemon.start(dir: dir)
        defer { _ = first.stop() }
        let other = TemporaryDirectory()
        let result = try execute(["run", "--data-dir", other.path, "--listen", "127.0.0.1:\(first.port)"])
        #expect(result.status == 2)
        #expect(result.stderr.hasPrefix("edge-agent: --listen / EDGE_LISTEN: cannot listen on 127.0.0.1:\(first.port): "), "\(result.stderr)")
    }

    @Test(arguments: [("localhost", "is not host:port"), ("127.0.0.1:99999", "is not host:port")])
    func anInvalidListenAddressIsAConfigurationError(value: String, message: String) throws {
        let result = try execute(["run", "--listen", value], env: ["EDGE_DATA_DIR": TemporaryDirectory().path])
        #expect(result.status == 2)
        #expect(result.stderr.contains(message))
    }

    @Test func anUnreadableTokenFileStopsStartupWithoutShowingIt() throws {
        let dir = TemporaryDirectory()
        let missing = try execute(["run", "--api-token-file", dir.path + "/nope"], env: ["EDGE_DATA_DIR": dir.path])
        #expect(missing.status == 2)
        #expect(missing.stderr.hasPrefix("edge-agent: --api-token-file / EDGE_API_TOKEN_FILE: cannot read \(dir.path)/nope"))
        let empty = dir.path + "/empty"
        _ = FileManager.default.createFile(atPath: empty, contents: Data("  \n".utf8))
        let result = try execute(["run"], env: ["EDGE_DATA_DIR": dir.path, "EDGE_API_TOKEN_FILE": empty])
        #expect(result.status == 2 && result.stderr.contains("is empty"))
    }
}
