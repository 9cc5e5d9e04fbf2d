import ALTBackups
public import ALTStorePostgres
import GRDB
public import ALTErasureClient
public import ALTStore
import ErasureDomain
public import ErasureService
public import Foundation
public import RPCServer
import RPCTestSupport
public import Tracing

/// An in-process deletiond on the demo seed: a database file in a fresh folder, the dev clock, the
/// erasure runner and the scheduled services running beside the server (as `deletiond serve --dev` runs
/// them). Reached over TCP on an ephemeral port (`run`), or without sockets through the server's
/// in-process transport (`withClient`): the workflow tests take the second, the wire's the first.
public struct DemoServer: Sendable {
    /// The store the workflow runs on.
    public let store: TestStore
    /// The SQLite file the demo was seeded into: the store itself on `.sqlite`; on `.postgres` only the
    /// seed's source (the rows were copied to PostgreSQL).
    public let database: AppDatabase
    /// The PostgreSQL database of a `.postgres` server.
    public let postgres: PostgresAppDatabase?
    public let requests: DeletionRequests
    public let backups: Backups
    public let folder: URL

    public var databasePath: String { folder.appendingPathComponent("alt.sqlite").path }

    public init(
        store: TestStore = .sqlite, database: AppDatabase, postgres: PostgresAppDatabase? = nil, requests: DeletionRequests, backups: Backups,
        folder: URL
    ) {
        self.store = store
        self.database = database
        self.postgres = postgres
        self.requests = requests
        self.backups = backups
        self.folder = folder
    }

    /// The dev caller (every method) and a caller with no grants.
    public static let devToken = "dev"
    public static let nobodyToken = "nobody-token"

    public static var callers: CallerDirectory {
        CallerDirectory()
            .adding(Caller(name: "dev", allowedMethods: [MethodPattern("*")]), token: devToken)
            .adding(Caller(name: "nobody", allowedMethods: [MethodPattern("none.of.them")]), token: nobodyToken)
    }

    /// Runs `body` with the port of a live TCP server.
    public static func run(
        on store: TestStore = .sqlite,
        worker interval: Duration? = .milliseconds(100),
        batchSize: Int = 5_000,
        signedRequestTolerance: TimeInterval = 1_000_000_000,
        backupRetention: TimeInterval = 60 * 86_400,
        tracer: (any Tracer)? = nil,
        _ body: @Sendable (_ port: Int, _ server: DemoServer) async throws -> Void
    ) async throws {
        try await assemble(
            on: store, worker: interval, batchSize: batchSize, signedRequestTolerance: signedRequestTolerance, backupRetention: backupRetention,
            tracer: tracer
        ) {
            dispatcher, server in
            try await LiveTCPServer.run(dispatcher: dispatcher) { port, _ in try await body(port, server) }
        }
    }

    /// Runs `body` with the generated client on the server's in-process transport: no socket, the same
    /// dispatcher, authentication and handlers. No scheduled service runs in the background: the test
    /// says when the scheduled work happens (`settle()`), so nothing is waited for by the clock.
    public static func withClient(
        on store: TestStore = .sqlite,
        batchSize: Int = 5_000,
        signedRequestTolerance: TimeInterval = 1_000_000_000,
        backupRetention: TimeInterval = 60 * 86_400,
        _ body: @Sendable (_ client: ALTErasureClient, _ server: DemoServer) async throws -> Void
    ) async throws {
        try await assemble(on: store, worker: nil, batchSize: batchSize, signedRequestTolerance: signedRequestTolerance, backupRetention: backupRetention) {
            dispatcher, server in
            try await ALTErasureClient.run(.init(token: devToken), transport: InProcessTransport(dispatcher: dispatcher)) { client in
                try await body(client, server)
            }
        }
    }

    /// One round of the scheduled work, as the executor and the backup scheduler run it, finished before
    /// it returns: expiry, the erasures that are due (and their batches: it waits for the erasure runner
    /// to be idle), backup pruning, final confirmations.
    public func settle() async throws {
        _ = try await requests.expireUnverified(actor: "deletiond")
        try await requests.runDueRequests(logger: LiveTCPServer.quietLogger)
        await requests.runner.waitUntilIdle()
        _ = try await backups.prune(actor: "deletiond")
        try await requests.confirmClearedRequests()
    }

    /// `settle()`, then the request's status.
    public func settled(_ requestID: String, client: ALTErasureClient) async throws -> Components.Schemas.DeletionStatus {
        try await settle()
        return try await client.deletionStatus(requestId: requestID)
    }

    /// `deletion.execute`, then the erasure it started, to its end.
    public func executeUntilDone(_ requestID: String, client: ALTErasureClient) async throws -> Components.Schemas.DeletionStatus {
        _ = try await client.deletionExecute(requestId: requestID)
        await requests.runner.waitUntilIdle()
        return try await client.deletionStatus(requestId: requestID)
    }

    /// Builds the server on a fresh demo store and runs `body` while its services run; `worker: nil`
    /// leaves erasures to `deletion.execute` (which starts them in the erasure runner, always running
    /// here as in `deletiond serve`). Meta's app secret is `dev-app-secret`, as with `--dev`.
    private static func assemble(
        on store: TestStore,
        worker interval: Duration?,
        batchSize: Int,
        signedRequestTolerance: TimeInterval,
        backupRetention: TimeInterval,
        tracer: (any Tracer)? = nil,
        _ body: @Sendable (_ dispatcher: Dispatcher, _ server: DemoServer) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try AppDatabase.open(path: folder.appendingPathComponent("alt.sqlite").path)
        let clock = OffsetClock()
        var setup = DeletionEnvironment.ephemeral(clock: clock, devClock: clock)
        setup.batchSize = batchSize
        if let tracer { setup.tracer = tracer }
        let backupSettings = try Backups.Settings(
            folder: BackupFolder(path: folder.appendingPathComponent("backups").path),
            restoreFolder: folder.appendingPathComponent("restores"), retention: backupRetention,
            keys: try BackupKeys(keys: ["b1": Data((0..<32).map { _ in UInt8.random(in: 0...255) })], currentKeyID: "b1")
        )
        setup.backupFolder = backupSettings.folder
        let environment = setup
        try await Seeder(database: database, cipher: environment.cipher, requestKeys: environment.demoRequestKeys).seed(.demo)
        try await withErasureStore(store, seededFrom: database) { erasureStore, postgres in
            let requests = DeletionRequests(store: erasureStore, environment: environment, logger: LiveTCPServer.quietLogger)
            let backups = Backups(settings: backupSettings, store: requests.store, environment: environment)
            let server = DemoServer(store: store, database: database, postgres: postgres, requests: requests, backups: backups, folder: folder)
            // The contract's signed requests are dated: by default any age is accepted (flows pass a real tolerance).
            var meta = MetaSettings.development
            meta.signedRequestTolerance = signedRequestTolerance
            let dispatcher = try ErasureServer.makeDispatcher(
                callers: callers, requests: requests, meta: meta, backups: backups,
                logger: LiveTCPServer.quietLogger
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await requests.runner.run() }
                if let interval {
                    // The scheduled services as deletiond runs them; backups only when asked (the schedule is a
                    // day away), pruning every round.
                    let logger = LiveTCPServer.quietLogger
                    let executor = requests.executor(every: interval, logger: logger)
                    let sweeper = Retention(store: requests.store, clock: environment.clock, replicaID: environment.replicaID).sweeper(logger: logger)
                    let scheduler = backups.scheduler(requests: requests, backupInterval: .seconds(86_400), pruneInterval: interval, logger: logger)
                    group.addTask { await executor.run() }
                    group.addTask { await sweeper.run() }
                    group.addTask { await scheduler.run() }
                }
                try await body(dispatcher, server)
                group.cancelAll()
            }
        }
    }

    /// Runs `body` with the store of `kind` holding what was seeded into `database`.
    private static func withErasureStore(
        _ kind: TestStore, seededFrom database: AppDatabase, _ body: @Sendable (any ErasureStore, PostgresAppDatabase?) async throws -> Void
    ) async throws {
        switch kind {
        case .sqlite:
            try await body(SQLiteErasureStore(database: database), nil)
        case .postgres:
            try await TestStore.withPostgres { postgres in
                _ = try await postgres.copy(from: database)
                try await body(PostgresErasureStore(database: postgres), postgres)
            }
        }
    }

    /// The one column `sql` selects, as text, on whichever store serves: what a test checks the rows with.
    public func column(_ sql: String) async throws -> [String?] {
        try await (postgres.map(StoreReader.postgres) ?? .sqlite(database)).column(sql)
    }

    /// Runs one statement that returns no rows, on whichever store serves.
    public func execute(_ sql: String) async throws {
        if let postgres {
            try await postgres.execute(sql)
        } else {
            try await database.write { db in try db.execute(sql: sql) }
        }
    }

    /// Runs `body` with a view of the database a restore wrote (`RestoreReport.target`: a file, or on
    /// PostgreSQL a URL), read through the same `column`, `count` and `checksum`.
    public func restored<T: Sendable>(_ target: String, _ body: @Sendable (DemoServer) async throws -> T) async throws -> T {
        guard postgres != nil else {
            let restored = try AppDatabase.open(path: target)
            defer { try? restored.writer.close() }
            return try await body(DemoServer(store: store, database: restored, requests: requests, backups: backups, folder: folder))
        }
        let restored = PostgresAppDatabase(url: try PostgresURL(target), logger: TestStore.quietLogger, connections: 2)
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                await restored.run()
                return nil
            }
            defer { group.cancelAll() }
            return try await body(DemoServer(store: store, database: database, postgres: restored, requests: requests, backups: backups, folder: folder))
        }
    }

    /// `SELECT count(*) …` on whichever store serves.
    public func count(_ sql: String) async throws -> Int {
        Int(try await column(sql).first.flatMap { $0 } ?? "") ?? -1
    }

    /// Every row tied to `accountID` in ALT's tables (the service's own bookkeeping aside), as text: equal
    /// before and after means untouched (I3).
    public func checksum(accountID: String) async throws -> String {
        var text = ""
        for entry in TableClassification.all {
            guard let column = entry.accountColumn, entry.table != "search_index", entry.category != .serviceInternal,
                entry.engines.contains(.sqlite), entry.engines.contains(.postgres)
            else { continue }
            let rows: [String?]
            if postgres == nil {
                rows = try await database.writer.read { db in
                    guard try db.tableExists(entry.table) else { return [] }
                    return [try Row.fetchAll(db, sql: "SELECT * FROM \(entry.table) WHERE \(column) = ? ORDER BY rowid", arguments: [accountID]).description]
                }
            } else {
                rows = try await self.column("SELECT to_jsonb(t)::text FROM \(entry.table) t WHERE \(column) = '\(accountID)' ORDER BY 1")
            }
            text += entry.table + ":" + rows.map { $0 ?? "" }.joined(separator: "\n")
        }
        return text
    }
}
