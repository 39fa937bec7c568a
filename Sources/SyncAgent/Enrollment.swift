import AsyncHTTPClient
import CommandLineSupport
import Logging
import NIOCore
import Sync

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif
#if canImport(Glibc)
    import Glibc
#endif

/// Joining once: a node with a join token (`--join-token-file`) and no node credential yet
/// asks central for its own (`POST /v1/enroll`), stores it in its data directory
/// (`central-credential`, mode 0600, written atomically) and uses it from then on; the join
/// token is not needed again. When central later refuses the stored credential (401: the
/// node was revoked, then reset with `edge-central nodes rotate`), the node enrolls again by
/// itself if central allows it. A credential file that is there but unusable (wrong mode,
/// corrupt) is reported and never replaced.
public final class Enrollment: Sendable {
    public static let credentialFileName = "central-credential"

    let client: CentralClient
    let node: String
    let joinToken: WatchedSecretFile?
    let credential: TokenFile
    let logger: Logger

    public init(client: CentralClient, node: String, joinTokenFile: String?, credential: TokenFile, logger: Logger) {
        self.client = client
        self.node = node
        self.joinToken = joinTokenFile.map { WatchedSecretFile(path: $0, option: "--join-token-file / EDGE_JOIN_TOKEN_FILE") }
        self.credential = credential
        self.logger = logger
    }

    /// Before a cycle: enrolls when there is no credential file, or when central refused the
    /// stored one (`afterRefusal`). Throws the sync state to show when it cannot.
    public func prepare(afterRefusal: Bool) async throws(SyncFailure) {
        let exists = credential.exists
        if exists && !afterRefusal { return }
        guard let joinToken else {
            if exists { return }  // the cycle reports central's refusal
            throw SyncFailure(
                .noCredential,
                "no node credential: \(credential.path) does not exist; give --join-token-file "
                    + "(from `edge-central join-tokens create`) or --central-token-file (from `edge-central nodes add`)")
        }
        let join: String
        switch joinToken.current() {
        case .success(let token): join = token
        case .failure(let problem):
            if exists { return }
            throw SyncFailure(.noCredential, "no node credential at \(credential.path) yet, and \(problem.message)")
        }
        let token: String
        do {
            token = try await client.enroll(node: node, joinToken: join)
        } catch {
            guard exists else { throw error }
            if error.reason == .noCredential {
                // Central refuses both the stored credential and a new enrollment.
                throw SyncFailure(
                    .unauthorized,
                    "central refuses this node's credential (revoked?), and enrolling again failed: "
                        + error.message)
            }
            throw error
        }
        do {
            try Self.writeCredential(token, to: credential.path)
        } catch {
            throw SyncFailure(.local, "storing the node credential in \(credential.path) failed: \(error)")
        }
        if exists {
            logger.warning(
                "central refused the stored node credential; enrolled again with the join token",
                metadata: ["node": "\(node)", "credential": "\(credential.path)"])
        } else {
            logger.info("enrolled at central", metadata: ["node": "\(node)", "credential": "\(credential.path)"])
        }
    }

    /// Writes `token` to `path` atomically: a new 0600 file beside it, fsync, rename, fsync
    /// of the directory; a crash leaves the old file or the new one, never a torn one.
    static func writeCredential(_ token: String, to path: String) throws {
        let directory = path.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
        let temporary = path + ".new"
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw ConfigurationError("cannot create \(temporary): \(String(cString: strerror(errno)))") }
        let bytes = Array((token + "\n").utf8)
        let written = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0 else {
            unlink(temporary)
            throw ConfigurationError("cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        guard rename(temporary, path) == 0 else {
            let why = String(cString: strerror(errno))
            unlink(temporary)
            throw ConfigurationError("cannot rename \(temporary) to \(path): \(why)")
        }
        let dirFD = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dirFD >= 0 {
            fsync(dirFD)
            close(dirFD)
        }
    }
}

extension CentralClient {
    /// `POST /v1/enroll` with the join token as bearer: this node's new token. A refusal
    /// (bad join token, name not allowed, name enrolled already) is `no_credential` with
    /// central's reason; 429 and 5xx are retried like any failure.
    func enroll(node: String, joinToken: String) async throws(SyncFailure) -> String {
        var request = HTTPClientRequest(url: baseURL + "/v1/enroll")
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(joinToken)")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"node":"# + JSONText.quote(node) + "}"))
        let status: Int
        let body: ByteBuffer
        let retryAfter: Int64?
        do {
            let response = try await http.execute(request, timeout: .seconds(30))
            status = Int(response.status.code)
            body = try await response.body.collect(upTo: 64 * 1024)
            retryAfter = response.headers.first(name: "Retry-After").flatMap(Int64.init).map { $0 * 1000 }
        } catch {
            throw Self.classify(error)
        }
        struct Enrolled: Decodable { var token: String }
        if status == 201 || status == 200 {
            guard let token = try? JSONDecoder().decode(Enrolled.self, from: Data(body.readableBytesView)).token,
                !token.isEmpty, token.utf8.count <= 256, token.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F })
            else { throw SyncFailure(.rejected, "central's answer to the enrollment holds no token") }
            return token
        }
        let error = try? JSONDecoder().decode(ErrorBody.self, from: Data(body.readableBytesView))
        let said = error.map { ": \($0.error.message)" } ?? ""
        switch status {
        case 401, 403, 404, 409, 422:
            throw SyncFailure(.noCredential, "enrolling as \(node) was refused (\(status) \(error?.error.code ?? ""))\(said)")
        case 429:
            throw SyncFailure(
                .noCredential, "enrolling as \(node): central limits failed attempts from this address\(said)",
                retryAfterMillis: retryAfter)
        default:
            throw SyncFailure.fromResponse(
                status: status, code: error?.error.code, message: error?.error.message,
                retryAfterMillis: retryAfter)
        }
    }
}
