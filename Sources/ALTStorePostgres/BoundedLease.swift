import ALTStore
import Synchronization

/// Work on a leased resource (a connection of the pool) whose wait for the lease is bounded, not the
/// work: when no resource comes within the wait, the caller is told `StoreWriteFault` ("cannot be
/// reached"), which promises that nothing was written.
///
/// So the work and the give-up race for one claim, decided once: the work starts only if the lease
/// came before the wait ran out, and the caller is told "cannot be reached" only if the wait ran out
/// before any lease. (Cancelling the lease is not enough: a pool may hand the connection over just as
/// the wait runs out, and PostgresNIO's queries do not stop for cancellation.)
enum BoundedLease {
    static func run<Resource, T: Sendable>(
        waitingAtMost wait: Duration,
        lease: @escaping @Sendable (@escaping @Sendable (Resource) async throws -> T) async throws -> T,
        _ work: @escaping @Sendable (Resource) async throws -> T
    ) async throws -> T {
        let claim = Claim()
        return try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask {
                try await lease { resource in
                    guard claim.take(.leased) else { throw CancellationError() }
                    return try await work(resource)
                }
            }
            group.addTask {
                try await Task.sleep(for: wait)
                guard claim.take(.gaveUp) else {
                    // Leased in time: the work runs as long as it needs; this task waits to be cancelled.
                    while true { try await Task.sleep(for: .seconds(3_600)) }
                }
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                throw StoreWriteFault(reason: "the database server cannot be reached")
            }
            return value
        }
    }

    /// Who got there first: a lease, or the end of the wait.
    private final class Claim: Sendable {
        enum Winner: UInt8 {
            case leased = 1
            case gaveUp = 2
        }

        private let state = Atomic<UInt8>(0)

        /// True when `winner` is first.
        func take(_ winner: Winner) -> Bool {
            state.compareExchange(expected: 0, desired: winner.rawValue, ordering: .acquiringAndReleasing).exchanged
        }
    }
}
