import Foundation

/// A PostgreSQL address as `--database-url` takes it: `postgres://USER[:PASS]@HOST:PORT/DB` (also
/// `postgresql://`). The password is never shown: `description` masks it.
public struct PostgresURL: Sendable, Equatable, CustomStringConvertible {
    public var user: String
    public var password: String?
    public var host: String
    public var port: Int
    public var database: String

    /// Why a URL cannot be used, in one line (it names no password).
    public struct Invalid: Error, Equatable, CustomStringConvertible {
        public let reason: String
        public var description: String { "--database-url: \(reason) (expected postgres://USER[:PASS]@HOST:PORT/DB)" }
    }

    public init(_ text: String) throws(Invalid) {
        guard let components = URLComponents(string: text) else { throw Invalid(reason: "not a URL") }
        guard components.scheme == "postgres" || components.scheme == "postgresql" else {
            throw Invalid(reason: "the scheme must be postgres")
        }
        guard let user = components.user, !user.isEmpty else { throw Invalid(reason: "no user") }
        guard let host = components.host, !host.isEmpty else { throw Invalid(reason: "no host") }
        guard let port = components.port else { throw Invalid(reason: "no port") }
        guard (1...65_535).contains(port) else { throw Invalid(reason: "the port must be 1…65535") }
        let database = String(components.path.drop { $0 == "/" })
        guard !database.isEmpty, !database.contains("/") else { throw Invalid(reason: "no database name") }
        self.user = user.removingPercentEncoding ?? user
        self.password = components.password.map { $0.removingPercentEncoding ?? $0 }
        self.host = host
        self.port = port
        self.database = database
    }

    public var description: String {
        "postgres://\(user)\(password == nil ? "" : ":***")@\(host):\(port)/\(database)"
    }
}

extension PostgresURL {
    /// The address as `pg_dump`, `pg_restore` and `psql` take it; the password goes in `PGPASSWORD`,
    /// never on a command line another user could read.
    public var connectionArguments: [String] {
        ["--host", host, "--port", String(port), "--username", user, "--dbname", database]
    }
}
