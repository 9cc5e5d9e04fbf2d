import ErasureDomain
import Foundation
import GRDB

/// The transactional outbox on SQLite.
struct SQLiteOutbox: OutboxRepository {
    let access: SQLiteAccess

    func enqueue(_ message: OutboxRecord) async throws {
        try await access { db in try message.insert(db) }
    }

    func claim(kinds: [OutboxKind]?, limit: Int, now: Date, leaseUntil: Date) async throws -> [OutboxRecord] {
        var sql = "(lease_expires_at IS NULL OR lease_expires_at <= ?) AND (depends_on IS NULL OR depends_on NOT IN (SELECT id FROM outbox))"
        var arguments: StatementArguments = [StoredTime.text(now)]
        if let kinds, !kinds.isEmpty {
            sql += " AND kind IN \(placeholders(kinds))"
            arguments += StatementArguments(kinds)
        }
        return try await access { [sql, arguments] db in
            var messages = try OutboxRecord.filter(sql: sql, arguments: arguments).order(sql: "created_at, id").limit(limit).fetchAll(db)
            for index in messages.indices {
                messages[index].leaseExpiresAt = leaseUntil
                messages[index].deliveries += 1
                try messages[index].update(db)
            }
            return messages
        }
    }

    func messages(ids: [String]) async throws -> [OutboxRecord] {
        try await access { db in try OutboxRecord.filter(keys: ids).fetchAll(db) }
    }

    func messages(requestID: String) async throws -> [OutboxRecord] {
        try await access { db in try OutboxRecord.filter(sql: "request_id = ?", arguments: [requestID]).fetchAll(db) }
    }

    func messages(kinds: [OutboxKind], createdBefore cutoff: Date) async throws -> [OutboxRecord] {
        try await access { db in
            try OutboxRecord.filter(
                sql: "kind IN \(placeholders(kinds)) AND created_at < ?", arguments: StatementArguments(kinds) + [StoredTime.text(cutoff)]
            ).fetchAll(db)
        }
    }

    @discardableResult
    func delete(ids: [String]) async throws -> Int {
        try await access { db in try OutboxRecord.deleteAll(db, keys: ids) }
    }

    func postpone(ids: [String], until: Date) async throws {
        try await access { db in
            try db.execute(
                sql: "UPDATE outbox SET lease_expires_at = ? WHERE id IN \(placeholders(ids))",
                arguments: StatementArguments([StoredTime.text(until)] + ids)
            )
        }
    }

    func depth() async throws -> [OutboxKind: Int] {
        try await access { db in
            var depth: [OutboxKind: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT kind, count(*) FROM outbox GROUP BY kind") {
                if let kind = OutboxKind(rawValue: row[0]) { depth[kind] = row[1] }
            }
            return depth
        }
    }

    func count(requestID: String, kinds: [OutboxKind]) async throws -> Int {
        try await access { db in
            try OutboxRecord.filter(
                sql: "request_id = ? AND kind IN \(placeholders(kinds))", arguments: [requestID] + StatementArguments(kinds)
            ).fetchCount(db)
        }
    }
}
