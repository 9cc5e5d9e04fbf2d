import ErasureDomain
import Foundation
import GRDB

/// The erasure ledger on SQLite.
struct SQLiteLedger: LedgerRepository {
    let access: SQLiteAccess

    func record(_ entry: LedgerEntry) async throws {
        try await access { db in
            try db.execute(
                sql: """
                    INSERT INTO erasure_ledger (identifier_hash, kind, scope, request_id, erased_at) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT (identifier_hash, scope) DO UPDATE SET erased_at = max(erased_at, excluded.erased_at)
                    """,
                arguments: [entry.identifierHash, entry.kind, entry.scope, entry.requestId, StoredTime.text(entry.erasedAt)]
            )
        }
    }

    func entries() async throws -> [LedgerEntry] {
        try await access { db in try LedgerEntry.fetchAll(db) }
    }

    func entries(identifierHash: String) async throws -> [LedgerEntry] {
        try await access { db in try LedgerEntry.filter(sql: "identifier_hash = ?", arguments: [identifierHash]).fetchAll(db) }
    }

    func entries(requestID: String) async throws -> [LedgerEntry] {
        try await access { db in try LedgerEntry.filter(sql: "request_id = ?", arguments: [requestID]).fetchAll(db) }
    }

    func lastErasure(identifierHash: String, scope: Scope) async throws -> Date? {
        try await access { db in
            try LedgerEntry.filter(
                sql: "identifier_hash = ? AND scope IN (?, ?)", arguments: [identifierHash, LedgerScope(erasureOf: scope), LedgerScope.account]
            ).order(sql: "erased_at DESC").fetchOne(db)?.erasedAt
        }
    }
}

/// The audit trail on SQLite.
struct SQLiteAudit: AuditRepository {
    let access: SQLiteAccess

    func append(at time: Date, actor: String, action: AuditAction, subject: String, details: [String: any Sendable]) async throws {
        let text = String(decoding: try JSONSerialization.data(withJSONObject: details, options: [.sortedKeys]), as: UTF8.self)
        try await access { db in
            try db.execute(
                sql: "INSERT INTO audit_trail (occurred_at, actor, action, subject_ref, details) VALUES (?, ?, ?, ?, ?)",
                arguments: [StoredTime.text(time), actor, action.rawValue, subject, text]
            )
        }
    }
}
