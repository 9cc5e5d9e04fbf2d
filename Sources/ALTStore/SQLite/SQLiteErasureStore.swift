import ErasureDomain
public import Foundation
import GRDB

/// The store on SQLite (GRDB): every repository of `Repositories.swift` over one `AppDatabase`.
public struct SQLiteErasureStore: ErasureStore {
    public let database: AppDatabase

    public init(database: AppDatabase) { self.database = database }

    public func write<T: Sendable>(_ body: @Sendable (any StoreTransaction) async throws -> T) async throws -> T {
        try await database.transaction { access in try await body(SQLiteTransaction(access: access)) }
    }

    public func read<T: Sendable>(_ body: @Sendable (any StoreTransaction) async throws -> T) async throws -> T {
        try await database.reading { access in try await body(SQLiteTransaction(access: access)) }
    }

    public var erasure: any ErasureRepository { SQLiteErasure(database: database) }
    public var records: any RecordsRepository { SQLiteRecordsRepository(database: database) }
    public var retention: any RetentionRepository { RetentionSweep(database: database) }
    public var snapshots: any SnapshotSource { database }
    public var leases: any LeaseRepository { SQLiteLeases(database: database) }

    public func flushErasedData() async throws { try await database.checkpoint() }

    /// This process is the file's only writer while it serves, so its own count is the store's.
    public var commitCount: UInt64? { database.commitCount }

    public func probeWrite(at time: Date) async throws { try await database.probeWrite(at: StoredTime.text(time)) }
}

/// The repositories of one SQLite unit of work (or of a read).
struct SQLiteTransaction: StoreTransaction {
    let access: SQLiteAccess

    var accounts: any AccountsRepository { SQLiteAccounts(access: access) }
    var requests: any RequestsRepository { SQLiteRequests(access: access) }
    var challenges: any ChallengesRepository { SQLiteChallenges(access: access) }
    var outbox: any OutboxRepository { SQLiteOutbox(access: access) }
    var ledger: any LedgerRepository { SQLiteLedger(access: access) }
    var audit: any AuditRepository { SQLiteAudit(access: access) }
    var integrations: any IntegrationsRepository { SQLiteIntegrations(access: access) }
    var sealed: any SealedValuesRepository { SQLiteSealedValues(access: access) }

    func progress(requestID: String) async throws -> [String: Int] {
        try await access { db in
            let rows = try Row.fetchAll(
                db.cachedStatement(sql: "SELECT table_name, rows_erased FROM erasure_progress WHERE job_id = ?"), arguments: [requestID]
            )
            return Dictionary(uniqueKeysWithValues: rows.map { ($0["table_name"] as String, $0["rows_erased"] as Int) })
        }
    }
}

/// Erasure, the residual scan and the byte scan on SQLite.
struct SQLiteErasure: ErasureRepository {
    let database: AppDatabase

    func erase(
        jobID: String, accountID: String, scope: Scope, batchSize: Int, auditActor: String?,
        afterBatch: @Sendable (_ table: String, _ rows: Int) async throws -> Void
    ) async throws -> [String: Int] {
        try await Eraser(database: database, batchSize: batchSize, auditActor: auditActor)
            .erase(jobID: jobID, accountID: accountID, plan: ErasurePlan(scope: scope), afterBatch: afterBatch)
    }

    func residualScan(
        accountID: String, scope: Scope, subjectHashes: Set<String>, hash: @escaping @Sendable (IdentifierKind, String) -> String
    ) async throws -> [ResidualScan.TableResult] {
        try await ResidualScan(database: database).scan(accountID: accountID, scope: scope, subjectHashes: subjectHashes, hash: hash)
    }

    func byteScan(for values: [String]) async throws -> [String: Int]? {
        guard database.path != nil else { return nil }
        return try await ResidualScan(database: database).byteScan(for: values)
    }
}

extension RetentionSweep: RetentionRepository {}

extension AppDatabase: SnapshotSource {
    public var engine: TableClassification.Engine { .sqlite }

    /// `VACUUM INTO`: it runs outside a transaction, on its own read connection, as one consistent snapshot.
    public func writeSnapshot(toFile path: String) async throws {
        try await writer.unsafeRead { db in try db.execute(sql: "VACUUM INTO ?", arguments: [path]) }
    }
}

/// Work leases on SQLite (one process serves a file, but a restarted one must still wait out what its
/// predecessor claimed).
struct SQLiteLeases: LeaseRepository {
    let database: AppDatabase

    func acquire(_ name: String, holder: String, now: Date, until: Date) async throws -> Bool {
        try await database.write { db in
            try db.execute(
                sql: """
                    INSERT INTO work_leases (name, holder, expires_at) VALUES (?, ?, ?)
                    ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
                    WHERE work_leases.holder = excluded.holder OR work_leases.expires_at <= ?
                    """,
                arguments: [name, holder, StoredTime.text(until), StoredTime.text(now)]
            )
            return db.changesCount > 0
        }
    }

    func release(_ name: String, holder: String) async throws {
        try await database.write { db in
            try db.execute(sql: "DELETE FROM work_leases WHERE name = ? AND holder = ?", arguments: [name, holder])
        }
    }
}
