public import ALTStore
import CoreMetrics
public import ErasureDomain
import Foundation
public import Logging

/// The store's state as gauges, for `/metrics`: requests by state (`deletion_requests{state}`), overdue
/// requests (`deletion_requests_overdue`, the same rule as the status's overdue flag) and the outbox by
/// kind (`outbox_depth{kind}`). Read every `interval` with two grouped queries.
public struct StoreGauges: Sendable {
    public let store: any ErasureStore
    public let environment: DeletionEnvironment

    public init(store: any ErasureStore, environment: DeletionEnvironment) {
        self.store = store
        self.environment = environment
    }

    /// One reading, recorded.
    public func record() async throws {
        let now = environment.clock.now()
        let cutoff = now - environment.policy.backupWindow
        let (census, depth) = try await store.read { tx in
            (try await tx.requests.census(now: now, backupsCutoff: cutoff), try await tx.outbox.depth())
        }
        for state in RequestState.allCases {
            Gauge(label: "deletion_requests", dimensions: [("state", state.rawValue)]).record(census.byState[state] ?? 0)
        }
        Gauge(label: "deletion_requests_overdue").record(census.overdue)
        for kind in OutboxKind.allCases {
            Gauge(label: "outbox_depth", dimensions: [("kind", kind.rawValue)]).record(depth[kind] ?? 0)
        }
    }

    public func service(every interval: Duration = .seconds(15), logger: Logger) -> PeriodicService<Void> {
        PeriodicService("store gauges", every: interval, logger: logger) { try await record() }
    }
}
