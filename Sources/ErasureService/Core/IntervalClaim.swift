import ALTStore
import ErasureDomain
import Foundation

/// Scheduled work done once per interval among every replica sharing the store (the retention sweep,
/// the scheduled backup): the replica that takes the lease `name` holds it for the whole interval and does
/// the work, and the others' rounds in that interval find it taken and skip. Work that fails gives the
/// lease up, so the next round of any replica tries again; a replica that dies mid-way holds it at most
/// one interval.
struct IntervalClaim: Sendable {
    let name: String
    let store: any ErasureStore
    let holder: String
    let clock: any ErasureClock

    /// Runs `work` if this replica takes (or already holds) the claim for the `interval` from now; nil when
    /// another replica holds it.
    func run<T: Sendable>(every interval: TimeInterval, _ work: () async throws -> T) async throws -> T? {
        let now = clock.now()
        guard try await store.leases.acquire(name, holder: holder, now: now, until: now + interval) else { return nil }
        do {
            return try await work()
        } catch {
            // Whoever comes next tries again; if the release fails too, the claim runs out by itself.
            try? await store.leases.release(name, holder: holder)
            throw error
        }
    }
}
