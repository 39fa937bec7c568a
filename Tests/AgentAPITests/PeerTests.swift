import AgentAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

/// The household's other Pis: `--peer-urls`, `GET /v1/peers`, and CORS for their pages only.
@Suite struct PeerTests {
    @Test func peerURLsAreNormalisedAsBrowsersSendOrigins() throws {
        let peers = try HouseholdPeers.parse(" http://192.168.1.11:8080/, HTTPS://Pi-C.local:443 ,http://pi-d:80,http://192.168.1.11:8080")
        #expect(peers.urls == ["http://192.168.1.11:8080", "https://pi-c.local", "http://pi-d"])
        #expect(peers.allows(origin: "http://192.168.1.11:8080"))
        #expect(peers.allows(origin: "https://pi-c.local"))
        #expect(!peers.allows(origin: "http://192.168.1.11:8081"))
        #expect(!peers.allows(origin: "https://evil.example"))
        #expect(!peers.allows(origin: "null"))
        #expect(try HouseholdPeers.parse("").urls.isEmpty)
        #expect(try HouseholdPeers.parse("http://[fe80::1]:8080").urls == ["http://[fe80::1]:8080"])
        for bad in [
            "192.168.1.11:8080", "ftp://pi", "http://pi/path", "http://pi:99999", "http://user@pi", "http://", "http://pi:8x",
            "http://pi:080", "http://pi_x", "http://pi:", "http://[zz::1]", "http://pi//",
        ] {
            #expect(throws: HouseholdPeers.ParseError.self, "\(bad)") { _ = try HouseholdPeers.parse(bad) }
        }
    }

    @Test func peersAreListedAndOnlyTheirPagesGetCORS() async throws {
        var agent = try TestAgent(token: "s3cret")
        let directory = PeerDirectory(configured: try HouseholdPeers.parse("http://192.168.1.11:8080"))
        agent.environment.peers = directory
        try await agent.application.test(.router) { client in
            let auth: HTTPFields = [.authorization: "Bearer s3cret"]
            try await client.execute(uri: "/v1/peers", method: .get, headers: auth) { response in
                #expect(response.status == .ok)
                #expect(response.json["peers"] as? [String] == ["http://192.168.1.11:8080"])
            }
            // One learned from central joins the list and may call too; a repeat is listed once.
            directory.learn(["http://192.168.1.12:8080", "http://192.168.1.11:8080"])
            try await client.execute(uri: "/v1/peers", method: .get, headers: auth) { response in
                #expect(response.json["peers"] as? [String] == ["http://192.168.1.11:8080", "http://192.168.1.12:8080"])
            }
            try await client.execute(uri: "/v1/tasks", method: .get, headers: [.authorization: "Bearer s3cret", .origin: "http://192.168.1.12:8080"]) {
                response in
                #expect(response.headers[.accessControlAllowOrigin] == "http://192.168.1.12:8080")
            }
            // A peer's page: the preflight (no token in it) is answered, then the real request.
            let preflight: HTTPFields = [
                .origin: "http://192.168.1.11:8080", .accessControlRequestMethod: "POST",
                .accessControlRequestHeaders: "authorization, content-type",
            ]
            try await client.execute(uri: "/v1/tasks", method: .options, headers: preflight) { response in
                #expect(response.status == .noContent)
                #expect(response.headers[.accessControlAllowOrigin] == "http://192.168.1.11:8080")
                #expect(response.headers[.accessControlAllowMethods]?.contains("PATCH") == true)
                #expect(response.headers[.accessControlAllowHeaders]?.lowercased().contains("authorization") == true)
            }
            var fromPeer = auth
            fromPeer[.origin] = "http://192.168.1.11:8080"
            try await client.execute(uri: "/v1/tasks", method: .get, headers: fromPeer) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.accessControlAllowOrigin] == "http://192.168.1.11:8080")
                #expect(response.headers[.accessControlExposeHeaders]?.contains("ETag") == true)
            }
            // Another site's page: no CORS headers at all, so the browser keeps it out.
            var elsewhere = auth
            elsewhere[.origin] = "https://evil.example"
            try await client.execute(uri: "/v1/tasks", method: .get, headers: elsewhere) { response in
                #expect(response.headers[.accessControlAllowOrigin] == nil)
            }
            try await client.execute(uri: "/v1/tasks", method: .options, headers: [.origin: "https://evil.example", .accessControlRequestMethod: "POST"]) {
                response in
                #expect(response.status != .noContent && response.headers[.accessControlAllowOrigin] == nil)
            }
        }
    }
}
