import ALTErasureClient
import ALTStore
import ErasureService
import Foundation
import ServiceTestSupport
#if canImport(Glibc)
import Glibc
#endif
import GRDB
import ALTBackups
import RPCServer
import RPCTestSupport
import Testing

/// `health.check` tells the truth about the store (issue 11, defect 7): NOT_SERVING with a reason while
/// the store cannot be written, SERVING again by itself once it can.
@Suite("Store faults and health", .serialized, .timeLimit(.minutes(2)))
struct StoreFaultTests {
    /// A live server over a database file, with the store probe running every 100 ms.
    func withServer(
        in given: URL? = nil,
        _ body: @Sendable (_ client: ALTErasureClient, _ database: AppDatabase, _ path: String) async throws -> Void
    ) async throws {
        let folder = given ?? FileManager.default.temporaryDirectory.appendingPathComponent("fault-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { if given == nil { try? FileManager.default.removeItem(at: folder) } }
        let path = folder.appendingPathComponent("alt.sqlite").path
        let database = try AppDatabase.open(path: path)
        let environment = DeletionEnvironment.ephemeral()
        try await Seeder(database: database, cipher: environment.cipher, requestKeys: environment.demoRequestKeys).seed(.demo)
        let state = ServingState()
        let requests = DeletionRequests(store: SQLiteErasureStore(database: database), environment: environment, logger: LiveTCPServer.quietLogger)
        let backups = Backups(
            settings: try Backups.Settings(
                folder: BackupFolder(path: folder.appendingPathComponent("backups").path),
                restoreFolder: folder.appendingPathComponent("restores"), retention: 86_400,
                keys: try BackupKeys(keys: ["b1": Data(repeating: 7, count: 32)], currentKeyID: "b1")
            ),
            store: requests.store, environment: environment
        )
        let dispatcher = try ErasureServer.makeDispatcher(
            callers: ContractTarget.callers, requests: requests, backups: backups, state: state,
            logger: LiveTCPServer.quietLogger
        )
        let probe = StoreProbe(store: requests.store, state: state, interval: .milliseconds(100), stallLimit: .milliseconds(500))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await probe.run() }
            try await LiveTCPServer.run(dispatcher: dispatcher) { port, _ in
                try await ALTErasureClient.run(.init(port: port, token: ContractTarget.devToken)) { client in
                    try await body(client, database, path)
                }
            }
            group.cancelAll()
        }
    }

    /// Polls `health.check` until it reports `status`; returns the last answer.
    func waitForHealth(_ status: Components.Schemas.ServingStatus, _ client: ALTErasureClient) async throws -> Components.Schemas.HealthCheckResult {
        let deadline = ContinuousClock.now + .seconds(20)
        while true {
            let health = try await client.healthCheck()
            if health.status == status || ContinuousClock.now > deadline { return health }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    @Test("a store that refuses writes (read-only) is NOT_SERVING with the reason, then SERVING again")
    func readOnly() async throws {
        try await withServer { client, database, _ in
            #expect(try await waitForHealth(.serving, client).status == .serving)
            // SQLite's query_only refuses every write on the service's own writer connection, as a
            // read-only file or file system does.
            try await database.writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = ON") }
            let down = try await waitForHealth(.notServing, client)
            #expect(down.status == .notServing && down.reason == "the store is read-only")
            // A call that writes gets a precise, retryable error, and nothing of it is written.
            let before = try await database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM deletion_requests") }
            let refused = await rpcError { try await client.deletionCreate(accountId: "acc_demo", scope: .calendar, channel: .support) }
            #expect(refused?.code == .unavailable && refused?.details?["reason"] == "store_unwritable" && refused?.retryable == true)
            #expect(refused?.message == "the store cannot take writes now: the store is read-only")
            #expect(try await database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM deletion_requests") } == before)
            try await database.writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA query_only = OFF") }
            let up = try await waitForHealth(.serving, client)
            #expect(up.status == .serving && up.reason == nil)
            #expect(try await client.deletionCreate(accountId: "acc_demo", scope: .calendar, channel: .support).state == .awaitingVerification)
        }
    }

    @Test("a store locked by another process is NOT_SERVING while the lock is held, SERVING once it is released")
    func locked() async throws {
        try await withServer { client, _, path in
            #expect(try await waitForHealth(.serving, client).status == .serving)
            // Another process takes the write lock and holds it until its stdin closes.
            let holder = Process()
            holder.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            holder.arguments = [
                "python3", "-c",
                "import sqlite3, sys; c = sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN IMMEDIATE'); "
                    + "print('locked', flush=True); sys.stdin.read(); c.execute('ROLLBACK')",
                path,
            ]
            let input = Pipe()
            let output = Pipe()
            holder.standardInput = input
            holder.standardOutput = output
            try holder.run()
            #expect(String(decoding: output.fileHandleForReading.availableData, as: UTF8.self).hasPrefix("locked"))
            let down = try await waitForHealth(.notServing, client)
            #expect(down.status == .notServing && down.reason?.contains("locked or stalled") == true, "\(down)")
            try input.fileHandleForWriting.close()
            holder.waitUntilExit()
            #expect(try await waitForHealth(.serving, client).status == .serving)
        }
    }

    @Test(
        "a full disk (a 4 MiB tmpfs): NOT_SERVING, writes and backups refused with nothing half-written, all back once there is room",
        .enabled(if: getuid() == 0, "mounting a tmpfs needs root (CI runs as root)")
    )
    func diskFull() async throws {
        let mountPoint = FileManager.default.temporaryDirectory.appendingPathComponent("full-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: mountPoint, withIntermediateDirectories: true)
        try run("/bin/mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", mountPoint.path)
        defer {
            try? run("/bin/umount", mountPoint.path)
            try? FileManager.default.removeItem(at: mountPoint)
        }
        try await withServer(in: mountPoint) { client, database, _ in
            #expect(try await waitForHealth(.serving, client).status == .serving)
            // An empty WAL, so every write needs new blocks; then fill the file system to the last byte.
            try await database.checkpoint()
            let filler = mountPoint.appendingPathComponent("filler")
            _ = FileManager.default.createFile(atPath: filler.path, contents: nil)
            let handle = try FileHandle(forWritingTo: filler)
            let block = Data(repeating: 0, count: 64 * 1024)
            while (try? handle.write(contentsOf: block)) != nil {}
            var byte = Data([0])
            while (try? handle.write(contentsOf: byte)) != nil { byte = Data([0]) }
            try? handle.close()

            let down = try await waitForHealth(.notServing, client)
            #expect(down.status == .notServing && down.reason?.contains("disk is full") == true, "\(down)")
            let count = { try await database.writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM deletion_requests") } }
            let before = try await count()
            let refused = await rpcError { try await client.deletionCreate(accountId: "acc_demo", scope: .calendar, channel: .support) }
            #expect(refused?.code == .unavailable && refused?.details?["reason"] == "store_unwritable", "\(String(describing: refused))")
            #expect(try await count() == before, "nothing half-written")
            let backup = await rpcError { try await client.backupsCreate() }
            #expect(backup?.code == .unavailable && backup?.details?["reason"] == "backup_folder_unwritable", "\(String(describing: backup))")
            let kept = try FileManager.default.contentsOfDirectory(atPath: mountPoint.appendingPathComponent("backups").path).filter { $0 != ".lock" }
            #expect(kept.isEmpty, "no partial backup: \(kept)")

            try FileManager.default.removeItem(at: filler)
            #expect(try await waitForHealth(.serving, client).status == .serving)
            #expect(try await client.deletionCreate(accountId: "acc_demo", scope: .calendar, channel: .support).state == .awaitingVerification)
            _ = try await client.backupsCreate()
            let integrity = try await database.writer.read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check") }
            #expect(integrity == ["ok"])
        }
    }

    func run(_ command: String, _ arguments: String...) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command)
        process.arguments = arguments
        try process.run()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw ContractFailure(message: "\(command) \(arguments) exited \(process.terminationStatus)") }
    }
}
