import Hummingbird
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Every error the API answers with: a status and `{"error": {"code": ..., "message": ...}}`.
/// Codes are stable (docs/agent-api.md); messages name the field or problem.
public struct APIError: Error, HTTPResponseError, Sendable {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var headers: HTTPFields = [:]

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public static func malformedJSON(_ message: String = "the body is not valid JSON") -> APIError {
        APIError(.badRequest, "malformed_json", message)
    }
    public static func badParameter(_ message: String) -> APIError { APIError(.badRequest, "bad_parameter", message) }
    public static func invalidField(_ message: String) -> APIError { APIError(.unprocessableContent, "invalid_field", message) }
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, "not_found", message) }
    public static func notReady(_ message: String) -> APIError { APIError(.serviceUnavailable, "not_ready", message) }
    public static let bodyTooLarge = APIError(.contentTooLarge, "body_too_large", "the body is larger than 64 KiB")
    public static let unsupportedMediaType = APIError(
        .unsupportedMediaType, "unsupported_media_type", "send the body as JSON with Content-Type: application/json")
    public static let storageFull = APIError(
        APIError.insufficientStorage, "storage_full", "the node's storage is full; the change was not saved (reading still works)")
    public static var unauthorized: APIError {
        var error = APIError(.unauthorized, "unauthorized", "a valid API token is required: Authorization: Bearer <token>")
        error.headers[.wwwAuthenticate] = #"Bearer realm="edge-agent""#
        return error
    }

    public static let insufficientStorage = HTTPResponse.Status(code: 507, reasonPhrase: "Insufficient Storage")

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var headers = self.headers
        headers[.contentType] = "application/json"
        let body = #"{"error":{"code":"# + JSONText.quote(code) + #","message":"# + JSONText.quote(message) + "}}"
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}
