import Hummingbird
import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Any JSON value, so request bodies can be checked field by field with messages that name
/// the field (a Codable decode would fail on the first problem with a generic error).
public enum JSONValue: Decodable, Equatable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    public init(from decoder: any Decoder) throws {
        let c = try decoder.singleValueContainer()
        if c.decodeNil() {
            self = .null
        } else if let b = try? c.decode(Bool.self) {
            self = .bool(b)
        } else if let n = try? c.decode(Double.self) {
            self = .number(n)
        } else if let s = try? c.decode(String.self) {
            self = .string(s)
        } else if let a = try? c.decode([JSONValue].self) {
            self = .array(a)
        } else {
            self = .object(try c.decode([String: JSONValue].self))
        }
    }

    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}

public enum JSONBody {
    public static let maxBytes = 64 * 1024

    /// Reads a JSON object body: 415 without a JSON content type, 413 over 64 KiB (refused
    /// from Content-Length before reading, or as soon as the stream passes the limit), 400 if
    /// it is not a JSON object.
    public static func object(_ request: Request) async throws -> [String: JSONValue] {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") || (contentType.hasPrefix("application/") && contentType.contains("+json")) else {
            throw APIError.unsupportedMediaType
        }
        if let length = request.headers[.contentLength].flatMap(Int.init), length > maxBytes {
            throw APIError.bodyTooLarge
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw APIError.bodyTooLarge
        } catch is NIOTooManyBytesError {
            throw APIError.bodyTooLarge  // a chunked body has no Content-Length to refuse early
        }
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(buffer.readableBytesView))
        } catch {
            throw APIError.malformedJSON()
        }
        guard case .object(let object) = value else {
            throw APIError.malformedJSON("the body must be a JSON object, not \(value.typeName)")
        }
        return object
    }
}
