@testable import ALTStorePostgres
import ALTStore
import Dispatch
import Synchronization
import Testing

/// The wait for a connection is bounded; an answer of "cannot be reached" promises nothing was written
/// (the client then retries an idempotent call). A CI run saw 3 of 40 concurrent cascades answer
/// `alreadyDeleted`: their first attempt was told UNAVAILABLE while its work ran and committed anyway.
@Suite("PostgreSQL: the bounded wait for a connection")
struct BoundedLeaseTests {
    /// A lease that hands its resource out after `delay` whatever happens meanwhile, as a pool does when
    /// the connection is handed over at the moment the wait runs out (cancellation then comes too late,
    /// and PostgresNIO's queries do not stop for it).
    static func lease(after delay: Duration) -> @Sendable (@escaping @Sendable (Int) async throws -> Int) async throws -> Int {
        { work in
            await withCheckedContinuation { continuation in
                DispatchQueue.global().asyncAfter(deadline: .now() + .milliseconds(Int(delay.components.attoseconds / 1_000_000_000_000_000))) {
                    continuation.resume()
                }
            }
            return try await work(7)
        }
    }

    @Test("a lease that comes after the wait ran out: the caller is told StoreWriteFault and the work never runs")
    func lateLease() async throws {
        let ran = Ran()
        await #expect(throws: StoreWriteFault.self) {
            try await BoundedLease.run(waitingAtMost: .milliseconds(50), lease: Self.lease(after: .milliseconds(200))) { resource in
                ran.value.store(true, ordering: .relaxed)
                return resource
            }
        }
        let didRun = ran.value.load(ordering: .relaxed)
        #expect(!didRun, "the work ran after the caller was told nothing was written")
    }

    @Test("a lease within the wait: the work runs to its end, however long it takes")
    func leaseInTime() async throws {
        let value = try await BoundedLease.run(waitingAtMost: .milliseconds(100), lease: Self.lease(after: .milliseconds(10))) { resource in
            try await Task.sleep(for: .milliseconds(300))
            return resource * 6
        }
        #expect(value == 42)
    }

    @Test("the work's own error is the caller's")
    func workFails() async throws {
        struct Refused: Error {}
        await #expect(throws: Refused.self) {
            try await BoundedLease.run(waitingAtMost: .milliseconds(100), lease: Self.lease(after: .milliseconds(1))) { _ -> Int in throw Refused() }
        }
    }

    private final class Ran: Sendable {
        let value = Atomic(false)
    }
}
