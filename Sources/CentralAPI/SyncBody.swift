import CompressNIO
import HouseholdAPI
import Hummingbird
import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Reads a sync request body: JSON, optionally `Content-Encoding: gzip`, within a limit on
/// the bytes received and on the bytes once inflated (so a gzip bomb costs at most the
/// inflated limit, then 413). Anything that does not decode is 400; nothing is written.
enum SyncBody {
    struct Limits {
        var wire: Int
        var inflated: Int
    }

    static let changes = Limits(wire: 2 << 20, inflated: 8 << 20)
    static let samples = Limits(wire: 4 << 20, inflated: 32 << 20)
    static let small = Limits(wire: 64 << 10, inflated: 64 << 10)

    static func decode<T: Decodable>(_ type: T.Type, _ request: Request, _ limits: Limits) async throws -> T {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        guard contentType.hasPrefix("application/json") else { throw APIError.unsupportedMediaType }
        let tooLarge = APIError(
            .contentTooLarge, "body_too_large",
            "the body is larger than \(limits.wire >> 10) KiB (\(limits.inflated >> 10) KiB inflated); send smaller batches")
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limits.wire { throw tooLarge }
        var buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limits.wire)
        } catch let error as HTTPError where error.status == .contentTooLarge {
            throw tooLarge
        } catch is NIOTooManyBytesError {
            throw tooLarge  // a chunked body has no Content-Length to refuse early
        }
        switch request.headers[.contentEncoding]?.lowercased() {
        case nil, "identity": break
        case "gzip":
            do {
                buffer = try buffer.decompress(with: .gzip(), maxSize: limits.inflated)
            } catch let error as CompressNIOError where error == .bufferOverflow {
                throw tooLarge
            } catch {
                throw APIError(.badRequest, "malformed_json", "the body is not valid gzip")
            }
        default:
            throw APIError(.unsupportedMediaType, "unsupported_encoding", "Content-Encoding must be gzip or absent")
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(buffer.readableBytesView))
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            throw APIError.malformedJSON()
        } catch let error as DecodingError {
            throw APIError(.badRequest, "malformed_batch", "the body does not match the sync format: \(describe(error))")
        } catch {
            throw APIError.malformedJSON()
        }
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ c: DecodingError.Context) -> String {
            let p = c.codingPath.map { $0.intValue.map { "[\($0)]" } ?? "." + $0.stringValue }.joined()
            return p.isEmpty ? "the body" : String(p.drop(while: { $0 == "." }))
        }
        switch error {
        case .keyNotFound(let key, let c): return "\(path(c)): missing \(key.stringValue)"
        case .typeMismatch(_, let c), .valueNotFound(_, let c): return "\(path(c)): wrong type"
        case .dataCorrupted(let c): return c.codingPath.isEmpty ? "not valid JSON" : "\(path(c)): \(c.debugDescription.prefix(80))"
        @unknown default: return "not valid"
        }
    }
}
