import ALTStore
import Foundation
import PostgresNIO

/// Single-record cascades on PostgreSQL (P10), in one unit of work each, in the shape of SQLite's
/// `SQLiteRecordsRepository`: leaf tables first, the search entries of deleted contacts and messages with
/// them, a tombstone so a repeat answers `alreadyDeleted`, an audit entry with ids and counts only.
/// PostgreSQL's full-text index is a plain table with a GIN index: deleting an entry removes its terms,
/// so no compaction step is needed (the dead tuples are the vacuum's).
struct PostgresRecordsRepository: RecordsRepository {
    let store: PostgresErasureStore

    /// One step of a cascade: the table, and the rows to delete from it (a WHERE clause on `$1` = the id).
    private struct Step {
        let table: String
        let condition: String
    }

    private static let contactSteps = [
        Step(table: "campaign_events", condition: "recipient_id IN (SELECT id FROM campaign_recipients WHERE contact_id = $1)"),
        Step(table: "campaign_recipients", condition: "contact_id = $1"),
        Step(table: "lead_scores", condition: "lead_id IN (SELECT id FROM leads WHERE contact_id = $1)"),
        Step(table: "messages", condition: "contact_id = $1"),
        Step(table: "leads", condition: "contact_id = $1"),
        Step(table: "contacts", condition: "id = $1"),
    ]

    private static let leadSteps = [
        Step(table: "lead_scores", condition: "lead_id = $1"),
        Step(table: "messages", condition: "lead_id = $1"),
        Step(table: "leads", condition: "id = $1"),
    ]

    private static let campaignSteps = [
        Step(table: "campaign_events", condition: "campaign_id = $1"),
        Step(table: "campaign_recipients", condition: "campaign_id = $1"),
        Step(table: "campaigns", condition: "id = $1"),
    ]

    func deleteContact(accountID: String, contactID: String, actor: String) async throws -> CascadeResult {
        try await cascade(
            kind: "contact", table: "contacts", accountID: accountID, id: contactID, actor: actor, steps: Self.contactSteps,
            searchEntries: "(kind = 'contact' AND ref_id = $1) OR (kind = 'message' AND ref_id IN (SELECT id FROM messages WHERE contact_id = $1))",
            tombstones: ["lead": "SELECT id FROM leads WHERE contact_id = $1"]
        )
    }

    func deleteLead(accountID: String, leadID: String, actor: String) async throws -> CascadeResult {
        try await cascade(
            kind: "lead", table: "leads", accountID: accountID, id: leadID, actor: actor, steps: Self.leadSteps,
            searchEntries: "kind = 'message' AND ref_id IN (SELECT id FROM messages WHERE lead_id = $1)", tombstones: [:]
        )
    }

    func deleteCampaign(accountID: String, campaignID: String, actor: String) async throws -> CascadeResult {
        try await cascade(
            kind: "campaign", table: "campaigns", accountID: accountID, id: campaignID, actor: actor, steps: Self.campaignSteps,
            searchEntries: nil, tombstones: [:]
        )
    }

    /// `sql` with the record's id as `$1`.
    private static func on(_ id: String, _ sql: String) -> PostgresQuery {
        var binds = PostgresBindings()
        binds.append(id)
        return PostgresQuery(unsafeSQL: sql, binds: binds)
    }

    private func cascade(
        kind: String, table: String, accountID: String, id: String, actor: String, steps: [Step], searchEntries: String?,
        tombstones: [String: String]
    ) async throws -> CascadeResult {
        var tables = steps.map(\.table)
        if searchEntries != nil { tables.append("search_index") }
        let zero = Dictionary(uniqueKeysWithValues: tables.map { ($0, 0) })
        return try await store.writing { access -> CascadeResult in
            let owner = try await access.value(String.self, Self.on(id, "SELECT account_id FROM \(table) WHERE id = $1"))
            guard owner == accountID else {
                let tombstone = try await access.value(
                    Int.self, "SELECT 1 FROM deleted_records WHERE account_id = \(accountID) AND kind = \(kind) AND record_id = \(id)"
                )
                guard owner == nil, tombstone != nil else { throw RecordsError.notFound(kind: kind, id: id) }
                return CascadeResult(deleted: zero, alreadyDeleted: true)
            }
            var deleted = zero
            let now = stored(Date())
            if let searchEntries {
                deleted["search_index"] = try await access.changes(Self.on(id, "DELETE FROM search_index WHERE \(searchEntries) RETURNING 1"))
            }
            for (tombstoneKind, query) in tombstones {
                var binds = PostgresBindings()
                binds.append(id)
                binds.append(accountID)
                binds.append(tombstoneKind)
                binds.append(now)
                try await access.rows(
                    PostgresQuery(
                        unsafeSQL: "INSERT INTO deleted_records (account_id, kind, record_id, deleted_at) SELECT $2, $3, id, $4 FROM (\(query)) AS doomed ON CONFLICT DO NOTHING",
                        binds: binds
                    )
                )
            }
            for step in steps {
                deleted[step.table] = try await access.changes(Self.on(id, "DELETE FROM \(step.table) WHERE \(step.condition) RETURNING 1"))
            }
            try await access.rows(
                "INSERT INTO deleted_records (account_id, kind, record_id, deleted_at) VALUES (\(accountID), \(kind), \(id), \(now))"
            )
            let details = String(decoding: try JSONSerialization.data(withJSONObject: ["id": id, "deleted": deleted], options: [.sortedKeys]), as: UTF8.self)
            try await access.rows(
                """
                INSERT INTO audit_trail (occurred_at, actor, action, subject_ref, details)
                VALUES (\(now), \(actor), \("delete_\(kind)"), \("account:\(accountID)"), \(details))
                """
            )
            return CascadeResult(deleted: deleted, alreadyDeleted: false)
        }
    }
}
