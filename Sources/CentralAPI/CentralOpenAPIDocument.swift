/// The OpenAPI 3.0.3 document of edge-central's API, served at `GET /openapi.json`.
enum CentralOpenAPIDocument {
    static let json: String = #"""
{"openapi": "3.0.3", "info": {"title": "edge-central", "version": "1"}, "paths": {}}
"""#
}
