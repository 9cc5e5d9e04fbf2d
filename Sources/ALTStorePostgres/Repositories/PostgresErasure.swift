import ALTStore
import ErasureDomain
import Foundation
import Logging
import PostgresNIO

/// Erasure on PostgreSQL, in the shape of SQLite's `Eraser`: bounded batches, each one unit of work that
/// deletes up to `batchSize` rows of one table (found through the table's account index) and adds its
/// count to `erasure_progress`, so a replica killed mid-way loses at most its batch in flight and any
/// replica resumes the job. Search entries go in the batch that deletes their contact or message (in an
/// account-scope erasure, all of the account's go first, in batches through the account index: one
/// lookup per erased id cost more than the deletes themselves); usage events are folded into
/// `usage_daily` by the statement that deletes them. At the end the touched tables
/// are vacuumed, so the erased rows' dead tuples are reclaimed now rather than whenever autovacuum runs
/// (what PostgreSQL can and cannot promise beyond that: `schemas/POSTGRES.md`).
struct PostgresErasure: ErasureRepository {
    let store: PostgresErasureStore

    /// What goes with a table's deleted rows in the same statement (`gone` holds their `id`s); `indexed`:
    /// whether search entries may still point at them.
    private static func companion(of table: String, indexed: Bool) -> String {
        switch table {
        case "contacts" where indexed: ", unindexed AS (DELETE FROM search_index WHERE kind = 'contact' AND ref_id IN (SELECT id FROM gone))"
        case "messages" where indexed: ", unindexed AS (DELETE FROM search_index WHERE kind = 'message' AND ref_id IN (SELECT id FROM gone))"
        case "usage_events":
            """
            , folded AS (
                INSERT INTO usage_daily (day, kind, count)
                SELECT to_char(occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD'), kind, count(*) FROM gone GROUP BY 1, 2
                ON CONFLICT (day, kind) DO UPDATE SET count = usage_daily.count + excluded.count
            )
            """
        default: ""
        }
    }

    private static func returning(_ table: String, indexed: Bool) -> String {
        switch table {
        case "contacts" where indexed, "messages" where indexed: "id"
        case "usage_events": "occurred_at, kind"
        default: "1"
        }
    }

    func erase(
        jobID: String, accountID: String, scope: Scope, batchSize: Int, auditActor: String?,
        afterBatch: @Sendable (_ table: String, _ rows: Int) async throws -> Void
    ) async throws -> [String: Int] {
        let batchSize = max(1, batchSize)
        let plan = ErasurePlan(scope: scope)
        if scope == .account {
            try await store.writing { access in
                try await access.rows(
                    """
                    UPDATE billing_records SET retain_until = issued_at + interval '7 years'
                    WHERE account_id = \(accountID) AND retain_until IS NULL
                    """
                )
            }
        }
        var touched: [String] = []
        // The whole account goes: its search entries first, through the account index.
        let indexed = scope != .account
        if !indexed, try await store.deleteInBatches("search_index", where: "account_id = $1", accountID, batchSize: batchSize) > 0 {
            touched.append("search_index")
        }
        for step in plan.steps {
            let statement = """
                WITH gone AS (
                    DELETE FROM \(step.table) WHERE ctid = ANY(ARRAY(
                        SELECT ctid FROM \(step.table) WHERE \(step.accountColumn) = $1 LIMIT \(batchSize)
                    )) RETURNING \(Self.returning(step.table, indexed: indexed))
                )\(Self.companion(of: step.table, indexed: indexed)),
                progress AS (
                    INSERT INTO erasure_progress (job_id, table_name, rows_erased)
                    SELECT $2, $3, count(*) FROM gone HAVING count(*) > 0
                    ON CONFLICT (job_id, table_name) DO UPDATE SET rows_erased = erasure_progress.rows_erased + excluded.rows_erased
                ),
                audited AS (
                    INSERT INTO audit_trail (occurred_at, actor, action, subject_ref, details)
                    SELECT date_trunc('second', now()), $4, 'erasure_batch', 'request:' || $2,
                           json_build_object('rows', count(*), 'table', $3::text)::text
                    FROM gone HAVING count(*) > 0 AND $4::text IS NOT NULL
                )
                SELECT count(*) FROM gone
                """
            while true {
                var binds = PostgresBindings()
                binds.append(accountID)
                binds.append(jobID)
                binds.append(step.table)
                binds.append(auditActor)
                let query = PostgresQuery(unsafeSQL: statement, binds: binds)
                let erased = try await store.writing { access in try await access.value(Int.self, query) ?? 0 }
                if erased == 0 { break }
                if !touched.contains(step.table) { touched.append(step.table) }
                try await afterBatch(step.table, erased)
                if erased < batchSize { break }
            }
        }
        let unindexed = indexed && (touched.contains("contacts") || touched.contains("messages"))
        try await vacuum(touched + (unindexed && !touched.contains("search_index") ? ["search_index"] : []))
        return try await store.read { tx in try await tx.progress(requestID: jobID) }
    }

    /// `VACUUM` of `tables` (outside any transaction): the erased rows' space is reclaimed for reuse and
    /// their index entries removed. A vacuum that cannot run (another holds a conflicting lock) is retried
    /// by autovacuum; the proof says which checks ran.
    func vacuum(_ tables: [String]) async throws {
        guard !tables.isEmpty else { return }
        try await PostgresAccess(database: store.database).rows(PostgresQuery(unsafeSQL: "VACUUM \(tables.joined(separator: ", "))"))
    }

    func residualScan(
        accountID: String, scope: Scope, subjectHashes: Set<String>, hash: @escaping @Sendable (IdentifierKind, String) -> String
    ) async throws -> [ResidualScan.TableResult] {
        let access = PostgresAccess(database: store.database)
        var results: [ResidualScan.TableResult] = []
        for table in ErasurePlan.scannedTables(scope) {
            let column = TableClassification.named(table)?.accountColumn ?? "account_id"
            let linked = try await access.value(Int.self, "SELECT count(*) FROM \(unescaped: table) WHERE \(unescaped: column) = \(accountID)") ?? 0
            var matching = 0
            for (holderColumn, kind) in ResidualScan.holderColumns[table] ?? [] {
                let values = try await access.rows(PostgresQuery(unsafeSQL: "SELECT \(holderColumn) FROM \(table) WHERE \(holderColumn) IS NOT NULL"))
                for row in values where subjectHashes.contains(hash(kind, try row.decode(String.self))) { matching += 1 }
            }
            results.append(ResidualScan.TableResult(table: table, linkedRows: linked, matchingRows: matching))
        }
        return results
    }

    /// A server database's files are not this process's to read: the proof says the byte scan did not run.
    func byteScan(for values: [String]) async throws -> [String: Int]? { nil }
}

/// The retention sweep on PostgreSQL (P8): logs past their period, billing past its `retain_until`, in
/// batches.
struct PostgresRetention: RetentionRepository {
    let store: PostgresErasureStore
    var batchSize = 5_000

    func sweep(now: Date) async throws -> [String: Int] {
        var deleted: [String: Int] = [:]
        if case .retain(_, _, let days?)? = TableClassification.named("application_logs")?.category {
            deleted["application_logs"] = try await store.deleteInBatches(
                "application_logs", where: "logged_at < $1", stored(now - TimeInterval(days) * 86_400), batchSize: batchSize
            )
        }
        deleted["billing_records"] = try await store.deleteInBatches(
            "billing_records", where: "retain_until IS NOT NULL AND retain_until < $1", stored(now), batchSize: batchSize
        )
        return deleted
    }
}

extension PostgresErasureStore {
    /// Deletes the rows of `table` matching `condition` (on `$1` = `value`) in batches of `batchSize`, each
    /// its own unit of work; returns how many.
    func deleteInBatches(_ table: String, where condition: String, _ value: some PostgresNonThrowingEncodable & Sendable, batchSize: Int) async throws -> Int {
        var total = 0
        while true {
            var binds = PostgresBindings()
            binds.append(value)
            let query = PostgresQuery(
                unsafeSQL: """
                    WITH gone AS (
                        DELETE FROM \(table) WHERE ctid = ANY(ARRAY(SELECT ctid FROM \(table) WHERE \(condition) LIMIT \(batchSize))) RETURNING 1
                    )
                    SELECT count(*) FROM gone
                    """,
                binds: binds
            )
            let count = try await writing { access in try await access.value(Int.self, query) ?? 0 }
            total += count
            if count < batchSize { return total }
        }
    }
}
