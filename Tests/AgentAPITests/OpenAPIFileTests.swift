import Sync
import TestSupport
import Testing

@testable import AgentAPI

/// The agent's OpenAPI document is edited as `openapi/agent.json` (with `openapi/common.json`)
/// and embedded by `scripts/embed-openapi.py`; the patterns it states are the code's.
@Suite struct OpenAPIFileTests {
    @Test func theEmbeddedDocumentIsOpenAPIAgentJSON() throws {
        let differences = try OpenAPIFiles.differences(embedded: OpenAPIDocument.json, file: "agent.json")
        #expect(differences.isEmpty, "run scripts/embed-openapi.py after editing openapi/: \(differences)")
    }

    @Test func everyRepeatPatternIsTheParsersGrammar() throws {
        let patterns = OpenAPIFiles.values(of: "pattern", forProperty: "repeat", in: try OpenAPIFiles.object(OpenAPIDocument.json))
        #expect(patterns.count == 3)
        #expect(patterns.allSatisfy { $0 == RepeatRule.pattern }, "openapi/ must state RepeatRule.pattern")
    }
}
