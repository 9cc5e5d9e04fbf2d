import ALTStore
import ErasureDomain
import Foundation
import Synchronization

/// A claim on work one replica does at a time (`LeaseRepository`), held by this process
/// (`DeletionEnvironment.replicaID`) for `DeletionEnvironment.workLease` and renewed by acquiring it again.
struct WorkLease: Sendable {
    /// The lease ran out and another replica holds it now.
    struct Lost: Error {}

    let name: String
    let store: any ErasureStore
    let environment: DeletionEnvironment

    /// Takes or renews the lease; false while another replica holds it.
    func acquire() async throws -> Bool {
        let now = environment.clock.now()
        return try await store.leases.acquire(name, holder: environment.replicaID, now: now, until: now + environment.workLease)
    }

    /// Gives the lease up; a failure only delays the next taker until the lease runs out.
    func release() async {
        do {
            try await store.leases.release(name, holder: environment.replicaID)
        } catch {
            // Nothing to undo: the lease expires by itself.
        }
    }
}

/// Keeps a lease through a long run (an erasure's batches) by renewing it once a third of its duration
/// has passed since the last renewal, not at every step: each renewal is a write transaction, and
/// batches sized to 50 ms would pay one each. The first call renews. A run that stalls past the lease
/// renews at its next step and learns it lost the lease there.
final class LeaseRenewal: Sendable {
    private let lease: WorkLease
    private let renewed = Mutex<Date?>(nil)

    init(_ lease: WorkLease) { self.lease = lease }

    /// True while this process holds the lease; false once another replica has taken it.
    func keep() async throws -> Bool {
        let now = lease.environment.clock.now()
        if let renewed = renewed.withLock({ $0 }), now.timeIntervalSince(renewed) < lease.environment.workLease / 3 { return true }
        guard try await lease.acquire() else { return false }
        renewed.withLock { $0 = now }
        return true
    }
}
