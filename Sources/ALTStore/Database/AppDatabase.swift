public import GRDB
import Synchronization

/// The one owner of ALT's store (GRDB's AppDatabase pattern): it opens the database with the settings
/// erasure depends on, applies every migration, and is the only way in for repositories.
///
/// Settings: foreign keys on; WAL (a `DatabasePool`) so status reads go on while erasure writes;
/// `secure_delete` on, so freed pages are overwritten with zeros (I2); the WAL checkpointed every 250 pages.
public final class AppDatabase: Sendable {
    /// GRDB's writer, for this package's own modules (backups read through it). Every write goes
    /// through `write` or `transaction`, behind the write gate.
    package let writer: any DatabaseWriter
    let gate = WriteGate()
    private let commits = CommitCounter()

    public init(_ writer: any DatabaseWriter) throws {
        self.writer = writer
        try Migrations.migrator.migrate(writer)
        writer.add(transactionObserver: commits, extent: .databaseLifetime)
        // One process serves an SQLite store: claims left by a process that died are void at once.
        try writer.write { db in try db.execute(sql: "DELETE FROM work_leases") }
    }

    /// The database file at `path` (created if missing), in WAL mode.
    public static func open(path: String) throws -> AppDatabase {
        try AppDatabase(DatabasePool(path: path, configuration: configuration()))
    }

    /// How many transactions have ended on the writer connection since the store was opened, committed
    /// or rolled back, whatever path wrote them: a value read while the count stays the same is still
    /// what the store holds (this process being the file's only writer).
    public var commitCount: UInt64 { commits.count }

    /// The database file, or `nil` for an in-memory database.
    public var path: String? { (writer as? DatabasePool)?.path }

    /// A private in-memory database, for unit tests. One connection serves reads and writes alike, so a read
    /// made while another task's unit of work is open sees its uncommitted rows (a file database's readers
    /// see only what committed).
    public static func inMemory() throws -> AppDatabase {
        try AppDatabase(DatabaseQueue(configuration: configuration()))
    }

    static func configuration() -> Configuration {
        var configuration = Configuration()
        configuration.foreignKeysEnabled = true
        configuration.busyMode = .timeout(10)
        // A unit of work keeps its transaction open across several accesses (behind the write gate).
        configuration.allowsUnsafeTransactions = true
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA secure_delete = ON")
            // The commit that crosses the mark checkpoints the WAL and pays for it: at 250 pages (1 MiB)
            // rather than SQLite's 1,000 that stays within an erasure batch's 50 ms (Benchmarks/RESULTS.md).
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 250")
        }
        return configuration
    }

    /// Copies the WAL into the database file and truncates the WAL to zero bytes, so no erased value
    /// stays behind in old WAL frames (I2).
    public func checkpoint() async throws {
        guard writer is DatabasePool else { return }
        try await gate.withPermit {
            try await writer.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)")
            }
        }
    }

    /// Rewrites the probe row in a write transaction that commits (a WAL frame and a sync): it fails when
    /// the store cannot be written — a read-only file or file system, a full disk, a lock held elsewhere
    /// past the busy timeout — and succeeds again once the fault is gone.
    public func probeWrite(at time: String) async throws {
        try await write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO store_probe (id, probed_at) VALUES (1, ?)", arguments: [time])
        }
    }

    /// A write transaction whose failure to reach the disk (read-only, full, locked, I/O) is a
    /// `StoreWriteFault`: the transaction rolled back, nothing is half-written, and the caller may retry.
    public func write<T: Sendable>(_ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await gate.withPermit {
            try await Self.mappingFaults { try await writer.write(body) }
        }
    }

    /// A write transaction whose body may suspend between its statements (a unit of work across
    /// repositories): `BEGIN IMMEDIATE`, the body's accesses, `COMMIT`; any error, cancellation included,
    /// rolls the whole transaction back. Holds the write gate throughout.
    func transaction<T: Sendable>(_ body: (_ access: SQLiteAccess) async throws -> T) async throws -> T {
        try await gate.withPermit {
            try await Self.mappingFaults { try await writer.writeWithoutTransaction { db in try db.beginTransaction(.immediate) } }
            do {
                let result = try await body(SQLiteAccess(writer: writer, writing: true))
                try await Self.mappingFaults { try await writer.writeWithoutTransaction { db in try db.commit() } }
                return result
            } catch {
                await rollback()
                throw error
            }
        }
    }

    /// Rolls back the open transaction, whatever happens to the task meanwhile: GRDB's callback access
    /// runs even when the task is cancelled.
    private func rollback() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            writer.asyncWriteWithoutTransaction { db in
                // ROLLBACK fails only when no transaction is open, which the guard rules out.
                if db.isInsideTransaction { try? db.rollback() }
                continuation.resume()
            }
        }
    }

    /// A read whose body may suspend between its statements: each access reads the latest committed state.
    func reading<T: Sendable>(_ body: (_ access: SQLiteAccess) async throws -> T) async throws -> T {
        try await body(SQLiteAccess(writer: writer, writing: false))
    }

    /// A fault of the store as a `StoreWriteFault` (the caller may retry); other errors as they are.
    static func mappingFaults<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as DatabaseError {
            throw StoreWriteFault(error) ?? error
        }
    }

    /// Every table in the database, for the classification check.
    package func tableNames() async throws -> [String] {
        try await writer.read { db in
            try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        }
    }
}

/// Why the store cannot be written, as an operator reads it (never a value from the store).
public struct StoreWriteFault: Error, Sendable, Equatable {
    public let reason: String

    /// A fault another store found (a server database that went away, a disk full on the server).
    public init(reason: String) { self.reason = reason }

    /// The fault a database error is, or nil when it is not one (a constraint, a bug).
    init?(_ error: DatabaseError) {
        switch error.resultCode {
        case .SQLITE_READONLY: reason = "the store is read-only"
        case .SQLITE_FULL: reason = "the disk is full: the store cannot be written"
        case .SQLITE_BUSY, .SQLITE_LOCKED: reason = "the store is locked by another process"
        case .SQLITE_IOERR: reason = "I/O error writing the store"
        case .SQLITE_CANTOPEN: reason = "the store cannot be opened for writing"
        default: return nil
        }
    }
}

/// Counts the transactions that end on the writer connection. A rollback counts too: an in-memory
/// database's single connection lets a read see rows of a transaction still open, which may roll back.
private final class CommitCounter: TransactionObserver, Sendable {
    private let value = Atomic<UInt64>(0)

    var count: UInt64 { value.load(ordering: .acquiring) }

    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { false }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidCommit(_ db: Database) { value.add(1, ordering: .releasing) }
    func databaseDidRollback(_ db: Database) { value.add(1, ordering: .releasing) }
}
