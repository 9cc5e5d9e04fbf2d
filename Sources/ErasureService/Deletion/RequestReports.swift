public import ALTStore
import ErasureDomain
import Foundation

/// The read side of the deletion workflow: a request's status as a person or a caller sees it (state,
/// deadlines, what was erased and what is kept, backups still holding data, provider jobs), pages of
/// requests for support, and the proofs of an erasure (the residual scan and the signed receipt).
/// It changes nothing; `DeletionRequests` does.
public struct RequestReports: Sendable {
    public let store: any ErasureStore
    public let environment: DeletionEnvironment
    let cache = StatusCache()

    public init(store: any ErasureStore, environment: DeletionEnvironment) {
        self.store = store
        self.environment = environment
    }

    var now: Date { environment.clock.now() }
}
