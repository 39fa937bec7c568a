import AgentAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import TestSupport
import Testing

@Suite struct ProbeAndNodeRoutesTests {
    @Test func healthAndReadiness() async throws {
        let starting = try TestAgent(ready: false)
        try await starting.application.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { r in #expect(r.status == .ok && r.json["status"] as? String == "ok") }
            try await client.execute(uri: "/readiness", method: .get) { r in
                #expect(r.status == .serviceUnavailable && r.errorCode == "not_ready")
            }
        }
        let ready = try TestAgent()
        try await ready.application.test(.router) { client in
            try await client.execute(uri: "/readiness", method: .get) { r in #expect(r.status == .ok) }
        }
        ready.environment.readiness.set(.stopping)
        try await ready.application.test(.router) { client in
            try await client.execute(uri: "/readiness", method: .get) { r in #expect(r.status == .serviceUnavailable) }
        }
    }

    @Test func healthIs503WhenTheDatabaseIsGone() async throws {
        let agent = try TestAgent()
        try agent.store.close()
        try await agent.application.test(.router) { client in
            try await client.execute(uri: "/health", method: .get) { r in #expect(r.status == .serviceUnavailable) }
        }
    }

    @Test func metricsServeHardwareAndAgentFigures() async throws {
        let agent = try TestAgent()
        _ = try agent.store.createTask(.init(title: "one"))
        try await agent.application.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
                let lines = Set(r.text.split(separator: "\n").map(String.init))
                #expect(lines.contains(#"node_thermal_zone_temp{type="cpu-thermal",zone="0"} 48.686"#))
                #expect(lines.contains(#"edge_store_tasks{state="open"} 1"#))
                #expect(lines.contains(#"edge_build_info{version="9.9.9"} 1"#))
                #expect(lines.contains(#"edge_sync_pending{kind="task_changes"} 1"#))
                #expect(lines.contains("edge_samples_dropped_total 0"))
                #expect(lines.contains { $0.hasPrefix("process_resident_memory_bytes ") })
                #expect(lines.contains("# TYPE edge_samples_dropped_total counter"))
            }
        }
    }

    /// `/metrics` reads the hardware when scraped, as node_exporter does, not the sampler's last reading.
    @Test func metricsAreReadFreshAtEveryScrape() async throws {
        let dir = TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: dir.path + "/proc", withIntermediateDirectories: true)
        try "0.52 0.58 0.59 2/389 4821\n".write(toFile: dir.path + "/proc/loadavg", atomically: true, encoding: .utf8)
        let agent = try TestAgent(hostRoot: dir.path)
        try await agent.application.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { r in
                let lines = Set(r.text.split(separator: "\n").map(String.init))
                #expect(lines.contains("node_load1 0.52"))
                #expect(lines.contains(#"node_scrape_collector_success{collector="loadavg"} 1"#))
                #expect(lines.contains(#"node_scrape_collector_success{collector="meminfo"} 0"#), "absent here")
                #expect(r.text.contains(#"nodename="rpi-worker-1""#))
            }
            try "3.25 0.58 0.59 2/389 4821\n".write(toFile: dir.path + "/proc/loadavg", atomically: true, encoding: .utf8)
            try await client.execute(uri: "/metrics", method: .get) { r in
                #expect(r.text.split(separator: "\n").contains("node_load1 3.25"))
            }
        }
    }

    @Test func withoutNodeCollectorsMetricsHaveOnlyTheAgentsFamilies() async throws {
        let agent = try TestAgent(collectors: .none)
        try await agent.application.test(.router) { client in
            try await client.execute(uri: "/metrics", method: .get) { r in
                let names = Set(r.text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { String($0.prefix { $0 != "{" && $0 != " " }) })
                #expect(names.contains("edge_rpi_throttled"))
                #expect(names.contains("edge_store_tasks"))
                #expect(!names.contains { $0.hasPrefix("node_") }, "\(names.filter { $0.hasPrefix("node_") })")
            }
        }
    }

    @Test func nodeIsTheLatestReadingAnd503BeforeOne() async throws {
        let agent = try TestAgent()
        try await agent.application.test(.router) { client in
            try await client.execute(uri: "/v1/node", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.json["node"] as? String == "rpi-worker-1")
                #expect(r.json["taken_at"] as? String == "2025-11-22T05:20:00Z")
                #expect((r.json["board"] as? [String: Any])?["model"] as? String == "Raspberry Pi 4 Model B Rev 1.4")
            }
        }
        let fresh = try TestAgent(reading: false)
        try await fresh.application.test(.router) { client in
            try await client.execute(uri: "/v1/node", method: .get) { r in #expect(r.status == .serviceUnavailable && r.errorCode == "not_ready") }
        }
    }

    @Test func seriesRawAndStepped() async throws {
        let agent = try TestAgent()
        let since = "2025-11-22T05:19:00Z", until = "2025-11-22T05:21:00Z"
        try await agent.application.test(.router) { client in
            try await client.execute(uri: "/v1/series?name=node_cpu_seconds_total&cpu=1&mode=idle&since=\(since)&until=\(until)", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.json["step"] is NSNull)
                let series = try #require(r.json["series"] as? [[String: Any]])
                #expect(series.count == 1)
                #expect(series[0]["labels"] as? [String: String] == ["cpu": "1", "mode": "idle"])
                let points = try #require(series[0]["points"] as? [[String: Any]])
                #expect(points.map { $0["t"] as? String } == ["2025-11-22T05:20:00Z", "2025-11-22T05:20:15Z"])
                #expect(points.first?["v"] as? Double == 213_721.19)
            }
            try await client.execute(uri: "/v1/series?name=node_load1&since=\(since)&until=\(until)&step=1m", method: .get) { r in
                #expect(r.json["step"] as? String == "1m")
                let points = (r.json["series"] as? [[String: Any]])?.first?["points"] as? [[String: Any]]
                #expect(points?.count == 1)
                #expect(points?.first?["count"] as? Int == 2)
                #expect(points?.first?["avg"] as? Double == 0.52)
            }
        }
    }

    @Test(arguments: [
        "/v1/series", "/v1/series?name=", "/v1/series?name=x&since=yesterday", "/v1/series?name=x&step=0s",
        "/v1/series?name=x&until=soon", "/v1/series?name=x&step=fast",
    ])
    func badSeriesQueriesAre400(uri: String) async throws {
        let agent = try TestAgent()
        try await agent.application.test(.router) { client in
            try await client.execute(uri: uri, method: .get) { r in
                #expect(r.status == .badRequest && r.errorCode == "bad_parameter", "\(uri): \(r.text)")
            }
        }
    }

    @Test func anInvertedOrHugeRangeIsEmptyNotAnError() async throws {
        let agent = try TestAgent()
        try await agent.application.test(.router) { client in
            for uri in [
                "/v1/series?name=node_load1&since=2025-11-22T06:00:00Z&until=2025-11-22T05:00:00Z",
                "/v1/series?name=node_load1&since=2000-01-01T00:00:00Z&step=60s",
            ] {
                try await client.execute(uri: uri, method: .get) { r in #expect(r.status == .ok, "\(uri)") }
            }
        }
    }

    @Test func aKnownPathWithAnotherMethodIs405WithAllow() async throws {
        let agent = try TestAgent()
        try await agent.application.test(.router) { client in
            try await client.execute(uri: "/v1/tasks", method: .put, headers: jsonHeaders, body: body("{}")) { r in
                #expect(r.status == .methodNotAllowed && r.errorCode == "method_not_allowed")
                #expect(r.headers[.allow] == "GET, POST")
            }
            try await client.execute(uri: "/v1/tasks/\(UUID().uuidString)", method: .post, headers: jsonHeaders, body: body("{}")) { r in
                #expect(r.status == .methodNotAllowed && r.headers[.allow] == "GET, PATCH, DELETE")
            }
            try await client.execute(uri: "/metrics", method: .delete) { r in #expect(r.status == .methodNotAllowed) }
        }
    }

    @Test func statusHasEveryKey() async throws {
        let agent = try TestAgent()
        try await agent.application.test(.router) { client in
            try await client.execute(uri: "/v1/status", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.json["node"] as? String == "rpi-worker-1")
                #expect(r.json["version"] as? String == "9.9.9")
                let sync = try #require(r.json["sync"] as? [String: Any])
                #expect(sync["state"] as? String == "standalone")
                #expect(sync["central_url"] is NSNull && sync["last_success_at"] is NSNull && sync["last_error"] is NSNull)
                #expect((sync["pending"] as? [String: Any])?["task_changes"] as? Int == 0)
                let store = try #require(r.json["store"] as? [String: Any])
                #expect(store["path"] as? String == agent.store.path)
            }
        }
    }

    @Test func documentsAndPagesAreServed() async throws {
        let agent = try TestAgent()
        try await agent.application.test(.router) { client in
            try await client.execute(uri: "/openapi.json", method: .get) { r in
                #expect(r.status == .ok)
                #expect(r.json["openapi"] as? String == "3.0.3")
                let paths = try #require(r.json["paths"] as? [String: Any])
                #expect(
                    Set(paths.keys).isSuperset(of: ["/v1/tasks", "/v1/tasks/{id}", "/v1/node", "/v1/series", "/v1/status", "/health", "/readiness", "/metrics"])
                )
            }
            for uri in ["/docs", "/"] {
                try await client.execute(uri: uri, method: .get) { r in
                    #expect(r.status == .ok)
                    #expect(r.headers[.contentType] == "text/html; charset=utf-8")
                    #expect(r.text.hasPrefix("<!DOCTYPE html>") || r.text.hasPrefix("<!doctype html>"))
                    #expect(!r.text.contains("http://") && !r.text.contains("https://cdn"), "no third-party assets")
                }
            }
        }
    }

    @Test func theEmbeddedPageIsWebIndexHTML() throws {
        let page = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("web/index.html")
        let source = try String(contentsOf: page, encoding: .utf8)
        // What scripts/embed-web.py serves: the lines without their indentation, whole-line `// ` comments left out.
        let served = source.split(separator: "\n", omittingEmptySubsequences: false)
            .map { $0.drop(while: { $0 == " " }) }.filter { !$0.hasPrefix("// ") }.joined(separator: "\n")
        #expect(AgentAPITestHooks.householdPage.utf8.count <= 60_000, "the household page must stay under 60 KB")
        #expect(AgentAPITestHooks.householdPage == served, "run scripts/embed-web.py after editing web/index.html")
    }
}
