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
    let folder: URL

    var databasePath: String { folder.appendingPathComponent("alt.sqlite").path }

    /// Runs `body` with the port of a live server; `worker: nil` leaves erasures to `deletion.execute`.
    /// Meta's app secret is `dev-app-secret`, as with `deletiond serve --dev`.
    static func run(
        worker interval: Duration? = .milliseconds(100),
        batchSize: Int = 5_000,
        signedRequestTolerance: TimeInterval = 1_000_000_000,
        _ body: @Sendable (_ port: Int, _ server: DemoServer) async throws -> Void
    ) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("demo-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let database = try AppDatabase.open(path: folder.appendingPathComponent("alt.sqlite").path)
        let clock = OffsetClock()
        var environment = DeletionEnvironment.ephemeral(clock: clock, devClock: clock)
        environment.batchSize = batchSize
        try await Seeder(database: database, cipher: environment.cipher, requestKeys: environment.demoRequestKeys).seed(.demo)
        let requests = DeletionRequests(database: database, environment: environment)
        let server = DemoServer(database: database, requests: requests, folder: folder)
        // The contract's signed requests are dated: by default any age is accepted (flows pass a real tolerance).
        var meta = MetaSettings.development
        meta.signedRequestTolerance = signedRequestTolerance
        let dispatcher = try ErasureServer.makeDispatcher(
            database: database, callers: ContractTarget.callers, requests: requests, meta: meta, logger: LiveTCPServer.quietLogger
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            if let interval {
                let worker = DeletionWorker(requests: requests, interval: interval, logger: LiveTCPServer.quietLogger)
                group.addTask { try await worker.run() }
            }
            try await LiveTCPServer.run(dispatcher: dispatcher) { port, _ in try await body(port, server) }
            group.cancelAll()
        }
    }
}
