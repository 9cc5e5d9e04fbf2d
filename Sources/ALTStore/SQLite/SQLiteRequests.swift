import ErasureDomain
import Foundation
import GRDB

/// Deletion requests on SQLite.
struct SQLiteRequests: RequestsRepository {
    let access: SQLiteAccess

    /// On a cached statement: `deletion.status` runs this on every call.
    func request(id: String) async throws -> DeletionRequest? {
        try await access { db in
            try DeletionRequest.fetchOne(db.cachedStatement(sql: "SELECT * FROM deletion_requests WHERE id = ?"), arguments: [id])
        }
    }

    func request(confirmationCode: String) async throws -> DeletionRequest? {
        try await access { db in try DeletionRequest.filter(sql: "confirmation_code = ?", arguments: [confirmationCode]).fetchOne(db) }
    }

    func request(messageIdHash: String) async throws -> DeletionRequest? {
        try await access { db in try DeletionRequest.filter(sql: "message_id_hash = ?", arguments: [messageIdHash]).fetchOne(db) }
    }

    func openRequest(accountID: String, scope: Scope) async throws -> DeletionRequest? {
        try await access { db in
            try DeletionRequest.filter(
                sql: "account_id = ? AND scope = ? AND state IN \(placeholders(RequestState.open))",
                arguments: [accountID, scope] + StatementArguments(RequestState.open)
            ).fetchOne(db)
        }
    }

    func save(_ request: DeletionRequest) async throws {
        try await access { db in try request.save(db) }
    }

    func requestsNotStarted(accountID: String, except requestID: String) async throws -> [DeletionRequest] {
        try await access { db in
            try DeletionRequest.filter(
                sql: "account_id = ? AND id != ? AND state IN \(placeholders(RequestState.notStarted))",
                arguments: [accountID, requestID] + StatementArguments(RequestState.notStarted)
            ).fetchAll(db)
        }
    }

    func runnableRequests(now: Date, limit: Int) async throws -> [DeletionRequest] {
        try await access { db in
            try DeletionRequest.filter(
                sql: "(state IN (?, ?) AND erasure_starts_at <= ?) OR state = ?",
                arguments: [RequestState.scheduled, RequestState.failed, StoredTime.text(now), RequestState.erasing]
            ).order(sql: "production_due_by, id").limit(limit).fetchAll(db)
        }
    }

    func unverifiedRequests(expiringBy now: Date) async throws -> [DeletionRequest] {
        try await access { db in
            try DeletionRequest.filter(
                sql: "state IN \(placeholders(RequestState.unverified)) AND verification_expires_at <= ?",
                arguments: StatementArguments(RequestState.unverified) + [StoredTime.text(now)]
            ).fetchAll(db)
        }
    }

    /// The same rule as the status's overdue flag: production work past 30 days, or backups past 90 (both
    /// counted from the request); bound by `overdueArguments`.
    static let overdue = """
        ((production_due_by < ? AND state IN \(placeholders(RequestState.open)))
         OR (state = ? AND received_at < ?))
        """

    static func overdueArguments(now: Date, backupsCutoff: Date) -> StatementArguments {
        [StoredTime.text(now)] + StatementArguments(RequestState.open) + [RequestState.erased, StoredTime.text(backupsCutoff)]
    }

    func census(now: Date, backupsCutoff: Date) async throws -> (byState: [RequestState: Int], overdue: Int) {
        try await access { db in
            var byState: [RequestState: Int] = [:]
            for row in try Row.fetchAll(db, sql: "SELECT state, count(*) FROM deletion_requests GROUP BY state") {
                if let state = RequestState(rawValue: row[0]) { byState[state] = row[1] }
            }
            let overdue = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM deletion_requests WHERE \(Self.overdue)", arguments: Self.overdueArguments(now: now, backupsCutoff: backupsCutoff)
            )
            return (byState, overdue ?? 0)
        }
    }

    func requests(_ filter: RequestFilter, after cursor: (due: Date, id: String)?, limit: Int) async throws -> [DeletionRequest] {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let state = filter.state {
            conditions.append("state = ?")
            arguments += [state]
        }
        if let dueBefore = filter.dueBefore {
            conditions.append("production_due_by < ?")
            arguments += [StoredTime.text(dueBefore)]
        }
        if let overdue = filter.overdue {
            conditions.append(overdue.0 ? Self.overdue : "NOT \(Self.overdue)")
            arguments += Self.overdueArguments(now: overdue.now, backupsCutoff: overdue.backupsCutoff)
        }
        if let cursor {
            conditions.append("(production_due_by, id) > (?, ?)")
            arguments += [StoredTime.text(cursor.due), cursor.id]
        }
        let condition = conditions.isEmpty ? "1" : conditions.joined(separator: " AND ")
        return try await access { [arguments] db in
            try DeletionRequest.filter(sql: condition, arguments: arguments).order(sql: "production_due_by, id").limit(limit).fetchAll(db)
        }
    }

    func erasedAwaitingConfirmation(jobKinds: [OutboxKind]) async throws -> [DeletionRequest] {
        let kinds = [OutboxKind.deletionCompleted] + jobKinds
        return try await access { db in
            try DeletionRequest.filter(
                sql: """
                    state = ? AND id NOT IN (
                        SELECT request_id FROM outbox WHERE request_id IS NOT NULL AND kind IN \(placeholders(kinds))
                    )
                    """,
                arguments: [RequestState.erased] + StatementArguments(kinds)
            ).fetchAll(db)
        }
    }
}

/// Identity codes on SQLite.
struct SQLiteChallenges: ChallengesRepository {
    let access: SQLiteAccess

    func challenges(requestID: String) async throws -> [ChallengeRecord] {
        try await access { db in
            try ChallengeRecord.filter(sql: "request_id = ?", arguments: [requestID]).order(sql: "issued_at DESC, id DESC").fetchAll(db)
        }
    }

    func save(_ challenge: ChallengeRecord) async throws -> ChallengeRecord {
        try await access { db in
            var saved = challenge
            try saved.save(db)
            return saved
        }
    }

    func deleteChallenges(requestID: String) async throws {
        _ = try await access { db in try ChallengeRecord.filter(sql: "request_id = ?", arguments: [requestID]).deleteAll(db) }
    }

    func deleteChallenges(issuedBefore cutoff: Date) async throws -> Int {
        try await access { db in try ChallengeRecord.filter(sql: "issued_at < ?", arguments: [StoredTime.text(cutoff)]).deleteAll(db) }
    }
}
