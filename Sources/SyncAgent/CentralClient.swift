import AsyncHTTPClient
import CompressNIO
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// HTTP to edge-central: the sync endpoints, with the node's token in the Authorization
/// header only, request bodies gzip-compressed, redirects refused (the token must not
/// follow one), and TLS pinned to a household CA when one is given.
public final class CentralClient: CentralTransport {
    public let baseURL: String
    let http: HTTPClient
    let token: TokenFile
    let logger: Logger

    /// The certificates of a household CA file; throws if it holds none.
    public static func trustRoots(caFile: String) throws -> [NIOSSLCertificate] {
        let certificates = try NIOSSLCertificate.fromPEMFile(caFile)
        guard !certificates.isEmpty else { throw NIOSSLError.failedToLoadCertificate }
        return certificates
    }

    public init(baseURL: String, token: TokenFile, caFile: String?, logger: Logger) throws {
        var url = baseURL
        while url.hasSuffix("/") { url.removeLast() }
        self.baseURL = url
        self.token = token
        self.logger = logger
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile {
            tls.trustRoots = .certificates(try Self.trustRoots(caFile: caFile))
        }
        let configuration = HTTPClient.Configuration(
            tlsConfiguration: tls, redirectConfiguration: .disallow,
            timeout: .init(connect: .seconds(5), read: .seconds(30)), decompression: .enabled(limit: .ratio(50)))
        self.http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    public func shutdown() async {
        try? await http.shutdown()
    }

    /// Sends one request, its body gzip-compressed; a non-2xx answer or a transport error
    /// becomes a `SyncFailure`.
    public func send(_ method: HTTPMethod, _ path: String, json: ByteBuffer?) async throws(SyncFailure) -> CentralAnswer {
        let token = try token.current()
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Accept", value: "application/json")
        if var body = json {
            request.headers.add(name: "Content-Type", value: "application/json")
            do {
                body = try body.compress(with: .gzip())
            } catch {
                throw SyncFailure(.local, "compressing the request failed: \(error)")
            }
            request.headers.add(name: "Content-Encoding", value: "gzip")
            request.body = .bytes(body)
        }
        let sentAt = WallClock.system.nowMillis()
        let monoSent = BootClock.system.nowMillis()
        do {
            let response = try await http.execute(request, timeout: .seconds(60))
            let body = try await response.body.collect(upTo: 64 << 20)
            let receivedAt = WallClock.system.nowMillis()
            let monoReceived = BootClock.system.nowMillis()
            let clock = response.headers.first(name: "Date").flatMap(HTTPDate.parse).map {
                // The header has whole seconds; the middle of that second, against the middle of the exchange.
                CentralAnswer.ClockReading(
                    central: $0 + 500, local: (sentAt + receivedAt) / 2,
                    mono: monoSent.flatMap { s in monoReceived.map { (s + $0) / 2 } })
            }
            guard (200..<300).contains(Int(response.status.code)) else {
                let error = try? JSONDecoder().decode(ErrorBody.self, from: Data(body.readableBytesView))
                let retryAfter = response.headers.first(name: "Retry-After").flatMap(Int64.init).map { $0 * 1000 }
                throw SyncFailure.fromResponse(
                    status: Int(response.status.code), code: error?.error.code,
                    message: error?.error.message, retryAfterMillis: retryAfter)
            }
            return CentralAnswer(body: body, clock: clock)
        } catch let failure as SyncFailure {
            throw failure
        } catch {
            throw Self.classify(error)
        }
    }

    struct ErrorBody: Decodable {
        struct Inner: Decodable {
            var code: String
            var message: String
        }
        var error: Inner
    }

    static func classify(_ error: any Error) -> SyncFailure {
        if let e = error as? HTTPClientError {
            switch e {
            case .connectTimeout, .readTimeout, .deadlineExceeded, .writeTimeout:
                return SyncFailure(.timeout, "central did not answer in time (\(e))")
            default:
                break
            }
        }
        let text = "\(error)"
        if error is NIOSSLError || text.contains("SSL") || text.contains("certificate") {
            return SyncFailure(.tls, "TLS with central failed (\(text.prefix(160))); check --central-ca-file")
        }
        return SyncFailure(.unreachable, "central is unreachable: \(text.prefix(160))")
    }
}
