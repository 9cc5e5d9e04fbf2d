import ALTErasureClient
import ALTStore
import ErasureDomain
import ErasureService
import Foundation
import GRDB
import ServiceTestSupport
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
}
