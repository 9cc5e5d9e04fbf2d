import ALTStore
import ErasureDomain
import Foundation
import GRDB
import Synchronization
import Testing

@Suite("Batched erasure (plans from the classification)")
struct EraserTests {
    struct Stop: Error {}

    /// Rows per erasable table tied to `account`.
    func rows(_ store: StoreFixture, _ account: String, plan: ErasurePlan) async throws -> [String: Int] {
        var counts: [String: Int] = [:]
        for step in plan.steps {
            counts[step.table] = try await store.count("SELECT count(*) FROM \(step.table) WHERE \(step.accountColumn) = ?", [account])
        }
        return counts
    }

    @Test("every erasable table of each scope is in its plan", arguments: Scope.allCases)
    func plansCoverTheClassification(scope: Scope) {
        #expect(ErasurePlan(scope: scope).unordered.isEmpty)
    }

    @Test("an account erasure removes every erasable row, keeps billing for 7 years and logs, folds usage, and leaves others untouched")
    func account() async throws {
        try await StoreFixture.with { store in
            let plan = ErasurePlan(scope: .account)
            let before = try await rows(store, "acc_demo", plan: plan)
            let other = try await store.checksum(account: "acc_other")
            let usageBefore = try await store.count("SELECT coalesce(sum(count), 0) FROM usage_daily")
            let events = try await store.count("SELECT count(*) FROM usage_events WHERE account_id = 'acc_demo'")

            let erased = try await Eraser(database: store.database, batchSize: 3).erase(jobID: "job1", accountID: "acc_demo", plan: plan)

            #expect(erased == before.filter { $0.value > 0 })
            #expect(try await rows(store, "acc_demo", plan: plan).values.allSatisfy { $0 == 0 })
            #expect(try await store.count("SELECT count(*) FROM search_index WHERE account_id = 'acc_demo'") == 0)
            #expect(try await store.checksum(account: "acc_other") == other)
            #expect(try await store.count("SELECT coalesce(sum(count), 0) FROM usage_daily") == usageBefore + events)
            let retain = try store.database.writer.read { db in
                try Row.fetchOne(db, sql: "SELECT issued_at, retain_until FROM billing_records WHERE account_id = 'acc_demo'")
            }
            let issued: String = try #require(retain?["issued_at"])
            let until: String = try #require(retain?["retain_until"])
            #expect(Int(until.prefix(4)) == Int(issued.prefix(4))! + 7)
            #expect(try await store.count("SELECT count(*) FROM application_logs WHERE account_id = 'acc_demo'") == 1)
            let raw = try store.rawFiles()
            for secret in ["Dana Demo", "demo@example.com", "Avery Buyer", "[msg_demo_1_1]", "buyer_0_acc_demo"] {
                #expect(raw.range(of: Data(secret.utf8)) == nil, "\(secret) is still on disk")
            }
        }
    }

    @Test("a job stopped between batches resumes; counts never exceed what is gone; usage is folded once")
    func resume() async throws {
        try await StoreFixture.with { store in
            let plan = ErasurePlan(scope: .account)
            let before = try await rows(store, "acc_demo", plan: plan)
            let usageBefore = try await store.count("SELECT coalesce(sum(count), 0) FROM usage_daily")
            let eraser = Eraser(database: store.database, batchSize: 2)
            let batches = Mutex(0)
            await #expect(throws: Stop.self) {
                try await eraser.erase(jobID: "job2", accountID: "acc_demo", plan: plan) { _, _ in
                    if batches.withLock({ $0 += 1; return $0 }) == 7 { throw Stop() }
                }
            }
            // Status claims exactly what is gone.
            let partial = try await eraser.progress(jobID: "job2")
            let left = try await rows(store, "acc_demo", plan: plan)
            for (table, count) in before { #expect((partial[table] ?? 0) == count - (left[table] ?? 0), "\(table)") }
            let done = partial.values.reduce(0, +)
            #expect(done > 0 && done < before.values.reduce(0, +))

            let total = try await eraser.erase(jobID: "job2", accountID: "acc_demo", plan: plan)
            #expect(total == before.filter { $0.value > 0 })
            #expect(try await store.count("SELECT coalesce(sum(count), 0) FROM usage_daily") == usageBefore + (before["usage_events"] ?? 0))
        }
    }

    @Test("an Instagram erasure removes Instagram data only")
    func instagram() async throws {
        try await StoreFixture.with { store in
            let contacts = try await store.count("SELECT count(*) FROM contacts WHERE account_id = 'acc_demo'")
            let erased = try await Eraser(database: store.database).erase(jobID: "ig", accountID: "acc_demo", plan: ErasurePlan(scope: .instagram))
            #expect(Set(erased.keys).isSubset(of: ["instagram_messages", "instagram_threads", "instagram_comments", "instagram_post_analytics", "instagram_connections"]))
            #expect(erased["instagram_connections"] == 1)
            #expect(try await store.count("SELECT count(*) FROM instagram_messages WHERE account_id = 'acc_demo'") == 0)
            #expect(try await store.count("SELECT count(*) FROM contacts WHERE account_id = 'acc_demo'") == contacts)
            #expect(try await store.count("SELECT count(*) FROM calendar_connections WHERE account_id = 'acc_demo'") == 1)
        }
    }
}
