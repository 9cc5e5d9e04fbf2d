import ALTBackups
public import ALTErasureClient
public import ALTStore
import ErasureDomain
public import ErasureService
public import Foundation
public import RPCServer
import RPCTestSupport

/// An in-process deletiond on the demo seed: a database file in a fresh folder, the dev clock, the
/// erasure runner and the scheduled services running beside the server (as `deletiond serve --dev` runs
/// them). Reached over TCP on an ephemeral port (`run`), or without sockets through the server's
/// in-process transport (`withClient`): the workflow tests take the second, the wire's the first.
public struct DemoServer: Sendable {
    public let database: AppDatabase
    public let requests: DeletionRequests
    public let backups: Backups
    public let folder: URL

    public var databasePath: String { folder.appendingPathComponent("alt.sqlite").path }

    public init(database: AppDatabase, requests: DeletionRequests, backups: Backups, folder: URL) {
        self.database = database
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
        worker interval: Duration? = .milliseconds(100),
        batchSize: Int = 5_000,
        signedRequestTolerance: TimeInterval = 1_000_000_000,
        backupRetention: TimeInterval = 60 * 86_400,
        _ body: @Sendable (_ port: Int, _ server: DemoServer) async throws -> Void
    ) async throws {
        try await assemble(worker: interval, batchSize: batchSize, signedRequestTolerance: signedRequestTolerance, backupRetention: backupRetention) {
            dispatcher, server in
            try await LiveTCPServer.run(dispatcher: dispatcher) { port, _ in try await body(port, server) }
        }
    }

    /// Runs `body` with the generated client on the server's in-process transport: no socket, the same
    /// dispatcher, authentication and handlers. No scheduled service runs in the background: the test
    /// says when the scheduled work happens (`settle()`), so nothing is waited for by the clock.
    public static func withClient(
        batchSize: Int = 5_000,
        signedRequestTolerance: TimeInterval = 1_000_000_000,
        backupRetention: TimeInterval = 60 * 86_400,
        _ body: @Sendable (_ client: ALTErasureClient, _ server: DemoServer) async throws -> Void
    ) async throws {
        try await assemble(worker: nil, batchSize: batchSize, signedRequestTolerance: signedRequestTolerance, backupRetention: backupRetention) {
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
        worker interval: Duration?,
        batchSize: Int,
        signedRequestTolerance: TimeInterval,
        backupRetention: TimeInterval,
        _ body: @Sendable (_ dispatcher: Dispatcher, _ server: DemoServer) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try AppDatabase.open(path: folder.appendingPathComponent("alt.sqlite").path)
        let clock = OffsetClock()
        var environment = DeletionEnvironment.ephemeral(clock: clock, devClock: clock)
        environment.batchSize = batchSize
        let backupSettings = try Backups.Settings(
            folder: BackupFolder(path: folder.appendingPathComponent("backups").path),
            restoreFolder: folder.appendingPathComponent("restores"), retention: backupRetention,
            keys: try BackupKeys(keys: ["b1": Data((0..<32).map { _ in UInt8.random(in: 0...255) })], currentKeyID: "b1")
        )
        environment.backupFolder = backupSettings.folder
        try await Seeder(database: database, cipher: environment.cipher, requestKeys: environment.demoRequestKeys).seed(.demo)
        let requests = DeletionRequests(store: SQLiteErasureStore(database: database), environment: environment, logger: LiveTCPServer.quietLogger)
        let backups = Backups(settings: backupSettings, store: requests.store, environment: environment)
        let server = DemoServer(database: database, requests: requests, backups: backups, folder: folder)
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
                let sweeper = Retention(store: requests.store, clock: environment.clock).sweeper(logger: logger)
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
