import ALTStore
import ALTStorePostgres
import Foundation
import Logging

/// The store a command works on: an SQLite file (the embedded default) or a PostgreSQL server.
enum OpenedStore {
    case sqlite(AppDatabase, path: String)
    case postgres(PostgresAppDatabase)

    var erasureStore: any ErasureStore {
        switch self {
        case .sqlite(let database, _): SQLiteErasureStore(database: database)
        case .postgres(let database): PostgresErasureStore(database: database)
        }
    }

    /// Where it is, as a person reads it (a URL's password masked).
    var location: String {
        switch self {
        case .sqlite(_, let path): path
        case .postgres(let database): database.url.description
        }
    }
}

/// `deletiond` on a PostgreSQL store: the pool runs while the command does, and the schema is brought up
/// to date first (replicas starting together take turns; the second finds the work done).
enum PostgresStore {
    /// How long a server may take to answer before it counts as unreachable.
    static let connectTimeout: Duration = .seconds(10)

    static func address(_ text: String) throws -> PostgresURL {
        do {
            return try PostgresURL(text)
        } catch {
            throw Unavailable(error.description)
        }
    }

    /// Runs `body` on the migrated store at `url`. An unreachable server or a failed migration is
    /// `Unavailable` (one line, exit 69); once serving, a server that goes away makes calls answer
    /// UNAVAILABLE and the pool reconnects by itself.
    static func with<T>(_ url: PostgresURL, logger: Logger? = nil, _ body: (PostgresAppDatabase) async throws -> T) async throws -> T {
        let database = PostgresAppDatabase(url: url, logger: logger ?? quietLogger)
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await database.run() }
            defer { group.cancelAll() }
            try await migrate(database)
            return try await body(database)
        }
    }

    /// Migrates the store at `url`; returns how many tables it has.
    static func migrate(_ url: PostgresURL) async throws -> Int {
        try await with(url) { database in try await database.tableNames().count }
    }

    private static func migrate(_ database: PostgresAppDatabase) async throws {
        let url = database.url
        try await withThrowingTaskGroup(of: Bool.self) { group in
            group.addTask {
                do {
                    try await database.migrate()
                    return true
                } catch {
                    throw Unavailable("cannot migrate the PostgreSQL store at \(url): \(String(describing: error).prefix(200))")
                }
            }
            group.addTask {
                try await Task.sleep(for: connectTimeout)
                throw Unavailable("the PostgreSQL server at \(url) did not answer within \(connectTimeout)")
            }
            defer { group.cancelAll() }
            _ = try await group.next()
        }
    }

    private static var quietLogger: Logger {
        var logger = Logger(label: "deletiond.postgres")
        logger.logLevel = .critical
        return logger
    }
}

/// A service `deletiond` depends on cannot be reached: one line, exit 69 (EX_UNAVAILABLE).
struct Unavailable: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
