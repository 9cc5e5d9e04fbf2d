import ErasureDomain
import Foundation
import GRDB

/// Erases one account's rows for a plan in bounded batches: each batch is one transaction that deletes
/// rows of one table, as many as `BatchSizer` judges to fit in `transactionTarget` (at most `batchSize`;
/// found through the table's account index, so no batch re-scans what earlier ones removed), and adds
/// its count to `erasure_progress`. Memory is bounded by the batch, not the account; a crash loses at
/// most the batch in flight, and running the same job again resumes. Between batches the eraser
/// yields, so the readers and writers waiting for it get their turn.
///
/// Usage events are folded into the non-identifying daily aggregate in the same transaction that
/// deletes them (so each is counted exactly once); billing records are kept with `retain_until` =
/// issue date + 7 years (P8). Search entries go with their contacts and messages (triggers). At the
/// end the WAL is truncated (I2).
public struct Eraser: Sendable {
    public let database: AppDatabase
    /// The most rows one batch deletes.
    public let batchSize: Int
    /// How long one batch's write transaction should take at most (the sizing aims below it).
    public let transactionTarget: Duration
    /// Who each batch's audit entry names (none when nil), written in the batch's own transaction.
    public let auditActor: String?

    public init(database: AppDatabase, batchSize: Int = 5_000, transactionTarget: Duration = .milliseconds(50), auditActor: String? = nil) {
        self.database = database
        self.batchSize = max(1, batchSize)
        self.transactionTarget = transactionTarget
        self.auditActor = auditActor
    }

    /// Runs (or resumes) job `jobID`; returns rows erased per table, over every run of the job.
    /// `afterBatch` is called after each committed batch (status, tests); throwing from it stops the job.
    /// `sizing`, when given, receives the batch sizer at the end: how many batches, the longest one.
    @discardableResult
    public func erase(
        jobID: String,
        accountID: String,
        plan: ErasurePlan,
        afterBatch: @Sendable (_ table: String, _ rows: Int) async throws -> Void = { _, _ in },
        sizing: (@Sendable (BatchSizer) -> Void)? = nil
    ) async throws -> [String: Int] {
        var sizer = BatchSizer(ceiling: batchSize, target: transactionTarget)
        if plan.scope == .account {
            try await database.write { db in
                try db.execute(
                    sql: """
                        UPDATE billing_records
                        SET retain_until = strftime('%Y-%m-%dT%H:%M:%SZ', issued_at, '+7 years')
                        WHERE account_id = ? AND retain_until IS NULL
                        """,
                    arguments: [accountID]
                )
            }
        }
        for step in plan.steps {
            sizer.startTable()
            while true {
                let size = sizer.size
                let started = ContinuousClock.now
                let erased = try await database.write { db -> Int in
                    let rowids = "SELECT rowid FROM \(step.table) WHERE \(step.accountColumn) = ?1 LIMIT \(size)"
                    if step.table == "usage_events" {
                        try db.execute(
                            sql: """
                                INSERT INTO usage_daily (day, kind, count)
                                SELECT substr(occurred_at, 1, 10), kind, count(*) FROM usage_events
                                WHERE rowid IN (\(rowids)) GROUP BY 1, 2
                                ON CONFLICT (day, kind) DO UPDATE SET count = count + excluded.count
                                """,
                            arguments: [accountID]
                        )
                    }
                    try db.execute(sql: "DELETE FROM \(step.table) WHERE rowid IN (\(rowids))", arguments: [accountID])
                    let count = db.changesCount
                    if count > 0 {
                        try db.execute(
                            sql: """
                                INSERT INTO erasure_progress (job_id, table_name, rows_erased) VALUES (?, ?, ?)
                                ON CONFLICT (job_id, table_name) DO UPDATE SET rows_erased = rows_erased + excluded.rows_erased
                                """,
                            arguments: [jobID, step.table, count]
                        )
                        if let auditActor {
                            try db.execute(
                                sql: "INSERT INTO audit_trail (occurred_at, actor, action, subject_ref, details) VALUES (?, ?, 'erasure_batch', ?, ?)",
                                arguments: [StoredTime.text(Date()), auditActor, "request:\(jobID)", #"{"rows":\#(count),"table":"\#(step.table)"}"#]
                            )
                        }
                    }
                    return count
                }
                sizer.record(rows: erased, took: ContinuousClock.now - started)
                if erased == 0 { break }
                try await afterBatch(step.table, erased)
                if erased < size { break }
                await Task.yield()
            }
        }
        sizing?(sizer)
        try await database.checkpoint()
        return try await progress(jobID: jobID)
    }

    /// Rows erased so far per table: only what committed batches removed.
    public func progress(jobID: String) async throws -> [String: Int] {
        try await database.writer.read { db in
            let rows = try Row.fetchAll(db, sql: "SELECT table_name, rows_erased FROM erasure_progress WHERE job_id = ?", arguments: [jobID])
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["table_name"] as String, $0["rows_erased"] as Int) })
        }
    }
}
