import Sync
import TestSupport
import Testing

@testable import CentralAPI

/// Central's OpenAPI document is edited as `openapi/central.json` (with `openapi/common.json`)
/// and embedded by `scripts/embed-openapi.py`; the patterns it states are the code's.
@Suite struct OpenAPIFileTests {
    @Test func theEmbeddedDocumentIsOpenAPICentralJSON() throws {
        let differences = try OpenAPIFiles.differences(embedded: CentralOpenAPIDocument.json, file: "central.json")
        #expect(differences.isEmpty, "run scripts/embed-openapi.py after editing openapi/: \(differences)")
    }

    @Test func thePatternsAreTheParsersGrammars() throws {
        let document = try OpenAPIFiles.object(CentralOpenAPIDocument.json)
        let repeats = OpenAPIFiles.values(of: "pattern", forProperty: "repeat", in: document)
        #expect(repeats.count == 4)
        #expect(repeats.allSatisfy { $0 == RepeatRule.pattern }, "openapi/ must state RepeatRule.pattern")
        let urls = OpenAPIFiles.values(of: "pattern", forProperty: "url", in: document)
        #expect(urls == [PeerURL.pattern], "openapi/ must state PeerURL.pattern")
    }
}
