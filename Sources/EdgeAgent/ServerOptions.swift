import AgentAPI
import ArgumentParser
import CommandLineSupport
import Sync

#if canImport(Glibc)
    import Glibc
#endif

/// `--listen`, `--api-token-file` and `--peer-urls`.
struct ServerOptions: ParsableArguments {
    @Option(
        name: .customLong("listen"),
        help: ArgumentHelp(
            "Address and port of the HTTP API and web page, e.g. 0.0.0.0:8080 to serve phones on the LAN. "
                + "[env: EDGE_LISTEN] [default: 127.0.0.1:8080]", valueName: "host:port"))
    var listenFlag: String?

    @Option(
        name: .customLong("api-token-file"),
        help: ArgumentHelp(
            "File holding a token that every /v1/* request must send as 'Authorization: Bearer <token>'. "
                + "[env: EDGE_API_TOKEN_FILE] [default: none, the API is open]", valueName: "file"))
    var apiTokenFileFlag: String?

    @Option(
        name: .customLong("peer-urls"),
        help: ArgumentHelp(
            "The household's other Pis as phones reach them, comma-separated base URLs (http://192.168.1.11:8080,...): "
                + "the page switches to one when this Pi stops answering, and their pages may call this API. "
                + "[env: EDGE_PEER_URLS] [default: none]", valueName: "urls"))
    var peerURLsFlag: String?

    @Option(
        name: .customLong("advertise-url"),
        help: ArgumentHelp(
            "This Pi's address as phones reach it (http://192.168.1.11:8080): told to central, which tells the other Pis, "
                + "whose pages can then switch to this one. [env: EDGE_ADVERTISE_URL] [default: none]", valueName: "url"))
    var advertiseURLFlag: String?

    func advertiseURL() throws -> String? {
        let text = Settings.resolve(flag: advertiseURLFlag, env: "EDGE_ADVERTISE_URL") { "" }
        guard !text.isEmpty else { return nil }
        guard let url = PeerURL.normalise(text) else {
            throw CLIError.configuration("--advertise-url / EDGE_ADVERTISE_URL: \"\(text.prefix(80))\" is not a base URL such as http://192.168.1.11:8080")
        }
        return url
    }

    func peers() throws -> HouseholdPeers {
        let text = Settings.resolve(flag: peerURLsFlag, env: "EDGE_PEER_URLS") { "" }
        do { return try HouseholdPeers.parse(text) } catch { throw CLIError.configuration("--peer-urls / EDGE_PEER_URLS: \(error.description)") }
    }

    func listenAddress() throws -> ListenAddress {
        let text = Settings.resolve(flag: listenFlag, env: "EDGE_LISTEN") { "127.0.0.1:8080" }
        guard let address = ListenAddress(text) else {
            throw CLIError.configuration("--listen / EDGE_LISTEN: \"\(text.prefix(60))\" is not host:port (e.g. 127.0.0.1:8080, 0.0.0.0:8080, [::]:8080)")
        }
        return address
    }

    /// The API token file, or nil when none is configured. It must be readable at start (a
    /// typo in the path should stop start-up); afterwards it is read again whenever it
    /// changes, and while it is missing or empty every `/v1/*` request is refused.
    func apiTokenFile() throws -> WatchedSecretFile? {
        let path = Settings.resolve(flag: apiTokenFileFlag, env: "EDGE_API_TOKEN_FILE") { "" }
        guard !path.isEmpty else { return nil }
        let file = WatchedSecretFile(path: path, option: "--api-token-file / EDGE_API_TOKEN_FILE")
        _ = try file.current().get()
        return file
    }
}
