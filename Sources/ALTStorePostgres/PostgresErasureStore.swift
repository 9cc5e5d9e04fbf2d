public import ALTStore
import ErasureDomain
public import Foundation
import Logging
import PostgresNIO

/// The store on PostgreSQL: every repository of `ALTStore/Repositories` over one `PostgresAppDatabase`,
/// which several `deletiond` replicas may share.
///
/// A unit of work is one `SERIALIZABLE` transaction: what SQLite gets from its single writer (a check and
/// the write it guards cannot interleave with another unit of work), PostgreSQL gets from serializable
/// isolation, across connections and replicas. When two units of work conflict, PostgreSQL rolls one back
/// and it runs again from the start (a few times, with a short random pause), so a rate limit counted in
/// a transaction holds across replicas, and two replicas taking the same email intake make one request.
public struct PostgresErasureStore: ErasureStore {
    public let database: PostgresAppDatabase
    /// How often a unit of work that lost a conflict runs again before the conflict is the caller's error.
    static let attempts = 10

    public init(database: PostgresAppDatabase) { self.database = database }

    public func write<T: Sendable>(_ body: @Sendable (any StoreTransaction) async throws -> T) async throws -> T {
        try await writing { access in try await body(PostgresTransaction(access: access)) }
    }

    /// How a unit of work is isolated from concurrent ones.
    enum Isolation: String {
        /// The default: whatever the unit of work reads stays true until it commits, or it runs again.
        case serializable = "SERIALIZABLE"
        /// For units of work that lock the rows they depend on first (`SELECT … FOR UPDATE`): the single-
        /// record cascades, which under SERIALIZABLE conflict with each other through neighbouring index
        /// pages whenever one account's records are deleted at once.
        case readCommitted = "READ COMMITTED"
    }

    /// One unit of work on a connection of its own, run again when it loses a conflict (a serialization
    /// failure, a deadlock, or a unique key another replica took first).
    func writing<T: Sendable>(isolation: Isolation = .serializable, _ body: @Sendable (PostgresAccess) async throws -> T) async throws -> T {
        try await withoutActuallyEscaping(body) { body in
            var attempt = 1
            while true {
                do {
                    return try await transaction(isolation, body)
                } catch is SerializationConflict where attempt < Self.attempts {
                    attempt += 1
                    try await Task.sleep(for: .milliseconds(Int.random(in: 1...(2 << min(attempt, 7)))))
                }
            }
        }
    }

    private func transaction<T: Sendable>(_ isolation: Isolation, _ body: @escaping @Sendable (PostgresAccess) async throws -> T) async throws -> T {
        let logger = database.logger
        // The count moves once the transaction has ended, committed or not (a commit whose answer was lost
        // may have committed): a status read from memory after this write returns is read again.
        defer { database.changes.committedHere() }
        return try await database.withConnection { connection in
            let access = PostgresAccess(connection: connection, logger: logger)
            try await access.rows(PostgresQuery(unsafeSQL: "BEGIN ISOLATION LEVEL \(isolation.rawValue)"))
            do {
                let value = try await body(access)
                try await access.rows("COMMIT")
                return value
            } catch {
                // A connection that broke rolls back by itself on the server.
                _ = try? await access.rows("ROLLBACK")
                throw error
            }
        }
    }

    public func read<T: Sendable>(_ body: @Sendable (any StoreTransaction) async throws -> T) async throws -> T {
        try await body(PostgresTransaction(access: PostgresAccess(database: database)))
    }

    public var erasure: any ErasureRepository { PostgresErasure(store: self) }
    public var records: any RecordsRepository { PostgresRecordsRepository(store: self) }
    public var retention: any RetentionRepository { PostgresRetention(store: self) }
    public var snapshots: any SnapshotSource { PostgresSnapshots(database: self.database) }
    public var leases: any LeaseRepository { PostgresLeases(store: self) }

    /// Nothing to do per call: erased rows become dead tuples that the erasure's `VACUUM` reclaims, and
    /// PostgreSQL's WAL is not the service's to truncate (`schemas/POSTGRES.md`).
    public func flushErasedData() async throws {}

    /// This process's commits and every replica's announced ones (`PostgresChangeFeed`); nil while the
    /// feed is not listening.
    public var commitCount: UInt64? { database.changes.count }

    public func probeWrite(at time: Date) async throws {
        defer { database.changes.committedHere() }
        try await PostgresAccess(database: database).rows(
            """
            INSERT INTO store_probe (id, probed_at) VALUES (1, \(stored(time)))
            ON CONFLICT (id) DO UPDATE SET probed_at = excluded.probed_at
            """
        )
    }
}

/// The repositories of one PostgreSQL unit of work (or of a read).
struct PostgresTransaction: StoreTransaction {
    let access: PostgresAccess

    var accounts: any AccountsRepository { PostgresAccounts(access: access) }
    var requests: any RequestsRepository { PostgresRequests(access: access) }
    var challenges: any ChallengesRepository { PostgresChallenges(access: access) }
    var outbox: any OutboxRepository { PostgresOutbox(access: access) }
    var ledger: any LedgerRepository { PostgresLedger(access: access) }
    var audit: any AuditRepository { PostgresAudit(access: access) }
    var integrations: any IntegrationsRepository { PostgresIntegrations(access: access) }
    var sealed: any SealedValuesRepository { PostgresSealedValues(access: access) }

    func progress(requestID: String) async throws -> [String: Int] {
        var progress: [String: Int] = [:]
        for row in try await access.rows("SELECT table_name, rows_erased FROM erasure_progress WHERE job_id = \(requestID)") {
            let (table, rows) = try row.decode((String, Int).self)
            progress[table] = rows
        }
        return progress
    }
}

/// Work leases on PostgreSQL: a row per claim. Two replicas acquiring together conflict in their
/// serializable transactions; the one that runs again finds the other's claim and gets false.
struct PostgresLeases: LeaseRepository {
    let store: PostgresErasureStore

    func acquire(_ name: String, holder: String, now: Date, until: Date) async throws -> Bool {
        try await store.writing { access in
            try await access.changes(
                """
                INSERT INTO work_leases (name, holder, expires_at) VALUES (\(name), \(holder), \(until))
                ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                WHERE work_leases.holder = excluded.holder OR work_leases.expires_at <= \(now)
                RETURNING 1
                """
            ) > 0
        }
    }

    func release(_ name: String, holder: String) async throws {
        try await store.writing { access in
            try await access.rows("DELETE FROM work_leases WHERE name = \(name) AND holder = \(holder)")
        }
    }
}
