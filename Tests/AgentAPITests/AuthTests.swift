import AgentAPI
import Foundation
import Hummingbird
import HummingbirdTesting
import Testing

@Suite struct AuthTests {
    @Test func v1NeedsTheBearerTokenButProbesStayOpen() async throws {
        let agent = try TestAgent(token: "s3cret-token")
        try await agent.application.test(.router) { client in
            for headers: HTTPFields in [[:], [.authorization: "Bearer wrong"], [.authorization: "Bearer s3cret-tokenX"], [.authorization: "s3cret-token"]] {
                try await client.execute(uri: "/v1/tasks", method: .get, headers: headers) { r in
                    #expect(r.status == .unauthorized && r.errorCode == "unauthorized")
                    #expect(r.headers[.wwwAuthenticate] == #"Bearer realm="edge-agent""#)
                    #expect(!r.text.contains("s3cret"), "the token never appears in responses")
                }
            }
            try await client.execute(uri: "/v1/tasks", method: .get, headers: [.authorization: "Bearer s3cret-token"]) { r in
                #expect(r.status == .ok)
            }
            try await client.execute(uri: "/v1/tasks", method: .get, headers: [.authorization: "bearer s3cret-token"]) { r in
                #expect(r.status == .ok, "the scheme is case-insensitive")
            }
            for uri in ["/health", "/readiness", "/metrics", "/openapi.json", "/docs", "/"] {
                try await client.execute(uri: uri, method: .get) { r in #expect(r.status == .ok, "\(uri)") }
            }
        }
    }
}

@Suite struct LiveServerTests {
    /// The same router on a real socket (port 0), through a real HTTP client.
    @Test func servesOverTheNetwork() async throws {
        let agent = try TestAgent()
        try await agent.application.test(.live) { client in
            try await client.execute(uri: "/v1/tasks", method: .post, headers: jsonHeaders, body: body(#"{"title":"live"}"#)) { r in
                #expect(r.status == .created)
            }
            try await client.execute(uri: "/v1/tasks?state=open", method: .get) { r in
                #expect((r.json["tasks"] as? [[String: Any]])?.first?["title"] as? String == "live")
            }
        }
    }
}
