import ALTStore
import Foundation
import PostgresNIO

/// Single-record cascades on PostgreSQL (P10), in one unit of work each, in the shape of SQLite's
/// `SQLiteRecordsRepository`: leaf tables first, the search entries of deleted contacts and messages with
/// them, a tombstone so a repeat answers `alreadyDeleted`, an audit entry with ids and counts only.
///
/// A cascade runs at READ COMMITTED and first locks the record and the rows that others reference it
/// through (`FOR UPDATE`): a concurrent insert of a child needs a key-share lock on its parent, so it
/// waits and then fails its foreign key, and no child can appear behind the cascade's back; a second
/// cascade of the same record waits, then finds the tombstone. Under SERIALIZABLE, cascades of one
/// account's neighbouring records conflict through shared index pages and fail once retries run out.
/// PostgreSQL's full-text index is a plain table with a GIN index: deleting an entry removes its terms,
/// so no compaction step is needed (the dead tuples are the vacuum's).
struct PostgresRecordsRepository: RecordsRepository {
    let store: PostgresErasureStore

    /// What a cascade locks before it deletes: the record (`$1`), and its children that others reference.
    private static let contactLocks = [
        "SELECT account_id FROM contacts WHERE id = $1 FOR UPDATE",
        "SELECT 1 FROM leads WHERE contact_id = $1 FOR UPDATE",
        "SELECT 1 FROM campaign_recipients WHERE contact_id = $1 FOR UPDATE",
    ]
    private static let leadLocks = ["SELECT account_id FROM leads WHERE id = $1 FOR UPDATE"]
    private static let campaignLocks = [
        "SELECT account_id FROM campaigns WHERE id = $1 FOR UPDATE",
        "SELECT 1 FROM campaign_recipients WHERE campaign_id = $1 FOR UPDATE",
    ]

    /// `CascadePlan`'s steps, the id written `$1`.
    private static func steps(_ plan: [CascadePlan.Step]) -> [CascadePlan.Step] {
        plan.map { CascadePlan.Step(table: $0.table, condition: $0.condition.replacingOccurrences(of: "?", with: "$1")) }
    }

    private static let contactSteps = steps(CascadePlan.contact)
    private static let leadSteps = steps(CascadePlan.lead)
    private static let campaignSteps = steps(CascadePlan.campaign)

    /// The search entries of a contact and of its messages, found through the primary key `(kind, ref_id)`.
    /// (Written as one `OR` of the two, PostgreSQL scans the whole index table instead: a cascade whose
    /// cost grows with the store, and whose table-wide read conflicts with every concurrent cascade under
    /// SERIALIZABLE. `PostgresPlanTests` holds every statement here to an index path.)
    static let contactSearchEntries = "(kind, ref_id) IN (SELECT 'contact', $1 UNION ALL SELECT 'message', id FROM messages WHERE contact_id = $1)"
    static let leadSearchEntries = "kind = 'message' AND ref_id IN (SELECT id FROM messages WHERE lead_id = $1)"
    static let contactTombstones = CascadePlan.contactTombstones.mapValues { $0.replacingOccurrences(of: "?", with: "$1") }

    /// Every statement a cascade runs, `$1` the record's id (and, for tombstones, `$2` the account, `$3`
    /// the kind, `$4` the time): for the plan test.
    static var statements: [String] {
        var statements = (contactSteps + leadSteps + campaignSteps).map { "DELETE FROM \($0.table) WHERE \($0.condition) RETURNING 1" }
        statements += [contactSearchEntries, leadSearchEntries].map { "DELETE FROM search_index WHERE \($0) RETURNING 1" }
        statements += contactTombstones.values.map(tombstoneInsert)
        return statements + contactLocks + leadLocks + campaignLocks
    }

    static func tombstoneInsert(_ query: String) -> String {
        "INSERT INTO deleted_records (account_id, kind, record_id, deleted_at) SELECT $2, $3, id, $4 FROM (\(query)) AS doomed ON CONFLICT DO NOTHING"
    }

    func deleteContact(accountID: String, contactID: String, actor: String) async throws -> CascadeResult {
        try await cascade(
            kind: "contact", accountID: accountID, id: contactID, actor: actor, locks: Self.contactLocks, steps: Self.contactSteps,
            searchEntries: Self.contactSearchEntries, tombstones: Self.contactTombstones
        )
    }

    func deleteLead(accountID: String, leadID: String, actor: String) async throws -> CascadeResult {
        try await cascade(
            kind: "lead", accountID: accountID, id: leadID, actor: actor, locks: Self.leadLocks, steps: Self.leadSteps,
            searchEntries: Self.leadSearchEntries, tombstones: [:]
        )
    }

    func deleteCampaign(accountID: String, campaignID: String, actor: String) async throws -> CascadeResult {
        try await cascade(
            kind: "campaign", accountID: accountID, id: campaignID, actor: actor, locks: Self.campaignLocks, steps: Self.campaignSteps,
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
        kind: String, accountID: String, id: String, actor: String, locks: [String], steps: [CascadePlan.Step], searchEntries: String?,
        tombstones: [String: String]
    ) async throws -> CascadeResult {
        var tables = steps.map(\.table)
        if searchEntries != nil { tables.append("search_index") }
        let zero = Dictionary(uniqueKeysWithValues: tables.map { ($0, 0) })
        return try await store.writing(isolation: .readCommitted) { access -> CascadeResult in
            // The first lock reads the owner: nil when the record is gone (or was deleted while we waited).
            let owner = try await access.value(String.self, Self.on(id, locks[0]))
            for lock in locks.dropFirst() where owner == accountID { try await access.rows(Self.on(id, lock)) }
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
                try await access.rows(PostgresQuery(unsafeSQL: Self.tombstoneInsert(query), binds: binds))
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
