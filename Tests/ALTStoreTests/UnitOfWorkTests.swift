import ALTStore
import ErasureDomain
import Foundation
import Testing

/// The SQLite unit of work: a transaction held across suspension points, behind the write gate.
@Suite("Unit of work on SQLite: all or nothing, one at a time")
struct UnitOfWorkTests {
    struct Refused: Error {}

    static func request(_ id: String, at now: Date = Date(timeIntervalSince1970: 1_800_000_000)) -> DeletionRequest {
        let intake = DeletionRequest.Intake(
            id: id, confirmationCode: "C-\(id)", scope: .instagram, channel: .app, accountID: "acc_demo", subjectHash: "h",
            requesterEmailSealed: nil, messageIdHash: nil, actor: "test"
        )
        return DeletionRequest.receive(intake, at: now, policy: ErasurePolicy()).0
    }

    @Test("an error after some writes rolls every one of them back")
    func errorRollsBack() async throws {
        try await StoreFixture.with { fixture in
            let store = SQLiteErasureStore(database: fixture.database)
            await #expect(throws: Refused.self) {
                try await store.write { tx in
                    try await tx.requests.save(Self.request("req_a"))
                    try await tx.audit.append(at: .now, actor: "test", action: .received, requestID: "req_a")
                    throw Refused()
                }
            }
            #expect(try await store.read { tx in try await tx.requests.request(id: "req_a") } == nil)
            // The gate was given back and the connection is out of the transaction: the next write commits.
            try await store.write { tx in try await tx.requests.save(Self.request("req_b")) }
            #expect(try await store.read { tx in try await tx.requests.request(id: "req_b") }?.id == "req_b")
        }
    }

    @Test("a cancelled unit of work rolls back, and the store takes writes afterwards")
    func cancellationRollsBack() async throws {
        try await StoreFixture.with { fixture in
            let store = SQLiteErasureStore(database: fixture.database)
            let (saved, signal) = AsyncStream.makeStream(of: Void.self)
            let task = Task {
                try await store.write { tx in
                    try await tx.requests.save(Self.request("req_c"))
                    signal.yield()
                    try await Task.sleep(for: .seconds(30))
                }
            }
            for await _ in saved { break }
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(try await store.read { tx in try await tx.requests.request(id: "req_c") } == nil)
            try await store.write { tx in try await tx.requests.save(Self.request("req_d")) }
            #expect(try await store.read { tx in try await tx.requests.request(id: "req_d") } != nil)
        }
    }

    @Test("concurrent units of work do not interleave: 40 read-modify-writes, no update lost")
    func oneAtATime() async throws {
        try await StoreFixture.with { fixture in
            let store = SQLiteErasureStore(database: fixture.database)
            try await store.write { tx in try await tx.requests.save(Self.request("req_n")) }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<40 {
                    group.addTask {
                        try await store.write { tx in
                            guard var request = try await tx.requests.request(id: "req_n") else { throw Refused() }
                            await Task.yield()  // another unit of work would slip in here without the gate
                            request.attempts += 1
                            try await tx.requests.save(request)
                        }
                    }
                }
                try await group.waitForAll()
            }
            #expect(try await store.read { tx in try await tx.requests.request(id: "req_n") }?.attempts == 40)
        }
    }

    @Test("a plain write waits for an open unit of work instead of landing inside it")
    func plainWriteWaits() async throws {
        try await StoreFixture.with { fixture in
            let store = SQLiteErasureStore(database: fixture.database)
            let (opened, signal) = AsyncStream.makeStream(of: Void.self)
            let unit = Task {
                try await store.write { tx in
                    try await tx.requests.save(Self.request("req_e"))
                    signal.yield()
                    try await Task.sleep(for: .milliseconds(300))
                    throw Refused()
                }
            }
            for await _ in opened { break }
            // The probe write commits on its own, after the unit of work has rolled back.
            try await store.probeWrite(at: .now)
            await #expect(throws: Refused.self) { try await unit.value }
            #expect(try await store.read { tx in try await tx.requests.request(id: "req_e") } == nil)
        }
    }
}
