import ALTStore
import Foundation
import Logging
import PostgresNIO

/// How a repository reaches PostgreSQL: on the unit of work's connection (inside its transaction), or on
/// the pool (a read, each statement its own snapshot).
struct PostgresAccess: Sendable {
    private let run: @Sendable (PostgresQuery) async throws -> [PostgresRow]

    init(connection: PostgresConnection, logger: Logger) {
        run = { query in try await connection.query(query, logger: logger).collect() }
    }

    init(database: PostgresAppDatabase) {
        run = { query in try await database.withConnection { try await $0.query(query, logger: database.logger).collect() } }
    }

    /// The rows of `query`.
    @discardableResult
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await PostgresFaults.mapping { try await run(query) }
    }

    /// The first column of the first row, decoded (nil when there is no row or it is NULL).
    func value<T: PostgresDecodable>(_ type: T.Type, _ query: PostgresQuery) async throws -> T? where T._DecodableType == T {
        guard let row = try await rows(query).first else { return nil }
        return try row.decode(T?.self)
    }

    /// How many rows a statement changed: the statement must end in `RETURNING 1`.
    func changes(_ query: PostgresQuery) async throws -> Int { try await rows(query).count }

    /// Records of a query selecting `to_jsonb(t)::text` (see `PostgresRecords`).
    func records<T: Decodable>(_ type: T.Type, keys: PostgresRecords.Keys, _ query: PostgresQuery) async throws -> [T] {
        try await rows(query).map { try PostgresRecords.decode(type, keys: keys, json: try $0.decode(String.self)) }
    }

    func record<T: Decodable>(_ type: T.Type, keys: PostgresRecords.Keys, _ query: PostgresQuery) async throws -> T? {
        try await records(type, keys: keys, query).first
    }
}

/// Times as the store keeps them: to the second, as on SQLite, so a value reads back equal on both stores.
func stored(_ date: Date) -> Date { Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)) }
func stored(_ date: Date?) -> Date? { date.map(stored) }
