import PostgresNIO

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `--database-url`: a `postgres://user[:password]@host[:port]/database[?sslmode=disable|require]`
/// URL, turned into PostgresNIO's configuration. The password never appears in messages.
public struct DatabaseURL: Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var username: String
    public var password: String?
    public var database: String?
    public var requireTLS: Bool

    public init(_ text: String) throws(DatabaseURLError) {
        guard let components = URLComponents(string: text), let scheme = components.scheme,
            scheme == "postgres" || scheme == "postgresql"
        else {
            throw DatabaseURLError("must be a postgres:// URL such as postgres://edge@127.0.0.1:5432/edge")
        }
        guard let host = components.host, !host.isEmpty else { throw DatabaseURLError("names no host") }
        guard let user = components.user, !user.isEmpty else { throw DatabaseURLError("names no user (postgres://USER@host/db)") }
        self.host = host
        self.port = components.port ?? 5432
        self.username = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        let path = components.path.hasPrefix("/") ? String(components.path.dropFirst()) : components.path
        self.database = path.isEmpty ? nil : path
        let sslmode = components.queryItems?.first { $0.name == "sslmode" }?.value ?? "disable"
        switch sslmode {
        case "disable", "allow", "prefer": requireTLS = false
        case "require", "verify-ca", "verify-full": requireTLS = true
        default: throw DatabaseURLError("sslmode must be disable or require, not \(sslmode.prefix(20))")
        }
    }

    /// Host, port and database, without credentials: safe to log.
    public var description: String { "postgres://\(host):\(port)/\(database ?? "")" }

    public func clientConfiguration(poolSize: Int) throws -> PostgresClient.Configuration {
        let tls: PostgresClient.Configuration.TLS = requireTLS ? .require(.makeClientConfiguration()) : .disable
        var configuration = PostgresClient.Configuration(
            host: host, port: port, username: username, password: password, database: database, tls: tls)
        configuration.options.maximumConnections = max(2, poolSize)
        configuration.options.connectTimeout = .seconds(3)
        return configuration
    }
}

public struct DatabaseURLError: Error, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = "the database URL " + description }
}
