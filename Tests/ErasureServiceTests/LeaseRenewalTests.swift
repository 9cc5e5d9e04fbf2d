import ALTErasureClient
import ALTStore
@testable import ErasureService
import GRDB
import ServiceTestSupport
import Testing

@Suite("A long run keeps its lease")
struct LeaseRenewalTests {
    @Test("renewed once a third of the lease has passed, not at every step; a run stalled past it learns at its next step")
    func renewal() async throws {
        try await DemoServer.withClient { client, server in
            // An hour's lease, so the test's own wall time (seconds on a loaded machine) never counts.
            var hourLease = server.requests.environment
            hourLease.workLease = 3_600
            let environment = hourLease
            let lease = WorkLease(name: "test-run", store: server.requests.store, environment: environment)
            let renewal = LeaseRenewal(lease)
            @Sendable func expiry() async throws -> String? {
                try await server.database.writer.read { db in
                    try String.fetchOne(db, sql: "SELECT expires_at FROM work_leases WHERE name = 'test-run' AND holder = ?", arguments: [environment.replicaID])
                }
            }
            #expect(try await renewal.keep())
            let first = try #require(try await expiry())
            _ = try await client.adminAdvanceClock(seconds: 600)
            #expect(try await renewal.keep())
            #expect(try await expiry() == first, "no write before a third of the lease")
            _ = try await client.adminAdvanceClock(seconds: 700)
            #expect(try await renewal.keep())
            #expect(try await expiry() != first, "renewed after 1,300 of 3,600 s")

            _ = try await client.adminAdvanceClock(seconds: 3_700)
            var other = environment
            other.replicaID = "replica-other"
            #expect(try await WorkLease(name: "test-run", store: server.requests.store, environment: other).acquire())
            #expect(try await renewal.keep() == false)
        }
    }
}
