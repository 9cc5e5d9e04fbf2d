import ALTStorePostgres
import Foundation
import Logging

/// What `deletiond` does with a PostgreSQL store so far: reach it and bring its schema up to date.
enum PostgresStore {
    /// How long a server may take to answer before it counts as unreachable.
    static let connectTimeout: Duration = .seconds(10)

    /// Migrates the store at `url`; returns how many tables it has. An unreachable server is `Unavailable`.
    static func migrate(_ url: PostgresURL) async throws -> Int {
        var logger = Logger(label: "deletiond.postgres")
        logger.logLevel = .critical
        let database = PostgresAppDatabase(url: url, logger: logger)
        return try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask {
                await database.run()
                return nil
            }
            group.addTask {
                do {
                    try await database.migrate()
                    return try await database.tableNames().count
                } catch {
                    throw Unavailable("cannot migrate the PostgreSQL store at \(url): \(String(describing: error).prefix(200))")
                }
            }
            group.addTask {
                try await Task.sleep(for: connectTimeout)
                throw Unavailable("the PostgreSQL server at \(url) did not answer within \(connectTimeout)")
            }
            defer { group.cancelAll() }
            while let result = try await group.next() {
                if let tables = result { return tables }
            }
            throw Unavailable("the PostgreSQL store at \(url) closed")
        }
    }
}

/// A service `deletiond` depends on cannot be reached: one line, exit 69 (EX_UNAVAILABLE).
struct Unavailable: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
