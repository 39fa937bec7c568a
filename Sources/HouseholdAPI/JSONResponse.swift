import Hummingbird
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

public enum JSONResponse {
    public static func make<T: Encodable>(_ value: T, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return raw(try encoder.encode(value), status: status, headers: headers)
    }

    /// One task, written by its one encoder (``Sync/TaskItem/json()``).
    public static func task(_ task: TaskItem, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        raw(ByteBuffer(bytes: task.json()), status: status, headers: headers)
    }

    public static func raw(_ data: Data, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        raw(ByteBuffer(bytes: data), status: status, headers: headers)
    }

    /// A body encoded already; the buffer is shared, not copied (ByteBuffer is copy-on-write).
    public static func raw(_ buffer: ByteBuffer, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var headers = headers
        headers[.contentType] = "application/json"
        return Response(status: status, headers: headers, body: .init(byteBuffer: buffer))
    }

    public static func text(_ text: String, contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// A body already encoded as UTF-8 bytes.
    public static func text(bytes: [UInt8], contentType: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: contentType], body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}
