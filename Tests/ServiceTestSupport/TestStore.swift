public import ALTStore
import GRDB
public import ALTStorePostgres
import Foundation
import Logging
import PostgresNIO

/// The store a parameterised test runs on. PostgreSQL is the server `ALT_TEST_DATABASE_URL` names
/// (`.ci/run` starts one with `.ci/postgres`); without it the PostgreSQL cases are left out, and say so
/// in `all`'s comment, except in CI (`CI` set), where they run and fail: CI must test PostgreSQL.
public enum TestStore: String, Sendable, CaseIterable, CustomStringConvertible {
    case sqlite, postgres

    public var description: String { rawValue }

    static let url = ProcessInfo.processInfo.environment["ALT_TEST_DATABASE_URL"]
    static let inCI = ProcessInfo.processInfo.environment["CI"] != nil

    /// SQLite always; PostgreSQL when a server is configured or in CI.
    public static var all: [TestStore] {
        if url != nil || inCI { return [.sqlite, .postgres] }
        FileHandle.standardError.write(Data("PostgreSQL cases skipped: set ALT_TEST_DATABASE_URL (eval \"$(.ci/postgres start)\")\n".utf8))
        return [.sqlite]
    }

    static var quietLogger: Logger {
        var logger = Logger(label: "postgres-test")
        logger.logLevel = .critical
        return logger
    }

    /// Runs `body` with an empty, migrated database of its own on the test server (dropped afterwards),
    /// its pool running.
    public static func withPostgres<T: Sendable>(_ body: @Sendable (PostgresAppDatabase) async throws -> T) async throws -> T {
        guard let text = url else { throw TestStoreError("ALT_TEST_DATABASE_URL is not set, and CI must test PostgreSQL") }
        let admin = try PostgresURL(text)
        let template = try await Template.shared.name(admin)
        // Short, so restores named `<name>.<target>` fit PostgreSQL's 63 bytes.
        let name = "alt_t\(UUID().uuidString.lowercased().prefix(8))"
        try await withAdmin(admin) { try await $0.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name) TEMPLATE \(template)"), logger: quietLogger) }
        var fresh = admin
        fresh.database = name
        let database = PostgresAppDatabase(url: fresh, logger: quietLogger)
        let result: Result<T, any Error>
        do {
            result = .success(
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await database.run() }
                    defer { group.cancelAll() }
                    return try await body(database)
                }
            )
        } catch {
            result = .failure(error)
        }
        try await withAdmin(admin) { connection in
            // With the databases restores of this one made (`<name>.<target>`).
            var names = [name]
            let restored = try await connection.query("SELECT datname::text FROM pg_database WHERE datname LIKE \(name + ".%")", logger: quietLogger)
            for try await restore in restored.decode(String.self) { names.append(restore) }
            for database in names {
                try await connection.query(PostgresQuery(unsafeSQL: "DROP DATABASE \"\(database)\" WITH (FORCE)"), logger: quietLogger)
            }
        }
        return try result.get()
    }

    /// A migrated database the test databases are copied from (`CREATE DATABASE … TEMPLATE`), made once
    /// per test process.
    actor Template {
        static let shared = Template()
        private var made: Task<String, any Error>?

        func name(_ admin: PostgresURL) async throws -> String {
            if let made { return try await made.value }
            let task = Task<String, any Error> {
                let name = "alt_template_\(ProcessInfo.processInfo.processIdentifier)_\(Int.random(in: 0..<1_000_000))"
                try await withAdmin(admin) { try await $0.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: quietLogger) }
                var url = admin
                url.database = name
                let database = PostgresAppDatabase(url: url, logger: quietLogger)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { await database.run() }
                    defer { group.cancelAll() }
                    try await database.migrate()
                }
                return name
            }
            made = task
            return try await task.value
        }
    }

    static func withAdmin(_ url: PostgresURL, _ body: (PostgresConnection) async throws -> Void) async throws {
        let configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: .disable
        )
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: quietLogger)
        do {
            try await body(connection)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }
}

public struct TestStoreError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Reads a store's rows as text, whichever engine holds them: what tests check rows with.
public enum StoreReader: Sendable {
    case sqlite(AppDatabase)
    case postgres(PostgresAppDatabase)

    /// The one column `sql` selects, as text (NULL as nil; SQLite blobs as hex).
    public func column(_ sql: String) async throws -> [String?] {
        switch self {
        case .postgres(let database):
            return try await database.column(sql)
        case .sqlite(let database):
            return try await database.writer.read { db in
                try Row.fetchAll(db, sql: sql).map { row -> String? in
                    switch (row[0] as DatabaseValue).storage {
                    case .null: nil
                    case .int64(let value): String(value)
                    case .double(let value): String(value)
                    case .string(let value): value
                    case .blob(let value): value.map { String(format: "%02x", $0) }.joined()
                    }
                }
            }
        }
    }

    /// The single number a `SELECT count(*) …` (or `sum`) answers; -1 when there is none.
    public func count(_ sql: String) async throws -> Int {
        Int(try await column(sql).first.flatMap { $0 } ?? "") ?? -1
    }
}
