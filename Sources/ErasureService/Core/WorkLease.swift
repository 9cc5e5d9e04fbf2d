import ALTStore
import ErasureDomain
import Foundation

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
