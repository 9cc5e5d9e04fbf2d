import ALTErasureAPI
import RPCServer

extension MethodRegistry {
    /// `retention.sweep` (P8): the sweep, and the expiry of requests not verified in time.
    mutating func registerRetention(_ retention: Retention, requests: DeletionRequests) {
        register(Operations.RetentionSweep.self) { _, context in
            let deleted = try await retention.sweep()
            let expired = try await requests.expireUnverified(actor: context.actor)
            return .init(deleted: deleted, expiredRequests: expired)
        }
    }
}
