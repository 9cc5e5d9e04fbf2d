import Foundation
import GRDB
import ISO8601Time

/// `RecordsRepository` on SQLite. Each cascade counts and deletes leaf tables first, records a
/// tombstone (so a repeat answers `alreadyDeleted`), writes an audit entry with ids and counts only,
/// then checkpoints the WAL so no deleted text stays on disk (I2). Search entries go with their
/// contacts and messages (triggers); the count is taken first. The cost follows the record's rows,
/// not the store's.
public struct SQLiteRecordsRepository: RecordsRepository {
    let database: AppDatabase

    public init(database: AppDatabase) { self.database = database }

    public func deleteContact(accountID: String, contactID: String, actor: String) async throws -> CascadeResult {
        try await cascade(
            kind: "contact", table: "contacts", accountID: accountID, id: contactID, actor: actor, steps: CascadePlan.contact,
            searchEntries: "id = (SELECT rowid * 2 FROM contacts WHERE id = ?1) OR id IN (SELECT rowid * 2 + 1 FROM messages WHERE contact_id = ?1)",
            tombstones: CascadePlan.contactTombstones
        )
    }

    public func deleteLead(accountID: String, leadID: String, actor: String) async throws -> CascadeResult {
        try await cascade(
            kind: "lead", table: "leads", accountID: accountID, id: leadID, actor: actor, steps: CascadePlan.lead,
            searchEntries: "id IN (SELECT rowid * 2 + 1 FROM messages WHERE lead_id = ?1)",
            tombstones: [:]
        )
    }

    public func deleteCampaign(accountID: String, campaignID: String, actor: String) async throws -> CascadeResult {
        try await cascade(
            kind: "campaign", table: "campaigns", accountID: accountID, id: campaignID, actor: actor, steps: CascadePlan.campaign,
            searchEntries: nil,
            tombstones: [:]
        )
    }

    private func cascade(
        kind: String,
        table: String,
        accountID: String,
        id: String,
        actor: String,
        steps: [CascadePlan.Step],
        searchEntries: String?,
        tombstones: [String: String]
    ) async throws -> CascadeResult {
        var tables = steps.map(\.table)
        if searchEntries != nil { tables.append("search_index") }
        let zero = Dictionary(uniqueKeysWithValues: tables.map { ($0, 0) })
        let result = try await database.write { db -> CascadeResult in
            let owner = try String.fetchOne(db, sql: "SELECT account_id FROM \(table) WHERE id = ?", arguments: [id])
            guard owner == accountID else {
                let tombstone = try Bool.fetchOne(
                    db,
                    sql: "SELECT 1 FROM deleted_records WHERE account_id = ? AND kind = ? AND record_id = ?",
                    arguments: [accountID, kind, id]
                )
                guard owner == nil, tombstone == true else { throw RecordsError.notFound(kind: kind, id: id) }
                return CascadeResult(deleted: zero, alreadyDeleted: true)
            }
            var deleted = zero
            if let searchEntries {
                deleted["search_index"] = try Int.fetchOne(db, sql: "SELECT count(*) FROM search_index WHERE \(searchEntries)", arguments: [id]) ?? 0
            }
            let now = ISO8601Time.format(Date())
            for (tombstoneKind, query) in tombstones {
                try db.execute(
                    sql: "INSERT OR IGNORE INTO deleted_records (account_id, kind, record_id, deleted_at) SELECT ?, ?, id, ? FROM (\(query))",
                    arguments: [accountID, tombstoneKind, now, id]
                )
            }
            for step in steps {
                try db.execute(sql: "DELETE FROM \(step.table) WHERE \(step.condition)", arguments: [id])
                deleted[step.table] = db.changesCount
            }
            try db.execute(
                sql: "INSERT INTO deleted_records (account_id, kind, record_id, deleted_at) VALUES (?, ?, ?, ?)",
                arguments: [accountID, kind, id, now]
            )
            let details = String(decoding: try JSONSerialization.data(withJSONObject: ["id": id, "deleted": deleted], options: [.sortedKeys]), as: UTF8.self)
            try db.execute(
                sql: "INSERT INTO audit_trail (occurred_at, actor, action, subject_ref, details) VALUES (?, ?, ?, ?, ?)",
                arguments: [now, actor, "delete_\(kind)", "account:\(accountID)", details]
            )
            return CascadeResult(deleted: deleted, alreadyDeleted: false)
        }
        if !result.alreadyDeleted { try await database.checkpoint() }
        return result
    }
}
