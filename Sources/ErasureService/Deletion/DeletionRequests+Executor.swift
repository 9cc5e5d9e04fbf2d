public import Logging

extension DeletionRequests {
    /// The workflow's clock work as a service: every `interval` it expires requests not verified in time
    /// (and token-carrying jobs past their day), starts the erasures whose time has come (they run in the
    /// `ErasureRunner`), and queues the final confirmations that are due.
    public func executor(every interval: Duration = .seconds(2), logger: Logger) -> PeriodicService<Void> {
        PeriodicService("erasure executor round", every: interval, logger: logger) {
            _ = try await expireUnverified(actor: "deletiond")
            try await runDueRequests(logger: logger)
            try await confirmClearedRequests()
        }
    }
}
