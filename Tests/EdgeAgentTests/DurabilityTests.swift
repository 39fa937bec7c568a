import Foundation
import TestSupport
import Testing

/// Acknowledged writes survive SIGKILL; two processes write at once; the daemon stops cleanly.
@Suite(.serialized) struct DurabilityTests {
    /// Starts `edge-bench add-loop`, lets it commit a random number of tasks, kills it with
    /// SIGKILL mid-loop, 20 times; every ID it printed (printed only after its commit returned)
    /// must be in the database, and the database must pass the integrity check.
    @Test func everyAcknowledgedAddSurvivesSIGKILL() throws {
        let dir = TemporaryDirectory()
        var acknowledged: [String] = []
        var generator = SystemRandomNumberGenerator()
        for round in 0..<20 {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Binaries.bench)
            process.arguments = ["add-loop", "--data-dir", dir.path, "--node-name", "crash-\(round)"]
            let out = Pipe()
            process.standardOutput = out
            process.standardError = FileHandle.nullDevice
            try process.run()
            let target = Int.random(in: 1...40, using: &generator)
            var buffer = Data()
            while buffer.filter({ $0 == 0x0A }).count < target {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                buffer.append(chunk)
            }
            // Kill at a random moment after the target: somewhere inside a later commit.
            usleep(UInt32.random(in: 0...3000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            buffer.append(out.fileHandleForReading.readDataToEndOfFile())
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            // Only complete lines were acknowledged.
            let text = String(decoding: buffer, as: UTF8.self)
            var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            lines.removeLast()  // after the last newline: empty, or a partial line
            acknowledged += lines
        }
        #expect(acknowledged.count >= 20)
        let list = try execute(["tasks", "list", "--json"], env: ["EDGE_DATA_DIR": dir.path, "EDGE_NODE_NAME": "check"])
        let stored = Set(
            ((try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])?["tasks"] as? [[String: Any]] ?? [])
                .compactMap { $0["id"] as? String })
        let lost = acknowledged.filter { !stored.contains($0) }
        #expect(lost.isEmpty, "acknowledged but lost: \(lost)")
        let check = try execute(["db", "check"], env: ["EDGE_DATA_DIR": dir.path, "EDGE_NODE_NAME": "check"])
        #expect(check.status == 0 && check.stdout.hasPrefix("ok:"), "\(check.stderr)")
    }

    @Test func twoProcessesWritingAtOnceBothSucceed() throws {
        let dir = TemporaryDirectory()
        let processes = try (0..<2).map { i in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Binaries.bench)
            process.arguments = ["add-loop", "--data-dir", dir.path, "--node-name", "writer-\(i)", "--count", "200"]
            process.standardOutput = FileHandle.nullDevice
            let err = Pipe()
            process.standardError = err
            try process.run()
            return (process, err)
        }
        for (process, err) in processes {
            let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(stderr)")
            #expect(!stderr.contains("locked"))
        }
        let list = try execute(["tasks", "list", "--json"], env: ["EDGE_DATA_DIR": dir.path, "EDGE_NODE_NAME": "check"])
        let tasks = (try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])?["tasks"] as? [Any]
        #expect(tasks?.count == 400)
    }

    /// `edge-agent run` samples the hardware and holds the store open while the CLI writes
    /// beside it, and exits 0 on SIGTERM with the WAL checkpointed into the database file.
    @Test(arguments: [SIGTERM, SIGINT])
    func runStopsCleanlyOnSignal(signal: Int32) throws {
        let dir = TemporaryDirectory()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Binaries.agent)
        process.arguments = [
            "run", "--data-dir", dir.path, "--node-name", "daemon", "--sample-interval", "1s",
            "--host-root", HardwareCommandTests.fixtures + "/rpi4",
        ]
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Wait for the "store open" log line: the daemon is up.
        var log = Data()
        while !String(decoding: log, as: UTF8.self).contains("store open") {
            let chunk = err.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            log.append(chunk)
        }
        #expect(String(decoding: log, as: UTF8.self).contains("path=\(dir.path)/agent.db"))
        let added = try execute(["tasks", "add", "while the daemon runs"], env: ["EDGE_DATA_DIR": dir.path, "EDGE_NODE_NAME": "cli"])
        #expect(added.status == 0)
        let start = Date()
        kill(process.processIdentifier, signal)
        log.append(err.fileHandleForReading.readDataToEndOfFile())
        process.waitUntilExit()
        #expect(Date().timeIntervalSince(start) < 5)
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(String(decoding: log, as: UTF8.self))")
        let walSize = (try? FileManager.default.attributesOfItem(atPath: dir.file("agent.db-wal"))[.size] as? Int) ?? 0
        #expect(walSize == 0, "WAL checkpointed and truncated")
        let list = try execute(["tasks", "list"], env: ["EDGE_DATA_DIR": dir.path, "EDGE_NODE_NAME": "cli"])
        #expect(list.stdout.contains("while the daemon runs"))
        // The sampler stored at least its first reading before stopping.
        let check = try execute(["db", "check"], env: ["EDGE_DATA_DIR": dir.path, "EDGE_NODE_NAME": "cli"])
        #expect(check.status == 0)
    }
}
