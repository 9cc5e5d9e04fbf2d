import ALTBackups
import ALTStore
import ErasureDomain
import ErasureService
import Foundation
import RPCServer
import RPCTestSupport

/// An in-process deletiond on the demo seed: a database file in a fresh folder, the dev clock, the
/// deletion worker running beside the TCP server (as `deletiond serve --dev` runs them).
struct DemoServer: Sendable {
    let database: AppDatabase
    let requests: DeletionRequests
    let backups: Backups
    let folder: URL

    var databasePath: String { folder.appendingPathComponent("alt.sqlite").path }

    /// Runs `body` with the port of a live server; `worker: nil` leaves erasures to `deletion.execute`
    /// (which starts them in the erasure runner, always running here as in `deletiond serve`).
    /// Meta's app secret is `dev-app-secret`, as with `deletiond serve --dev`.
    static func run(
        worker interval: Duration? = .milliseconds(100),
        batchSize: Int = 5_000,
        signedRequestTolerance: TimeInterval = 1_000_000_000,
        backupRetention: TimeInterval = 60 * 86_400,
        _ body: @Sendable (_ port: Int, _ server: DemoServer) async throws -> Void
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
            callers: ContractTarget.callers, requests: requests, meta: meta, backups: backups,
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
            try await LiveTCPServer.run(dispatcher: dispatcher) { port, _ in try await body(port, server) }
            group.cancelAll()
        }
    }
}
