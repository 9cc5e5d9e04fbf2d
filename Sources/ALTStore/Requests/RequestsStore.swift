public import ErasureDomain
public import Foundation
import GRDB
import ISO8601Time

/// The store of deletion requests, identity challenges, the outbox, the erasure ledger and the audit
/// trail. Every change the service makes goes through `write`, so a transition, its outbox message and
/// its audit entry commit together or not at all.
public struct RequestsStore: Sendable {
    public let database: AppDatabase

    public init(database: AppDatabase) { self.database = database }

    public func write<T: Sendable>(_ body: @escaping @Sendable (RequestsTransaction) throws -> T) async throws -> T {
        try await database.write { db in try body(RequestsTransaction(db: db)) }
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (RequestsTransaction) throws -> T) async throws -> T {
        try await database.writer.read { db in try body(RequestsTransaction(db: db)) }
    }
}

/// What the service may do inside one transaction.
public struct RequestsTransaction {
    let db: Database

    // MARK: Accounts, as intake needs them

    public func account(email: String) throws -> AccountRecord? {
        try AccountRecord.filter(sql: "email = ? COLLATE NOCASE", arguments: [email]).fetchOne(db)
    }

    public func account(id: String) throws -> AccountRecord? { try AccountRecord.fetchOne(db, key: id) }

    // MARK: Requests

    /// On a cached statement: `deletion.status` runs this on every call.
    public func request(id: String) throws -> DeletionRequestRecord? {
        try DeletionRequestRecord.fetchOne(db.cachedStatement(sql: "SELECT * FROM deletion_requests WHERE id = ?"), arguments: [id])
    }

    public func request(confirmationCode: String) throws -> DeletionRequestRecord? {
        try DeletionRequestRecord.filter(sql: "confirmation_code = ?", arguments: [confirmationCode]).fetchOne(db)
    }

    public func request(messageIdHash: String) throws -> DeletionRequestRecord? {
        try DeletionRequestRecord.filter(sql: "message_id_hash = ?", arguments: [messageIdHash]).fetchOne(db)
    }

    /// The request of this account and scope that is still under way, if any.
    public func openRequest(accountID: String, scope: Scope) throws -> DeletionRequestRecord? {
        try DeletionRequestRecord.filter(
            sql: "account_id = ? AND scope = ? AND state IN \(Self.placeholders(RequestState.open))",
            arguments: [accountID, scope] + StatementArguments(RequestState.open)
        ).fetchOne(db)
    }

    public func save(_ request: DeletionRequestRecord) throws { try request.save(db) }

    /// The account's other requests that have not started erasing (received, awaiting a code, scheduled).
    public func requestsNotStarted(accountID: String, except requestID: String) throws -> [DeletionRequestRecord] {
        try DeletionRequestRecord.filter(
            sql: "account_id = ? AND id != ? AND state IN \(Self.placeholders(RequestState.notStarted))",
            arguments: [accountID, requestID] + StatementArguments(RequestState.notStarted)
        ).fetchAll(db)
    }

    /// Requests the executor should run now: scheduled ones whose start has come, failed ones whose retry
    /// time has come (both in `erasure_starts_at`), and any left erasing (a crash), oldest deadline first.
    public func runnableRequests(now: Date, limit: Int) throws -> [DeletionRequestRecord] {
        try DeletionRequestRecord.filter(
            sql: "(state IN (?, ?) AND erasure_starts_at <= ?) OR state = ?",
            arguments: [RequestState.scheduled, RequestState.failed, Self.timestamp(now), RequestState.erasing]
        ).order(sql: "production_due_by, id").limit(limit).fetchAll(db)
    }

    /// Unverified requests past their verification window.
    public func unverifiedRequests(expiringBy now: Date) throws -> [DeletionRequestRecord] {
        try DeletionRequestRecord.filter(
            sql: "state IN \(Self.placeholders(RequestState.unverified)) AND verification_expires_at <= ?",
            arguments: StatementArguments(RequestState.unverified) + [Self.timestamp(now)]
        ).fetchAll(db)
    }

    /// One page of requests in (productionDueBy, id) order, after the cursor.
    public func requests(
        state: RequestState?, dueBefore: Date?, overdue: (Bool, now: Date, backupsCutoff: Date)?, after cursor: (due: Date, id: String)?, limit: Int
    ) throws -> [DeletionRequestRecord] {
        var conditions: [String] = []
        var arguments = StatementArguments()
        if let state {
            conditions.append("state = ?")
            _ = arguments.append(contentsOf: [state])
        }
        if let dueBefore {
            conditions.append("production_due_by < ?")
            _ = arguments.append(contentsOf: [Self.timestamp(dueBefore)])
        }
        if let overdue {
            // The same rule as the status's overdue flag: production work past 30 days, or backups past 90
            // (both counted from the request).
            let condition = """
                ((production_due_by < ? AND state IN \(Self.placeholders(RequestState.open)))
                 OR (state = ? AND received_at < ?))
                """
            conditions.append(overdue.0 ? condition : "NOT \(condition)")
            _ = arguments.append(contentsOf: [Self.timestamp(overdue.now)] + StatementArguments(RequestState.open))
            _ = arguments.append(contentsOf: [RequestState.erased, Self.timestamp(overdue.backupsCutoff)])
        }
        if let cursor {
            conditions.append("(production_due_by, id) > (?, ?)")
            _ = arguments.append(contentsOf: [Self.timestamp(cursor.due), cursor.id])
        }
        let condition = conditions.isEmpty ? "1" : conditions.joined(separator: " AND ")
        return try DeletionRequestRecord.filter(sql: condition, arguments: arguments)
            .order(sql: "production_due_by, id").limit(limit).fetchAll(db)
    }

    // MARK: Challenges

    /// The request's codes, newest first.
    public func challenges(requestID: String) throws -> [ChallengeRecord] {
        try ChallengeRecord.filter(sql: "request_id = ?", arguments: [requestID]).order(sql: "issued_at DESC, id DESC").fetchAll(db)
    }

    public func save(_ challenge: inout ChallengeRecord) throws { try challenge.save(db) }

    /// Deletes the request's codes (a request that ended before its code was used).
    public func deleteChallenges(requestID: String) throws {
        try ChallengeRecord.filter(sql: "request_id = ?", arguments: [requestID]).deleteAll(db)
    }

    /// Deletes codes issued before `cutoff` (expired long ago); returns how many.
    public func deleteChallenges(issuedBefore cutoff: Date) throws -> Int {
        try ChallengeRecord.filter(sql: "issued_at < ?", arguments: [Self.timestamp(cutoff)]).deleteAll(db)
    }

    // MARK: Outbox

    public func enqueue(_ message: OutboxRecord) throws { try message.insert(db) }

    /// Leases up to `limit` messages that are not leased (or whose lease ran out) until `leaseUntil`.
    public func claim(kinds: [OutboxKind]?, limit: Int, now: Date, leaseUntil: Date) throws -> [OutboxRecord] {
        var sql = "(lease_expires_at IS NULL OR lease_expires_at <= ?) AND (depends_on IS NULL OR depends_on NOT IN (SELECT id FROM outbox))"
        var arguments: StatementArguments = [Self.timestamp(now)]
        if let kinds, !kinds.isEmpty {
            sql += " AND kind IN \(Self.placeholders(kinds))"
            _ = arguments.append(contentsOf: StatementArguments(kinds))
        }
        var messages = try OutboxRecord.filter(sql: sql, arguments: arguments).order(sql: "created_at, id").limit(limit).fetchAll(db)
        for index in messages.indices {
            messages[index].leaseExpiresAt = leaseUntil
            messages[index].deliveries += 1
            try messages[index].update(db)
        }
        return messages
    }

    public func outboxMessages(ids: [String]) throws -> [OutboxRecord] {
        try OutboxRecord.filter(keys: ids).fetchAll(db)
    }

    public func outboxMessages(requestID: String) throws -> [OutboxRecord] {
        try OutboxRecord.filter(sql: "request_id = ?", arguments: [requestID]).fetchAll(db)
    }

    public func deleteOutboxMessages(ids: [String]) throws -> Int {
        try OutboxRecord.deleteAll(db, keys: ids)
    }

    /// Hands messages out again after `until` (a worker's "retry later").
    public func postpone(ids: [String], until: Date) throws {
        try db.execute(
            sql: "UPDATE outbox SET lease_expires_at = ? WHERE id IN (\(databaseQuestionMarks(count: ids.count)))",
            arguments: StatementArguments([Self.timestamp(until)] + ids)
        )
    }

    /// Messages of `kinds` created before `cutoff` (jobs carrying tokens live 24 hours at most).
    public func outboxMessages(kinds: [OutboxKind], createdBefore cutoff: Date) throws -> [OutboxRecord] {
        try OutboxRecord.filter(
            sql: "kind IN \(Self.placeholders(kinds)) AND created_at < ?", arguments: StatementArguments(kinds) + [Self.timestamp(cutoff)]
        ).fetchAll(db)
    }

    // MARK: Ledger and audit

    /// Records an erased (or disconnected) subject. The same identifier erased again in the same scope
    /// keeps the later time, so a restore replays the newest erasure or disconnect, not only the first.
    public func record(_ entry: LedgerEntry) throws {
        try db.execute(
            sql: """
                INSERT INTO erasure_ledger (identifier_hash, kind, scope, request_id, erased_at) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (identifier_hash, scope) DO UPDATE SET erased_at = max(erased_at, excluded.erased_at)
                """,
            arguments: [entry.identifierHash, entry.kind, entry.scope, entry.requestId, Self.timestamp(entry.erasedAt)]
        )
    }

    /// The whole ledger (replayed after a restore).
    public func ledger() throws -> [LedgerEntry] { try LedgerEntry.fetchAll(db) }

    /// Erased requests whose final confirmation is not queued yet and that have no job of `jobKinds`
    /// (the provider jobs) left in the outbox; the caller still checks the backups.
    public func erasedAwaitingConfirmation(jobKinds: [OutboxKind]) throws -> [DeletionRequestRecord] {
        let kinds = [OutboxKind.deletionCompleted] + jobKinds
        return try DeletionRequestRecord.filter(
            sql: """
                state = ? AND id NOT IN (
                    SELECT request_id FROM outbox WHERE request_id IS NOT NULL AND kind IN \(Self.placeholders(kinds))
                )
                """,
            arguments: [RequestState.erased] + StatementArguments(kinds)
        ).fetchAll(db)
    }

    /// How many messages of `kinds` the request still has in the outbox.
    public func outboxCount(requestID: String, kinds: [OutboxKind]) throws -> Int {
        try OutboxRecord.filter(
            sql: "request_id = ? AND kind IN (\(databaseQuestionMarks(count: kinds.count)))", arguments: StatementArguments([requestID] + kinds)
        ).fetchCount(db)
    }

    public func ledger(identifierHash: String) throws -> [LedgerEntry] {
        try LedgerEntry.filter(sql: "identifier_hash = ?", arguments: [identifierHash]).fetchAll(db)
    }

    public func ledger(requestID: String) throws -> [LedgerEntry] {
        try LedgerEntry.filter(sql: "request_id = ?", arguments: [requestID]).fetchAll(db)
    }

    /// Appends to the audit trail. `details` must hold ids and counts only, never personal data.
    public func audit(at time: Date, actor: String, action: AuditAction, requestID: String, details: [String: any Sendable] = [:]) throws {
        try audit(at: time, actor: actor, action: action, subject: "request:\(requestID)", details: details)
    }

    /// An audit entry about something other than a request, e.g. `account:<id>` for a disconnect.
    public func audit(at time: Date, actor: String, action: AuditAction, subject: String, details: [String: any Sendable] = [:]) throws {
        let text = String(decoding: try JSONSerialization.data(withJSONObject: details, options: [.sortedKeys]), as: UTF8.self)
        try db.execute(
            sql: "INSERT INTO audit_trail (occurred_at, actor, action, subject_ref, details) VALUES (?, ?, ?, ?, ?)",
            arguments: [Self.timestamp(time), actor, action.rawValue, subject, text]
        )
    }

    /// Rows erased so far per table for a request (its erasure job has the request's id).
    public func progress(requestID: String) throws -> [String: Int] {
        let rows = try Row.fetchAll(db.cachedStatement(sql: "SELECT table_name, rows_erased FROM erasure_progress WHERE job_id = ?"), arguments: [requestID])
        return Dictionary(uniqueKeysWithValues: rows.map { ($0["table_name"] as String, $0["rows_erased"] as Int) })
    }

    // MARK: What is kept

    /// Billing records kept for an erased account: how many, and until when the last one is kept.
    public func retainedBilling(accountID: String) throws -> (count: Int, until: String?) {
        let row = try Row.fetchOne(db, sql: "SELECT count(*), max(retain_until) FROM billing_records WHERE account_id = ?", arguments: [accountID])
        return (row?[0] ?? 0, row?[1])
    }

    /// Application log lines that still name the account, and the newest one's time.
    public func retainedLogs(accountID: String) throws -> (count: Int, newest: String?) {
        let row = try Row.fetchOne(db, sql: "SELECT count(*), max(logged_at) FROM application_logs WHERE account_id = ?", arguments: [accountID])
        return (row?[0] ?? 0, row?[1])
    }

    // MARK: Subject identifiers

    /// The values that identify the holder of an account, per kind, for the ledger and the residual
    /// scan: read before erasure.
    public func identifiers(accountID: String) throws -> [(kind: IdentifierKind, value: String)] {
        var values: [(IdentifierKind, String)] = []
        if let account = try AccountRecord.fetchOne(db, key: accountID) {
            values.append((.email, account.email))
            values.append((.name, account.name))
        }
        if let phone = try String.fetchOne(db, sql: "SELECT phone FROM profiles WHERE account_id = ? AND phone IS NOT NULL", arguments: [accountID]) {
            values.append((.phone, phone))
        }
        if let user = try String.fetchOne(db, sql: "SELECT ig_user_id FROM instagram_connections WHERE account_id = ?", arguments: [accountID]) {
            values.append((.igUserID, user))
        }
        if let email = try String.fetchOne(db, sql: "SELECT google_email FROM calendar_connections WHERE account_id = ?", arguments: [accountID]) {
            values.append((.googleEmail, email))
        }
        return values
    }

    /// `(?, ?, …)` for an `IN` over `values`.
    static func placeholders(_ values: some Collection) -> String { "(\(databaseQuestionMarks(count: values.count)))" }

    /// The stored form of a time: ISO 8601 UTC to the second, which sorts as text in time order.
    static func timestamp(_ date: Date) -> String { ISO8601Time.format(date) }
}
