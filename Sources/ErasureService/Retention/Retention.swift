public import ALTStore
public import ErasureDomain
import Foundation
public import Logging

/// What the policy keeps only for a while (P8): application logs past 90 days, billing records past
/// their 7 years, identity codes past their use (a code lives 15 minutes and counts towards the hourly
/// limit for an hour: older ones serve nothing).
public struct Retention: Sendable {
    public let store: any ErasureStore
    public let clock: any ErasureClock

    public init(store: any ErasureStore, clock: any ErasureClock) {
        self.store = store
        self.clock = clock
    }

    /// One sweep as of now; rows deleted per table.
    public func sweep() async throws -> [String: Int] {
        let now = clock.now()
        var deleted = try await store.retention.sweep(now: now)
        deleted["identity_challenges"] = try await store.write { tx in try await tx.challenges.deleteChallenges(issuedBefore: now - 3_600) }
        return deleted
    }
}

extension Retention {
    /// The sweep as a service: at start-up, then every `interval` (an hour by default).
    public func sweeper(every interval: Duration = .seconds(3_600), logger: Logger) -> PeriodicService<Void> {
        PeriodicService("retention sweep", every: interval, logger: logger) {
            let deleted = try await sweep()
            logger.info("retention sweep", metadata: ["deleted": "\(deleted)"])
        }
    }
}
