public import Foundation
import GRDB
import ISO8601Time

/// Deletes what the policy keeps only for a while (P8): application logs older than their period, and
/// billing records past their `retain_until`. Periods come from `TableClassification`. Batched like
/// erasure, so a large backlog never holds the writer for long.
public struct RetentionSweep: Sendable {
    public let database: AppDatabase
    public let batchSize: Int

    public init(database: AppDatabase, batchSize: Int = 5_000) {
        self.database = database
        self.batchSize = max(1, batchSize)
    }

    /// Runs one sweep as of `now`; returns rows deleted per table.
    public func sweep(now: Date) async throws -> [String: Int] {
        var deleted: [String: Int] = [:]
        if case .retain(_, _, let days?)? = TableClassification.named("application_logs")?.category {
            let cutoff = Self.timestamp(now - TimeInterval(days) * 86_400)
            deleted["application_logs"] = try await deleteInBatches("application_logs", where: "logged_at < ?", cutoff)
        }
        // Billing rows get their retain_until (issue date + the classification's years) when their account
        // is erased; rows of live accounts have none and are never swept.
        deleted["billing_records"] = try await deleteInBatches(
            "billing_records",
            where: "retain_until IS NOT NULL AND retain_until < ?",
            Self.timestamp(now)
        )
        return deleted
    }

    private func deleteInBatches(_ table: String, where condition: String, _ argument: String) async throws -> Int {
        var total = 0
        while true {
            let count = try await database.write { db in
                try db.execute(
                    sql: "DELETE FROM \(table) WHERE rowid IN (SELECT rowid FROM \(table) WHERE \(condition) LIMIT \(batchSize))",
                    arguments: [argument]
                )
                return db.changesCount
            }
            total += count
            if count < batchSize { return total }
        }
    }

    /// The stored form of a time: ISO 8601 UTC to the second, which sorts as text in time order.
    static func timestamp(_ date: Date) -> String {
        ISO8601Time.format(date)
    }
}
