import ALTStore
import ErasureDomain
import Foundation
import PostgresNIO

/// The transactional outbox on PostgreSQL. A claim locks the rows it hands out and skips rows another
/// replica is claiming (`FOR UPDATE SKIP LOCKED`), so concurrent claims never hand out one message twice.
struct PostgresOutbox: OutboxRepository {
    let access: PostgresAccess

    private static let select = "SELECT to_jsonb(o)::text FROM outbox o WHERE"

    func enqueue(_ message: OutboxRecord) async throws {
        let json = try PostgresRecords.encode(message, keys: .snakeCase)
        try await access.rows("INSERT INTO outbox SELECT * FROM jsonb_populate_record(NULL::outbox, \(json)::jsonb)")
    }

    func claim(kinds: [OutboxKind]?, limit: Int, now: Date, leaseUntil: Date) async throws -> [OutboxRecord] {
        var statement = Statement(
            "SELECT id FROM outbox WHERE (lease_expires_at IS NULL OR lease_expires_at <= $1)"
                + " AND (depends_on IS NULL OR NOT EXISTS (SELECT 1 FROM outbox d WHERE d.id = outbox.depends_on))"
        )
        _ = statement.bind(stored(now))
        if let kinds, !kinds.isEmpty { statement.and { "kind = ANY(\($0.bind(kinds.map(\.rawValue))))" } }
        let until = statement.bind(stored(leaseUntil))
        statement.sql = """
            UPDATE outbox o SET lease_expires_at = \(until), deliveries = o.deliveries + 1
            WHERE o.id IN (\(statement.sql) ORDER BY created_at, id LIMIT \(limit) FOR UPDATE SKIP LOCKED)
            RETURNING to_jsonb(o)::text
            """
        let claimed = try await access.records(OutboxRecord.self, keys: .snakeCase, statement.query)
        return claimed.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    func messages(ids: [String]) async throws -> [OutboxRecord] {
        try await access.records(OutboxRecord.self, keys: .snakeCase, "\(unescaped: Self.select) id = ANY(\(ids))")
    }

    func messages(requestID: String) async throws -> [OutboxRecord] {
        try await access.records(OutboxRecord.self, keys: .snakeCase, "\(unescaped: Self.select) request_id = \(requestID)")
    }

    func messages(kinds: [OutboxKind], createdBefore cutoff: Date) async throws -> [OutboxRecord] {
        try await access.records(
            OutboxRecord.self, keys: .snakeCase,
            "\(unescaped: Self.select) kind = ANY(\(kinds.map(\.rawValue))) AND created_at < \(stored(cutoff))"
        )
    }

    @discardableResult
    func delete(ids: [String]) async throws -> Int {
        try await access.changes("DELETE FROM outbox WHERE id = ANY(\(ids)) RETURNING 1")
    }

    func postpone(ids: [String], until: Date) async throws {
        try await access.rows("UPDATE outbox SET lease_expires_at = \(stored(until)) WHERE id = ANY(\(ids))")
    }

    func depth() async throws -> [OutboxKind: Int] {
        var depth: [OutboxKind: Int] = [:]
        for row in try await access.rows("SELECT kind, count(*) FROM outbox GROUP BY kind") {
            let (kind, count) = try row.decode((String, Int).self)
            if let kind = OutboxKind(rawValue: kind) { depth[kind] = count }
        }
        return depth
    }

    func count(requestID: String, kinds: [OutboxKind]) async throws -> Int {
        try await access.value(Int.self, "SELECT count(*) FROM outbox WHERE request_id = \(requestID) AND kind = ANY(\(kinds.map(\.rawValue)))") ?? 0
    }
}

/// The erasure ledger on PostgreSQL.
struct PostgresLedger: LedgerRepository {
    let access: PostgresAccess

    private static let select = "SELECT to_jsonb(l)::text FROM erasure_ledger l"

    func record(_ entry: LedgerEntry) async throws {
        try await access.rows(
            """
            INSERT INTO erasure_ledger (identifier_hash, kind, scope, request_id, erased_at)
            VALUES (\(entry.identifierHash), \(entry.kind.rawValue), \(entry.scope.rawValue), \(entry.requestId), \(stored(entry.erasedAt)))
            ON CONFLICT (identifier_hash, scope) DO UPDATE SET erased_at = greatest(erasure_ledger.erased_at, excluded.erased_at)
            """
        )
    }

    func entries() async throws -> [LedgerEntry] {
        try await access.records(LedgerEntry.self, keys: .snakeCase, "\(unescaped: Self.select)")
    }

    func entries(identifierHash: String) async throws -> [LedgerEntry] {
        try await access.records(LedgerEntry.self, keys: .snakeCase, "\(unescaped: Self.select) WHERE identifier_hash = \(identifierHash)")
    }

    func entries(requestID: String) async throws -> [LedgerEntry] {
        try await access.records(LedgerEntry.self, keys: .snakeCase, "\(unescaped: Self.select) WHERE request_id = \(requestID)")
    }

    func lastErasure(identifierHash: String, scope: Scope) async throws -> Date? {
        let scopes = [LedgerScope(erasureOf: scope).rawValue, LedgerScope.account.rawValue]
        return try await access.value(
            Date.self, "SELECT max(erased_at) FROM erasure_ledger WHERE identifier_hash = \(identifierHash) AND scope = ANY(\(scopes))"
        )
    }
}

/// The audit trail on PostgreSQL.
struct PostgresAudit: AuditRepository {
    let access: PostgresAccess

    func append(at time: Date, actor: String, action: AuditAction, subject: String, details: [String: any Sendable]) async throws {
        let text = String(decoding: try JSONSerialization.data(withJSONObject: details, options: [.sortedKeys]), as: UTF8.self)
        try await access.rows(
            """
            INSERT INTO audit_trail (occurred_at, actor, action, subject_ref, details)
            VALUES (\(stored(time)), \(actor), \(action.rawValue), \(subject), \(text))
            """
        )
    }
}
