import ALTStorePostgres
import Foundation
import Logging
import PostgresNIO
import Testing

/// The PostgreSQL the tests use: `ALT_TEST_DATABASE_URL` (`.ci/run` starts one with `.ci/postgres`).
/// Without it the PostgreSQL tests are skipped, and say so — except in CI (`CI` set), where they run and
/// fail: CI must test PostgreSQL.
enum PostgresTestServer {
    static let url = ProcessInfo.processInfo.environment["ALT_TEST_DATABASE_URL"]
    static let inCI = ProcessInfo.processInfo.environment["CI"] != nil

    /// The trait of every test that needs the server.
    static var required: ConditionTrait {
        .enabled(if: url != nil || inCI, "no PostgreSQL: set ALT_TEST_DATABASE_URL (eval \"$(.ci/postgres start)\") to run these")
    }

    static var logger: Logger {
        var logger = Logger(label: "postgres-test")
        logger.logLevel = .critical
        return logger
    }

    /// Runs `body` with a store on a fresh, empty database of the test server, dropped afterwards.
    static func withFreshDatabase(_ body: (PostgresAppDatabase) async throws -> Void) async throws {
        guard let text = url else { throw TestFailure("ALT_TEST_DATABASE_URL is not set, and CI must test PostgreSQL") }
        let admin = try PostgresURL(text)
        let name = "alt_test_\(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: ""))"
        try await withAdmin(admin) { try await $0.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(name)"), logger: logger) }
        var fresh = admin
        fresh.database = name
        let database = PostgresAppDatabase(url: fresh, logger: logger)
        do {
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await database.run() }
                defer { group.cancelAll() }
                try await body(database)
            }
        } catch {
            try? await withAdmin(admin) { try await $0.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"), logger: logger) }
            throw error
        }
        try await withAdmin(admin) { try await $0.query(PostgresQuery(unsafeSQL: "DROP DATABASE \(name) WITH (FORCE)"), logger: logger) }
    }

    private static func withAdmin(_ url: PostgresURL, _ body: (PostgresConnection) async throws -> Void) async throws {
        let configuration = PostgresConnection.Configuration(
            host: url.host, port: url.port, username: url.user, password: url.password, database: url.database, tls: .disable
        )
        let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
        do {
            try await body(connection)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
