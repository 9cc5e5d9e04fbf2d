import ALTErasureClient
import ALTStore
import ALTStorePostgres
import Foundation
import GRDB
import RPCTestSupport
import ServiceTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// I4: `kill -9` at several points of a large erasure; each restart resumes; the end is a clean
/// residual scan with every other account byte-for-byte as it was (I3).
@Suite("Crash recovery (SIGKILL)", .serialized, .timeLimit(.minutes(5)))
struct CrashRecoveryTests {
    /// A `deletiond serve --dev` process erasing in small batches so it can be caught mid-way.
    final class Daemon {
        let process = Process()
        let port: Int

        /// `database`: the SQLite file, or on PostgreSQL the file the dev secrets live beside; `arguments`
        /// add `--database-url` for PostgreSQL.
        init(database: String, arguments: [String] = []) throws {
            process.executableURL = Executables.url("deletiond")
            process.arguments = [
                "serve", "--dev", "--port", "0", "--db", database, "--grace-period-days", "0",
                "--erasure-batch-size", "25", "--worker-interval", "1", "--log-level", "error",
            ] + arguments
            let stdout = Pipe()
            process.standardOutput = stdout
            process.standardError = FileHandle.nullDevice
            try process.run()
            let (port, text) = Executables.listeningPort(from: stdout)
            guard let port else { throw ContractFailure(message: "deletiond did not start: \(text)") }
            self.port = port
        }

        func kill9() {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }

        deinit { if process.isRunning { kill9() } }
    }

    @Test("killed three times mid-erasure, it resumes each time and finishes clean", arguments: TestStore.all)
    func killAndResume(store: TestStore) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crash-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        switch store {
        case .sqlite:
            let path = try Self.seedBench(in: folder)
            try await killAndResume(path: path, observer: .sqlite(try AppDatabase.open(path: path)), arguments: [])
        case .postgres:
            try await TestStore.withPostgres { database in
                // A restarted process waits out the killed one's erasure lease (SQLite clears them at open).
                let url = ["--database-url", database.url.description]
                let path = try Self.seedBench(in: folder, arguments: url)
                try await killAndResume(path: path, observer: .postgres(database), arguments: url + ["--erasure-lease", "2"])
            }
        }
    }

    private func killAndResume(path: String, observer: StoreReader, arguments: [String]) async throws {
        let others = ["acc_000001", "acc_000002", "acc_000003"]
        let total = try await observer.count(
            "SELECT (SELECT count(*) FROM contacts WHERE account_id = 'acc_large') + (SELECT count(*) FROM messages WHERE account_id = 'acc_large')"
        )
        #expect(total > 15_000)
        let messages = try await observer.count("SELECT count(*) FROM messages WHERE account_id = 'acc_large'")

        var daemon = try Daemon(database: path, arguments: arguments)
        // What the retention policy expires anyway (old logs) goes before the snapshot of the others.
        _ = try await ALTErasureClient.run(.init(port: daemon.port, token: "dev")) { client in try await client.retentionSweep() }
        let before = try await checksums(observer, others)
        let requestID: String = try await ALTErasureClient.run(.init(port: daemon.port, token: "dev")) { client in
            let created = try await client.deletionCreate(accountId: "acc_large", scope: .account, channel: .support)
            let code = try await Mailer.code(for: created.requestId, client: client)
            _ = try await client.deletionVerifyIdentity(requestId: created.requestId, code: code)
            return created.requestId
        }

        var killedAt: [Int] = []
        for threshold in [1_500, 6_000, 11_000] {
            let progress = try await waitForProgress(observer, requestID: requestID, atLeast: threshold)
            daemon.kill9()
            let committed = try await erasedSoFar(observer, requestID)
            #expect(committed >= progress, "a kill never loses a committed batch")
            killedAt.append(committed)
            daemon = try Daemon(database: path, arguments: arguments)
            // Status never claims more than is done: it reports exactly the committed progress.
            let reported = try await ALTErasureClient.run(.init(port: daemon.port, token: "dev")) { client in
                try await client.deletionStatus(requestId: requestID)
            }
            #expect(reported.erased.values.reduce(0, +) >= committed)
        }
        #expect(killedAt == killedAt.sorted() && Set(killedAt).count == 3, "three kills at three different points: \(killedAt)")

        let postgres = if case .postgres = observer { true } else { false }
        try await ALTErasureClient.run(.init(port: daemon.port, token: "dev")) { client in
            let erased = try await waitForState(.erased, requestID: requestID, client: client, timeout: .seconds(120))
            #expect(erased.erased["contacts"] ?? 0 > 0)
            let proof = try await client.deletionVerifyErasure(requestId: requestID)
            #expect(proof.verdict == .clean, "\(proof.tables.filter { $0.linkedRows + $0.matchingRows > 0 })")
            // A server's files are not the service's to scan (schemas/POSTGRES.md).
            #expect(proof.byteScan.performed == !postgres && proof.byteScan.occurrences == 0)
        }
        daemon.kill9()
        #expect(try await checksums(observer, others) == before, "other accounts are byte-for-byte unchanged")
        // Every committed batch counted once: the progress is exactly the rows there were.
        let progress = "SELECT rows_erased FROM erasure_progress WHERE job_id = '\(requestID)' AND table_name = 'messages'"
        #expect(try await observer.count(progress) == messages)
    }

    @Test("deletion.execute answers at once with the erasure started; it goes on after the caller has gone (issue 11, defect 10)")
    func executeAnswersAtOnce() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("execute-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try Self.seedBench(in: folder)
        let daemon = try Daemon(database: path)
        defer { daemon.kill9() }
        let requestID: String = try await ALTErasureClient.run(.init(port: daemon.port, token: "dev")) { client in
            let created = try await client.deletionCreate(accountId: "acc_large", scope: .account, channel: .support)
            let code = try await Mailer.code(for: created.requestId, client: client)
            _ = try await client.deletionVerifyIdentity(requestId: created.requestId, code: code)
            // A deadline far shorter than the erasure (hundreds of 25-row batches): the answer comes first.
            let started = try await client.deletionExecute(requestId: created.requestId, options: CallOptions(timeout: .seconds(2), retries: false))
            #expect(started.state == .erasing, "answered once started, not once erased")
            #expect(started.timeline.erasingAt != nil)
            return created.requestId
        }
        // The caller has gone (its connection closed): the erasure does not depend on it.
        try await ALTErasureClient.run(.init(port: daemon.port, token: "dev")) { client in
            let erased = try await waitForState(.erased, requestID: requestID, client: client, timeout: .seconds(120))
            #expect(erased.erased["contacts"] ?? 0 > 0)
        }
    }

    @Test("killed during a backup: the plaintext snapshot is 0600 while it exists, and a restart removes what is left (issue 11, defect 5)")
    func killDuringBackup() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("crash-backup-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = try Self.seedBench(in: folder)
        let backups = folder.appendingPathComponent("backups")
        let restores = folder.appendingPathComponent("restores")
        func leftovers() throws -> [String] {
            try FileManager.default.contentsOfDirectory(atPath: backups.path).filter { $0.hasPrefix(".") && $0 != ".lock" }.sorted()
        }

        var daemon = try Daemon(database: path)
        var seenModes: [Int] = []
        // Catch the backup while its snapshot exists (a few tries: a small store is quick), then kill -9.
        for _ in 0..<5 where seenModes.isEmpty {
            let port = daemon.port
            async let call: Void = ALTErasureClient.run(.init(port: port, token: "dev")) { client in _ = try await client.backupsCreate() }
            let deadline = ContinuousClock.now + .seconds(20)
            while ContinuousClock.now < deadline, seenModes.isEmpty {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: backups.path)) ?? []
                for name in names where name.hasSuffix(".snapshot") {
                    if let mode = try? FileManager.default.attributesOfItem(atPath: backups.appendingPathComponent(name).path)[.posixPermissions] as? Int {
                        seenModes.append(mode)
                    }
                }
                if !seenModes.isEmpty { daemon.kill9() }
                usleep(200)
            }
            _ = try? await call  // the kill cuts it off
        }
        #expect(!seenModes.isEmpty, "the snapshot was never seen")
        #expect(seenModes.allSatisfy { $0 == 0o600 }, "snapshot modes: \(seenModes.map { String($0, radix: 8) })")
        if daemon.process.isRunning { daemon.kill9() }

        // What an older version's crash left: a world-readable plaintext snapshot, and half a restore.
        try FileManager.default.copyItem(atPath: path, toPath: backups.appendingPathComponent(".bak_1_dead.snapshot").path)
        try Data("partial".utf8).write(to: backups.appendingPathComponent(".bak_1_dead.altbak.tmp"))
        try FileManager.default.createDirectory(at: restores, withIntermediateDirectories: true)
        try Data("partial".utf8).write(to: restores.appendingPathComponent("copy.sqlite.restoring-1234"))
        #expect(try !leftovers().isEmpty)

        daemon = try Daemon(database: path)
        #expect(try leftovers() == [], "a restart removes every unfinished backup file")
        #expect(try FileManager.default.contentsOfDirectory(atPath: restores.path) == [])
        try await ALTErasureClient.run(.init(port: daemon.port, token: "dev")) { client in
            let manifest = try await client.backupsCreate()
            #expect(try await client.backupsList().backups.map(\.id).contains(manifest.id))
        }
        #expect(try leftovers() == [])
        daemon.kill9()
    }

    /// A small bench store (4 accounts, acc_large ≈ 22,000 rows) in `folder`, seeded by the executable
    /// (`arguments` add `--database-url` for PostgreSQL: the file then only has the dev secrets beside it).
    static func seedBench(in folder: URL, arguments: [String] = []) throws -> String {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("alt.sqlite").path
        let seed = Process()
        seed.executableURL = Executables.url("deletiond")
        seed.arguments = ["seed", "--db", path, "--profile", "bench", "--accounts", "4", "--large-scale", "0.03"] + arguments
        seed.standardOutput = FileHandle.nullDevice
        try seed.run()
        seed.waitUntilExit()
        guard seed.terminationStatus == 0 else { throw ContractFailure(message: "deletiond seed exited \(seed.terminationStatus)") }
        return path
    }

    func checksums(_ observer: StoreReader, _ accounts: [String]) async throws -> [String] {
        guard case .sqlite(let database) = observer else {
            var texts: [String] = []
            for account in accounts {
                var text = ""
                for entry in TableClassification.all where entry.category != .serviceInternal && entry.engines.contains(.postgres) {
                    guard let column = entry.accountColumn else { continue }
                    let rows = try await observer.column("SELECT to_jsonb(t)::text FROM \(entry.table) t WHERE \(column) = '\(account)' ORDER BY 1")
                    text += entry.table + ":" + rows.map { $0 ?? "" }.joined(separator: "\n")
                }
                texts.append(text)
            }
            return texts
        }
        return try await database.writer.read { db in
            try accounts.map { account in
                var text = ""
                for entry in TableClassification.all where entry.category != .serviceInternal && entry.table != "search_index" {
                    guard let column = entry.accountColumn else { continue }
                    text += try Row.fetchAll(db, sql: "SELECT * FROM \(entry.table) WHERE \(column) = ? ORDER BY rowid", arguments: [account]).description
                }
                text += try Row.fetchAll(db, sql: "SELECT rowid, * FROM search_index WHERE account_id = ? ORDER BY rowid", arguments: [account]).description
                return text
            }
        }
    }

    func erasedSoFar(_ observer: StoreReader, _ requestID: String) async throws -> Int {
        try await observer.count("SELECT coalesce(sum(rows_erased), 0) FROM erasure_progress WHERE job_id = '\(requestID)'")
    }

    func waitForProgress(_ observer: StoreReader, requestID: String, atLeast rows: Int) async throws -> Int {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            let done = try await erasedSoFar(observer, requestID)
            if done >= rows { return done }
            try await Task.sleep(for: .milliseconds(5))
        }
        Issue.record("the erasure did not reach \(rows) rows")
        return 0
    }
}
