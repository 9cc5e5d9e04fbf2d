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
    /// This process among the replicas (`DeletionEnvironment.replicaID`): the scheduled sweep runs on
    /// one replica per interval.
    public let replicaID: String

    public init(store: any ErasureStore, clock: any ErasureClock, replicaID: String) {
        self.store = store
        self.clock = clock
        self.replicaID = replicaID
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
    /// The sweep as a service: at start-up, then every `interval` (an hour by default), on one replica
    /// per interval (`scheduledSweep`).
    public func sweeper(every interval: Duration = .seconds(3_600), logger: Logger) -> PeriodicService<Void> {
        PeriodicService("retention sweep", every: interval, logger: logger) {
            guard let deleted = try await scheduledSweep(every: interval) else { return }
            logger.info("retention sweep", metadata: ["deleted": "\(deleted)"])
        }
    }

    /// The sweep of one scheduled round: nil when another replica has swept within this `interval`.
    public func scheduledSweep(every interval: Duration) async throws -> [String: Int]? {
        try await IntervalClaim(name: "retention-sweep", store: store, holder: replicaID, clock: clock)
            .run(every: TimeInterval(interval.components.seconds)) { try await sweep() }
    }
}
