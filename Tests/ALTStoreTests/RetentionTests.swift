import ALTStore
import ErasureDomain
import Foundation
import GRDB
import Testing

@Suite("Retention sweep (P8)")
struct RetentionTests {
    func insertLog(_ store: StoreFixture, loggedAt: String) async throws {
        try await store.database.write { db in
            try db.execute(sql: "INSERT INTO application_logs (account_id, level, message, logged_at) VALUES ('acc_demo', 'info', 'x', ?)", arguments: [loggedAt])
        }
    }

    @Test("logs older than 90 days go, newer ones stay")
    func logs() async throws {
        try await StoreFixture.with { store in
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            let old = (now - 91 * 86_400).formatted(.iso8601)
            let recent = (now - 89 * 86_400).formatted(.iso8601)
            try await store.database.write { db in try db.execute(sql: "DELETE FROM application_logs") }
            try await insertLog(store, loggedAt: old)
            try await insertLog(store, loggedAt: old)
            try await insertLog(store, loggedAt: recent)
            let deleted = try await RetentionSweep(database: store.database, batchSize: 1).sweep(now: now)
            #expect(deleted["application_logs"] == 2)
            #expect(try await store.count("SELECT count(*) FROM application_logs") == 1)
            #expect(try await RetentionSweep(database: store.database).sweep(now: now)["application_logs"] == 0)
        }
    }

    @Test("billing of an erased account stays 7 years from issue, then goes; live accounts' billing stays")
    func billing() async throws {
        try await StoreFixture.with { store in
            _ = try await Eraser(database: store.database).erase(jobID: "j", accountID: "acc_demo", plan: ErasurePlan(scope: .account))
            let until = try await store.database.writer.read { db in
                try String.fetchOne(db, sql: "SELECT retain_until FROM billing_records WHERE account_id = 'acc_demo'")
            }
            let retainUntil = try #require(until.flatMap { try? Date($0, strategy: .iso8601) })
            let sweep = RetentionSweep(database: store.database)
            #expect(try await sweep.sweep(now: retainUntil - 60)["billing_records"] == 0)
            #expect(try await sweep.sweep(now: retainUntil + 60)["billing_records"] == 1)
            #expect(try await store.count("SELECT count(*) FROM billing_records WHERE account_id = 'acc_demo'") == 0)
            #expect(try await store.count("SELECT count(*) FROM billing_records WHERE account_id = 'acc_other'") == 1)
        }
    }
}
