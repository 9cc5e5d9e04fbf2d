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
            let environment = server.requests.environment
            #expect(environment.workLease == 30)
            let lease = WorkLease(name: "test-run", store: server.requests.store, environment: environment)
            let renewal = LeaseRenewal(lease)
            @Sendable func expiry() async throws -> String? {
                try await server.database.writer.read { db in
                    try String.fetchOne(db, sql: "SELECT expires_at FROM work_leases WHERE name = 'test-run' AND holder = ?", arguments: [environment.replicaID])
                }
            }
            #expect(try await renewal.keep())
            let first = try #require(try await expiry())
            _ = try await client.adminAdvanceClock(seconds: 5)
            #expect(try await renewal.keep())
            #expect(try await expiry() == first, "no write before a third of the lease")
            _ = try await client.adminAdvanceClock(seconds: 6)
            #expect(try await renewal.keep())
            #expect(try await expiry() != first, "renewed after 11 of 30 s")

            _ = try await client.adminAdvanceClock(seconds: 31)
            var other = environment
            other.replicaID = "replica-other"
            #expect(try await WorkLease(name: "test-run", store: server.requests.store, environment: other).acquire())
            #expect(try await renewal.keep() == false)
        }
    }
}
