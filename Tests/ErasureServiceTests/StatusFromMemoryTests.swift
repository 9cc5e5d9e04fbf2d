import ALTErasureClient
import ALTStore
import ALTStorePostgres
import ErasureDomain
@testable import ErasureService
import Foundation
import GRDB
import Logging
import ServiceTestSupport
import Synchronization
import Testing

/// `deletion.status` answered from memory (issue 16): never a state the store no longer holds.
@Suite("deletion.status from memory")
struct StatusFromMemoryTests {
    @Test("a status read once is answered from memory until anything ends a transaction; overdue follows the clock")
    func invalidation() async throws {
        try await DemoServer.withClient { client, server in
            let reports = RequestReports(store: server.requests.store, environment: server.requests.environment)
            let id = "req_demo_ig"
            #expect(reports.statusFromMemory(requestID: id) == nil, "nothing read yet")
            let read = try await reports.status(requestID: id)
            let remembered = try #require(reports.statusFromMemory(requestID: id))
            #expect(remembered.request.state == .awaitingVerification && read.request.state == .awaitingVerification)
            #expect(remembered.request.productionDueBy == read.request.productionDueBy && !remembered.overdue)

            // Any write, by any path, even to another table: the store is read again.
            try await server.database.write { db in try db.execute(sql: "UPDATE contacts SET notes = 'n' WHERE id = 'con_demo_2'") }
            #expect(reports.statusFromMemory(requestID: id) == nil)

            // A change of the request's own state is seen at once, through the method as callers call it.
            _ = try await reports.status(requestID: id)
            #expect(reports.statusFromMemory(requestID: id) != nil)
            _ = try await client.deletionVerifyIdentity(requestId: id, code: "123456")
            #expect(reports.statusFromMemory(requestID: id) == nil)
            #expect(try await client.deletionStatus(requestId: id).state == .scheduled)
            #expect(try await client.deletionStatus(requestId: id).state == .scheduled, "the second answer, from memory, is the same")

            // The clock moves past the 30 days: worked out anew, nothing read.
            _ = try await reports.status(requestID: id)
            #expect(reports.statusFromMemory(requestID: id)?.overdue == false)
            #expect(try await client.deletionStatus(requestId: id).overdue == false)
            server.requests.environment.devClock?.advance(by: 31 * 86_400)
            #expect(reports.statusFromMemory(requestID: id)?.overdue == true)
            #expect(try await client.deletionStatus(requestId: id).overdue == true, "the answer kept in memory is made again")
        }
    }

    @Test(
        "on PostgreSQL: kept while the change feed listens; this replica's writes end it at once, another replica's once announced",
        .enabled(if: TestStore.all.contains(.postgres))
    )
    func replicas() async throws {
        try await DemoServer.withClient(on: .postgres) { client, server in
            let postgres = try #require(server.postgres)
            let reports = RequestReports(store: server.requests.store, environment: server.requests.environment)
            let id = "req_demo_ig"
            // Once the feed listens and the set-up's own announcements have come in, a status read is kept.
            var due = Date.distantPast
            try await eventually {
                due = try await reports.status(requestID: id).request.productionDueBy
                return reports.statusFromMemory(requestID: id)?.request.state == .awaitingVerification
            }

            // This replica: at once, before the call returns.
            _ = try await client.deletionVerifyIdentity(requestId: id, code: "123456")
            #expect(reports.statusFromMemory(requestID: id) == nil)
            #expect(try await client.deletionStatus(requestId: id).state == .scheduled)
            // The feed also hears this replica's own commit, a moment later: that ends what was kept once more.
            try await eventually {
                _ = try await reports.status(requestID: id)
                return reports.statusFromMemory(requestID: id)?.request.state == .scheduled
            }

            // Another replica on the same database: once its commit's notification has arrived.
            let other = PostgresAppDatabase(url: postgres.url, logger: Logger(label: "other-replica"), connections: 2)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await other.run() }
                defer { group.cancelAll() }
                try await other.execute("UPDATE deletion_requests SET production_due_by = production_due_by - interval '1 day' WHERE id = '\(id)'")
                try await eventually { reports.statusFromMemory(requestID: id) == nil }
                #expect(try await reports.status(requestID: id).request.productionDueBy == due.addingTimeInterval(-86_400))
                try await eventually {
                    _ = try await reports.status(requestID: id)
                    return reports.statusFromMemory(requestID: id)?.request.productionDueBy == due.addingTimeInterval(-86_400)
                }
            }
        }
    }

    /// Waits until `condition` holds, asking every 10 ms for at most 10 s (a wait, not a timing).
    private func eventually(_ condition: () async throws -> Bool) async throws {
        for _ in 0..<1_000 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        Issue.record("still false after 10 s")
    }

    @Test("calls that miss together share one read of the store; when it fails, each reads alone")
    func coalescedReads() async throws {
        try await DemoServer.withClient { _, server in
            let reports = RequestReports(store: server.requests.store, environment: server.requests.environment)
            let report = try await reports.status(requestID: "req_demo_ig")
            let cache = StatusCache()
            let reads = Counter()
            let answers = try await withThrowingTaskGroup(of: String.self) { group in
                for _ in 0..<10 {
                    group.addTask {
                        try await cache.coalescing("req_demo_ig", at: 7) {
                            reads.add()
                            // The first call reads once the nine others wait for it.
                            while cache.waiting("req_demo_ig", at: 7) < 9 { await Task.yield() }
                            return report
                        }.request.id
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(answers == Array(repeating: "req_demo_ig", count: 10))
            #expect(reads.value == 1)
            #expect(cache.report("req_demo_ig", at: 7) != nil, "the report is kept for the calls after them")

            struct Unreadable: Error {}
            let failing = StatusCache()
            let tries = Counter()
            let outcomes = await withTaskGroup(of: Bool.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        do {
                            _ = try await failing.coalescing("req_demo_ig", at: 1) {
                                let first = tries.add() == 1
                                if first { while failing.waiting("req_demo_ig", at: 1) < 2 { await Task.yield() } }
                                if first { throw Unreadable() }
                                return report
                            }
                            return true
                        } catch {
                            return false
                        }
                    }
                }
                return await group.reduce(into: []) { $0.append($1) }
            }
            #expect(outcomes.filter { $0 }.count == 2 && outcomes.count == 3, "the failed read fails its own call only")
            #expect(tries.value == 3)
        }
    }

    private final class Counter: Sendable {
        private let count = Atomic(0)
        var value: Int { count.load(ordering: .relaxed) }
        @discardableResult
        func add() -> Int { count.add(1, ordering: .relaxed).newValue }
    }
}
