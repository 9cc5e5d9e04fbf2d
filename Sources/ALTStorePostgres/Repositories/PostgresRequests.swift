import ALTStore
import ErasureDomain
import Foundation
import PostgresNIO

/// Deletion requests on PostgreSQL: a request is one `deletion_requests` row, read as `to_jsonb` and
/// written with `jsonb_populate_record` (`PostgresRecords`), its columns the aggregate's coding keys.
struct PostgresRequests: RequestsRepository {
    let access: PostgresAccess

    /// The head of every query here: the rows as JSON, then a condition.
    private static let select = "SELECT to_jsonb(r)::text FROM deletion_requests r WHERE"

    private func first(_ query: PostgresQuery) async throws -> DeletionRequest? {
        try await all(query, limit: 1).first
    }

    /// The requests `query` selects (it starts with `select`), in deadline order.
    private func all(_ query: PostgresQuery, limit: Int? = nil) async throws -> [DeletionRequest] {
        var query = query
        query.sql += " ORDER BY production_due_by, id"
        if let limit { query.sql += " LIMIT \(limit)" }
        return try await access.records(DeletionRequest.self, keys: .declared, query)
    }

    func request(id: String) async throws -> DeletionRequest? { try await first("\(unescaped: Self.select) id = \(id)") }

    func request(confirmationCode: String) async throws -> DeletionRequest? { try await first("\(unescaped: Self.select) confirmation_code = \(confirmationCode)") }

    func request(messageIdHash: String) async throws -> DeletionRequest? { try await first("\(unescaped: Self.select) message_id_hash = \(messageIdHash)") }

    func openRequest(accountID: String, scope: Scope) async throws -> DeletionRequest? {
        try await first("\(unescaped: Self.select) account_id = \(accountID) AND scope = \(scope.rawValue) AND state = ANY(\(RequestState.open.map(\.rawValue)))")
    }

    /// Inserts the request, or updates every column of the row with its id.
    func save(_ request: DeletionRequest) async throws {
        let json = try PostgresRecords.encode(request, keys: .declared)
        let columns = DeletionRequest.CodingKeys.allCases.map(\.rawValue).filter { $0 != "id" }
        let assignments = "(\(columns.joined(separator: ", "))) = ROW(\(columns.map { "excluded.\($0)" }.joined(separator: ", ")))"
        try await access.rows(
            """
            INSERT INTO deletion_requests SELECT * FROM jsonb_populate_record(NULL::deletion_requests, \(json)::jsonb)
            ON CONFLICT (id) DO UPDATE SET \(unescaped: assignments)
            """
        )
    }

    func requestsNotStarted(accountID: String, except requestID: String) async throws -> [DeletionRequest] {
        try await all("\(unescaped: Self.select) account_id = \(accountID) AND id <> \(requestID) AND state = ANY(\(RequestState.notStarted.map(\.rawValue)))")
    }

    func runnableRequests(now: Date, limit: Int) async throws -> [DeletionRequest] {
        try await all(
            """
            \(unescaped: Self.select) (state = ANY(\([RequestState.scheduled.rawValue, RequestState.failed.rawValue])) AND erasure_starts_at <= \(stored(now)))
            OR state = \(RequestState.erasing.rawValue)
            """,
            limit: limit
        )
    }

    func unverifiedRequests(expiringBy now: Date) async throws -> [DeletionRequest] {
        try await all("\(unescaped: Self.select) state = ANY(\(RequestState.unverified.map(\.rawValue))) AND verification_expires_at <= \(stored(now))")
    }

    /// The same rule as the status's overdue flag: production work past 30 days, or backups past 90.
    static func overdue(_ statement: inout Statement, now: Date, backupsCutoff: Date) -> String {
        """
        ((production_due_by < \(statement.bind(stored(now))) AND state = ANY(\(statement.bind(RequestState.open.map(\.rawValue)))))
         OR (state = \(statement.bind(RequestState.erased.rawValue)) AND received_at < \(statement.bind(stored(backupsCutoff)))))
        """
    }

    func census(now: Date, backupsCutoff: Date) async throws -> (byState: [RequestState: Int], overdue: Int) {
        var byState: [RequestState: Int] = [:]
        for row in try await access.rows("SELECT state, count(*) FROM deletion_requests GROUP BY state") {
            let (state, count) = try row.decode((String, Int).self)
            if let state = RequestState(rawValue: state) { byState[state] = count }
        }
        var statement = Statement("SELECT count(*) FROM deletion_requests WHERE true")
        statement.and { Self.overdue(&$0, now: now, backupsCutoff: backupsCutoff) }
        return (byState, try await access.value(Int.self, statement.query) ?? 0)
    }

    func requests(_ filter: RequestFilter, after cursor: (due: Date, id: String)?, limit: Int) async throws -> [DeletionRequest] {
        var statement = Statement(Self.select + " true")
        if let state = filter.state { statement.and { "state = \($0.bind(state.rawValue))" } }
        if let dueBefore = filter.dueBefore { statement.and { "production_due_by < \($0.bind(stored(dueBefore)))" } }
        if let overdue = filter.overdue {
            statement.and { (overdue.0 ? "" : "NOT ") + Self.overdue(&$0, now: overdue.now, backupsCutoff: overdue.backupsCutoff) }
        }
        if let cursor { statement.and { "(production_due_by, id) > (\($0.bind(stored(cursor.due))), \($0.bind(cursor.id)))" } }
        return try await all(statement.query, limit: limit)
    }

    func erasedAwaitingConfirmation(jobKinds: [OutboxKind]) async throws -> [DeletionRequest] {
        let kinds = ([OutboxKind.deletionCompleted] + jobKinds).map(\.rawValue)
        return try await all(
            """
            \(unescaped: Self.select) state = \(RequestState.erased.rawValue)
            AND NOT EXISTS (SELECT 1 FROM outbox o WHERE o.request_id = r.id AND o.kind = ANY(\(kinds)))
            """
        )
    }
}

/// Identity codes on PostgreSQL.
struct PostgresChallenges: ChallengesRepository {
    let access: PostgresAccess

    func challenges(requestID: String) async throws -> [ChallengeRecord] {
        try await access.records(
            ChallengeRecord.self, keys: .snakeCase,
            "SELECT to_jsonb(c)::text FROM identity_challenges c WHERE request_id = \(requestID) ORDER BY issued_at DESC, id DESC"
        )
    }

    func save(_ challenge: ChallengeRecord) async throws -> ChallengeRecord {
        var saved = challenge
        if let id = challenge.id {
            try await access.rows(
                """
                UPDATE identity_challenges SET digest = \(challenge.digest), issued_at = \(stored(challenge.issuedAt)),
                    attempts = \(challenge.attempts), burned = \(challenge.burned)
                WHERE id = \(id)
                """
            )
        } else {
            saved.id = try await access.value(
                Int64.self,
                """
                INSERT INTO identity_challenges (request_id, digest, issued_at, attempts, burned)
                VALUES (\(challenge.requestId), \(challenge.digest), \(stored(challenge.issuedAt)), \(challenge.attempts), \(challenge.burned))
                RETURNING id
                """
            )
        }
        return saved
    }

    func deleteChallenges(requestID: String) async throws {
        try await access.rows("DELETE FROM identity_challenges WHERE request_id = \(requestID)")
    }

    func deleteChallenges(issuedBefore cutoff: Date) async throws -> Int {
        try await access.changes("DELETE FROM identity_challenges WHERE issued_at < \(stored(cutoff)) RETURNING 1")
    }
}

/// A statement whose text is built piece by piece: each bound value gets the next `$n`.
struct Statement {
    var sql: String
    private var binds = PostgresBindings()

    init(_ sql: String) { self.sql = sql }

    /// Binds `value` and returns its placeholder.
    mutating func bind(_ value: some PostgresDynamicTypeEncodable) -> String {
        binds.append(value)
        return "$\(binds.count)"
    }

    /// Appends ` AND <condition>`; `condition` binds its values on the statement it is given.
    mutating func and(_ condition: (inout Statement) -> String) {
        let text = condition(&self)
        sql += " AND " + text
    }

    var query: PostgresQuery { PostgresQuery(unsafeSQL: sql, binds: binds) }
}
