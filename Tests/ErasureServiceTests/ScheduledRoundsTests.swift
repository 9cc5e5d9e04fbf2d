import ALTBackups
import ALTErasureClient
import ErasureService
import Foundation
import ServiceTestSupport
import Testing

/// Scheduled work among replicas sharing one store (issue 13): one backup and one retention sweep per
/// interval, whichever replica's round comes first; a round that fails leaves the next to anyone.
@Suite("Scheduled rounds among replicas", .serialized)
struct ScheduledRoundsTests {
    static let hour: Duration = .seconds(3_600)

    @Test("one scheduled backup per interval among replicas; a failed one leaves the claim to the next round", arguments: TestStore.all)
    func oneBackupPerInterval(store: TestStore) async throws {
        try await DemoServer.withClient(on: store) { client, server in
            let first = server.backups
            var environment = first.environment
            environment.replicaID = "replica-other"
            let other = Backups(settings: first.settings, store: first.store, environment: environment)

            #expect(try await first.scheduledBackup(every: Self.hour) != nil)
            #expect(try await other.scheduledBackup(every: Self.hour) == nil, "the other replica finds this interval's backup taken")
            _ = try await client.adminAdvanceClock(seconds: 3_601)
            #expect(try await other.scheduledBackup(every: Self.hour) != nil, "the next interval is anyone's")
            #expect(try await first.scheduledBackup(every: Self.hour) == nil)
            #expect(try await client.backupsList().backups.count == 2)

            // A backup that fails (a file where the folder should be) gives the claim up at once.
            _ = try await client.adminAdvanceClock(seconds: 3_601)
            let folder = server.folder.appendingPathComponent("backups")
            try FileManager.default.removeItem(at: folder)
            try Data("not a folder".utf8).write(to: folder)
            await #expect(throws: BackupError.self) { _ = try await first.scheduledBackup(every: Self.hour) }
            try FileManager.default.removeItem(at: folder)
            #expect(try await other.scheduledBackup(every: Self.hour) != nil, "the failed round's claim was given up")
        }
    }

    @Test("one scheduled retention sweep per interval among replicas", arguments: TestStore.all)
    func oneSweepPerInterval(store: TestStore) async throws {
        try await DemoServer.withClient(on: store) { client, server in
            let clock = server.requests.environment.clock
            let first = Retention(store: server.requests.store, clock: clock, replicaID: "replica-a")
            let other = Retention(store: server.requests.store, clock: clock, replicaID: "replica-b")
            #expect(try await first.scheduledSweep(every: Self.hour) != nil)
            #expect(try await other.scheduledSweep(every: Self.hour) == nil)
            #expect(try await first.scheduledSweep(every: Self.hour) != nil, "the holder's own next round")
            _ = try await client.adminAdvanceClock(seconds: 7_201)
            #expect(try await other.scheduledSweep(every: Self.hour) != nil)
        }
    }
}
