import CentralStore
import HouseholdAPI
import Hummingbird
import Logging
import Sync

/// `POST /v1/enroll`: a node that holds a join token (and no node token yet) asks for its
/// own node token. The join token is the bearer credential; failures count against the
/// source address like any failed authentication (429 past the limit). The join token and
/// the issued token never appear in a log line; each enrollment and refusal is logged with
/// the node name and the join token's ID, and counted.
struct EnrollRoutes {
    let store: CentralStore
    let metrics: CentralMetrics

    func register(_ group: RouterGroup<CentralRequestContext>) {
        group.post("enroll") { request, context -> Response in
            let address = context.remoteAddress?.ipAddress ?? "unknown"
            if let seconds = metrics.authFailures.retryAfterSeconds(address) {
                var error = APIError(
                    .tooManyRequests, "too_many_failures",
                    "too many failed authentications from this address; retry in \(seconds) s")
                error.headers[.retryAfter] = String(seconds)
                throw error
            }
            guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else {
                metrics.authFailures.recordFailure(address)
                metrics.enrollmentRefused()
                throw CentralErrors.translate(CentralStoreError.invalidJoinToken("missing: send Authorization: Bearer <join token>"))!
            }
            let joinToken = String(header.dropFirst(7).drop(while: { $0 == " " }))
            let body = try await JSONBody.object(request)
            for key in body.keys where key != "node" {
                throw APIError.invalidField("unknown field \(key.prefix(40)); the body is {\"node\": NAME}")
            }
            guard case .string(let name)? = body["node"] else {
                throw APIError.invalidField("node is required: the node's name (letters, digits, . _ -)")
            }
            do {
                let enrolled = try await store.enroll(joinToken: joinToken, name: name)
                metrics.enrolled()
                context.logger.info(
                    "node enrolled",
                    metadata: [
                        "node": "\(name)", "join_token_id": "\(enrolled.joinTokenID)", "again": "\(enrolled.reenrolled)",
                    ])
                return JSONResponse.text(
                    #"{"node":"# + JSONText.quote(name) + #","token":"# + JSONText.quote(enrolled.token) + "}",
                    contentType: "application/json", status: .created)
            } catch let error as CentralStoreError {
                switch error {
                case .invalidJoinToken: metrics.authFailures.recordFailure(address)
                case .unavailable: throw error
                default: break
                }
                metrics.enrollmentRefused()
                context.logger.warning(
                    "enrollment refused",
                    metadata: [
                        "node": "\(NodeName.isValid(name) ? name : "(not a valid name)")", "reason": "\(error)",
                    ])
                throw error
            }
        }
    }
}
