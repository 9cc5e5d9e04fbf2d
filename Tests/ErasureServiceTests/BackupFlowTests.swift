import ALTBackups
import ALTErasureClient
import ALTStore
import ALTStorePostgres
import ErasureService
import Foundation
import GRDB
import ServiceTestSupport
import Testing

/// Backups (P4, I1): round trip, no plaintext, ledger replay on restore, expiry, the lifecycle waiting for
/// older backups, and every way a backup can be damaged.
@Suite("Backups", .serialized, .timeLimit(.minutes(3)))
struct BackupFlowTests {
    /// Every row of every table (the FTS index by rowid), as text, table by table, on either store.
    static func contents(_ server: DemoServer) async throws -> [String: String] {
        var tables: [String: String] = [:]
        if let postgres = server.postgres {
            for table in try await postgres.tableNames() {
                tables[table] = try await server.column("SELECT to_jsonb(t)::text FROM \(table) t ORDER BY 1").map { $0 ?? "" }.joined(separator: "\n")
            }
            return tables
        }
        return try await server.database.writer.read { db in
            var tables: [String: String] = [:]
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE 'search_index_%'") {
                tables[table] = try Row.fetchAll(db, sql: "SELECT rowid, * FROM \(table) ORDER BY rowid").description
            }
            return tables
        }
    }

    /// A completed account deletion of acc_demo, through the client.
    static func eraseDemoAccount(_ client: ALTErasureClient, server: DemoServer) async throws -> String {
        let request = try await client.deletionCreate(accountId: "acc_demo", scope: .account, channel: .support)
        let code = try await Mailer.code(for: request.requestId, client: client)
        _ = try await client.deletionVerifyIdentity(requestId: request.requestId, code: code)
        #expect(try await server.executeUntilDone(request.requestId, client: client).state == .erased)
        return request.requestId
    }

    @Test("round trip: the restored database equals the source, table by table; the file holds no plaintext", arguments: TestStore.all)
    func roundTrip(store: TestStore) async throws {
        try await DemoServer.withClient(on: store) { client, server in
            let dms = try await server.column("SELECT body FROM instagram_messages").compactMap { $0 }
            #expect(!dms.isEmpty)
            let manifest = try await client.backupsCreate()
            #expect(manifest.expiresAt.timeIntervalSince(manifest.createdAt) == 60 * 86_400)
            #expect(try await client.backupsList().backups.map(\.id) == [manifest.id])
            if store == .sqlite { try await server.database.checkpoint() }
            let source = try await Self.contents(server)

            let report = try await client.backupsRestore(backupId: manifest.id, target: "copy.sqlite")
            #expect(report.reErasedSubjects == 0)
            let restored = try await server.restored(report.target) { try await Self.contents($0) }
            #expect(restored.keys.sorted() == source.keys.sorted())
            // The audit trail has the backup's own entry since; the leases are the live replicas' claims.
            for (table, rows) in source where !["audit_trail", "work_leases"].contains(table) {
                #expect(restored[table] == rows, "table \(table) differs")
            }

            let file = try Data(contentsOf: server.folder.appendingPathComponent("backups/\(manifest.id).altbak"))
            #expect(file.count == manifest.size)
            for value in ["demo@example.com", "Dana Demo", "Avery Buyer"] + dms { #expect(!file.contains(text: value), "\(value) in plain text") }
        }
    }

    @Test("erase an account, restore an older backup: the account is gone again, everything else is there", arguments: TestStore.all)
    func restoreReplaysLedger(store: TestStore) async throws {
        try await DemoServer.withClient(on: store) { client, server in
            let backup = try await client.backupsCreate()
            _ = try await Self.eraseDemoAccount(client, server: server)
            let other = try await server.checksum(accountID: "acc_other")
            let report = try await client.backupsRestore(backupId: backup.id, target: "older.sqlite")
            #expect(report.reErasedSubjects == 1 && report.reErasedRows > 30)

            try await server.restored(report.target) { (restored: DemoServer) async throws in
                let tables = TableClassification.all.filter {
                    $0.category != .serviceInternal && $0.accountColumn != nil && $0.engines.contains(store == .sqlite ? .sqlite : .postgres)
                        && !["billing_records", "application_logs"].contains($0.table)
                }
                for table in tables {
                    let count = try await restored.count("SELECT count(*) FROM \(table.table) WHERE \(table.accountColumn!) = 'acc_demo'")
                    #expect(count == 0, "\(table.table) holds acc_demo again")
                }
                #expect(try await restored.checksum(accountID: "acc_other") == other, "everything else is there")
            }
            if store == .sqlite {
                let bytes = try Data(contentsOf: URL(fileURLWithPath: report.target))
                #expect(!bytes.contains(text: "demo@example.com"))
            }
        }
    }

    @Test("disconnect Instagram and Calendar after a backup, restore it: no token comes back (P6, I1; issue 11, defect 3)", arguments: TestStore.all)
    func restoreReplaysDisconnects(store: TestStore) async throws {
        try await DemoServer.withClient(on: store) { client, server in
            let backup = try await client.backupsCreate()
            _ = try await client.instagramDisconnect(accountId: "acc_demo")
            _ = try await client.calendarDisconnect(accountId: "acc_demo")
            let report = try await client.backupsRestore(backupId: backup.id, target: "before-disconnect.sqlite")
            #expect(report.reErasedSubjects == 2)

            try await server.restored(report.target) { (restored: DemoServer) async throws in
                let instagram = "FROM instagram_connections WHERE account_id = 'acc_demo'"
                #expect(try await restored.column("SELECT token_ciphertext \(instagram)") == [nil])
                // Booleans are integers on SQLite: `polling_enabled OR webhook_subscribed` reads the same on both.
                #expect(try await restored.count("SELECT count(*) \(instagram) AND NOT (polling_enabled OR webhook_subscribed)") == 1)
                #expect(try await restored.count("SELECT count(*) \(instagram) AND disconnected_at IS NOT NULL") == 1)
                #expect(try await restored.count("SELECT count(*) FROM instagram_messages WHERE account_id = 'acc_demo'") > 0, "DMs stay")
                #expect(try await restored.count("SELECT count(*) FROM calendar_connections WHERE account_id = 'acc_demo'") == 0)
                #expect(try await restored.count("SELECT count(*) FROM calendar_events WHERE account_id = 'acc_demo'") == 0)
            }
        }
    }

    @Test("a reconnection after a disconnect, backed up, is restored; a second disconnect after that backup is replayed", arguments: TestStore.all)
    func restoreKeepsReconnections(store: TestStore) async throws {
        try await DemoServer.withClient(on: store) { client, server in
            _ = try await client.instagramDisconnect(accountId: "acc_demo")
            // The user connects Instagram again (ALT's OAuth flow writes the connection row).
            let (yes, sealed) = store == .sqlite ? ("1", "'sealed-again'") : ("true", "'\\x7365616c65642d616761696e'::bytea")
            try await server.execute("""
                UPDATE instagram_connections SET token_ciphertext = \(sealed), token_key_id = 'k1', polling_enabled = \(yes),
                    webhook_subscribed = \(yes), disconnected_at = NULL, connected_at = '2099-01-01T00:00:00Z'
                WHERE account_id = 'acc_demo'
                """)
            let token = "SELECT token_ciphertext FROM instagram_connections WHERE account_id = 'acc_demo'"
            let stored = try await server.column(token)
            #expect(stored.first??.isEmpty == false)
            let backup = try await client.backupsCreate()
            let kept = try await client.backupsRestore(backupId: backup.id, target: "reconnected.sqlite")
            #expect(try await server.restored(kept.target) { try await $0.column(token) } == stored, "a connection made after the disconnect is not undone")

            _ = try await client.adminAdvanceClock(seconds: 86_400 * 365 * 80)
            _ = try await client.instagramDisconnect(accountId: "acc_demo")
            let replayed = try await client.backupsRestore(backupId: backup.id, target: "disconnected-again.sqlite")
            #expect(try await server.restored(replayed.target) { try await $0.column(token) } == [nil], "the second disconnect is replayed")
        }
    }

    @Test("a backup taken while an erasure runs is cleaned by the replay too", arguments: TestStore.all)
    func backupDuringErasure(store: TestStore) async throws {
        try await DemoServer.withClient(on: store, batchSize: 3) { client, server in
            let request = try await client.deletionCreate(accountId: "acc_demo", scope: .account, channel: .support)
            let code = try await Mailer.code(for: request.requestId, client: client)
            _ = try await client.deletionVerifyIdentity(requestId: request.requestId, code: code)
            async let erased = server.executeUntilDone(request.requestId, client: client)
            let backup = try await client.backupsCreate()
            #expect(try await erased.state == .erased)
            let report = try await client.backupsRestore(backupId: backup.id, target: "during.sqlite")
            let contacts = try await server.restored(report.target) { try await $0.count("SELECT count(*) FROM contacts WHERE account_id = 'acc_demo'") }
            #expect(contacts == 0)
        }
    }

    @Test("backups expire with the dev clock; the request completes only after the last older backup is pruned", arguments: TestStore.all)
    func expiryAndLifecycle(store: TestStore) async throws {
        try await DemoServer.withClient(on: store, backupRetention: 2 * 86_400) { client, server in
            let backup = try await client.backupsCreate()
            #expect(try await client.backupsPrune().pruned.isEmpty)
            let requestID = try await Self.eraseDemoAccount(client, server: server)
            let erased = try await client.deletionStatus(requestId: requestID)
            #expect(erased.state == .erased && erased.backupsHoldingData == 1)
            try await IntegrationWorker.acknowledgeAll(client: client)
            try await server.settle()
            #expect(try await client.outboxClaim(kinds: [.deletionCompleted], limit: 10).messages.isEmpty, "no confirmation while a backup holds the data")

            _ = try await client.adminAdvanceClock(seconds: 2 * 86_400 + 1)
            try await server.settle()
            let confirmation = try await client.outboxClaim(kinds: [.deletionCompleted], limit: 10).messages.first
            let message = try #require(confirmation, "the scheduled round pruned the backup and confirmed")
            #expect(try await client.backupsList().backups.map(\.id).contains(backup.id) == false)
            #expect(try await client.deletionStatus(requestId: requestID).backupsHoldingData == 0)
            _ = try await client.outboxAck(ids: [message.id])
            #expect(try await client.deletionStatus(requestId: requestID).state == .completed)
        }
    }

    @Test("an unwritable backup folder: UNAVAILABLE naming it, nothing kept, and the next backup works once it is fixed")
    func unwritableFolder() async throws {
        try await DemoServer.withClient { client, server in
            let backups = server.folder.appendingPathComponent("backups")
            try? FileManager.default.removeItem(at: backups)
            // A file where the folder should be: refused for root too (permissions are not).
            try Data("not a folder".utf8).write(to: backups)
            let refused = await rpcError { try await client.backupsCreate() }
            #expect(refused?.code == .unavailable && refused?.details?["reason"] == "backup_folder_unwritable" && refused?.retryable == true)
            #expect(refused?.message.hasPrefix("the backup folder \(backups.path) cannot be written") == true, "\(refused?.message ?? "")")
            #expect(try String(contentsOf: backups, encoding: .utf8) == "not a folder")
            try FileManager.default.removeItem(at: backups)
            let manifest = try await client.backupsCreate()
            #expect(try FileManager.default.contentsOfDirectory(atPath: backups.path).sorted() == [".lock", manifest.id + ".altbak", manifest.id + ".manifest.json"])
        }
    }

    @Test("damaged backups: each a clear error naming the backup, and nothing half-restored", arguments: TestStore.all)
    func damaged(store: TestStore) async throws {
        try await DemoServer.withClient(on: store) { client, server in
            let folder = server.folder.appendingPathComponent("backups")
            let restores = server.folder.appendingPathComponent("restores")
            func make() async throws -> (id: String, file: URL, manifest: URL) {
                let manifest = try await client.backupsCreate()
                return (manifest.id, folder.appendingPathComponent("\(manifest.id).altbak"), folder.appendingPathComponent("\(manifest.id).manifest.json"))
            }
            func refusal(_ id: String) async -> RPCError? {
                await rpcError { try await client.backupsRestore(backupId: id, target: "damaged-\(id.suffix(8))") }
            }

            let flipped = try await make()
            var bytes = try Data(contentsOf: flipped.file)
            bytes[bytes.count / 2] ^= 0x01
            try bytes.write(to: flipped.file)
            let tampered = await refusal(flipped.id)
            #expect(tampered?.code == .dataLoss && tampered?.details?["reason"] == "checksum_mismatch")
            #expect(tampered?.message.contains(flipped.id) == true)

            let cut = try await make()
            try Data(try Data(contentsOf: cut.file).prefix(100)).write(to: cut.file)
            #expect(await refusal(cut.id)?.details?["reason"] == "truncated")

            // Changed and its checksum "fixed": the authentication tag still catches it.
            let forged = try await make()
            var forgedBytes = try Data(contentsOf: forged.file)
            forgedBytes[forgedBytes.count - 20] ^= 0x01
            try forgedBytes.write(to: forged.file)
            var manifestText = try String(contentsOf: forged.manifest, encoding: .utf8)
            let oldSum = try #require(try await client.backupsList().backups.first { $0.id == forged.id }?.sha256)
            let newSum = SHA256Hex.of(forgedBytes)
            manifestText = manifestText.replacingOccurrences(of: oldSum, with: newSum)
            try manifestText.write(to: forged.manifest, atomically: true, encoding: .utf8)
            #expect(await refusal(forged.id)?.details?["reason"] == "wrong_key_or_tampered")

            let orphan = try await make()
            try FileManager.default.removeItem(at: orphan.manifest)
            #expect(await refusal(orphan.id)?.details?["reason"] == "missing_manifest")

            let future = try await make()
            let futureText = try String(contentsOf: future.manifest, encoding: .utf8).replacingOccurrences(of: "\"formatVersion\" : 1", with: "\"formatVersion\" : 9")
            try futureText.write(to: future.manifest, atomically: true, encoding: .utf8)
            #expect(await refusal(future.id)?.details?["reason"] == "unknown_format")

            // The wrong key: the file is intact, the key is not the one that sealed it.
            let intact = try await make()
            let otherKeys = try BackupKeys(keys: ["b1": Data(repeating: 7, count: 32)], currentKeyID: "b1")
            await #expect(throws: BackupError.wrongKeyOrTampered(intact.id)) {
                let target = try server.backups.store.snapshots.restoreTarget(named: "wrong-key.sqlite", in: restores)
                _ = try await BackupRestorer(folder: BackupFolder(path: folder.path), keys: otherKeys).restore(id: intact.id, into: target, ledger: []) { $1 }
            }

            #expect(await rpcError { try await client.backupsRestore(backupId: "bak_missing", target: "x.sqlite") }?.code == .notFound)
            #expect(await rpcError { try await client.backupsRestore(backupId: intact.id, target: "../escape.sqlite") }?.code == .invalidArgument)
            _ = try await client.backupsRestore(backupId: intact.id, target: "once.sqlite")
            #expect(await rpcError { try await client.backupsRestore(backupId: intact.id, target: "once.sqlite") }?.code == .alreadyExists)
            let written = try FileManager.default.contentsOfDirectory(atPath: restores.path)
            if let postgres = server.postgres {
                #expect(written.isEmpty, "no scratch file left: \(written)")
                let live = postgres.url.database
                let databases = try await postgres.column("SELECT datname FROM pg_database WHERE datname LIKE '\(live).%'")
                #expect(databases == ["\(live).once.sqlite"], "nothing half-restored: \(databases)")
                // A backup of the other engine's store is refused plainly.
                let manifest = folder.appendingPathComponent("\(intact.id).manifest.json")
                let text = try String(contentsOf: manifest, encoding: .utf8).replacingOccurrences(of: #""engine" : "postgres""#, with: #""engine" : "sqlite""#)
                try text.write(to: manifest, atomically: true, encoding: .utf8)
                let other = await refusal(intact.id)
                #expect(other?.code == .failedPrecondition && other?.details?["reason"] == "engine_mismatch", "\(String(describing: other))")
            } else {
                #expect(written == ["once.sqlite"], "nothing half-restored: \(written)")
            }
        }
    }
}

import Crypto

enum SHA256Hex {
    static func of(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }
}
